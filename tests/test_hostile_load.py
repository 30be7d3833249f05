"""A loaded machine is slow, not different: what a person says is judged by when they said it,
not by when the busy recogniser got round to it."""

from __future__ import annotations

from typing import Any

from assistant.config.conversation import ConversationSettings
from assistant.messages import Reply
from audio.asr.base import Transcript
from states.conversation import Conversation
from tests.test_conversation_machine import utterance

INTENT = object()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def answering_alice(clock: Clock) -> tuple[Conversation, Any]:
    """A machine speaking its answer to alice's wake-phrase question; and an utterance of hers."""
    m = Conversation(ConversationSettings(follow_up_seconds=1.5), guild_id="g", clock=clock)
    said = utterance("what is the status")
    m.send("speech_started", speaker="alice")
    m.send("speech_ended", speaker="alice", utterance=said)
    m.send(
        "transcript_ready",
        serial=m.serial,
        transcript=Transcript("what can you do", wake=True),
        intent=INTENT,
    )
    m.send("action_done", serial=m.serial, reply=Reply("I can do a lot."))
    return m, said


async def test_a_follow_up_begun_in_the_window_counts_however_slow_recognition_is() -> None:
    clock = Clock()
    m, said = answering_alice(clock)
    assert m.state == "speaking"
    clock.now += 0.8
    m.send("speech_started", speaker="alice")  # she interrupts the answer: inside her window
    assert m.state == "listening"
    clock.now += 1.2  # she speaks for 1.2 s
    m.send("speech_ended", speaker="alice", utterance=said)
    clock.now += 1.1  # and the loaded recogniser takes 1.1 s: the window closed meanwhile
    m.send(
        "transcript_ready",
        serial=m.serial,
        transcript=Transcript("what is the status"),
        intent=INTENT,
    )
    assert m.state == "acting", m.state


async def test_speech_begun_after_the_window_still_needs_the_wake_phrase() -> None:
    clock = Clock()
    m, said = answering_alice(clock)
    m.send("playback_done", serial=m.serial)
    assert m.state == "listening"
    clock.now += 2.0  # the window is over before she starts again
    m.send("timeout", serial=m.serial, kind="follow_up")
    m.send("speech_started", speaker="alice")
    m.send("speech_ended", speaker="alice", utterance=said)
    m.send(
        "transcript_ready",
        serial=m.serial,
        transcript=Transcript("what is the status"),
        intent=INTENT,
    )
    assert m.state in ("idle", "listening") and m.state != "acting"
