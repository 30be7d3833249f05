"""webrtcvad segmentation: a ring of frame decisions with start/end ratios (measured defaults)."""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import webrtcvad

from assistant.config.voice import VadSettings

from .. import RECOGNITION_RATE
from .base import SpeechStarted, UtteranceEnded, VadEvent, VoiceActivityDetector

_BYTES_PER_SAMPLE = 2


class WebRtcVad(VoiceActivityDetector):
    """One speaker's stream of 16 kHz mono s16le -> SpeechStarted / UtteranceEnded events.

    Start when `start_ratio` of the last `ring_ms` is voiced, end when `end_ratio` of it is
    unvoiced; `paused` from `hear_at_pause_ms` after the last voiced frame until the next one.
    The utterance carries `pre_roll_ms` from before the start and `hangover_ms` after the last
    voiced frame; anything longer than `max_utterance_s` is cut.

    Frames quieter than `silence_dbfs` (digital silence: Discord's five Opus silence frames
    at the end of every talk spurt, the receiver's fill after a lost or corrupt packet, the
    session's fill while no packets arrive) are unvoiced without asking webrtcvad. Fed to it,
    about 100 ms of exact zeros made its adaptive noise model take the speaker's faint noise
    floor for speech from then on, so the end of their next utterances was never found.
    """

    def __init__(self, settings: VadSettings | None = None) -> None:
        self.settings = s = settings or VadSettings()
        self._vad = webrtcvad.Vad(s.aggressiveness)
        self._frame_samples = RECOGNITION_RATE * s.frame_ms // 1000
        self._frame_bytes = self._frame_samples * _BYTES_PER_SAMPLE
        self._frame_s = s.frame_ms / 1000
        # Sum of squares below which a frame is digital silence (RMS under silence_dbfs).
        rms = 32768 * 10 ** (s.silence_dbfs / 20)
        self._silence_energy = rms * rms * self._frame_samples
        ring_frames = max(2, round(s.ring_ms / s.frame_ms))
        self._ring: deque[bool] = deque(maxlen=ring_frames)
        # Pre-roll holds the audio before the trigger, at least as long as the ring itself,
        # because the voiced frames that caused the trigger are inside the ring.
        pre_frames = max(ring_frames, round(s.pre_roll_ms / s.frame_ms) + ring_frames)
        self._pre: deque[bytes] = deque(maxlen=pre_frames)
        self._hang_frames = round(s.hangover_ms / s.frame_ms)
        # Never before the hangover: until then the end would deliver more audio than a pause.
        pause = -(-s.hear_at_pause_ms // s.frame_ms)
        self._pause_frames = max(pause, self._hang_frames) if pause > 0 else 0
        self._max_frames = round(s.max_utterance_s / self._frame_s)
        self._pending = b""
        self._frames_seen = 0  # stream clock, in frames
        self._triggered = False
        self._utt: list[bytes] = []
        self._utt_start_frame = 0
        self._began_frame = 0  # stream clock when the start was decided
        self._last_voiced = 0  # index into _utt of the frame after the last voiced one

    @property
    def in_speech(self) -> bool:
        """True between SpeechStarted and UtteranceEnded."""
        return self._triggered

    def speech_so_far(self) -> bytes:
        return b"".join(self._utt) if self._triggered else b""

    @property
    def speech_bytes(self) -> int:
        return len(self._utt) * self._frame_bytes if self._triggered else 0

    @property
    def paused(self) -> bool:
        return (
            self._triggered
            and self._pause_frames > 0
            and len(self._utt) - self._last_voiced >= self._pause_frames
        )

    def speech_until_pause(self) -> bytes:
        return b"".join(self._utt[: self._kept(truncated=False)]) if self._triggered else b""

    @property
    def slack_s(self) -> float:
        ring, size = self._ring, self._ring.maxlen or 1
        voiced = sum(ring)
        if not self._triggered:  # a start needs a full ring with start_ratio of it voiced
            frames = max(size - len(ring), math.ceil(self.settings.start_ratio * size) - voiced)
        elif self.paused:
            return 0.0  # the next voiced frame ends the pause
        else:  # an end needs end_ratio of the ring unvoiced; a cut, the maximum length
            unvoiced = len(ring) - voiced
            frames = min(
                math.ceil(self.settings.end_ratio * len(ring)) - unvoiced,
                self._max_frames - len(self._utt),
            )
            if self._pause_frames > 0:
                frames = min(frames, self._pause_frames - (len(self._utt) - self._last_voiced))
        # The deciding frame is the `frames`-th from now; part of the next one is pending.
        safe = (frames * self._frame_bytes - len(self._pending) - 1) // _BYTES_PER_SAMPLE
        return max(0.0, safe / RECOGNITION_RATE)

    @property
    def stream_s(self) -> float:
        """Seconds of audio consumed so far."""
        return self._frames_seen * self._frame_s

    def process(self, pcm: bytes) -> list[VadEvent]:
        data = self._pending + pcm
        events: list[VadEvent] = []
        n = len(data) // self._frame_bytes
        for i in range(n):
            frame = data[i * self._frame_bytes : (i + 1) * self._frame_bytes]
            events.extend(self._frame(frame))
        self._pending = data[n * self._frame_bytes :]
        return events

    def flush(self) -> list[VadEvent]:
        self._pending = b""
        if not self._triggered:
            self._ring.clear()
            self._pre.clear()
            return []
        return [self._close(truncated=False)]

    def _frame(self, frame: bytes) -> list[VadEvent]:
        voiced = not self._is_silence(frame) and self._vad.is_speech(frame, RECOGNITION_RATE)
        self._frames_seen += 1
        self._ring.append(voiced)
        if not self._triggered:
            self._pre.append(frame)
            full = len(self._ring) == self._ring.maxlen
            if full and sum(self._ring) >= self.settings.start_ratio * len(self._ring):
                self._triggered = True
                self._utt = list(self._pre)
                self._utt_start_frame = self._frames_seen - len(self._utt)
                self._began_frame = self._frames_seen
                self._last_voiced = len(self._utt)
                self._pre.clear()
                return [SpeechStarted(at_s=self._utt_start_frame * self._frame_s)]
            return []
        self._utt.append(frame)
        if voiced:
            self._last_voiced = len(self._utt)
        unvoiced = len(self._ring) - sum(self._ring)
        if unvoiced >= self.settings.end_ratio * len(self._ring):
            return [self._close(truncated=False)]
        if len(self._utt) >= self._max_frames:
            return [self._close(truncated=True)]
        return []

    def _is_silence(self, frame: bytes) -> bool:
        samples = np.frombuffer(frame, "<i2").astype(np.float32)
        return float(np.dot(samples, samples)) < self._silence_energy

    def _kept(self, truncated: bool) -> int:
        """Frames of the utterance in progress that its UtteranceEnded carries: all of a cut
        one, else up to `hangover_ms` after the last voiced frame."""
        if truncated:
            return len(self._utt)
        return min(len(self._utt), self._last_voiced + self._hang_frames)

    def _close(self, truncated: bool) -> UtteranceEnded:
        keep = self._kept(truncated)
        start_s = self._utt_start_frame * self._frame_s
        end_s = (
            self._utt_start_frame + (len(self._utt) if truncated else self._last_voiced)
        ) * self._frame_s
        event = UtteranceEnded(
            pcm=b"".join(self._utt[:keep]),
            start_s=round(start_s, 3),
            end_s=round(end_s, 3),
            truncated=truncated,
            detected_s=round(self.stream_s, 3),
            began_s=round(self._began_frame * self._frame_s, 3),
        )
        self._triggered = False
        self._utt = []
        # After a cut the speaker is usually still talking: clear the ring so the rest needs
        # a fresh start trigger instead of re-triggering on stale decisions.
        self._ring.clear()
        self._pre.clear()
        return event
