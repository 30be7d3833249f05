"""Simulated members speaking in the fake voice call: their voice clients' RTP state, the
faults of real calls, and the talk spurts they send to the bot."""

from __future__ import annotations

import asyncio
import os
import random
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import nacl.secret
import numpy as np
from discord import opus

from audio import DISCORD_FRAME_BYTES as FRAME_BYTES

from .voice_gateway import VoiceSession
from .voice_rtp import OPUS_PT, OPUS_SILENCE, encrypt_rtp


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
    speaking_after: int = 0
    """Announce SPEAKING only after this many packets, as the websocket event can come after
    the first UDP audio."""
    lose_every: int = 0
    """Lose every n-th speech packet on the way (sent, with its sequence number and
    timestamp, but never delivered); the silence frames at the end are delivered."""
    lose_share: float = 0.0
    """Lose this share of the speech packets at random, drawn from `lose_seed`."""
    lose_seed: int = 0


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
    encoder: opus.Encoder = field(
        default_factory=lambda: opus.Encoder(fec=True, expected_packet_loss=0.15)
    )
    """Discord's clients encode with in-band FEC on: each packet carries a lower-bitrate copy
    of the one before it, for a receiver that lost that one."""
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


def corrupt_opus() -> bytes:
    """A payload libopus rejects: a code-3 TOC byte whose frame count overruns the packet."""
    return bytes([0x7B, 0xFF]) + os.urandom(6)


class MemberSpeech:
    """A mixin of `FakeVoiceServer`: members speaking to the bot."""

    async def announce_speaking(
        self, guild_id: int | str, user_id: int, ssrc: int, on: bool
    ) -> None:
        session = self.session(guild_id)
        if session is not None:
            await self._send(
                session, 5, {"user_id": str(user_id), "ssrc": ssrc, "speaking": 1 if on else 0}
            )

    async def announce_disconnect(self, guild_id: int | str, user_id: int) -> None:
        """Op 13 (CLIENT_DISCONNECT): a member's voice client left the call."""
        session = self.session(guild_id)
        if session is not None:
            await self._send(session, 13, {"user_id": str(user_id)})

    async def announce_video(
        self, guild_id: int | str, user_id: int, audio_ssrc: int, streams: list[dict[str, Any]]
    ) -> None:
        """Op 12 (VIDEO): a member's camera or screen share, its streams as the client
        describes them."""
        session = self.session(guild_id)
        if session is not None:
            data = {"user_id": str(user_id), "audio_ssrc": audio_ssrc, "video_ssrc": audio_ssrc + 1}
            await self._send(session, 12, {**data, "rtx_ssrc": audio_ssrc + 2, "streams": streams})

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
        packets delivered. `noise_dbfs` adds the microphone's noise floor (None: none)."""
        session = await self.wait_ready(guild_id)
        faults = faults or Faults()
        client = self.client(user_id, ssrc)
        if announce and not faults.speaking_after:
            await self.announce_speaking(guild_id, user_id, ssrc, True)
        if noise_dbfs is not None:
            pcm = add_noise(pcm, noise_dbfs, client.rng)
        frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]
        payloads = [
            client.encoder.encode(f.ljust(FRAME_BYTES, b"\0"), opus.Encoder.SAMPLES_PER_FRAME)
            for f in frames
        ]
        speech = len(payloads)
        payloads += [OPUS_SILENCE] * 5  # clients end a talk spurt with five silence frames
        losing = random.Random(faults.lose_seed)
        client.resume()
        start, sent = time.monotonic(), 0
        for index, payload in enumerate(payloads):
            if announce and faults.speaking_after and index == faults.speaking_after:
                await self.announce_speaking(guild_id, user_id, ssrc, True)
            if index == faults.video_burst_at:
                self._video_burst(session, ssrc, faults.video_packets)
            if index == faults.unknown_ssrc_at:
                self._unknown_burst(session, client.encoder, faults.unknown_packets)
            if faults.corrupt_every and index % faults.corrupt_every == faults.corrupt_every - 1:
                payload = corrupt_opus()
            if self.dave is not None and payload != OPUS_SILENCE:
                payload = self.dave.encrypt(user_id, payload)  # the member's own session
            packet = client.packet(session.secret_key, payload)
            lost = index < speech and (
                (faults.lose_every and index % faults.lose_every == faults.lose_every - 1)
                or losing.random() < faults.lose_share
            )
            if self.forward_to_bot and session.bot_addr and not lost:
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
