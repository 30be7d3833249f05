"""Speech still in progress: the wake phrase spotted while the bot speaks, hearing at a pause.

The machine learns of an utterance only when it ends; two things the session does cannot wait
for that. While the bot speaks, someone else's speech is transcribed as it grows, so their
wake phrase interrupts the bot before they pause (barge-in). While the bot listens, the person
listened to is heard from their pause on (`states/pause_hearing.py`). Apart from the session
(`states/session.py`) because both watch a speaker's growing utterance, which the machine never
sees; the session calls `continues` for every chunk of speech its streams take in.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .streams import BYTES_PER_S, Stream

if TYPE_CHECKING:
    from .session import GuildVoiceSession

log = logging.getLogger(__name__)


class SpeechInProgress:
    """Watches each speaker's utterance in progress for the session of one guild."""

    def __init__(self, session: GuildVoiceSession) -> None:
        self.s = session

    def continues(self, stream: Stream) -> None:
        """`stream`'s speaker is still speaking (a chunk of their utterance arrived)."""
        self._maybe_spot_wake(stream)
        self._maybe_hear_at_pause(stream)

    def _maybe_hear_at_pause(self, stream: Stream) -> None:
        """Start hearing the utterance of the person listened to when they pause; drop that
        hearing when they go on (states/pause_hearing.py)."""
        s = self.s
        speaker = stream.user.id
        if not stream.vad.paused:
            if s.pause_hearing.running(speaker):
                s.pause_hearing.resume(speaker)
                s.note("pause_hearing", "dropped: speech resumed", speaker)
            return
        m = s.machine
        if (
            not s.parts.hear_at_pause
            or s.pause_hearing.running(speaker)
            or m.state != "listening"
            or not m.is_listened_to(speaker)
        ):
            return
        # The window judgement the recognition stage will make (take_utterance keeps it).
        s.pause_hearing.pause(speaker, stream.vad.speech_until_pause(), m.in_window())
        s.note("pause_hearing", "started", speaker)

    def _maybe_spot_wake(self, stream: Stream) -> None:
        """While speaking, look for the wake phrase in someone else's speech as it comes."""
        m = self.s.machine
        if (
            m.state != "speaking"
            or not self.s.settings.barge_in
            or stream.checking
            or (m.saying is not None and m.saying.to == stream.user.id)
            or not m.began_while_speaking(stream.started_wall)  # no use recognizing it
        ):
            return
        interval = self.s.settings.wake_spotting_interval_ms / 1000 * BYTES_PER_S
        if stream.vad.speech_bytes - stream.checked_bytes < interval:
            return
        stream.checked_bytes = stream.vad.speech_bytes
        stream.checking = True
        self.s.spawn(self._spot_wake(stream, stream.vad.speech_so_far()))

    async def _spot_wake(self, stream: Stream, pcm: bytes) -> None:
        s = self.s
        try:
            transcript = await s.parts.transcribe(pcm)
        except Exception:
            log.exception("guild %s: wake spotting failed", s.guild_id)
            return
        finally:
            stream.checking = False
        if transcript.wake and s.machine.state == "speaking":
            s.note("barge_in", speaker=stream.user.id, text="wake phrase", data={"how": "wake"})
            s.send(
                "interruption",
                speaker=stream.user.id,
                in_speech=stream.in_speech,
                began_at=stream.started_wall,
            )
