"""FakeDiscord: one guild, a few members, REST + gateway + voice on loopback, and a test API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from aiohttp import web

from .dave import DaveGroup
from .gateway import FakeGateway, GuildSource, guild_id_on_shard
from .guild_payloads import GuildPayloads
from .guild_voice import GuildVoice
from .interactions import Interactions
from .payloads import (
    FakeMember,
    attachment_payload,
    snowflake,
)
from .private_threads import PrivateThreads
from .rest import ApiError, RestRoutes
from .threads import Threads
from .tls import make_certificates
from .turbulence import Turbulence
from .voice import FakeVoiceServer

CANNOT_DM = 50007
"""Discord's code for a DM the user does not take."""

log = logging.getLogger(__name__)

TOKEN = "fake-bot-token"
OPTION_TYPES = {3: "str", 4: "int", 5: "bool", 10: "float", 11: "attachment"}

AttachmentSpec = tuple[str, bytes] | tuple[str, bytes, str]


class FakeDiscord(
    GuildPayloads, GuildVoice, Interactions, RestRoutes, Threads, PrivateThreads, Turbulence
):
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
        self.other_voice_channel_id = snowflake()
        """A second voice channel, where a moderator can move people and the bot."""
        self.role_trainer = snowflake()
        self.role_admin = snowflake()
        self.role_names: dict[int, str] = {self.role_trainer: "trainer", self.role_admin: "admin"}
        """The guild's roles besides @everyone (`rename_role`, `delete_role` change them)."""
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
        self._init_threads()
        self._init_turbulence()
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
        self.api_errors: list[tuple[str, int]] = []
        """Other requests refused as Discord would: the route and Discord's error code."""
        self.requests: list[tuple[str, str]] = []
        self.answer_delay: dict[str, float] = {}
        """HTTP method -> seconds before the answer (a slow Discord: requests overlap)."""
        self.cdn_downloads: list[int] = []
        self.cdn_missing = False
        """True: the CDN answers 404 (an expired attachment URL)."""
        self._dm_channels: dict[int, int] = {}
        self.dms_closed: set[int] = set()
        """Members who take no direct message from the bot (their privacy settings, or no
        server in common): Discord refuses the bot's post there (403, 50007)."""
        self.bot_denied = 0
        """Permissions denied to the bot in the text channel (`deny_bot`)."""
        self._changed = asyncio.Condition()
        self.gateway: FakeGateway = (
            sibling.gateway if sibling else FakeGateway(TOKEN, self._ready, shard_count)
        )
        source = GuildSource(
            self.guild_id, self._guild_create, self._voice_state_op, self._bot_sees
        )
        self.gateway.add_guild(source)
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

    async def set_roles(self, member: FakeMember, roles: list[int]) -> None:
        """A server admin changes a member's roles (GUILD_MEMBER_UPDATE)."""
        member.roles = roles
        data = {"guild_id": str(self.guild_id), **member.member()}
        await self.gateway.dispatch("GUILD_MEMBER_UPDATE", data)

    async def rename_role(self, role_id: int, name: str) -> None:
        """A server admin renames a role (GUILD_ROLE_UPDATE); members keep it."""
        self.role_names[role_id] = name
        [data] = [r for r in self._roles() if r["id"] == str(role_id)]
        await self.gateway.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(self.guild_id), "role": data}
        )

    async def create_role(self, name: str) -> int:
        """A server admin creates a role (GUILD_ROLE_CREATE), held by nobody yet; its id."""
        role_id = snowflake()
        self.role_names[role_id] = name
        [data] = [r for r in self._roles() if r["id"] == str(role_id)]
        await self.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(self.guild_id), "role": data}
        )
        return role_id

    async def delete_role(self, role_id: int) -> None:
        """A server admin deletes a role (GUILD_ROLE_DELETE): no member has it any more."""
        del self.role_names[role_id]
        for member in self.members.values():
            member.roles = [r for r in member.roles if r != role_id]
        await self.gateway.dispatch(
            "GUILD_ROLE_DELETE", {"guild_id": str(self.guild_id), "role_id": str(role_id)}
        )

    async def deny_bot(self, permissions: int) -> None:
        """A server admin denies the bot `permissions` (bits, e.g. `SEND_MESSAGES`) in the text
        channel (CHANNEL_UPDATE); Discord then refuses what needs them (403, code 50013)."""
        self.bot_denied = permissions
        await self.gateway.dispatch("CHANNEL_UPDATE", self._text_channel())

    # -- messages ---------------------------------------------------------------------------

    def _store_attachment(
        self, filename: str, data: bytes, content_type: str | None
    ) -> dict[str, Any]:
        attachment_id = snowflake()
        self.files[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}/cdn/attachments/{attachment_id}/{filename}"
        return attachment_payload(attachment_id, filename, len(data), url, content_type)

    async def _add_message(self, message: dict[str, Any]) -> None:
        await self._thread_posted(message)  # its author joins a thread first, as on Discord
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
        await self._member_posts(channel_id, author)
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

    async def send_direct_message(
        self, content: str, author: FakeMember | None = None
    ) -> dict[str, Any]:
        """A member writes to the bot in a DM: a channel of no guild, the author a user (no
        member, no roles). Each member has one DM channel (`dm_channel(member)`)."""
        author = author or self.alice
        message = self._message(self.dm_channel(author), author, content, [])
        del message["guild_id"]
        await self._add_message(message)
        await self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def delete_message(self, message: dict[str, Any]) -> None:
        """Its author deletes a message (MESSAGE_DELETE)."""
        channel_id = int(message["channel_id"])
        self.messages[channel_id].remove(message)
        data = {"id": message["id"], "channel_id": str(channel_id)}
        if "guild_id" in message:
            data["guild_id"] = message["guild_id"]
        await self.gateway.dispatch("MESSAGE_DELETE", data)
        await self._notify()

    def dm_channel(self, member: FakeMember) -> int:
        return self._dm_channels.setdefault(member.id, snowflake())

    def _open_dm(self, user_id: int) -> dict[str, Any]:
        """POST /users/@me/channels: the bot opens its DM channel with a member (the one the
        member writes to the bot in); Discord's DM channel object (type 1)."""
        member = self.members[user_id]
        return {
            "id": str(self.dm_channel(member)),
            "type": 1,
            "last_message_id": None,
            "recipients": [member.user()],
        }

    def _check_dm(self, channel_id: int) -> None:
        """Before the bot posts in `channel_id`: a DM of a member who takes none is refused."""
        closed = {self._dm_channels.get(m) for m in self.dms_closed}
        if channel_id in closed:
            raise ApiError(403, CANNOT_DM, "Cannot send messages to this user")

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
        timeout: float = 30.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
        *,
        settled: bool = True,
    ) -> dict[str, Any]:
        """The first bot message with an id greater than `after` (matching `where`), waiting
        out the "thinking…" placeholder of a deferred interaction when `settled`. The timeout
        is a bound for a reply that never comes, not a speed goal: on a shared 2-core machine
        a first suggestion (its classifier learns on first use) took over 10 s."""

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

    async def drop_gateway(self, code: int = 4000) -> None:
        await self.gateway.drop(code)
