"""Bad paths: a stage fails or hangs, an utterance goes on too long, events arrive out of
place, a callback has a bug. The guild always ends up idle and keeps working."""

from __future__ import annotations

import logging
import time

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.config.conversation import ConversationSettings
from audio.asr.base import Recognizer, Transcript
from states.sayings import APOLOGY
from tests.conversation_kit import (
    ALICE,
    FailingRecognizer,
    SessionMaker,
    Track,
    broken_espeak,
    describe,
    heard,
    make_recognizer,
    say,
    stream,
    transitions,
)

pytestmark = pytest.mark.timeout(60)

FAST = ConversationSettings(follow_up_seconds=0.5)
COMMAND = "hey trainer, what is the status"


async def test_a_recognition_error_is_apologised_for_aloud_and_in_text(
    voice_session: SessionMaker, config: Config, app: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    session, out = await voice_session(FAST, recognizer=FailingRecognizer())
    with caplog.at_level(logging.WARNING):
        await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
        assert await session.settle(15, idle=True)
    assert out.said == [APOLOGY] and out.texts == [APOLOGY]
    assert ("error", "transcribing -> speaking") in transitions(session.trace)
    assert ("playback_done", "speaking -> idle") in transitions(session.trace)
    assert "acoustic model not found" in caplog.text  # the reason goes to the log only
    await session.close()


async def test_a_speech_output_failure_still_answers_in_text_and_says_sorry(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(FAST, synthesizer=broken_espeak())
    await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
    assert await session.settle(15, idle=True)
    # The answer reached the text channel; the spoken apology is the clip prepared at start-up.
    assert len(out.texts) == 2 and out.texts[1] == APOLOGY
    assert out.said == [APOLOGY] and out.speech[0] is session.parts.apology
    assert ("error", "speaking -> speaking") in transitions(session.trace)
    await session.close()


async def test_when_nothing_can_be_said_the_apology_is_written(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(FAST, synthesizer=broken_espeak())
    session.parts.apology = None
    await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
    assert await session.settle(15, idle=True)
    assert out.said == [] and out.texts[-1] == APOLOGY
    assert ("error", "speaking -> idle") in transitions(session.trace)
    await session.close()


class SlowRecognizer(Recognizer):
    """The real recogniser on an overloaded machine: 1.5 s per utterance."""

    def __init__(self, inner: Recognizer) -> None:
        self.inner = inner

    def transcribe(self, pcm: bytes) -> Transcript:
        time.sleep(1.5)
        return self.inner.transcribe(pcm)


async def test_recognition_that_hangs_times_out_with_an_apology(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    from assistant.intents.matcher import IntentMatcher

    matcher = IntentMatcher.from_settings(config.voice)
    slow = SlowRecognizer(make_recognizer(config, matcher, app.speakable_lists("g1")))
    settings = ConversationSettings(follow_up_seconds=0.5, recognition_timeout_seconds=0.5)
    session, out = await voice_session(settings, recognizer=slow)
    await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
    assert await session.settle(15, idle=True)
    assert out.said == [APOLOGY]
    assert ("timeout", "transcribing -> speaking") in transitions(session.trace)
    # The late transcript arrived after the machine moved on and was dropped.
    assert heard(session.trace) and not [
        e for e in transitions(session.trace) if e[0] == "intent_found"
    ]
    await session.close()


async def test_an_utterance_past_the_longest_allowed_is_given_up(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    settings = ConversationSettings(follow_up_seconds=0.5, max_utterance_seconds=1.2)
    session, out = await voice_session(settings)
    # No comma: espeak's pause there comes close to the VAD's end wait, and this test is about
    # length, not about where an utterance ends.
    long = say("hey trainer please train the model on the reviews dataset now thank you")
    await stream(session, [Track(ALICE, long)], speed=2)
    assert await session.settle(10, idle=True)
    assert ("timeout", "listening -> idle") in transitions(session.trace)
    assert heard(session.trace) == [] and out.said == [] and out.texts == []
    # The guild is fine afterwards.
    await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
    assert await session.settle(15, idle=True)
    assert len(out.said) == 1, describe(session.trace)
    await session.close()


async def test_events_out_of_place_are_ignored_logged_and_harmless(
    voice_session: SessionMaker, config: Config, app: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    session, out = await voice_session(FAST)
    with caplog.at_level(logging.DEBUG, logger="states.session"):
        for event in ("playback_done", "action_done", "intent_found", "timeout", "no_such_event"):
            session.send(event, serial=session.machine.serial)
    assert session.machine.state == "idle"
    ignored = [e.text for e in session.trace if e.kind == "ignored"]
    assert ignored == ["playback_done", "action_done", "intent_found", "timeout", "no_such_event"]
    assert "playback_done ignored in idle" in caplog.text
    await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
    assert await session.settle(15, idle=True)
    assert len(out.said) == 1
    await session.close()


class BrokenListener:
    """A buggy observer of the machine (say, a status panel) that raises on entering acting."""

    def on_enter_acting(self) -> None:
        raise RuntimeError("status panel crashed")


async def test_a_bug_in_a_callback_is_apologised_for_and_returns_to_idle(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(FAST)
    broken = BrokenListener()
    session.machine.add_listener(broken)
    await stream(session, [Track(ALICE, say(COMMAND))], speed=6)
    assert await session.settle(15, idle=True)
    # Handled like a stage error: a spoken and written apology, the reason in the log, idle.
    assert out.said[-1] == APOLOGY and APOLOGY in out.texts
    assert "status panel crashed" in (session.machine.last_error or "")
    assert session.machine.state == "idle"
    await session.close()
