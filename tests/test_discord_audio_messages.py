"""Voice messages (Discord audio attachments) through the fake Discord and the real recognizer:
what a member reads in answer, in the guild's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant import i18n
from assistant.config import Config
from audio import RECOGNITION_RATE
from tests.fakediscord import FakeDiscord, fixtures
from tests.speech import speak, write_wav
from tests.test_discord_voice_message_kinds import encode
from tests.test_russian_replies import english_in

fake, bot = fixtures.fake, fixtures.bot
VOICE_MESSAGE = 1 << 13
LIMIT_S = 4


@pytest.fixture
def bot_config(fake: FakeDiscord, make_config: Callable[..., Config]) -> Config:
    return make_config(**fixtures.discord_overrides(fake), voice={"max_file_seconds": LIMIT_S})


def shown(message: dict[str, Any]) -> str:
    return message["content"] or "".join(e.get("description", "") for e in message["embeds"])


async def test_a_voice_message_cut_at_the_limit_says_so(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """A voice message longer than voice.max_file_seconds was heard only up to there, and the
    answer did not say so: the member could not know the rest of what they said was lost."""
    pcm = speak("what is the status", tail_s=LIMIT_S + 2)  # the words fit; the silence does not
    wav = write_wav(tmp_path / "long.wav", pcm, RECOGNITION_RATE).read_bytes()
    for language in ("en", "ru"):
        if language == "ru":
            switched = await fake.send_message("!language ru")
            await fake.wait_for_reply(after=switched["id"])
        sent = await fake.send_message(
            "", attachments=[("voice-message.wav", wav, "audio/wav")], flags=VOICE_MESSAGE
        )
        reply = shown(await fake.wait_for_reply(after=sent["id"], timeout=60))
        cut = i18n.message(language, "audio.cut_long", seconds=LIMIT_S)
        assert f"voice-message.wav: {cut}" in reply, reply
        assert "what is the status" in reply, reply
    assert not english_in(reply), reply


async def test_a_broken_voice_message_is_explained_in_the_guilds_language(
    fake: FakeDiscord, bot: Any
) -> None:
    """A voice message that is no audio (or holds none) was explained in English on a Russian
    server: "voice-message.ogg: not a recognised audio file, or it is corrupt"."""
    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    for data in (b"this is no audio at all" * 40, b"RIFF\0\0\0\0WAVE"):
        sent = await fake.send_message(
            "", attachments=[("voice-message.ogg", data, "audio/ogg")], flags=VOICE_MESSAGE
        )
        reply = await fake.wait_for_reply(after=sent["id"], timeout=60)
        text = reply["embeds"][0]["description"]
        assert text.startswith("voice-message.ogg: ") and not english_in(text), text


async def test_a_voice_message_of_nothing_says_nothing_was_recorded(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """A 0 s voice message (the record button tapped and let go: an Ogg of its headers and
    no sound) was answered "the file is cut short (truncated)", as if the upload had failed.
    It says nothing was recorded, as does a WAV of no samples; a file cut short in transfer
    is still called that."""
    wav = write_wav(tmp_path / "s.wav", speak("what is the status"), RECOGNITION_RATE)
    empty = encode(wav, tmp_path / "empty.ogg", "-t", "0", "-c:a", "libopus")
    cut = encode(wav, tmp_path / "whole.ogg", "-c:a", "libopus")[: len(empty) + 40]
    no_samples = write_wav(tmp_path / "none.wav", b"", RECOGNITION_RATE).read_bytes()
    said = {
        "en": ("nothing was recorded (the recording is empty)", "the file is cut short"),
        "ru": ("ничего не записано (запись пустая)", "файл обрезан"),
    }
    for language, (nothing, truncated) in said.items():
        switched = await fake.send_message(f"!language {language}")
        await fake.wait_for_reply(after=switched["id"])
        for name, data, expected in (
            ("voice-message.ogg", empty, nothing),
            ("voice-message.wav", no_samples, nothing),
            ("voice-message.ogg", cut, truncated),
        ):
            sent = await fake.send_message(
                "", attachments=[(name, data, "audio/ogg")], flags=VOICE_MESSAGE
            )
            reply = shown(await fake.wait_for_reply(after=sent["id"], timeout=60))
            assert reply.startswith(f"{name}: {expected}"), (language, name, reply)


async def test_a_voice_message_for_a_command_the_member_may_not_run_costs_only_its_hearing(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """Which command a voice message asks for is known only once it is heard, and every
    member may run some (`status`, `help`, `test` have no role), so it is always heard. What
    follows must cost nothing more: bob, without the `trainer` role, asks to select a dataset;
    the role is checked before anything else, so nothing is read or written but the refusal,
    and his audio is the one download."""
    from tests.corpus import write_folder_dataset
    from tests.test_refusals import snapshot

    app = bot.assistant
    write_folder_dataset(app.root.root, "reviews", per_label=10)
    pcm = speak("select dataset reviews")
    wav = write_wav(tmp_path / "ask.wav", pcm, RECOGNITION_RATE).read_bytes()
    before = snapshot(app)
    sent = await fake.send_message(
        "",
        attachments=[("voice-message.wav", wav, "audio/wav")],
        flags=VOICE_MESSAGE,
        author=fake.bob,
    )
    reply = shown(await fake.wait_for_reply(after=sent["id"], timeout=60))
    assert reply == (
        "🎙️ heard: “select dataset reviews”\n"
        "Sorry, `select_dataset` needs one of these roles: `trainer`."
    ), reply
    assert snapshot(app) == before and app.store.active_dataset(str(fake.guild_id)) is None
    assert len(fake.cdn_downloads) == 1
    state = [p.name for p in app.config.state_dir.rglob("*") if p.is_file()]
    assert all(name.startswith("trainer.db") for name in state), state
