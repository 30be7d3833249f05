"""The fake voice server: voice gateway (v8, over TLS) and voice UDP with transport-encrypted RTP.

Both directions: `stream` sends a member's Opus stream to the bot, and every Opus packet the bot
sends is decrypted and decoded into `received_pcm`. With `dave` set (the default, as Discord
requires it since March 2026), both directions are end-to-end encrypted too (dave.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import struct
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import nacl.secret
import numpy as np
from aiohttp import WSMsgType, web
from discord import opus

from audio import DISCORD_FRAME_BYTES as FRAME_BYTES

from .dave import DaveGroup

log = logging.getLogger(__name__)

MODE = "aead_xchacha20_poly1305_rtpsize"
OPUS_PT = 0x78
OPUS_SILENCE = b"\xf8\xff\xfe"


@dataclass
class Faults:
    """Things that go wrong in real calls, injected while a member speaks."""

    corrupt_every: int = 0
    """Replace every n-th Opus payload by garbage (still correctly transport-encrypted)."""
    video_burst_at: int = -1
    """At this frame index, send `video_packets` packets of a video payload type."""
    video_packets: int = 40
    unknown_ssrc_at: int = -1
    """At this frame index, send `unknown_packets` audio packets from an SSRC never announced."""
    unknown_packets: int = 25


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


@dataclass
class MemberClient:
    """A simulated member's Discord voice client. Like a real one it keeps one sequence
    number, RTP clock, nonce counter and Opus encoder for the whole call, across talk spurts
    (the clock runs on while it is silent), pads a few percent of its packets and adds a
    header extension (audio level) to some."""

    user_id: int
    ssrc: int
    pad_share: float = 0.04
    """Share of packets sent with RTP padding."""
    extension_share: float = 0.25
    """Share of packets sent with an RTP header extension."""
    rng: random.Random = field(default_factory=random.Random)
    seq: int = 0
    timestamp: int = 0
    nonce: int = 0
    paused_at: float | None = None
    encoder: opus.Encoder = field(default_factory=opus.Encoder)
    padded: int = 0
    extended: int = 0

    def __post_init__(self) -> None:
        self.rng.seed(self.ssrc)
        self.seq = self.rng.randrange(0x10000)
        self.timestamp = self.rng.randrange(1 << 32)
        self.nonce = self.rng.randrange(1 << 16)

    def resume(self) -> None:
        """A talk spurt starts: the RTP clock advanced by the silence since the last one."""
        if self.paused_at is not None:
            silent = int((time.monotonic() - self.paused_at) * 48_000)
            self.timestamp = (self.timestamp + silent) & 0xFFFFFFFF
            self.paused_at = None

    def pause(self) -> None:
        self.paused_at = time.monotonic()

    def packet(self, key: bytes, payload: bytes) -> bytes:
        padding = extension = 0
        if self.rng.random() < self.pad_share:
            padding = self.rng.randint(1, 16)
            self.padded += 1
        if self.rng.random() < self.extension_share:
            extension = 1
            self.extended += 1
        level = self.rng.randint(0, 127)
        packet = encrypt_rtp(
            key,
            OPUS_PT,
            self.seq,
            self.timestamp,
            self.ssrc,
            payload,
            nonce=self.nonce,
            padding=padding,
            # One element (id 1, audio level, 1 byte) and two bytes of zero padding.
            extension=bytes([0x10, level, 0, 0]) if extension else b"",
        )
        self.seq = (self.seq + 1) & 0xFFFF
        self.timestamp = (self.timestamp + 960) & 0xFFFFFFFF
        self.nonce += 1
        return packet


def add_noise(pcm: bytes, dbfs: float, rng: random.Random) -> bytes:
    """A microphone's white noise floor at `dbfs` RMS added to 48 kHz stereo s16le."""
    samples = np.frombuffer(pcm, "<i2").astype(np.float32)
    floor = np.random.default_rng(rng.randrange(1 << 30)).standard_normal(len(samples))
    mixed = samples + floor * 32768 * 10 ** (dbfs / 20)
    return np.clip(np.rint(mixed), -32768, 32767).astype("<i2").tobytes()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: FakeVoiceServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server.on_datagram(data, addr)


class FakeVoiceServer:
    def __init__(self, token: Callable[[], str]) -> None:
        self._token = token
        self.sessions: dict[str, VoiceSession] = {}
        """By guild id (server_id)."""
        self.udp: _Udp | None = None
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

    async def start_udp(self) -> None:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=("127.0.0.1", 0)
        )
        self.udp = protocol
        self.udp_port = transport.get_extra_info("sockname")[1]

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

    # -- voice websocket -----------------------------------------------------------------------

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

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _afterglow(self, addr: tuple[str, int], seconds: float = 3.0) -> None:
        """Keep sending RTCP to the old address for a while after a session ends, as a media
        server does while members still talk. discord.py's socket reader waits in select() on
        its old socket (up to 30 s) after a reconnect until a datagram wakes it."""
        report = struct.pack(">BBHI", 0x80, 201, 1, 0)
        for _ in range(int(seconds / 0.05)):
            self._sendto(report, addr)
            await asyncio.sleep(0.05)

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

    # -- UDP -----------------------------------------------------------------------------------

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

    # -- a member speaking ---------------------------------------------------------------------

    async def announce_speaking(
        self, guild_id: int | str, user_id: int, ssrc: int, on: bool
    ) -> None:
        session = self.session(guild_id)
        if session is not None:
            await self._send(
                session, 5, {"user_id": str(user_id), "ssrc": ssrc, "speaking": 1 if on else 0}
            )

    def client(self, user_id: int, ssrc: int) -> MemberClient:
        """The member's voice client (created on first use; its RTP state runs on)."""
        client = self.clients.get(user_id)
        if client is None or client.ssrc != ssrc:
            client = self.clients[user_id] = MemberClient(user_id, ssrc, **self.client_defaults)
        return client

    async def stream(
        self,
        guild_id: int | str,
        user_id: int,
        ssrc: int,
        pcm: bytes,
        *,
        faults: Faults | None = None,
        pace: float = 0.02,
        announce: bool = True,
        noise_dbfs: float | None = None,
    ) -> int:
        """Send `pcm` (48 kHz stereo s16le) as one talk spurt of this member, as a Discord
        client does: SPEAKING, the Opus frames, five silence frames, then nothing. Returns the
        packets sent. `noise_dbfs` adds the microphone's noise floor (None: none)."""
        session = await self.wait_ready(guild_id)
        faults = faults or Faults()
        client = self.client(user_id, ssrc)
        if announce:
            await self.announce_speaking(guild_id, user_id, ssrc, True)
        if noise_dbfs is not None:
            pcm = add_noise(pcm, noise_dbfs, client.rng)
        frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]
        payloads = [
            client.encoder.encode(f.ljust(FRAME_BYTES, b"\0"), opus.Encoder.SAMPLES_PER_FRAME)
            for f in frames
        ]
        payloads += [OPUS_SILENCE] * 5  # clients end a talk spurt with five silence frames
        client.resume()
        start, sent = time.monotonic(), 0
        for index, payload in enumerate(payloads):
            if index == faults.video_burst_at:
                self._video_burst(session, ssrc, faults.video_packets)
            if index == faults.unknown_ssrc_at:
                self._unknown_burst(session, client.encoder, faults.unknown_packets)
            if faults.corrupt_every and index % faults.corrupt_every == faults.corrupt_every - 1:
                payload = corrupt_opus()
            if self.dave is not None and payload != OPUS_SILENCE:
                payload = self.dave.encrypt(user_id, payload)  # the member's own session
            packet = client.packet(session.secret_key, payload)
            if self.forward_to_bot and session.bot_addr:
                self._sendto(packet, session.bot_addr)
                sent += 1
            if pace:
                # Absolute schedule, so that sleep jitter does not accumulate.
                delay = start + (index + 1) * pace - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        client.pause()
        if announce:
            await self.announce_speaking(guild_id, user_id, ssrc, False)
        return sent

    async def stream_many(
        self,
        guild_id: int | str,
        speakers: list[tuple[int, int]],
        payloads: list[bytes],
        seconds: float,
        pace: float = 0.02,
        spread: bool = False,
    ) -> int:
        """Benchmarks: every (user_id, ssrc) sends `payloads` (Opus, looped, end-to-end
        encrypted with DAVE on) at once, paced as real time from one timer, for `seconds`.
        `spread`: the speakers' packets of a tick go out spaced evenly over it, as clients
        with clocks of their own send them, instead of all together. Returns the packets
        sent."""
        session = await self.wait_ready(guild_id)
        assert session.bot_addr is not None
        for user_id, ssrc in speakers:
            await self.announce_speaking(guild_id, user_id, ssrc, True)
        await asyncio.sleep(0.2)  # SPEAKING precedes audio, as with Discord's clients
        box = nacl.secret.Aead(session.secret_key)
        header = bytearray(12)
        header[0], header[1] = 0x80, OPUS_PT
        frames, sent, start = int(seconds / pace), 0, time.monotonic()
        for index in range(frames):
            payload = payloads[index % len(payloads)]
            for position, (user_id, ssrc) in enumerate(speakers):
                if spread and position:
                    due = start + (index + position / len(speakers)) * pace
                    if due > time.monotonic():
                        await asyncio.sleep(due - time.monotonic())
                struct.pack_into(
                    ">HII", header, 2, index & 0xFFFF, (index * 960) & 0xFFFFFFFF, ssrc
                )
                nonce4 = struct.pack(">I", sent)
                frame = payload if self.dave is None else self.dave.encrypt(user_id, payload)
                cipher = box.encrypt(frame, bytes(header), nonce4 + bytes(20)).ciphertext
                self._sendto(bytes(header) + cipher + nonce4, session.bot_addr)
                sent += 1
            delay = start + (index + 1) * pace - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        for user_id, ssrc in speakers:
            await self.announce_speaking(guild_id, user_id, ssrc, False)
        return sent

    def _video_burst(self, session: VoiceSession, audio_ssrc: int, count: int) -> None:
        assert session.bot_addr is not None
        video_ssrc = audio_ssrc + 1
        for i in range(count):
            # Half on a video SSRC, half on the audio SSRC with a video payload type (H264 = 103).
            ssrc = video_ssrc if i % 2 else audio_ssrc
            body = os.urandom(random.randint(200, 1100))
            self._sendto(
                encrypt_rtp(session.secret_key, 103, i, i * 3000, ssrc, body), session.bot_addr
            )

    def _unknown_burst(self, session: VoiceSession, encoder: opus.Encoder, count: int) -> None:
        assert session.bot_addr is not None
        noise = os.urandom(FRAME_BYTES)
        for i in range(count):
            payload = encoder.encode(noise, opus.Encoder.SAMPLES_PER_FRAME)
            packet = encrypt_rtp(session.secret_key, OPUS_PT, i, i * 960, 0x7EADBEEF, payload)
            self._sendto(packet, session.bot_addr)

    def reset_received(self) -> None:
        self.received_pcm = bytearray()
        self.received_packets = 0
        self.first_received_at = self.last_received_at = None
        self._decoder = None


def corrupt_opus() -> bytes:
    """A payload libopus rejects: a code-3 TOC byte whose frame count overruns the packet."""
    return bytes([0x7B, 0xFF]) + os.urandom(6)


def encrypt_rtp(
    key: bytes,
    pt: int,
    seq: int,
    timestamp: int,
    ssrc: int,
    payload: bytes,
    *,
    nonce: int | None = None,
    padding: int = 0,
    extension: bytes = b"",
) -> bytes:
    """One aead_xchacha20_poly1305_rtpsize packet, as Discord's clients send it. `padding`
    bytes (RFC 3550: the last one counts them) and an RFC 5285 one-byte-header `extension`
    (a multiple of 4 bytes) are encrypted with the payload; the extension's own 4-byte header
    is authenticated in the clear."""
    header = bytearray(12)
    header[0] = 0x80 | (0x20 if padding else 0) | (0x10 if extension else 0)
    header[1] = pt & 0x7F
    struct.pack_into(">HII", header, 2, seq, timestamp, ssrc)
    if extension:
        header += b"\xbe\xde" + struct.pack(">H", len(extension) // 4)
    plain = extension + payload
    if padding:
        plain += bytes(padding - 1) + bytes([padding])
    nonce4 = os.urandom(4) if nonce is None else struct.pack(">I", nonce & 0xFFFFFFFF)
    box = nacl.secret.Aead(key)
    cipher = box.encrypt(plain, bytes(header), nonce4 + bytes(20)).ciphertext
    return bytes(header) + cipher + nonce4


def decrypt_rtp(key: bytes, packet: bytes) -> bytes:
    """Undo aead_xchacha20_poly1305_rtpsize (the bot sends no header extension)."""
    header, body, nonce4 = packet[:12], packet[12:-4], packet[-4:]
    first = packet[0]
    if first & 0x10:  # extension: its 4-byte header is authenticated, not encrypted
        header, body = packet[:16], packet[16:-4]
    plain = nacl.secret.Aead(key).decrypt(body, header, nonce4 + bytes(20))
    if first & 0x10:
        length = struct.unpack_from(">H", packet, 14)[0]
        plain = plain[4 * length :]
    return plain
