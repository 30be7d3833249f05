"""The machine alone, event by event: every declared transition is taken at least once.

The speech tests drive the machine through the real pipeline; this one feeds it the events
that pipeline produces (with real VAD utterances of real speech) so that each transition,
including the rare ones, is exercised deterministically and the coverage can be counted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from assistant.config.conversation import ConversationSettings
from assistant.messages import Reply
from audio.asr.base import Transcript
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad
from states.conversation import Conversation
from states.diagram import edges
from states.sayings import APOLOGY, LISTENING, NOT_UNDERSTOOD
from tests.speech import speak


class Recorder:
    def __init__(self) -> None:
        self.taken: set[tuple[str, str, str]] = set()

    def after_transition(self, event: Any, source: Any, target: Any) -> None:
        name = str(event) if event else "(when free)"
        self.taken.add((source.id, target.id, name.replace(".", "_")))


def utterance(text: str) -> UtteranceEnded:
    events = WebRtcVad().process(speak(text))
    ended = [e for e in events if isinstance(e, UtteranceEnded)]
    assert len(ended) == 1
    return ended[0]


WAKE = Transcript("", wake=True)
COMMAND = Transcript("what is the status", wake=True)
INTENT = object()


async def test_every_transition_is_taken() -> None:
    rec = Recorder()
    m = Conversation(
        ConversationSettings(follow_up_seconds=0.2, still_working_seconds=0.05),
        guild_id="g",
        listeners=[rec],
    )
    u = utterance("hey trainer, what is the status")
    a, b = "alice", "bob"

    def s(event: str, **kw: Any) -> None:
        m.send(event, serial=m.serial, **kw) if "serial" not in kw else m.send(event, **kw)

    async def expire() -> None:
        await asyncio.sleep(0.3)

    # wake + command, still working, answer, follow-up, barge-in by speech
    m.send("speech_started", speaker=a)
    m.send("speech_ended", speaker=b, utterance=u)  # queued (listening)
    m.send("speech_ended", speaker=a, utterance=u)
    m.send("speech_ended", speaker=b, utterance=u)  # queued (transcribing)
    m.send("announce", text="job done")  # queued (transcribing)
    s("transcript_ready", transcript=COMMAND, intent=INTENT)
    assert m.state == "acting"
    m.send("speech_ended", speaker=b, utterance=u)  # queued (acting)
    m.send("announce", text="job done")  # queued (acting)
    await asyncio.sleep(0.1)  # still-working timer: acting -> acting
    s("action_done", reply=Reply("It is fine."))
    assert m.state == "speaking" and m.saying is not None and m.saying.to == a
    m.send("speech_ended", speaker=b, utterance=u)  # queued (speaking)
    m.send("announce", text="job done")  # queued (speaking)
    m.send("speech_started", speaker=a)  # the addressee barges in
    assert m.state == "listening" and m.capturing
    m.send("announce", text="job done")  # queued (listening)
    m.send("speech_ended", speaker=a, utterance=u)
    s("transcript_ready", transcript=Transcript("what is the status"), intent=INTENT)
    assert m.state == "acting"  # Alice is the partner: no wake phrase needed
    s("error", stage="action", reason="boom")
    assert m.state == "speaking" and m.saying is not None and m.saying.text == APOLOGY
    s("error", stage="speech output", reason="engine missing")  # apology can't be said
    # -> idle, and at once (when free) Bob's queued utterance, checked for the wake phrase
    assert m.state == "transcribing" and m.speaker == b and len(m.announcements) == 4
    m.announcements = m.announcements[:1]
    s("transcript_ready", transcript=Transcript("what is the status"))
    # not addressed -> idle -> (when free) the announcement
    assert m.state == "speaking" and m.saying is not None and m.saying.kind == "announcement"
    s("playback_done")
    assert m.state == "idle"

    # wake alone -> "I'm listening" -> follow-up window; someone else not addressed -> back
    m.send("speech_ended", speaker=b, utterance=u)  # idle: start missed, take it whole
    s("transcript_ready", transcript=WAKE)
    assert m.state == "speaking" and m.saying is not None and m.saying.text == LISTENING
    s("playback_done")
    assert m.state == "listening" and m.partner == b
    m.send("speech_started", speaker=b)  # the partner speaks: listening -> listening
    m.send("speech_ended", speaker=b, utterance=u)
    s("transcript_ready", transcript=Transcript("please call my mother", rejected=True, wake=True))
    assert m.state == "speaking" and m.saying is not None and m.saying.text == NOT_UNDERSTOOD
    s("playback_done")
    assert m.state == "listening"
    m.send("speech_ended", speaker=a, utterance=u)  # not the partner: queued, taken when free
    assert m.state == "transcribing" and m.speaker == a
    s("transcript_ready", transcript=Transcript("what is the status"))
    assert m.state == "listening"  # not addressed, but Bob's window is still open
    s("error", stage="listening", reason="stream lost")
    assert m.state == "speaking"
    # A wake phrase in speech begun before the bot started speaking does not interrupt it
    # (that speech is queued); in speech begun since, it does.
    m.send("interruption", speaker=a, in_speech=False, began_at=m.speaking_since - 0.5)
    assert m.state == "speaking"
    m.send("interruption", speaker=a, in_speech=False, began_at=m.speaking_since)
    assert m.state == "listening" and m.partner == a
    m.send("announce", text="job done")  # (when free) listening -> speaking
    assert m.state == "speaking"
    s("timeout", kind="speaking")
    assert m.state == "idle"

    # announcement when idle; playback done without addressee -> idle
    m.send("announce", text="job done")
    assert m.state == "speaking"
    s("playback_done")
    assert m.state == "idle"
    m.send("announce", text="job done")
    s("error", stage="speech output", reason="engine missing")  # speaking -> speaking: sorry
    assert m.state == "speaking" and m.saying is not None and m.saying.kind == "apology"
    s("playback_done")
    assert m.state == "idle"
    m.send("speech_started", speaker=a)
    await asyncio.sleep(0.01)
    s("timeout", kind="utterance")
    assert m.state == "idle"

    # not addressed with no window -> idle; recognition timeout and error; action timeout
    m.send("speech_ended", speaker=a, utterance=u)
    s("transcript_ready", transcript=Transcript("what is the status"))
    assert m.state == "idle"
    m.send("speech_ended", speaker=a, utterance=u)
    s("timeout", kind="recognition")
    assert m.state == "speaking"
    m.send("error.execution", error=RuntimeError("bug"))
    assert m.state == "idle"
    m.send("speech_ended", speaker=a, utterance=u)
    s("error", stage="recognition", reason="model missing")
    s("playback_done")
    m.send("speech_ended", speaker=a, utterance=u)
    s("transcript_ready", transcript=COMMAND, intent=INTENT)
    s("timeout", kind="action")
    assert m.state == "speaking"
    s("playback_done")
    # a bug in a callback (error.execution) is handled like a stage error in every state
    for reach in (
        lambda: m.send("speech_started", speaker=a),
        lambda: m.send("speech_ended", speaker=a, utterance=u),
        lambda: s("transcript_ready", transcript=COMMAND, intent=INTENT),
    ):
        reach()
        before = m.state
        m.send("error.execution", error=RuntimeError("bug"))
        assert m.state == "speaking" and m.saying is not None and m.saying.text == APOLOGY, before
        assert "RuntimeError('bug')" in (m.last_error or "")
        s("playback_done")
        assert m.state == "idle"
        if before == "listening":
            m.send("speech_started", speaker=a)
        elif before == "transcribing":
            m.send("speech_ended", speaker=a, utterance=u)
    m.send("error.execution", error=RuntimeError("bug"))  # idle: nothing to stop
    assert m.state == "idle"
    m.send("no_such_event")
    assert m.state == "idle"
    # idle with a queued utterance: the eventless idle -> transcribing
    m.send("speech_started", speaker=a)
    m.send("speech_ended", speaker=b, utterance=u)
    s("timeout", kind="utterance")
    assert m.state == "transcribing" and m.speaker == b
    m.close()

    declared = {_split(e) for e in edges()}
    missing = declared - rec.taken
    covered = len(declared) - len(missing)
    print(f"transitions covered: {covered}/{len(declared)}")
    assert not missing, sorted(missing)


def _split(edge: tuple[str, str, str]) -> tuple[str, str, str]:
    src, dst, label = edge
    return src, dst, label.split(" [")[0]


def test_a_follow_up_begun_in_the_window_counts_when_recognized_after_it() -> None:
    """The partner starts speaking while their window is open; recognition finishes after it
    closed (a long sentence, a loaded machine): still a command, not ignored."""
    now = [100.0]
    m = Conversation(ConversationSettings(follow_up_seconds=1.0), clock=lambda: now[0])
    u = utterance("what is the status")
    m.send("speech_started", speaker="alice")
    m.send("speech_ended", speaker="alice", utterance=u)
    m.send("transcript_ready", transcript=WAKE, serial=m.serial)
    assert m.state == "speaking" and m.saying is not None and m.saying.kind == "prompt"
    m.send("playback_done", serial=m.serial)
    assert m.state == "listening" and m.partner == "alice"  # the window is open
    now[0] += 0.5
    m.send("speech_started", speaker="alice")  # inside the window
    m.send("speech_ended", speaker="alice", utterance=u)
    now[0] += 2.0  # recognized only after the window closed
    command = Transcript("what is the status")
    m.send("transcript_ready", transcript=command, intent=INTENT, serial=m.serial)
    assert m.state == "acting"
    # Someone else's speech after the window is still not addressed to the bot.
    m.send("action_done", reply=Reply(text="ok"), serial=m.serial)
    m.send("playback_done", serial=m.serial)
    now[0] += 5.0
    m.send("speech_ended", speaker="bob", utterance=u)
    m.send("transcript_ready", transcript=command, intent=INTENT, serial=m.serial)
    assert m.state == "idle"  # not addressed
