"""A voice message is heard where its speech is, as the voice channel's VAD finds it: not the
silence before it, and no more than the neural second opinion can hear."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.speech import join, noise, speak, write_wav
from tests.test_discord_voice_message_kinds import encode, send

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot
pytestmark = pytest.mark.timeout(300)


async def test_a_request_after_half_a_minute_of_silence_is_heard(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """A voice message whose words came after 35 s of quiet was answered "I heard “. . . . .”,
    but that isn't a command I know": the neural model hears only its first 30 s, silence,
    while the grammar recognizer heard the whole message."""
    pcm = speak("what is the status", lead_s=35.0)
    data = encode(write_wav(tmp_path / "late.wav", pcm), tmp_path / "late.ogg", "-c:a", "libopus")
    reply = await send(fake, "voice-message.ogg", data, "audio/ogg")
    assert reply.startswith("🎙️ heard: “what is the status”") and "**Status**" in reply, reply


async def test_speech_past_what_is_heard_is_said_to_be_cut(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """Speech that goes on past 30 s is heard up to there, and the answer says so (the grammar
    recognizer used to hear all of it, up to ten minutes, while the voice channel waited)."""
    chatter = [speak(f"and then on day {n} we went out walking by the river") for n in range(12)]
    pcm = join(speak("what is the status"), *chatter, gap_s=0.5)
    data = encode(write_wav(tmp_path / "long.wav", pcm), tmp_path / "long.ogg", "-c:a", "libopus")
    reply = await send(fake, "voice-message.ogg", data, "audio/ogg")
    assert "(voice-message.ogg: only its first 30 s of speech were heard)" in reply, reply


async def test_hiss_is_no_words_heard(fake: FakeDiscord, bot: Any, tmp_path: Path) -> None:
    """A voice message of hiss alone (the record button held in a pocket) was answered
    "I heard “.”, but that isn't a command I know": the neural model's punctuation for no
    speech, shown as what was said."""
    hiss = np.clip(np.rint(noise(5.0, -50.0, seed=3)), -32768, 32767).astype("<i2").tobytes()
    data = encode(write_wav(tmp_path / "hiss.wav", hiss), tmp_path / "hiss.ogg", "-c:a", "libopus")
    reply = await send(fake, "voice-message.ogg", data, "audio/ogg")
    assert not re.search(r"“[^\w”]*”", reply), reply
    assert "Traceback" not in reply and "help" in reply, reply
