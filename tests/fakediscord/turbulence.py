"""What real Discord does now and then that the bot must ride out (a mixin of `FakeDiscord`):
REST 429s shaped as Discord's (a route's bucket or the global limit, with `retry_after`, the
`X-RateLimit-*` headers and the `Via` header discord.py reads them by), 5xx answers of the
kinds Discord's edge gives (a JSON 500, Cloudflare's HTML 502, Envoy's plain-text 503), the
bot removed from the server or the server going unavailable (GUILD_DELETE), gateway op 7 and
op 9, and a voice server being reallocated (VOICE_SERVER_UPDATE with `endpoint: null`)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

MISSING_ACCESS = 50001
"""Discord's code for a channel or server the bot cannot see (no longer a member)."""

SERVER_ERRORS: dict[int, tuple[str, str]] = {
    500: ("application/json", json.dumps({"message": "500: Internal Server Error", "code": 0})),
    502: (
        "text/html",
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
        "</h1></center><hr><center>cloudflare</center></body></html>",
    ),
    503: (
        "text/plain",
        "upstream connect error or disconnect/reset before headers. reset reason: overflow",
    ),
}


@dataclass
class RestFault:
    """The next `times` requests of `method` whose path matches `path` are answered `status`
    (`landed`: after Discord did what they asked, as when its edge timed out waiting)."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: float = 0.5
    is_global: bool = False
    landed: bool = False


class Turbulence:
    """A mixin of `FakeDiscord`: faults a test switches on."""

    def _init_turbulence(self) -> None:
        self.rest_faults: list[RestFault] = []
        self.faulted: list[tuple[str, int]] = []
        """The requests answered by a fault: `"METHOD /path"` and the status given."""
        self.bot_removed = False
        """The bot was removed from the server (`remove_bot`): its REST there is refused."""
        self.voice_reallocating = False
        """Between `reallocate_voice_server`'s two updates: a join is sent no endpoint."""

    def fail_rest(
        self,
        method: str,
        path: str,
        status: int,
        times: int = 1,
        *,
        retry_after: float = 0.5,
        is_global: bool = False,
        landed: bool = False,
    ) -> None:
        """Answer the next `times` `method` requests whose path (`/channels/1/messages/2`)
        matches the regular expression `path` with `status` (429: a rate limit of
        `retry_after` seconds, of the route's bucket or, with `is_global`, of the bot).
        `landed` (a 5xx): each request is done first, and only its answer is lost (Discord's
        edge gave up waiting for it): an interaction's callback so answered is acknowledged,
        and the client's retry of it is refused (40060, already acknowledged)."""
        fault = RestFault(method, re.compile(path), status, times, retry_after, is_global, landed)
        self.rest_faults.append(fault)

    def _turbulence(self, method: str, tail: str) -> tuple[web.Response, bool] | None:
        """The answer a fault gives this request instead of Discord's, if any, and whether
        the request is to be done all the same (`landed`)."""
        path = "/" + tail.strip("/")
        if self.bot_removed and self._of_this_guild(path):
            self.faulted.append((f"{method} {path}", 403))
            body = {"message": "Missing Access", "code": MISSING_ACCESS}
            return _json(body, 403), False
        for fault in self.rest_faults:
            if fault.times > 0 and fault.method == method and fault.path.search(path):
                fault.times -= 1
                self.faulted.append((f"{method} {path}", fault.status))
                if fault.status == 429:
                    return _rate_limited(fault), False
                kind, text = SERVER_ERRORS.get(fault.status, SERVER_ERRORS[500])
                answer = web.Response(status=fault.status, text=text, content_type=kind)
                return answer, fault.landed
        return None

    def _of_this_guild(self, path: str) -> bool:
        parts = path.strip("/").split("/")
        if len(parts) < 2 or not parts[1].isdigit():
            return False
        if parts[0] == "guilds":
            return int(parts[1]) == self.guild_id
        ours = {self.text_channel_id, self.voice_channel_id, self.other_voice_channel_id}
        return parts[0] == "channels" and (int(parts[1]) in ours or int(parts[1]) in self.threads)

    # -- the server -----------------------------------------------------------------------------

    async def remove_bot(self) -> None:
        """An admin removes (kicks) the bot: GUILD_DELETE without `unavailable`, then no more
        events of the server; its voice connection is ended (4014) and its REST there is
        refused (403 Missing Access). A new gateway session is not sent the server either."""
        await self.gateway.dispatch("GUILD_DELETE", {"id": str(self.guild_id)})
        self.bot_removed = True
        self.gateway.removed.add(self.guild_id)
        self.voice_states.pop(self.bot.id, None)
        await self.voice.drop(self.guild_id, 4014)
        await self._notify()

    async def go_unavailable(self) -> None:
        """Discord's outage of the server: GUILD_DELETE with `unavailable: true`; none of its
        events are sent until `come_back`."""
        await self.gateway.dispatch("GUILD_DELETE", {"id": str(self.guild_id), "unavailable": True})
        self.gateway.removed.add(self.guild_id)

    async def come_back(self) -> None:
        """The outage is over: the server's GUILD_CREATE, in full, and its events again."""
        self.gateway.removed.discard(self.guild_id)
        await self.gateway.dispatch("GUILD_CREATE", self._guild_create())

    # -- the gateway ------------------------------------------------------------------------------

    async def invalidate_session(self, resumable: bool) -> None:
        """Gateway op 9. Not resumable: the session is gone, and the bot's voice state with
        it: its voice websocket is closed with 4014 (as Discord does, discord-api-docs #2257)
        and the new session's GUILD_CREATE has the bot in no voice channel."""
        await self.gateway.invalidate_session(resumable)
        if not resumable and self.voice_states.get(self.bot.id):
            self.voice_states[self.bot.id] = None
            await self.voice.drop(self.guild_id, 4014)

    # -- voice ------------------------------------------------------------------------------------

    async def reallocate_voice_server(
        self, drop_code: int | None = 4015, pause_s: float = 1.0
    ) -> None:
        """Discord moves the call to another voice server: VOICE_SERVER_UPDATE with
        `endpoint: null` ("the voice server allocated has gone away and is trying to be
        reallocated": the client should disconnect and wait). With `drop_code`, the old server's
        websocket is closed with it as it goes (4015: the server crashed). For `pause_s` no
        voice server takes the bot (an attempt is refused, 4006), then the new one is sent
        with a new token."""
        self._voice_token, self.voice_reallocating = "reallocating", True
        await self.gateway.dispatch(
            "VOICE_SERVER_UPDATE",
            {"token": "pending", "guild_id": str(self.guild_id), "endpoint": None},
        )
        if drop_code is not None:
            await self.voice.drop(self.guild_id, drop_code)
        started = time.monotonic()
        await self.wait_for(lambda: time.monotonic() - started >= pause_s, pause_s + 1, "a pause")
        self.voice_reallocating = False
        await self.voice_server_update()


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    head = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(body).encode(), status=status, headers=head)


def _rate_limited(fault: RestFault) -> web.Response:
    """Discord's 429: the body discord.py sleeps by, the headers a real one carries. `Via` is
    what tells discord.py it is Discord's and not a Cloudflare ban (which it does not retry)."""
    body = {
        "message": "You are being rate limited.",
        "retry_after": fault.retry_after,
        "global": fault.is_global,
        "code": 0,
    }
    headers = {"Via": "1.1 google", "Retry-After": str(max(1, round(fault.retry_after)))}
    if fault.is_global:
        headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
    else:
        headers.update(
            {
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": "fake-messages-bucket",
                "X-RateLimit-Scope": "user",
            }
        )
    return _json(body, 429, headers)
