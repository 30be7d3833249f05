"""Barge-in: the bot stops talking within 200 ms when interrupted, and listens.

The answer plays in real time (20 ms frames, like Discord's player) and the interrupting
speech is streamed in real time, so the measured times are the ones a person would notice.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.config.conversation import ConversationSettings
from assistant.messages import Request
from tests.conversation_kit import (
    ALICE,
    BOB,
    SessionMaker,
    Track,
    describe,
    first,
    heard,
    say,
    stream,
    transitions,
    wait_for_state,
)

pytestmark = pytest.mark.timeout(60)

SETTINGS = ConversationSettings(follow_up_seconds=1.5)
STOP_WITHIN_S = 0.2
LEAD_S = 0.4
"""tests/speech.py puts this much noise floor before each sentence."""


async def test_the_person_being_answered_interrupts_by_speaking(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(SETTINGS, processes=True, realtime_playback=True)
    await stream(session, [Track(ALICE, say("hey trainer, what can you do"))], speed=6)
    await wait_for_state(session, "speaking")
    await asyncio.sleep(0.8)
    began = time.monotonic()
    # (a phrasing both the grammar and the neural check hear alike in espeak's voice)
    await stream(session, [Track(ALICE, say("how is the training going"))], speed=1)
    assert await session.settle(20, idle=True)

    help_answer, status_answer = out.played
    assert not help_answer.completed and help_answer.played_s < help_answer.seconds - 1
    barge = first(session.trace, "barge_in")
    assert barge.speaker == ALICE.id
    assert help_answer.stopped_at is not None
    stop_latency = help_answer.stopped_at - barge.at
    onset = began + LEAD_S  # the clip starts with LEAD_S of noise floor
    print(
        f"barge-in by speech: playback stopped {stop_latency * 1000:.1f} ms after the VAD's "
        f"speech start, {(help_answer.stopped_at - onset) * 1000:.0f} ms after speech onset"
    )
    assert stop_latency < STOP_WITHIN_S
    # the VAD needs ~225 ms of voiced audio, streamed in real time; 0.55 s was measured with
    # both cores busy, so the bound is the second that is a defect at any load
    assert help_answer.stopped_at - onset < 1.0
    assert ("speech_started", "speaking -> listening") in transitions(session.trace)
    status = (await app.handle(Request(command="status", guild_id="g1"))).spoken
    assert status_answer.text == status and status_answer.completed
    await session.close()


async def test_someone_else_interrupts_with_the_wake_phrase_before_pausing(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(SETTINGS, processes=True, realtime_playback=True)
    await stream(session, [Track(ALICE, say("hey trainer, what can you do"))], speed=6)
    await wait_for_state(session, "speaking")
    await asyncio.sleep(0.5)
    began = time.monotonic()
    await stream(session, [Track(BOB, say("hey trainer, what is the status", voice="en-gb"))])
    assert await session.settle(20, idle=True)

    help_answer, status_answer = out.played
    assert not help_answer.completed
    barge = first(session.trace, "barge_in")
    assert barge.speaker == BOB.id and barge.data["how"] == "wake"
    assert help_answer.stopped_at is not None
    stop_latency = help_answer.stopped_at - barge.at
    onset = began + LEAD_S
    print(
        f"barge-in by wake phrase: playback stopped {stop_latency * 1000:.1f} ms after it was "
        f"spotted, {(help_answer.stopped_at - onset) * 1000:.0f} ms after Bob started speaking"
    )
    assert stop_latency < STOP_WITHIN_S
    # Spotted on the audio so far: the bot stopped before Bob finished his sentence.
    bob_heard = next(e for e in session.trace if e.kind == "heard" and e.speaker == BOB.id)
    assert help_answer.stopped_at < bob_heard.at
    assert ("interruption", "speaking -> listening") in transitions(session.trace)
    assert status_answer.completed and heard(session.trace)[-1] == (
        BOB.id,
        "what is the status",
        True,
    )
    await session.close()


async def test_others_talking_without_the_wake_phrase_do_not_interrupt(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(SETTINGS, processes=True, realtime_playback=True)
    await stream(session, [Track(ALICE, say("hey trainer, what can you do"))], speed=6)
    await wait_for_state(session, "speaking")
    await stream(session, [Track(BOB, say("what is the status", voice="en-gb"))], speed=2)
    assert await session.settle(20, idle=True)

    assert len(out.played) == 1 and out.played[0].completed
    assert not [e for e in session.trace if e.kind == "barge_in"]
    # Bob's speech was kept aside (overlap rule), checked once the bot was free: no wake.
    assert (BOB.id, "what is the status", False) in heard(session.trace)
    await session.close()


async def test_barge_in_can_be_switched_off(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    settings = ConversationSettings(follow_up_seconds=1.5, barge_in=False)
    session, out = await voice_session(settings, processes=True, realtime_playback=True)
    await stream(session, [Track(ALICE, say("hey trainer, what can you do"))], speed=6)
    await wait_for_state(session, "speaking")
    await stream(session, [Track(ALICE, say("how is the training going"))], speed=2)
    assert await session.settle(20, idle=True)
    assert out.played[0].completed  # never cut
    assert len(out.played) == 2, describe(session.trace)  # Alice was answered afterwards
    await session.close()
