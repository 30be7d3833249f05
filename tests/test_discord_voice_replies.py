"""A voice message answered with a voice message (discord.voice_message_replies), through the
real bot, the real recognizer on espeak-ng speech, and the fake Discord's voice-message rules."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Config
from audio import RECOGNITION_RATE
from audio.decode import decode_bytes
from tests.fakediscord import FakeDiscord, fixtures
from tests.speech import speak, write_wav

fake, bot = fixtures.fake, fixtures.bot
VOICE_MESSAGE = 1 << 13


@pytest.fixture
def bot_config(fake: FakeDiscord, make_config: Callable[..., Config]) -> Config:
    return make_config(**fixtures.discord_overrides(fake, voice_message_replies=True))


async def ask_by_voice_message(
    fake: FakeDiscord, folder: Path, words: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """`words` sent as a voice message: it, the text reply, and the spoken reply."""
    wav = write_wav(folder / "asked.wav", speak(words), RECOGNITION_RATE)
    sent = await fake.send_message(
        "", attachments=[("voice-message.wav", wav.read_bytes(), "audio/wav")], flags=VOICE_MESSAGE
    )
    text = await fake.wait_for_reply(after=sent["id"], timeout=60)
    spoken = await fake.wait_for_reply(
        after=text["id"], where=lambda m: m["flags"] & VOICE_MESSAGE, timeout=60
    )
    return sent, text, spoken


async def test_voice_message_is_answered_with_a_voice_message(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    sent, text, spoken = await ask_by_voice_message(fake, tmp_path, "hey trainer, test the model")
    assert "heard" in (text["content"] or text["embeds"][0].get("description", ""))
    assert spoken["message_reference"]["message_id"] == sent["id"]
    assert spoken["content"] == "" and spoken["embeds"] == []
    [attachment] = spoken["attachments"]
    assert attachment["filename"] == "voice-message.ogg"
    assert len(base64.b64decode(attachment["waveform"])) > 0
    audio = decode_bytes(fake.attachment_data(attachment), attachment["filename"])
    assert audio.seconds > 0.5 and abs(audio.seconds - attachment["duration_secs"]) < 0.2
    assert fake.refused == []
