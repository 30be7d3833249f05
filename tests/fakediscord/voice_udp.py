"""Voice UDP of the fake voice server: IP discovery, the bot's audio received and decoded, and
the datagrams the server sends."""

from __future__ import annotations

import asyncio
import struct
import time
from typing import TYPE_CHECKING

from discord import opus

from .voice_rtp import OPUS_SILENCE, decrypt_rtp

if TYPE_CHECKING:
    from .voice import FakeVoiceServer


class VoiceUdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: FakeVoiceServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server.on_datagram(data, addr)


class VoiceUdp:
    """A mixin of `FakeVoiceServer`: its UDP socket."""

    async def start_udp(self) -> None:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: VoiceUdpProtocol(self), local_addr=("127.0.0.1", 0)
        )
        self.udp = protocol
        self.udp_port = transport.get_extra_info("sockname")[1]

    async def _afterglow(self, addr: tuple[str, int], seconds: float = 3.0) -> None:
        """Keep sending RTCP to the old address for a while after a session ends, as a media
        server does while members still talk. discord.py's socket reader waits in select() on
        its old socket (up to 30 s) after a reconnect until a datagram wakes it."""
        report = struct.pack(">BBHI", 0x80, 201, 1, 0)
        for _ in range(int(seconds / 0.05)):
            self._sendto(report, addr)
            await asyncio.sleep(0.05)

    def on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) == 74 and data[:2] == b"\x00\x01":
            ssrc = struct.unpack_from(">I", data, 4)[0]
            for session in self.sessions.values():
                if session.ssrc == ssrc:
                    session.bot_addr = addr
            reply = bytearray(74)
            struct.pack_into(">HHI", reply, 0, 2, 70, ssrc)
            reply[8 : 8 + len(addr[0])] = addr[0].encode()
            struct.pack_into(">H", reply, 72, addr[1])
            self._sendto(bytes(reply), addr)
            return
        if len(data) < 16 or data[0] >> 6 != 2 or 200 <= data[1] <= 204:
            return  # keep-alives and RTCP
        ssrc = struct.unpack_from(">I", data, 8)[0]
        sender = next((s for s in self.sessions.values() if s.ssrc == ssrc), None)
        if sender is None:
            return
        session = sender
        try:
            payload = decrypt_rtp(session.secret_key, data)
            if self.dave is not None and session.dave_version and payload != OPUS_SILENCE:
                payload = self.dave.decrypt_from_bot(payload)  # as a member's client does
                self.received_dave += 1
            if self._decoder is None:
                self._decoder = opus.Decoder()
            pcm = self._decoder.decode(payload, fec=False)
        except Exception:
            self.received_errors += 1
            return
        now = time.monotonic()
        self.first_received_at = self.first_received_at or now
        self.last_received_at = now
        self.received_packets += 1
        self.received_pcm += pcm

    def _sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.udp and self.udp.transport:
            self.udp.transport.sendto(data, addr)

    def reset_received(self) -> None:
        self.received_pcm = bytearray()
        self.received_packets = 0
        self.first_received_at = self.last_received_at = None
        self._decoder = None
