"""A voice message is heard where its speech is, as the voice channel's VAD finds it: not the
silence before it, and no more than the neural second opinion can hear; each request said in
it is answered, in order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.speech import join, noise, speak, write_wav
from tests.test_discord_voice_message_kinds import VOICE_MESSAGE, encode, send, shown

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


async def answers(fake: FakeDiscord, data: bytes, last: str) -> list[str]:
    """Send `data` as a voice message; the bot's replies to it, up to the first holding `last`."""
    sent = await fake.send_message(
        "", attachments=[("voice-message.ogg", data, "audio/ogg")], flags=VOICE_MESSAGE
    )

    def replies() -> list[str]:
        return [shown(m) for m in fake.sent_messages() if int(m["id"]) > int(sent["id"])]

    await fake.wait_for(lambda: any(last in r for r in replies()), 120, f"a reply with {last}")
    found = replies()
    return found[: next(n for n, r in enumerate(found) if last in r) + 1]


async def test_speech_past_what_is_heard_is_said_to_be_cut(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """Speech that goes on past 30 s is heard up to there, and the answer says so (the grammar
    recognizer used to hear all of it, up to ten minutes, while the voice channel waited); the
    request is answered first, the chatter after it is no command, and no more than five
    phrases are heard."""
    chatter = [speak(f"and then on day {n} we went out walking by the river") for n in range(12)]
    pcm = join(speak("what is the status"), *chatter, gap_s=0.5)
    data = encode(write_wav(tmp_path / "long.wav", pcm), tmp_path / "long.ogg", "-c:a", "libopus")
    cut = "(voice-message.ogg: only its first 30 s of speech were heard; only its first 5 phrases"
    replies = await answers(fake, data, cut)
    assert replies[0].startswith("🎙️ heard: “what is the status”"), replies
    assert all("isn't a command I know" in r for r in replies[1:]), replies


async def test_each_request_of_a_voice_message_is_answered_in_order(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """ "Hey trainer, what's the status" and, after a pause, "hey trainer, help" in one voice
    message was heard as one utterance and answered as the status alone: the help was lost.
    Each request the VAD cuts is heard and answered, in order, in the server's language."""
    said = join(speak("hey trainer what's the status"), speak("hey trainer help"), gap_s=1.5)
    data = encode(write_wav(tmp_path / "two.wav", said), tmp_path / "two.ogg", "-c:a", "libopus")
    status, helped = await answers(fake, data, "**Commands**")
    assert status.startswith("🎙️ heard: “") and "**Status**" in status, status
    assert helped.startswith("🎙️ heard: “") and "help”" in helped.split("\n")[0], helped
    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    status, helped = await answers(fake, data, "**Команды**")
    assert status.startswith("🎙️ услышано: “") and "**Состояние**" in status, status
    assert helped.startswith("🎙️ услышано: “"), helped


async def test_a_voice_message_of_many_requests_is_heard_up_to_five(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    """Requests after the fifth phrase of a voice message are not heard (each costs a hearing),
    and the last answer says so, in the server's language."""
    hellos = join(*[speak("hey trainer hello")] * 7, gap_s=1.5)
    data = encode(write_wav(tmp_path / "hi.wav", hellos), tmp_path / "hi.ogg", "-c:a", "libopus")
    left = "(voice-message.ogg: only its first 5 phrases were heard; send the rest in another"
    replies = await answers(fake, data, left)
    assert len(replies) == 5 and all("Hello, alice" in r for r in replies), replies
    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    left = "(voice-message.ogg: услышано только начало, 5 фраз; остальное пришлите отдельным"
    assert len(await answers(fake, data, left)) == 5


async def test_hiss_is_no_words_heard(fake: FakeDiscord, bot: Any, tmp_path: Path) -> None:
    """A voice message of hiss alone (the record button held in a pocket) was answered
    "I heard “.”, but that isn't a command I know": the neural model's punctuation for no
    speech, shown as what was said."""
    hiss = np.clip(np.rint(noise(5.0, -50.0, seed=3)), -32768, 32767).astype("<i2").tobytes()
    data = encode(write_wav(tmp_path / "hiss.wav", hiss), tmp_path / "hiss.ogg", "-c:a", "libopus")
    reply = await send(fake, "voice-message.ogg", data, "audio/ogg")
    assert not re.search(r"“[^\w”]*”", reply), reply
    assert "Traceback" not in reply and "help" in reply, reply
