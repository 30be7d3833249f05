"""The fake voice gateway (the voice websocket, v8): the bot's handshake, heartbeats, SPEAKING
and resumes, and the DAVE messages relayed to the call's group (dave.py)."""

from __future__ import annotations

import json
import logging
import os
import random
import struct
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .voice_rtp import MODE

log = logging.getLogger(__name__)


@dataclass
class VoiceSession:
    """One bot voice connection (a guild)."""

    ws: web.WebSocketResponse
    server_id: str = ""
    user_id: int = 0
    ssrc: int = 0
    secret_key: bytes = b""
    bot_addr: tuple[str, int] | None = None
    dave_version: int = 0
    seq: int = 0
    bot_speaking: list[int] = field(default_factory=list)


class VoiceGateway:
    """A mixin of `FakeVoiceServer`: the voice websocket of each bot voice connection."""

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        session = VoiceSession(ws=ws)
        await self._send(session, 8, {"heartbeat_interval": 13_750, "v": 8})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._receive(session, json.loads(msg.data))
                elif msg.type == WSMsgType.BINARY and self.dave is not None and msg.data:
                    # DAVE/MLS: `uint8 opcode, payload`. In a task: a key package can start a
                    # commit that waits for this very socket's next message.
                    self._spawn(self.dave.on_binary(msg.data[0], bytes(msg.data[1:])))
        finally:
            log.debug("voice ws closed (guild %s)", session.server_id)
            if session.bot_addr is not None:
                self._spawn(self._afterglow(session.bot_addr))
        return ws

    async def _send(self, session: VoiceSession, op: int, data: Any) -> None:
        session.seq += 1
        payload = {"op": op, "d": data, "seq": session.seq}
        if not session.ws.closed:
            await session.ws.send_str(json.dumps(payload))

    async def _send_binary(self, session: VoiceSession, op: int, data: bytes) -> None:
        session.seq += 1
        if not session.ws.closed:
            await session.ws.send_bytes(struct.pack(">HB", session.seq & 0xFFFF, op) + data)

    async def _receive(self, session: VoiceSession, payload: dict[str, Any]) -> None:
        op, data = payload["op"], payload.get("d") or {}
        if op == 0:  # IDENTIFY
            if data.get("token") != self._token():
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            session.server_id = str(data["server_id"])
            session.user_id = int(data["user_id"])
            session.ssrc = random.randint(1000, 2**31)
            self.sessions[session.server_id] = session
            await self._send(
                session,
                2,
                {
                    "ssrc": session.ssrc,
                    "ip": "127.0.0.1",
                    "port": self.udp_port,
                    "modes": [MODE],
                    "heartbeat_interval": 1,
                },
            )
        elif op == 1:  # SELECT_PROTOCOL
            if data["data"]["mode"] != MODE:
                await session.ws.close(code=4016, message=b"Unknown encryption mode.")
                return
            session.secret_key = os.urandom(32)
            session.dave_version = 1 if self.dave is not None else 0
            await self._send(
                session,
                4,
                {
                    "mode": MODE,
                    "secret_key": list(session.secret_key),
                    "dave_protocol_version": session.dave_version,
                    "audio_codec": "opus",
                    "video_codec": "H264",
                    "media_session_id": "fake",
                },
            )
            if self.dave is not None:
                await self.dave.attach(
                    lambda op, d: self._send(session, op, d),
                    lambda op, d: self._send_binary(session, op, d),
                )
        elif op == 3:  # HEARTBEAT
            await self._send(session, 6, {"t": data.get("t") if isinstance(data, dict) else data})
        elif op in (23, 31) and self.dave is not None:  # DAVE transition ready, bad commit
            await self.dave.on_json(op, data)
        elif op == 5:  # the bot's SPEAKING
            session.bot_speaking.append(int(data.get("speaking", 0)))
        elif op == 7:  # RESUME
            old = self.sessions.get(str(data.get("server_id")))
            if old is None or data.get("token") != self._token():
                await session.ws.close(code=4006, message=b"Session no longer valid.")
                return
            old.ws = session.ws
            session.__dict__.update(old.__dict__)
            await self._send(session, 9, None)

    async def drop(self, guild_id: int | str, code: int = 4006) -> None:
        """Close the voice websocket (4006: session no longer valid; the client reconnects)."""
        session = self.session(guild_id)
        if session is not None:
            await session.ws.close(code=code, message=b"fake: dropped")
