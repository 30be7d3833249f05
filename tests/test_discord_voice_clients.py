"""Clients we have not met: the real bot hears a spoken command however a member's client
encodes and packs it (Opus frames of 10 to 60 ms, mono, low and high bitrates, in-band FEC;
CSRCs, header extensions of either form and any length, the marker bit, sequence numbers and
timestamps that wrap, packets lost, duplicated and reordered, no silence frames at the end),
with DAVE on, and the usual client's command after them is heard too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.client_variety import Client, send_spurt
from tests.test_discord_voice import (
    COMMAND,
    heard,
    join,
    said,
    say_command,
    speech48,
    voice,
)

pytest.importorskip("audio.asr.factory", reason="the speech recogniser has not landed yet")
pytestmark = pytest.mark.timeout(240)

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

CLIENTS = [
    Client(  # a phone: 60 ms mono frames at 16 kbps with FEC, behind a mixer
        frame_ms=60,
        channels=1,
        bitrate_kbps=16,
        fec=True,
        csrcs=(11, 22),
        extension=bytes([1, 2, 0xAA, 0xBB, 2, 1, 0xCC, 0]),
        profile=b"\x10\x00",  # RFC 8285 two-byte elements
        marker_first=True,
    ),
    Client(  # 10 ms frames across the wrap of both counters, on a bad network
        frame_ms=10,
        seq=0xFFD0,
        timestamp=0xFFFFF000,
        lose={7, 8, 30, 61, 62, 63},
        duplicate_every=10,
        swap_every=13,
    ),
    Client(  # 40 ms stereo at 128 kbps, a long extension, no silence frames at the end
        frame_ms=40,
        bitrate_kbps=128,
        extension=bytes([0x13, 1, 2, 3, 4, 0x21, 5, 6, 7]) + bytes(3),
        silence_frames=0,
    ),
]


async def spurt(app: Any, fake: FakeDiscord, client: Client) -> Any:
    """alice says the command through `client`; the bot's "heard" trace entry of it (what it
    heard, how long the utterance was), once it answered aloud."""
    before_heard, before_said = len(heard(app, fake)), len(said(app, fake))
    alice = fake.alice
    await send_spurt(fake.voice, fake.guild_id, alice.id, alice.ssrc, speech48(COMMAND), client)
    await fake.wait_for(lambda: len(heard(app, fake)) > before_heard, 60, "recognition")
    await fake.wait_for(lambda: len(said(app, fake)) > before_said, 60, "the spoken answer")
    return [e for e in voice(app).session(fake.guild_id).trace if e.kind == "heard"][before_heard]


async def test_every_kind_of_client_is_heard(fake: FakeDiscord, bot: Any) -> None:
    await join(fake)
    for client in CLIENTS:
        assert "test the model" in (await spurt(bot, fake, client)).text, client
    stats = voice(bot).guilds[fake.guild_id].receiver.stats
    assert stats.crypto_errors == stats.dave_errors == stats.opus_errors == 0, stats.summary()
    assert await say_command(bot, fake, "hey trainer, what is the status") == "status"
