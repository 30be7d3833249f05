"""A voice message's spoken answer is said as the voice channel says it (audio/speech_text.py):
no longer than `voice.tts.max_spoken_chars`, numbers in words, markup and tables left to the
chat. It read the whole written reply aloud, markup and all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Config
from audio.decode import decode_bytes
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_voice_replies import ask_by_voice_message

fake, bot = fixtures.fake, fixtures.bot


@pytest.fixture
def bot_config(fake: FakeDiscord, make_config: Callable[..., Config]) -> Config:
    overrides = fixtures.discord_overrides(fake, voice_message_replies=True)
    return make_config(**overrides, voice={"tts": {"max_spoken_chars": 40}})


async def test_a_spoken_answer_is_no_longer_than_a_spoken_answer_may_be(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    _sent, _text, spoken = await ask_by_voice_message(
        fake, tmp_path, "hey trainer, what can you do"
    )
    [attachment] = spoken["attachments"]
    audio = decode_bytes(fake.attachment_data(attachment), attachment["filename"])
    # 40 characters are about three seconds of espeak-ng; the whole answer took seven
    assert 0.5 < audio.seconds < 5, audio.seconds
