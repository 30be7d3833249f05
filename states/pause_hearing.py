"""Hearing at the pause: an utterance is heard while the VAD still waits for its end.

The VAD closes an utterance only after about 270 ms of unvoiced audio (`voice.vad`: end_ratio
of ring_ms), but the audio it will hand over is final much sooner: once the speaker has paused
for `hear_at_pause_ms` (at least the hangover), `speech_until_pause()` is exactly what
`UtteranceEnded` will carry unless they go on. So the session starts the one hearing path on
that audio at the pause. If the utterance then ends with the same audio, the hearing already
under way (or done) is the utterance's hearing; if the speaker goes on, or anything else
changed, it is cancelled and its result is never looked at, so nothing stale acts or is said.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from audio.hearing import Hearing
from audio.vad.base import UtteranceEnded

Hear = Callable[[bytes, bool, str], Awaitable[Hearing]]
"""(pcm, in_window, speaker) -> the hearing of that audio (`VoiceParts.hear` for the guild)."""
Spawn = Callable[[Awaitable[Hearing]], "asyncio.Task[Hearing]"]
"""Starts a task the session owns (cancelled when it closes)."""


@dataclass
class Speculation:
    """A hearing started at a pause, before the utterance ended."""

    pcm: bytes
    """The audio being heard: what the utterance's end will carry if no speech follows."""
    in_window: bool
    """Whether it is heard as inside the speaker's follow-up window (no wake phrase needed)."""
    task: asyncio.Task[Hearing]


@dataclass
class PauseCounts:
    """How often hearing at the pause paid off (for the benches and tests)."""

    started: int = 0
    """Hearings started at a pause."""
    used: int = 0
    """Of those, taken as the utterance's hearing."""
    dropped: int = 0
    """Of those, cancelled: speech resumed, or the utterance ended differently."""


class PauseHearing:
    """At most one hearing at a pause per speaker; the session calls `pause`, `resume`,
    `ended` from the audio side and `take` from its recognition stage."""

    def __init__(self, hear: Hear, spawn: Spawn) -> None:
        self._hear = hear
        self._spawn = spawn
        self._open: dict[str, Speculation] = {}
        """Per speaker: started at a pause in the utterance still in progress."""
        self._ended: dict[int, Speculation] = {}
        """Per ended utterance (by id) that the conversation is about to recognize."""
        self.counts = PauseCounts()

    def running(self, speaker: str) -> bool:
        return speaker in self._open

    def pause(self, speaker: str, pcm: bytes, in_window: bool) -> None:
        """`speaker` paused inside the utterance the conversation will recognize next."""
        if speaker in self._open or not pcm:
            return
        task = self._spawn(self._hear(pcm, in_window, speaker))
        task.add_done_callback(_retrieve)
        self._open[speaker] = Speculation(pcm, in_window, task)
        self.counts.started += 1

    def resume(self, speaker: str) -> None:
        """`speaker` went on speaking: what was heard at the pause is stale."""
        self._drop(self._open.pop(speaker, None))

    def ended(self, speaker: str, utterance: UtteranceEnded, recognized_next: bool) -> bool | None:
        """`speaker`'s utterance ended; `recognized_next`: the conversation took it for
        recognition now. A hearing of exactly its audio is kept for `take` (True); any other
        is dropped (False); None: there was none."""
        speculation = self._open.pop(speaker, None)
        if speculation is None:
            return None
        if recognized_next and speculation.pcm == utterance.pcm:
            self._ended[id(utterance)] = speculation
            return True
        self._drop(speculation)
        return False

    def take(self, utterance: UtteranceEnded, in_window: bool) -> asyncio.Task[Hearing] | None:
        """The hearing started at the pause of `utterance`, if it heard the same thing the
        recognition stage would hear now; None: hear it anew."""
        speculation = self._ended.pop(id(utterance), None)
        if speculation is None:
            return None
        if speculation.in_window != in_window or speculation.task.cancelled():
            self._drop(speculation)
            return None
        self.counts.used += 1
        return speculation.task

    def close(self) -> None:
        for speculation in [*self._open.values(), *self._ended.values()]:
            self._drop(speculation)
        self._open.clear()
        self._ended.clear()

    def _drop(self, speculation: Speculation | None) -> None:
        if speculation is None:
            return
        speculation.task.cancel()
        self.counts.dropped += 1


def _retrieve(task: asyncio.Task[Hearing]) -> None:
    """A dropped hearing's failure is nobody's to report (the utterance is heard anew)."""
    if not task.cancelled():
        task.exception()
