"""The fake Discord's REST API: the routes discord.py calls, answered as Discord does (limits,
error codes, interaction callbacks and webhooks)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiohttp import BodyPartReader, web

from .limits import (
    ACK_DEADLINE_S,
    choice_problems,
    message_problems,
    option_problems,
    pinged,
    voice_message_problems,
)
from .payloads import (
    now_iso,
    snowflake,
)

log = logging.getLogger(__name__)

SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES = 1 << 11, 1 << 14, 1 << 15
INVALID_WEBHOOK_TOKEN = 50027
"""An interaction's token used after its 15 minutes."""
JSON = "application/json"  # exactly: discord.py decodes JSON only for this Content-Type


class InvalidBody(Exception):
    """A message Discord would refuse (400, code 50035)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ApiError(Exception):
    """Any other refusal, with Discord's status and JSON error code (e.g. 404, 10003)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_response(data: Any, status: int = 200) -> web.Response:
    # body= with an explicit header: aiohttp would append "; charset=utf-8" to content_type=.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": JSON}
    )


class RestRoutes:
    """A mixin of `FakeDiscord`: its HTTP routes."""

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
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        tail = request.match_info["tail"]
        parts = tail.strip("/").split("/")
        method = request.method
        self.requests.append((method, tail))
        if self.answer_delay.get(method):
            await asyncio.sleep(self.answer_delay[method])
        faulted = self._turbulence(method, tail)  # a 429, a 5xx, a server I was removed from
        if faulted is not None and not faulted[1]:
            return faulted[0]
        try:
            response = await self._route(method, parts, request)
            if faulted is not None:  # done, and its answer lost on the way back
                return faulted[0]
        except KeyError as exc:
            return json_response({"message": f"Unknown {exc}", "code": 10008}, 404)
        except ApiError as exc:
            self.api_errors.append((f"{method} /{tail}", exc.code))
            return json_response({"message": exc.message, "code": exc.code}, exc.status)
        except InvalidBody as exc:
            self.refused.append(exc.problems)
            # Discord's shape (a mapping of fields to their `_errors`), which discord.py parses
            errors = {"_errors": [{"code": "INVALID", "message": p} for p in exc.problems]}
            return json_response(
                {"message": "Invalid Form Body", "code": 50035, "errors": {"body": errors}}, 400
            )
        if response is None:
            self.unknown_routes.append(f"{method} /{tail}")
            log.warning("fake discord: unhandled %s /%s", method, tail)
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        return response

    async def _route(self, method: str, p: list[str], request: web.Request) -> web.Response | None:
        n = len(p)
        if p == ["gateway", "bot"]:  # discord.py asks how many shards to run
            return json_response(
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
            return json_response({**self.bot.user(), "verified": True, "flags": 0})
        if p[:2] == ["applications", "@me"] or p[:3] == ["oauth2", "applications", "@me"]:
            return json_response(
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
            problems = [p for declared in body for p in option_problems(declared)]
            if problems:
                raise InvalidBody(problems)
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
            return json_response(registered)
        if p[0] == "applications" and p[-1] == "commands" and method == "GET":
            return json_response(list(self.commands.values()))
        if p == ["users", "@me", "channels"] and method == "POST":
            body, _ = await self._body(request)
            return json_response(self._open_dm(int(body["recipient_id"])))
        threaded = await self._thread_route(method, p, request)  # also: deleted threads' 404
        if threaded is not None:
            return threaded
        if p[0] == "channels" and n >= 3 and p[2] == "typing":
            return web.Response(status=204)
        if p[0] == "channels" and n == 3 and p[2] == "messages" and method == "POST":
            body, files = await self._body(request)
            self._check_dm(int(p[1]))
            denied, needed = self._send_permission(int(p[1]))
            if denied & needed or (files and denied & ATTACH_FILES):
                return json_response({"message": "Missing Permissions", "code": 50013}, 403)
            if body.get("embeds") and denied & EMBED_LINKS:
                # As Discord does without Embed Links: a message of embeds alone is refused,
                # and the embeds of one with content are dropped (discord-api-docs #2601).
                if not body.get("content"):
                    return json_response({"message": "Missing Permissions", "code": 50013}, 403)
                body["embeds"] = []
            return json_response(await self._create_bot_message(int(p[1]), body, files))
        if p[0] == "channels" and n == 4 and p[2] == "messages":
            message = self.find_message(p[3])
            if message is None:
                raise KeyError("Message")
            if method == "GET":
                return json_response(message)
            if method == "PATCH":
                body, files = await self._body(request)
                if body.get("embeds") and self._send_permission(int(p[1]))[0] & EMBED_LINKS:
                    body["embeds"] = []  # an edit's embeds are dropped too (#5648)
                return json_response(await self._edit(message, body, files))
            if method == "DELETE":
                self.messages[int(p[1])].remove(message)
                return web.Response(status=204)
        if p[0] == "channels" and n == 2 and method == "GET":
            return json_response(self._channel_payload(int(p[1])))
        if p[0] == "guilds" and n == 4 and p[2] == "members" and method == "GET":
            return json_response(self.members[int(p[3])].member())
        if p[0] == "guilds" and n == 3 and p[2] == "roles":
            return json_response(self._guild_create()["roles"])
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
        await self._check_send(channel_id)  # a thread archived, locked or deleted
        reference = body.get("message_reference") or {}
        replied = reference.get("message_id")
        if (
            replied
            and self.find_message(replied) is None
            and reference.get("fail_if_not_exists", True)
        ):
            # As Discord does: a reply to a deleted message fails unless told not to.
            raise InvalidBody(["message_reference: Unknown message (REPLIES_UNKNOWN_MESSAGE)"])
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
        replied_to = self.find_message(replied) if replied else None
        replied_author = replied_to["author"]["id"] if replied_to else None
        message["mentions"] = [
            self.members[int(u)].user()
            for u in pinged(body, replied_author)
            if int(u) in self.members
        ]
        await self._add_message(message)
        await self.gateway.dispatch(
            "MESSAGE_CREATE", {**message, "member": self.bot.member(with_user=False)}
        )
        return message

    async def _edit(
        self, message: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> dict[str, Any]:
        self._check_edit(message)  # no edits in an archived thread
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
            return json_response({"message": "Unknown interaction", "code": 10062}, 404)
        if record["responses"]:
            return json_response(
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
                return json_response(
                    {"message": "Invalid interaction response type", "code": 40043}, 400
                )
            choices = list(data.get("choices") or [])
            problems = choice_problems(choices)
            if problems:
                return json_response(
                    {"message": "Invalid Form Body", "code": 50035, "errors": problems}, 400
                )
            record["choices"] = choices
        elif kind in (6, 7):  # acknowledge a click / update the clicked message
            if record["message"] is None:
                return json_response(
                    {"message": "Invalid interaction response type", "code": 40043}, 400
                )
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
        return json_response(answer)

    async def _webhook(
        self, method: str, p: list[str], request: web.Request
    ) -> web.Response | None:
        token = p[2]
        interaction_id = int(token.removeprefix("itoken-"))
        record = self.interactions[interaction_id]
        if time.monotonic() - record["created"] > self.token_lifetime_s:
            raise ApiError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        channel_id = int(record["payload"]["channel_id"])
        if len(p) == 3 and method == "POST":  # follow-up message
            body, files = await self._body(request)
            original = record["original"]
            if original is not None and original.get("flags", 0) & 128:
                # As Discord does: the first follow-up replaces the "thinking…" placeholder.
                return json_response(await self._edit(original, body, files))
            message = await self._create_bot_message(
                channel_id, body, files, interaction=interaction_id
            )
            return json_response(message)
        if len(p) == 5 and p[3] == "messages":
            found: dict[str, Any] | None = (
                record["original"] if p[4] == "@original" else self.find_message(p[4])
            )
            if found is None:
                raise KeyError("Message")
            if method == "GET":
                return json_response(found)
            if method == "PATCH":
                body, files = await self._body(request)
                return json_response(await self._edit(found, body, files))
            if method == "DELETE":
                self.messages[channel_id].remove(found)
                return web.Response(status=204)
        return None
