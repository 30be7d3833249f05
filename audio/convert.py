"""PCM conversions between Discord's 48 kHz stereo and the recognisers' 16 kHz mono.

Capture runs for every speaker all the time, so the downward path is a cheap streaming
polyphase decimator in numpy (one short FIR, state carried across 20 ms frames). The upward
path (speech output, once per reply) and recordings at other rates are resampled whole
(audio/resample.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from fractions import Fraction
from functools import lru_cache

import numpy as np

from . import DISCORD_RATE, RECOGNITION_RATE
from .resample import resample

_TAPS_PER_PHASE = 16
"""FIR length per unit of decimation: 48 taps for 48k -> 16k, ~60 dB stop band, 1 ms delay."""
_MAX_PHASES = 1000
"""Largest up or down factor `_resample` filters with. The polyphase filter has 20 x
max(up, down) taps, so an odd rate (16,000/383,987 from 383,987 Hz) took 370 MB to resample
one second; such ratios are rounded to the nearest whose terms are at most this (1/24 there).
From any rate of 4-384 kHz that is at most 0.05% off in speed, under a cent of pitch, which no
ear or recognizer notices; usual rates stay exact (44.1 kHz to 16 kHz is 160/441)."""


@lru_cache(maxsize=8)
def lowpass(factor: int, taps_per_phase: int = _TAPS_PER_PHASE) -> np.ndarray:
    """Windowed-sinc anti-alias filter for decimating by `factor` (unity gain at DC)."""
    n = factor * taps_per_phase
    # Cut a little below the new Nyquist so the transition band does not alias into speech.
    cutoff = 0.9 / factor / 2  # in cycles per input sample
    t = np.arange(n) - (n - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * t) * np.kaiser(n, 8.0)
    h /= h.sum()
    return h.astype(np.float32)


def _to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), -32768, 32767).astype("<i2")


def to_mono(samples: np.ndarray, channels: int) -> np.ndarray:
    """Average interleaved channels into one (float32). For a live stream, frame by frame;
    a whole recording is mixed by `Downmix`, which also copes with channels that cancel."""
    if channels == 1:
        return samples.astype(np.float32)
    frames = len(samples) // channels
    return samples[: frames * channels].reshape(frames, channels).astype(np.float32).mean(axis=1)


_CANCELLED = 0.1
"""Power of the channels' mean, relative to the loudest channel's, below which they cancel
out: one of them is wired in antiphase (-10 dB; the mean of two unrelated channels is -3 dB
of them, of one channel and silence -6 dB)."""
_STATS_BLOCK = 65_536
"""Frames measured at a time."""


class Downmix:
    """Interleaved s16le of a whole recording, in chunks, -> one mono s16le buffer.

    The mean of the channels, unless that is far quieter than the loudest channel: a stereo
    microphone with one side's polarity reversed (a common wiring fault) gives a right channel
    that is the left one inverted, and the mean is silence while either side alone holds the
    speech; then the loudest channel is taken. The choice is made once for the whole file,
    so the sound never jumps between channels. Peak memory is the chunks kept plus the result.
    """

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self._chunks: deque[bytes] = deque()
        self._power = np.zeros(channels)  # sum of squares per channel
        self._mean_power = 0.0  # sum of squares of the channels' mean

    def add(self, pcm: bytes) -> None:
        """One more chunk, whole frames only (see `whole_frames`)."""
        self._chunks.append(pcm)
        if self.channels == 1:
            return
        step = _STATS_BLOCK * 2 * self.channels  # bounded temporaries for a whole file
        for start in range(0, len(pcm), step):
            frames = self._frames(pcm[start : start + step])
            self._power += np.square(frames, dtype=np.float64).sum(axis=0)
            self._mean_power += float(np.square(frames.mean(axis=1, dtype=np.float64)).sum())

    def channel(self) -> int | None:
        """The one channel taken instead of the mean, or None."""
        if self.channels == 1:
            return None
        loudest = int(np.argmax(self._power))
        return loudest if self._mean_power < _CANCELLED * self._power[loudest] else None

    def parts(self) -> Iterator[np.ndarray]:
        """The recording in one channel (float32), chunk by chunk; each chunk is let go of as
        it is mixed, so a long file is never held twice."""
        channel = self.channel()
        while self._chunks:
            frames = self._frames(self._chunks.popleft())
            yield frames.mean(axis=1) if channel is None else frames[:, channel]

    def pcm(self) -> bytes:
        """The recording in one channel, s16le."""
        return b"".join(_to_int16(part).tobytes() for part in self.parts())

    def _frames(self, pcm: bytes) -> np.ndarray:
        return np.frombuffer(pcm, "<i2").reshape(-1, self.channels).astype(np.float32)

    def whole_frames(self, pcm: bytes) -> int:
        """How many bytes of `pcm` are whole frames."""
        return len(pcm) - len(pcm) % (2 * self.channels)


def downmix(pcm: bytes, channels: int) -> np.ndarray:
    """A whole recording's interleaved s16le in one channel (float32), as `Downmix` mixes it."""
    mix = Downmix(channels)
    mix.add(pcm[: mix.whole_frames(pcm)])
    return np.concatenate([np.zeros(0, np.float32), *mix.parts()])


class StreamDownsampler:
    """Interleaved s16le at `in_rate`/`in_channels` -> 16 kHz (or `out_rate`) mono s16le.

    Feed frames of any size in order; the filter history and the decimation phase are kept,
    so the output is the same as converting the whole stream at once. One per speaker.
    """

    def __init__(
        self,
        in_rate: int = DISCORD_RATE,
        in_channels: int = 2,
        out_rate: int = RECOGNITION_RATE,
    ) -> None:
        if in_rate % out_rate:
            raise ValueError(f"{in_rate} Hz is not a whole multiple of {out_rate} Hz")
        self.in_channels = in_channels
        self.factor = in_rate // out_rate
        self._h = lowpass(self.factor) if self.factor > 1 else np.ones(1, np.float32)
        self._history = np.zeros(len(self._h) - 1, np.float32)
        self._phase = 0  # index in the next input block of the next sample to keep
        self._leftover = b""  # a partial sample/frame carried to the next call

    def process(self, pcm: bytes) -> bytes:
        """Convert the next chunk; returns whatever output samples it completes."""
        data = self._leftover + pcm
        frame_bytes = 2 * self.in_channels
        usable = len(data) - len(data) % frame_bytes
        self._leftover = data[usable:]
        if not usable:
            return b""
        return self.process_mono(to_mono(np.frombuffer(data[:usable], "<i2"), self.in_channels))

    def process_mono(self, mono: np.ndarray) -> bytes:
        """Convert the next chunk, already in one channel (float32)."""
        if self.factor == 1:
            return _to_int16(mono).tobytes()
        x = np.concatenate((self._history, mono))
        # 'valid' convolution over history+block gives one filtered value per input sample.
        y = np.convolve(x, self._h, mode="valid")
        out = y[self._phase :: self.factor]
        self._phase = (self._phase - len(mono)) % self.factor
        self._history = x[len(x) - (len(self._h) - 1) :]
        return _to_int16(out).tobytes()


def downsample(
    pcm: bytes, in_rate: int, in_channels: int, out_rate: int = RECOGNITION_RATE
) -> bytes:
    """Whole-recording conversion to mono `out_rate` (any rates; integer ratios use the FIR
    path), mixed down by `Downmix`."""
    mono = downmix(pcm, in_channels)
    if in_rate % out_rate == 0:
        return StreamDownsampler(in_rate, 1, out_rate).process_mono(mono)
    return _to_int16(_resample(mono, in_rate, out_rate)).tobytes()


def _resample(x: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """Band-limited resampling of a whole float buffer between any two rates."""
    if in_rate == out_rate or len(x) == 0:
        return x
    return resample(x, *_ratio(in_rate, out_rate))


def _ratio(in_rate: int, out_rate: int) -> tuple[int, int]:
    """(up, down) for `_resample`: exact, or the nearest fraction with terms <= _MAX_PHASES (a
    ratio past 1000 to 1 stops there; no caller has one: decoded files are 1-384 kHz)."""
    exact = Fraction(out_rate, in_rate)
    if max(exact.numerator, exact.denominator) <= _MAX_PHASES:
        return exact.numerator, exact.denominator
    small = min(exact, 1 / exact)  # below 1, so its denominator is the larger term
    near = max(small.limit_denominator(_MAX_PHASES), Fraction(1, _MAX_PHASES))
    if exact > 1:
        near = 1 / near
    return near.numerator, near.denominator


def to_discord(pcm: bytes, sample_rate: int, channels: int = 1) -> bytes:
    """Mono or stereo s16le at any rate -> 48 kHz stereo s16le for Discord playback."""
    usable = len(pcm) - len(pcm) % (2 * channels)
    mono = to_mono(np.frombuffer(pcm[:usable], "<i2"), channels)
    up = _to_int16(_resample(mono, sample_rate, DISCORD_RATE))
    return np.repeat(up, 2).tobytes()


def discord_frames(pcm48_stereo: bytes, frame_ms: int = 20) -> list[bytes]:
    """Split 48 kHz stereo PCM into Discord's 20 ms frames, zero-padding the last one."""
    size = DISCORD_RATE * 2 * 2 * frame_ms // 1000
    frames = [pcm48_stereo[i : i + size] for i in range(0, len(pcm48_stereo), size)]
    if frames and len(frames[-1]) < size:
        frames[-1] = frames[-1] + b"\0" * (size - len(frames[-1]))
    return frames
