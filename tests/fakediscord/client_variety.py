"""Talk spurts as the many Discord clients send them: desktop, web and mobile clients and other
libraries' bots differ in Opus frame length (10 to 60 ms), channels, bitrate and in-band FEC,
and in their RTP: CSRCs, header extensions of either form and any length, the marker bit,
sequence numbers and timestamps that wrap, packets lost, duplicated or reordered on the way.
`send_spurt` sends one spurt so, through the fake voice server, DAVE-encrypted when the call
is."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from discord import opus

from .voice import FakeVoiceServer
from .voice_rtp import OPUS_PT, OPUS_SILENCE, encrypt_rtp


@dataclass
class Client:
    """How one kind of client encodes and packs its audio."""

    frame_ms: int = 20
    """Opus frame length: 10, 20, 40 or 60 ms."""
    channels: int = 2
    bitrate_kbps: int | None = None
    fec: bool = False
    csrcs: tuple[int, ...] = ()
    extension: bytes = b""
    """A header extension body on every packet (a multiple of 4 bytes)."""
    profile: bytes = b"\xbe\xde"
    seq: int | None = None
    """The first sequence number (None: random)."""
    timestamp: int | None = None
    lose: set[int] = field(default_factory=set)
    """Indexes of packets lost on the way."""
    duplicate_every: int = 0
    swap_every: int = 0
    """Every n-th packet arrives after the one that follows it."""
    silence_frames: int = 5
    marker_first: bool = False


class _MonoEncoder(opus.Encoder):
    CHANNELS = 1


def encode(client: Client, pcm48_stereo: bytes) -> list[bytes]:
    """`pcm48_stereo` as `client` encodes it: its Opus packets."""
    import numpy as np

    samples = client.frame_ms * 48
    encoder: opus.Encoder = _MonoEncoder() if client.channels == 1 else opus.Encoder()
    if client.bitrate_kbps is not None:
        encoder.set_bitrate(client.bitrate_kbps)
    if client.fec:
        encoder.set_fec(True)
        encoder.set_expected_packet_loss_percent(0.15)
    pcm = np.frombuffer(pcm48_stereo, "<i2")
    if client.channels == 1:
        pcm = pcm.reshape(-1, 2).mean(axis=1).astype("<i2")
    step = samples * client.channels
    payloads = []
    for start in range(0, len(pcm), step):
        chunk = pcm[start : start + step]
        chunk = np.pad(chunk, (0, step - len(chunk)))
        payloads.append(encoder.encode(chunk.tobytes(), samples))
    return payloads


async def send_spurt(
    server: FakeVoiceServer,
    guild_id: int,
    user_id: int,
    ssrc: int,
    pcm48_stereo: bytes,
    client: Client,
) -> int:
    """SPEAKING, `pcm48_stereo` as `client` sends it, its silence frames, SPEAKING off.
    Returns the packets put on the wire."""
    session = await server.wait_ready(guild_id)
    assert session.bot_addr is not None
    rng = random.Random(ssrc)
    seq = rng.randrange(0x10000) if client.seq is None else client.seq
    ts = rng.randrange(1 << 32) if client.timestamp is None else client.timestamp
    payloads = encode(client, pcm48_stereo) + [OPUS_SILENCE] * client.silence_frames
    packets = []
    for index, payload in enumerate(payloads):
        if server.dave is not None and payload != OPUS_SILENCE:
            payload = server.dave.encrypt(user_id, payload)
        packet = encrypt_rtp(
            session.secret_key,
            OPUS_PT,
            (seq + index) & 0xFFFF,
            (ts + index * client.frame_ms * 48) & 0xFFFFFFFF,
            ssrc,
            payload,
            nonce=index,
            extension=client.extension,
            profile=client.profile,
            csrcs=client.csrcs,
            marker=client.marker_first and index == 0,
        )
        if index not in client.lose:
            packets.append(packet)
        if client.duplicate_every and index % client.duplicate_every == 1:
            packets.append(packet)
    if client.swap_every:
        for i in range(1, len(packets) - 1, client.swap_every):
            packets[i], packets[i + 1] = packets[i + 1], packets[i]
    await server.announce_speaking(guild_id, user_id, ssrc, True)
    pace = client.frame_ms / 1000
    start = time.monotonic()
    for index, packet in enumerate(packets):
        server._sendto(packet, session.bot_addr)
        delay = start + (index + 1) * pace - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    await server.announce_speaking(guild_id, user_id, ssrc, False)
    return len(packets)
