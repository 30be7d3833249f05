"""The fake voice server: voice gateway (v8, over TLS) and voice UDP with transport-encrypted RTP.

Both directions: `stream` sends a member's Opus stream to the bot, and every Opus packet the bot
sends is decrypted and decoded into `received_pcm`. With `dave` set (the default, as Discord
requires it since March 2026), both directions are end-to-end encrypted too (dave.py).

The parts: voice_gateway.py (the voice websocket), voice_udp.py (IP discovery and the bot's
audio), voice_members.py (members speaking, with faults), voice_rtp.py (transport encryption).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from discord import opus

from .dave import DaveGroup
from .voice_gateway import VoiceGateway, VoiceSession
from .voice_members import Faults, MemberClient, MemberSpeech
from .voice_udp import VoiceUdp, VoiceUdpProtocol

__all__ = ["FakeVoiceServer", "Faults"]


class FakeVoiceServer(VoiceGateway, VoiceUdp, MemberSpeech):
    def __init__(self, token: Callable[[], str]) -> None:
        self._token = token
        self.sessions: dict[str, VoiceSession] = {}
        """By guild id (server_id)."""
        self.udp: VoiceUdpProtocol | None = None
        self.udp_port = 0
        self.connections = 0
        self.dave: DaveGroup | None = None
        """The voice channel's DAVE group (None: the call is not end-to-end encrypted)."""
        self.received_pcm = bytearray()
        self.received_packets = 0
        self.received_errors = 0
        self.received_dave = 0
        """The bot's frames that a member's DAVE session decrypted."""
        self.first_received_at: float | None = None
        self.last_received_at: float | None = None
        self.forward_to_bot = True
        """False simulates a UDP path that silently stops delivering (watchdog test)."""
        self._decoder: opus.Decoder | None = None
        self.clients: dict[int, MemberClient] = {}
        """Simulated members' voice clients, by user id."""
        self.client_defaults: dict[str, Any] = {}
        """Keyword arguments for new `MemberClient`s (e.g. pad_share=0 for none)."""
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.udp and self.udp.transport:
            self.udp.transport.close()

    def session(self, guild_id: int | str) -> VoiceSession | None:
        return self.sessions.get(str(guild_id))

    async def wait_ready(self, guild_id: int | str, timeout: float = 10.0) -> VoiceSession:
        """Until the bot has a voice session with its UDP address known and a key."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            session = self.session(guild_id)
            if (
                session is not None
                and session.bot_addr
                and session.secret_key
                and not session.ws.closed
            ):
                return session
            await asyncio.sleep(0.02)
        raise TimeoutError("the bot did not finish its voice handshake")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
