"""The fake main gateway: HELLO, IDENTIFY/RESUME, heartbeats, dispatches with replay on resume."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any, cast

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)

HEARTBEAT_MS = 41_250


class FakeGateway:
    """One session; events are kept so that a RESUME replays what the bot missed."""

    def __init__(
        self,
        token: str,
        ready: Callable[[], dict[str, Any]],
        guild_create: Callable[[], dict[str, Any]],
        on_voice_state: Callable[[dict[str, Any]], Coroutine[Any, Any, None]],
    ) -> None:
        self._token = token
        self._ready = ready
        self._guild_create = guild_create
        self._on_voice_state = on_voice_state
        self.session_id = "fake-session"
        self.events: list[dict[str, Any]] = []
        """Every dispatch sent (op 0), in sequence order."""
        self.ws: web.WebSocketResponse | None = None
        self.identified = asyncio.Event()
        self.connections = 0
        self.resumes = 0
        self.identifies = 0
        self.intents: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent_ops: list[int] = []
        """Opcodes the bot sent, for assertions."""

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self.ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._receive(ws, json.loads(msg.data))
        finally:
            if self.ws is ws:
                self.ws = None
                self.identified.clear()
        return ws

    async def _receive(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op, data = payload["op"], cast(Any, payload.get("d"))
        self.sent_ops.append(op)
        if op == 1:
            await ws.send_str(json.dumps({"op": 11, "d": None}))
        elif op == 2:
            if data["token"] != self._token:
                await ws.close(code=4004, message=b"Authentication failed.")
                return
            self.identifies += 1
            self.intents = data.get("intents")
            self.events.clear()
            await self.dispatch("READY", self._ready())
            await self.dispatch("GUILD_CREATE", self._guild_create())
            self.identified.set()
        elif op == 6:
            if data["token"] != self._token or data["session_id"] != self.session_id:
                await ws.send_str(json.dumps({"op": 9, "d": False}))
                return
            self.resumes += 1
            seq = data.get("seq") or 0
            for event in self.events[seq:]:
                await ws.send_str(json.dumps(event))
            await self._send_dispatch(ws, "RESUMED", {})
            self.identified.set()
        elif op == 4:
            # Not awaited here, so the delayed answer does not hold up the next frames.
            task = asyncio.get_running_loop().create_task(self._on_voice_state(data))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send_dispatch(self, ws: web.WebSocketResponse, name: str, data: Any) -> None:
        event = {"op": 0, "t": name, "s": len(self.events) + 1, "d": data}
        self.events.append(event)
        await ws.send_str(json.dumps(event))

    async def dispatch(self, name: str, data: Any) -> None:
        """Send an event now, or keep it for the RESUME if the bot is disconnected."""
        event = {"op": 0, "t": name, "s": len(self.events) + 1, "d": data}
        self.events.append(event)
        ws = self.ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_str(json.dumps(event))
            except ConnectionError:
                log.info("gateway send failed; %s will be replayed on resume", name)

    async def drop(self, code: int = 4000) -> None:
        """Close the connection the way Discord does on a server restart (client should resume)."""
        ws = self.ws
        self.identified.clear()
        if ws is not None:
            await ws.close(code=code, message=b"fake: dropped")
