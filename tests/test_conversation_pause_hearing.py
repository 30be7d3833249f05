"""Hearing at the pause: an utterance is heard from its speaker's pause on, before the VAD's end
wait is over; that hearing is the one that acts when the utterance ends there, and is dropped
when the speaker goes on (states/pause_hearing.py).

Real parts throughout: espeak-ng speech with a noise floor streamed in real time, webrtcvad,
the hearing path (grammar recognizer in worker processes, as in production: in a thread it
would hold the event loop while the speech streams in, and a stalled stream is filled with
silence that ends the utterance), the neural second opinion, the core, espeak-ng output.
"""

from __future__ import annotations

import pytest

from assistant.app import Assistant
from assistant.config.conversation import ConversationSettings
from assistant.config.voice import VadSettings
from assistant.messages import Request
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad
from states.sayings import LISTENING
from states.trace import TraceEntry
from tests.conversation_kit import ALICE, SessionMaker, Track, describe, heard, say, stream
from tests.speech import join, trimmed

pytestmark = pytest.mark.timeout(60)

SETTINGS = ConversationSettings(follow_up_seconds=0.8)
CHUNK = 640
"""20 ms of 16 kHz mono s16le, as the streams feed it."""
MID_PAUSE_S = 0.31
"""Silence between "hey trainer" and the command: webrtcvad calls about the first 100 ms of it
voiced, so the VAD is paused (90 ms unvoiced) from about 0.2 s on, and ends the utterance
only past about 0.37 s (measured on three espeak voices)."""


def _wake_pause_command() -> bytes:
    """ "hey trainer", a pause the VAD waits through, "train the model"."""
    wake = trimmed(say("hey trainer"), end=True)
    command = trimmed(say("train the model"), start=True)
    return join(wake, command, gap_s=MID_PAUSE_S)


def _notes(trace: list[TraceEntry]) -> list[str]:
    return [e.text for e in trace if e.kind == "pause_hearing"]


@pytest.mark.parametrize("voice", ["en-us", "en-gb-x-rp+m3"])
def test_the_audio_heard_at_the_pause_is_what_the_end_delivers(voice: str) -> None:
    pcm = say("hey trainer, what is the status", voice=voice)
    vad, at_pause, ended = WebRtcVad(), [], []
    for i in range(0, len(pcm), CHUNK):
        ended += [e for e in vad.process(pcm[i : i + CHUNK]) if isinstance(e, UtteranceEnded)]
        if vad.paused and not ended:
            at_pause.append(vad.speech_until_pause())
    assert len(ended) == 1 and at_pause
    assert at_pause[-1] == ended[0].pcm  # byte for byte: hearing it early hears the same

    off = WebRtcVad(VadSettings(hear_at_pause_ms=0))
    paused = []
    for i in range(0, len(pcm), CHUNK):
        off.process(pcm[i : i + CHUNK])
        paused.append(off.paused)
    assert not any(paused)


def test_the_voice_bench_times_a_reply_from_the_pause_as_the_session_does() -> None:
    """bench/voice_bench.py: hearing starts at the speaker's pause, and its decision acts once
    the VAD's end confirms the audio; a slow hearing adds to the pause, not to the end wait."""
    from bench.voice_bench import reply_ms, vad_utterance

    found = vad_utterance(say("hey trainer, what is the status"))
    assert found is not None
    event, paused_s = found
    assert paused_s is not None and event.detected_s is not None
    pause_ms = (paused_s - event.end_s) * 1000
    end_wait_ms = (event.detected_s - event.end_s) * 1000
    assert 89 < pause_ms < end_wait_ms  # hear_at_pause_ms (90), before the 270 ms end wait
    assert reply_ms(event, paused_s, 50, 20) == pytest.approx(end_wait_ms + 20)
    assert reply_ms(event, paused_s, 300, 20) == pytest.approx(pause_ms + 320)
    assert reply_ms(event, None, 300, 20) == pytest.approx(end_wait_ms + 320)


async def test_an_utterance_that_ends_at_the_pause_acts_on_the_hearing_begun_there(
    voice_session: SessionMaker, app: Assistant
) -> None:
    session, out = await voice_session(SETTINGS, processes=True)
    await stream(session, [Track(ALICE, say("hey trainer, what is the status"))])
    assert await session.settle(20, idle=True)

    status = await app.handle(Request(command="status", guild_id="g1"))
    assert heard(session.trace) == [(ALICE.id, "what is the status", True)]
    (entry,) = [e for e in session.trace if e.kind == "heard"]
    assert entry.data["at_pause"], describe(session.trace)  # awaited, not heard a second time
    counts = session.pause_hearing.counts
    assert counts.used == 1 and counts.started == counts.used + counts.dropped
    assert out.said == [status.spoken]
    await session.close()


async def test_speech_resuming_after_a_pause_drops_what_was_heard_there(
    voice_session: SessionMaker, app: Assistant
) -> None:
    session, out = await voice_session(SETTINGS, processes=True)
    await stream(session, [Track(ALICE, _wake_pause_command())])
    assert await session.settle(20, idle=True)

    # The pause after "hey trainer" started a hearing of the wake phrase alone; the speaker
    # went on, so it was dropped, and the whole sentence is what acted.
    notes = _notes(session.trace)
    assert notes[:2] == ["started", "dropped: speech resumed"], describe(session.trace)
    (entry,) = [e for e in session.trace if e.kind == "heard"]
    assert entry.data["intent"] is not None and entry.data["intent"].name == "train", describe(
        session.trace
    )
    assert LISTENING not in out.said  # the wake phrase alone was never answered
    train = await app.handle(Request(command="train", guild_id="g1"))
    assert out.texts == [train.text]
    await session.close()
