"""FakeDiscord: one guild, a few members, REST + gateway + voice on loopback, and a test API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from aiohttp import BodyPartReader, web

from .dave import DaveGroup
from .gateway import FakeGateway, GuildSource, guild_id_on_shard
from .limits import (
    ACK_DEADLINE_S,
    choice_problems,
    find_component,
    message_problems,
    voice_message_problems,
)
from .payloads import (
    ADMINISTRATOR,
    EVERYONE_PERMISSIONS,
    FakeMember,
    attachment_payload,
    channel,
    now_iso,
    role,
    snowflake,
)
from .tls import make_certificates
from .voice import FakeVoiceServer

log = logging.getLogger(__name__)

TOKEN = "fake-bot-token"
JSON = "application/json"  # exactly: discord.py decodes JSON only for this Content-Type
GATEWAY_LATENCY_S = 0.03
OPTION_TYPES = {3: "str", 4: "int", 5: "bool", 10: "float", 11: "attachment"}

AttachmentSpec = tuple[str, bytes] | tuple[str, bytes, str]


class InvalidBody(Exception):
    """A message Discord would refuse (400, code 50035)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _json(data: Any, status: int = 200) -> web.Response:
    # body= with an explicit header: aiohttp would append "; charset=utf-8" to content_type=.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": JSON}
    )


class FakeDiscord:
    """Start with `await fake.start()`; point the bot at `api_base`, `gateway_url`, `ca_cert`."""

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        shard_count: int = 1,
        shard: int = 0,
        sibling: FakeDiscord | None = None,
    ) -> None:
        """`shard_count` shards; this guild's id lands on `shard`. A `sibling` (started
        first) makes this another guild of the same Discord: its bot, application, gateway
        and TLS certificates (tests/fakediscord/shards.py puts several behind one URL)."""
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="fakediscord-")
        self.workdir = workdir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.token = TOKEN
        self._sibling = sibling
        self.application_id: int = sibling.application_id if sibling else snowflake()
        self.guild_id = guild_id_on_shard(
            snowflake(), shard, sibling.gateway.shard_count if sibling else shard_count
        )
        self.text_channel_id = snowflake()
        self.voice_channel_id = snowflake()
        self.role_trainer = snowflake()
        self.role_admin = snowflake()
        self.bot: FakeMember = (
            sibling.bot if sibling else FakeMember(snowflake(), "Trainer", bot=True)
        )
        self.members: dict[int, FakeMember] = {}
        self.alice = self.add_member("alice", [self.role_trainer], ssrc=4242)
        """Has the `trainer` role."""
        self.bob = self.add_member("bob", [], ssrc=4343)
        """No roles: refused for role-restricted commands."""
        self.members[self.bot.id] = self.bot
        self.messages: dict[int, list[dict[str, Any]]] = {
            self.text_channel_id: [],
            self.voice_channel_id: [],
        }
        self.files: dict[int, bytes] = {}
        """Attachment id -> bytes, for both directions."""
        self.commands: dict[str, dict[str, Any]] = {}
        """Application commands registered by the bot (global and guild), by name."""
        self.interactions: dict[int, dict[str, Any]] = {}
        self.voice_states: dict[int, int | None] = {}
        """User id -> voice channel id."""
        self.unknown_routes: list[str] = []
        self.refused: list[list[str]] = []
        """Messages refused as Discord would (too long, too many components, ...): why."""
        self.requests: list[tuple[str, str]] = []
        self.cdn_downloads: list[int] = []
        self.cdn_missing = False
        """True: the CDN answers 404 (an expired attachment URL)."""
        self._changed = asyncio.Condition()
        self.gateway: FakeGateway = (
            sibling.gateway if sibling else FakeGateway(TOKEN, self._ready, shard_count)
        )
        self.gateway.add_guild(GuildSource(self.guild_id, self._guild_create, self._voice_state_op))
        self.voice = FakeVoiceServer(lambda: self._voice_token)
        self.voice.dave = DaveGroup(self.voice_channel_id, self.bot.id)
        """DAVE is on, as Discord requires; `fake.voice.dave = None` before joining: off."""
        self._voice_token = "fake-voice-token"
        self._runners: list[web.AppRunner] = []
        self.port = 0
        self.voice_port = 0
        self.ca_cert = self.workdir / "ca.pem"
        self.certs: Any = None
        """The TLS certificates (set by `start`), shared with sibling guilds."""

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        certs = self._sibling.certs if self._sibling else make_certificates(self.workdir / "tls")
        self.certs = certs
        self.ca_cert = certs.ca_pem
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handler)
        app.router.add_get("/gateway/", self.gateway.handler)
        app.router.add_get("/cdn/attachments/{id}/{filename}", self._cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self.port = await self._serve(app, None)
        voice_app = web.Application()
        voice_app.router.add_get("/", self.voice.handler)
        self.voice_port = await self._serve(voice_app, certs.server_context())
        await self.voice.start_udp()

    async def _serve(self, app: web.Application, ssl_context: Any) -> int:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        self._runners.append(runner)
        server = cast(Any, site._server)
        return int(server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        self.voice.close()
        for runner in reversed(self._runners):
            await runner.cleanup()
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def add_member(self, name: str, roles: list[int], *, ssrc: int = 0) -> FakeMember:
        member = FakeMember(snowflake(), name, roles=roles, ssrc=ssrc or snowflake() & 0xFFFFFF)
        self.members[member.id] = member
        return member

    # -- payloads --------------------------------------------------------------------------------

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": {**self.bot.user(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": self.gateway.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    def _guild_create(self) -> dict[str, Any]:
        gid = self.guild_id
        return {
            "id": str(gid),
            "name": "Fake Guild",
            "icon": None,
            "owner_id": str(snowflake()),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                role(gid, "@everyone", EVERYONE_PERMISSIONS, 0),
                role(self.role_trainer, "trainer", 0, 1),
                role(self.role_admin, "admin", ADMINISTRATOR, 2),
            ],
            "channels": [
                channel(self.text_channel_id, gid, "general", 0, 0),
                channel(self.voice_channel_id, gid, "Voice", 2, 1),
            ],
            "threads": [],
            "members": [m.member() for m in self.members.values()],
            "member_count": len(self.members),
            "voice_states": [
                self._voice_state(uid, cid) for uid, cid in self.voice_states.items() if cid
            ],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "large": False,
            "unavailable": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
        }

    def _voice_state(self, user_id: int, channel_id: int | None) -> dict[str, Any]:
        member = self.members[user_id]
        return {
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id) if channel_id else None,
            "user_id": str(user_id),
            "member": member.member(),
            "session_id": f"voice-session-{user_id}",
            "deaf": False,
            "mute": False,
            "self_deaf": False,
            "self_mute": False,
            "self_video": False,
            "self_stream": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
        }

    def _message(
        self,
        channel_id: int,
        author: FakeMember,
        content: str,
        attachments: list[dict[str, Any]],
        *,
        embeds: list[dict[str, Any]] | None = None,
        reference: int | None = None,
        interaction: int | None = None,
        flags: int = 0,
        components: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(snowflake()),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": author.user(),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": flags,
            "components": components or [],
        }
        if reference is not None:
            message["message_reference"] = {
                "message_id": str(reference),
                "channel_id": str(channel_id),
                "guild_id": str(self.guild_id),
            }
            original = self.find_message(reference)
            if original is not None:
                message["referenced_message"] = original
        if interaction is not None:
            message["interaction_id"] = str(interaction)  # a fake-only tag for tests
        return message

    def _store_attachment(
        self, filename: str, data: bytes, content_type: str | None
    ) -> dict[str, Any]:
        attachment_id = snowflake()
        self.files[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}/cdn/attachments/{attachment_id}/{filename}"
        return attachment_payload(attachment_id, filename, len(data), url, content_type)

    async def _add_message(self, message: dict[str, Any]) -> None:
        self.messages.setdefault(int(message["channel_id"]), []).append(message)
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- test-facing API ------------------------------------------------------------------------

    async def wait_connected(self, timeout: float = 15.0) -> None:
        await asyncio.wait_for(self.gateway.identified.wait(), timeout)

    async def send_message(
        self,
        content: str,
        author: FakeMember | None = None,
        channel_id: int | None = None,
        *,
        attachments: list[AttachmentSpec] | None = None,
        reply_to: int | str | None = None,
        attachment_size: int | None = None,
        flags: int = 0,
    ) -> dict[str, Any]:
        """A member posts a message (MESSAGE_CREATE). `attachment_size` overrides the announced
        size, to check that the bot refuses before downloading."""
        author = author or self.alice
        channel_id = channel_id or self.text_channel_id
        stored = []
        for spec in attachments or []:
            filename, data = spec[0], spec[1]
            content_type = spec[2] if len(spec) > 2 else None
            payload = self._store_attachment(filename, data, content_type)
            if attachment_size is not None:
                payload["size"] = attachment_size
            stored.append(payload)
        message = self._message(
            channel_id,
            author,
            content,
            stored,
            reference=int(reply_to) if reply_to else None,
            flags=flags,
        )
        message["member"] = author.member(with_user=False)
        await self._add_message(message)
        await self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def interaction(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        author: FakeMember | None = None,
        channel_id: int | None = None,
    ) -> int:
        """A member runs `/name`; attachment options take `(filename, bytes)`. Returns its id."""
        author = author or self.alice
        channel_id = channel_id or self.text_channel_id
        command = self.commands.get(name)
        if command is None:
            raise KeyError(f"the bot registered no application command {name!r}")
        declared = {o["name"]: o for o in command.get("options", [])}
        wire_options, resolved_attachments = [], {}
        for key, value in (options or {}).items():
            if key not in declared:
                raise KeyError(f"/{name} has no option {key!r}; it has {sorted(declared)}")
            kind = declared[key]["type"]
            if kind == 11:
                attachment = self._store_attachment(value[0], value[1], None)
                resolved_attachments[attachment["id"]] = attachment
                value = attachment["id"]
            wire_options.append({"name": key, "type": kind, "value": value})
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": wire_options,
            "guild_id": str(self.guild_id),
        }
        if resolved_attachments:
            data["resolved"] = {"attachments": resolved_attachments}
        return await self._dispatch_interaction(2, data, author, channel_id)

    async def _dispatch_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        author: FakeMember,
        channel_id: int,
        message: dict[str, Any] | None = None,
    ) -> int:
        """INTERACTION_CREATE of `kind` (2 command, 3 component, 4 autocomplete) as Discord
        sends it; component interactions carry the message their component is on."""
        interaction_id = snowflake()
        member = author.member()
        member["permissions"] = str(EVERYONE_PERMISSIONS)
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": channel(channel_id, self.guild_id, "general", 0, 0),
            "member": member,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "app_permissions": str(EVERYONE_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        self.interactions[interaction_id] = {
            "payload": payload,
            "responses": [],
            "original": None,
            "message": message,
            "created": time.monotonic(),
            "acknowledged_after": None,
            "choices": None,
        }
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    async def autocomplete(
        self,
        name: str,
        option: str,
        typed: str,
        options: dict[str, Any] | None = None,
        author: FakeMember | None = None,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """A member types `typed` into `/name`'s `option` (other options already filled in):
        an autocomplete interaction (type 4). Returns the choices the bot answered (type 8)."""
        command = self.commands.get(name)
        if command is None:
            raise KeyError(f"the bot registered no application command {name!r}")
        declared = {o["name"]: o for o in command.get("options", [])}
        if not declared.get(option, {}).get("autocomplete"):
            raise KeyError(f"/{name} option {option!r} does not autocomplete")
        wire = [
            {"name": k, "type": declared[k]["type"], "value": v}
            for k, v in (options or {}).items()
            if k != option
        ]
        wire.append(
            {"name": option, "type": declared[option]["type"], "value": typed, "focused": True}
        )
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": wire,
            "guild_id": str(self.guild_id),
        }
        author = author or self.alice
        interaction_id = await self._dispatch_interaction(4, data, author, self.text_channel_id)
        record = self.interactions[interaction_id]
        await self.wait_for(lambda: record["choices"] is not None, timeout, "autocomplete choices")
        return list(record["choices"])

    async def click(
        self,
        message: dict[str, Any] | int | str,
        custom_id: str,
        author: FakeMember | None = None,
        values: list[str] | None = None,
    ) -> int:
        """A member clicks a button (or, with `values`, picks options of a select menu) on a
        message: a component interaction (type 3), refused like Discord's client would when the
        component is not on the message, is disabled, or the values are not its options."""
        stored = self.find_message(message if isinstance(message, int | str) else message["id"])
        if stored is None:
            raise KeyError("no such message")
        component = find_component(stored, custom_id)
        if component is None:
            raise KeyError(f"no component {custom_id!r} on the message")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        author = author or self.alice
        if stored.get("flags", 0) & 64:  # ephemeral: only its interaction's member sees it
            owner = self.interactions[int(stored["interaction_id"])]["payload"]["member"]
            if owner["user"]["id"] != str(author.id):
                raise PermissionError(f"{author.name} cannot see that ephemeral message")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] == 3:
            offered = {o["value"] for o in component.get("options", [])}
            if not values or not set(values) <= offered:
                raise ValueError(f"{values!r} are not options of {custom_id!r}: {sorted(offered)}")
            data["values"] = values
        channel_id = int(stored["channel_id"])
        return await self._dispatch_interaction(3, data, author, channel_id, stored)

    def components(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """A stored message's buttons and select menus (its action rows flattened)."""
        return [c for row in message.get("components") or [] for c in row.get("components", [])]

    def sent_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (or interaction responses), oldest first."""
        channels = [channel_id] if channel_id else list(self.messages)
        found = [
            m
            for c in channels
            for m in self.messages.get(c, [])
            if m["author"]["id"] == str(self.bot.id)
        ]
        return sorted(found, key=lambda m: int(m["id"]))

    def find_message(self, message_id: int | str) -> dict[str, Any] | None:
        for messages in self.messages.values():
            for message in messages:
                if message["id"] == str(message_id):
                    return message
        return None

    def attachment_data(self, attachment: dict[str, Any]) -> bytes:
        return self.files[int(attachment["id"])]

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
    ) -> Any:
        """Wait until `predicate()` returns something truthy (checked on every change)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"fake discord: timed out waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.25))

    async def wait_for_reply(
        self,
        after: int | str = 0,
        channel_id: int | None = None,
        timeout: float = 10.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
        *,
        settled: bool = True,
    ) -> dict[str, Any]:
        """The first bot message with an id greater than `after` (matching `where`), waiting
        out the "thinking…" placeholder of a deferred interaction when `settled`."""

        def find() -> dict[str, Any] | None:
            for message in self.sent_messages(channel_id):
                if int(message["id"]) <= int(after):
                    continue
                if settled and message.get("flags", 0) & 128:
                    continue
                if where is None or where(message):
                    return message
            return None

        return await self.wait_for(find, timeout, "a reply from the bot")

    async def set_voice_channel(
        self, member: FakeMember, channel_id: int | None, *, connect: bool = True
    ) -> None:
        """A member joins (or leaves, with None) a voice channel. With DAVE on, its client
        joins the call's MLS group too, unless `connect` is False (then `connect_voice`
        does it later, as a client that is slow to connect)."""
        was_in_call = self.voice_states.get(member.id) == self.voice_channel_id
        self.voice_states[member.id] = channel_id
        await self.gateway.dispatch("VOICE_STATE_UPDATE", self._voice_state(member.id, channel_id))
        dave = self.voice.dave
        if dave is not None and was_in_call and channel_id != self.voice_channel_id:
            await dave.member_leaves(member.id)
        elif connect and channel_id == self.voice_channel_id and not was_in_call:
            await self.connect_voice(member)

    async def connect_voice(self, member: FakeMember) -> None:
        """The member's voice client connects to the call (joins the DAVE group)."""
        if self.voice.dave is not None and member.id not in self.voice.dave.members:
            await self.voice.dave.member_joins(member.id)

    async def stream_voice(self, member: FakeMember, pcm48k_stereo: bytes, **options: Any) -> int:
        """One talk spurt of `member` to the bot (options: `FakeVoiceServer.stream`'s)."""
        return await self.voice.stream(
            self.guild_id, member.id, member.ssrc, pcm48k_stereo, **options
        )

    def received_voice_pcm(self) -> bytes:
        """Everything the bot said in voice, decoded to 48 kHz stereo s16le."""
        return bytes(self.voice.received_pcm)

    async def drop_gateway(self, code: int = 4000) -> None:
        await self.gateway.drop(code)

    async def drop_voice(self, code: int = 4006) -> None:
        await self.voice.drop(self.guild_id, code)

    async def kick_bot_from_voice(self) -> None:
        """A moderator disconnects the bot: Discord tells the gateway the bot has no channel
        now and closes its voice websocket with 4014."""
        self.voice_states[self.bot.id] = None
        state = self._voice_state(self.bot.id, None)
        state["session_id"] = "bot-voice-session"
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state)
        await self.voice.drop(self.guild_id, 4014)

    def bot_voice_channel(self) -> int | None:
        return self.voice_states.get(self.bot.id)

    # -- gateway op 4 ----------------------------------------------------------------------------

    async def _voice_state_op(self, data: dict[str, Any]) -> None:
        # Answer after a network-like delay: discord.py sets its "expecting a disconnect" flag
        # only after its op 4 send returns, and real Discord never answers faster than that.
        await asyncio.sleep(GATEWAY_LATENCY_S)
        channel_id = int(data["channel_id"]) if data.get("channel_id") else None
        self.voice_states[self.bot.id] = channel_id
        state = self._voice_state(self.bot.id, channel_id)
        state["session_id"] = "bot-voice-session"
        state["self_mute"] = bool(data.get("self_mute"))
        state["self_deaf"] = bool(data.get("self_deaf"))
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state)
        if channel_id is not None:
            endpoint = f"127.0.0.1:{self.voice_port}"
            await self.gateway.dispatch(
                "VOICE_SERVER_UPDATE",
                {"token": self._voice_token, "guild_id": str(self.guild_id), "endpoint": endpoint},
            )
        else:
            session = self.voice.session(self.guild_id)
            if session is not None and not session.ws.closed:
                await session.ws.close(code=4014, message=b"Disconnected.")
        await self._notify()

    # -- REST ------------------------------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.Response:
        attachment_id = int(request.match_info["id"])
        if attachment_id not in self.files or self.cdn_missing:
            return web.Response(status=404)
        self.cdn_downloads.append(attachment_id)
        return web.Response(body=self.files[attachment_id], content_type="application/octet-stream")

    async def _body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        """JSON body, or multipart payload_json + files[n] (uploaded files are stored)."""
        if request.content_type.startswith("multipart/"):
            payload: dict[str, Any] = {}
            uploads: list[tuple[str, bytes]] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    uploads.append((part.filename or "file", await part.read(decode=False)))
            files = [self._store_attachment(name, bytes(data), None) for name, data in uploads]
            return payload, files
        if request.can_read_body:
            text = await request.text()
            return (json.loads(text) if text else {}), []
        return {}, []

    async def _rest(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") not in (f"Bot {self.token}", None):
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        tail = request.match_info["tail"]
        parts = tail.strip("/").split("/")
        method = request.method
        self.requests.append((method, tail))
        try:
            response = await self._route(method, parts, request)
        except KeyError as exc:
            return _json({"message": f"Unknown {exc}", "code": 10008}, 404)
        except InvalidBody as exc:
            self.refused.append(exc.problems)
            return _json(
                {"message": "Invalid Form Body", "code": 50035, "errors": exc.problems}, 400
            )
        if response is None:
            self.unknown_routes.append(f"{method} /{tail}")
            log.warning("fake discord: unhandled %s /%s", method, tail)
            return _json({"message": "404: Not Found", "code": 0}, 404)
        return response

    async def _route(self, method: str, p: list[str], request: web.Request) -> web.Response | None:
        n = len(p)
        if p == ["gateway", "bot"]:  # discord.py asks how many shards to run
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": self.gateway.shard_count,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 1000,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if p == ["users", "@me"]:
            return _json({**self.bot.user(), "verified": True, "flags": 0})
        if p[:2] == ["applications", "@me"] or p[:3] == ["oauth2", "applications", "@me"]:
            return _json(
                {
                    "id": str(self.application_id),
                    "name": "Trainer",
                    "flags": 0,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "description": "",
                    "verify_key": "0" * 64,
                    "icon": None,
                    "owner": self.alice.user(),
                    "team": None,
                }
            )
        if p[0] == "applications" and p[-1] == "commands" and method == "PUT":
            body, _ = await self._body(request)
            registered = []
            for declared in body:
                command = {
                    **declared,
                    "id": str(snowflake()),
                    "application_id": str(self.application_id),
                    "version": "1",
                }
                if "guilds" in p:
                    command["guild_id"] = p[3]
                if command.get("default_member_permissions") is not None:  # a string, as Discord
                    command["default_member_permissions"] = str(
                        command["default_member_permissions"]
                    )
                self.commands[command["name"]] = command
                registered.append(command)
            await self._notify()
            return _json(registered)
        if p[0] == "applications" and p[-1] == "commands" and method == "GET":
            return _json(list(self.commands.values()))
        if p[0] == "channels" and n >= 3 and p[2] == "typing":
            return web.Response(status=204)
        if p[0] == "channels" and n == 3 and p[2] == "messages" and method == "POST":
            body, files = await self._body(request)
            return _json(await self._create_bot_message(int(p[1]), body, files))
        if p[0] == "channels" and n == 4 and p[2] == "messages":
            message = self.find_message(p[3])
            if message is None:
                raise KeyError("Message")
            if method == "GET":
                return _json(message)
            if method == "PATCH":
                body, files = await self._body(request)
                return _json(await self._edit(message, body, files))
            if method == "DELETE":
                self.messages[int(p[1])].remove(message)
                return web.Response(status=204)
        if p[0] == "channels" and n == 2 and method == "GET":
            cid = int(p[1])
            kind = 2 if cid == self.voice_channel_id else 0
            return _json(channel(cid, self.guild_id, "channel", kind, 0))
        if p[0] == "guilds" and n == 4 and p[2] == "members" and method == "GET":
            return _json(self.members[int(p[3])].member())
        if p[0] == "guilds" and n == 3 and p[2] == "roles":
            return _json(self._guild_create()["roles"])
        if p[0] == "interactions" and p[-1] == "callback":
            return await self._interaction_callback(int(p[1]), request)
        if p[0] == "webhooks" and n >= 3:
            return await self._webhook(method, p, request)
        return None

    async def _create_bot_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[dict[str, Any]],
        *,
        interaction: int | None = None,
    ) -> dict[str, Any]:
        reference = body.get("message_reference") or {}
        for declared, stored in zip(body.get("attachments") or [], files, strict=False):
            # what payload_json says of each upload: a voice message's duration and waveform
            for key in ("duration_secs", "waveform", "content_type", "description"):
                if key in declared:
                    stored[key] = declared[key]
        problems = message_problems(body) + voice_message_problems(body, files)
        if problems:
            raise InvalidBody(problems)
        message = self._message(
            channel_id,
            self.bot,
            body.get("content") or "",
            files,
            embeds=body.get("embeds") or [],
            reference=int(reference["message_id"]) if reference.get("message_id") else None,
            interaction=interaction,
            flags=int(body.get("flags") or 0),
            components=body.get("components") or [],
        )
        await self._add_message(message)
        await self.gateway.dispatch(
            "MESSAGE_CREATE", {**message, "member": self.bot.member(with_user=False)}
        )
        return message

    async def _edit(
        self, message: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> dict[str, Any]:
        problems = message_problems({**message, **body})
        if problems:
            raise InvalidBody(problems)
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] or ("" if key == "content" else [])
        if "attachments" in body:
            keep = {str(a.get("id")) for a in body["attachments"]}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in keep]
        message["attachments"] = message["attachments"] + files
        message["flags"] = int(message.get("flags", 0)) & ~128  # no longer "thinking…"
        message["edited_timestamp"] = now_iso()
        message["edits"] = message.get("edits", 0) + 1
        await self._notify()
        await self.gateway.dispatch("MESSAGE_UPDATE", message)
        return message

    async def _interaction_callback(
        self, interaction_id: int, request: web.Request
    ) -> web.Response:
        record = self.interactions[interaction_id]
        waited = time.monotonic() - record["created"]
        if waited > ACK_DEADLINE_S:  # Discord has already told the user it failed
            return _json({"message": "Unknown interaction", "code": 10062}, 404)
        if record["responses"]:
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        body, files = await self._body(request)
        kind, data = body["type"], body.get("data") or {}
        interaction_type = record["payload"]["type"]
        channel_id = int(record["payload"]["channel_id"])
        summary: dict[str, Any] = {"id": str(interaction_id), "type": interaction_type}
        resource: dict[str, Any] | None = None
        if kind == 8:  # autocomplete result
            if interaction_type != 4:
                return _json({"message": "Invalid interaction response type", "code": 40043}, 400)
            choices = list(data.get("choices") or [])
            problems = choice_problems(choices)
            if problems:
                return _json(
                    {"message": "Invalid Form Body", "code": 50035, "errors": problems}, 400
                )
            record["choices"] = choices
        elif kind in (6, 7):  # acknowledge a click / update the clicked message
            if record["message"] is None:
                return _json({"message": "Invalid interaction response type", "code": 40043}, 400)
            record["original"] = record["message"]
            if kind == 7:
                message = await self._edit(record["message"], data, files)
                resource = {"type": kind, "message": message}
        else:  # 4: a message, 5: a "thinking…" placeholder that the bot edits later
            flags = int(data.get("flags") or 0)
            if kind == 5:
                flags |= 128
            message = await self._create_bot_message(
                channel_id, {**data, "flags": flags}, files, interaction=interaction_id
            )
            record["original"] = message
            summary.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(flags & 64),
            )
            resource = {"type": kind, "message": message}
        record["responses"].append(kind)
        record["acknowledged_after"] = waited
        await self._notify()
        answer: dict[str, Any] = {"interaction": summary}
        if resource is not None:
            answer["resource"] = resource
        return _json(answer)

    async def _webhook(
        self, method: str, p: list[str], request: web.Request
    ) -> web.Response | None:
        token = p[2]
        interaction_id = int(token.removeprefix("itoken-"))
        record = self.interactions[interaction_id]
        channel_id = int(record["payload"]["channel_id"])
        if len(p) == 3 and method == "POST":  # follow-up message
            body, files = await self._body(request)
            original = record["original"]
            if original is not None and original.get("flags", 0) & 128:
                # As Discord does: the first follow-up replaces the "thinking…" placeholder.
                return _json(await self._edit(original, body, files))
            message = await self._create_bot_message(
                channel_id, body, files, interaction=interaction_id
            )
            return _json(message)
        if len(p) == 5 and p[3] == "messages":
            found: dict[str, Any] | None = (
                record["original"] if p[4] == "@original" else self.find_message(p[4])
            )
            if found is None:
                raise KeyError("Message")
            if method == "GET":
                return _json(found)
            if method == "PATCH":
                body, files = await self._body(request)
                return _json(await self._edit(found, body, files))
            if method == "DELETE":
                self.messages[channel_id].remove(found)
                return web.Response(status=204)
        return None
