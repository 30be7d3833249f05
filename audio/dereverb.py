"""Late reverberation taken out of an utterance before it is recognized (single-channel WPE).

Reverberant speech is the hearing path's weakest condition (bench/results/voice.md): the room's
tail smears each sound into the next, and both recognizers were trained on drier speech.
Weighted prediction error (Nakatani et al. 2010; Yoshioka and Nakatani 2012) predicts, in each
frequency band of the short-time spectrum, the part of a frame that is an echo of frames at
least `DELAY` hops earlier, and subtracts it. The prediction is weighted by the inverse of the
dry speech's estimated power, so the direct sound, which is not predictable from that far
back, stays. A few iterations refine that power estimate.

Dry speech has little to predict: the prediction removes a few hundredths of a decibel, where
a furnished room's tail gives it tenths. Below `min_removed_db` the audio goes on unchanged,
because on dry tuning audio the filter cost the grammar recognizer a few commands while on
reverberant audio it won many more (bench/README.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

FFT = 512
"""Frame length at 16 kHz (32 ms)."""
HOP = 256
"""Hop between frames (16 ms)."""
DELAY = 3
"""Frames before the prediction starts (48 ms): the direct sound and early reflections stay."""
TAPS = 8
"""Frames the prediction reaches back over (48 to 160 ms back)."""
ITERATIONS = 2
"""Refinements of the dry-power estimate."""
BLOCK = 16_000 * 15
"""Samples filtered at a time (15 s): a live utterance is one block; a ten-minute voice
message is forty, so memory stays bounded instead of growing with the audio (peak 52 MB for
one block, 66 MB for two minutes, which in one piece took 409 MB; ten minutes, 2 GB)."""


@dataclass(frozen=True)
class Dereverbed:
    """An utterance after the filter."""

    pcm: bytes
    """16 kHz mono s16le for the recognizers: filtered, or the input when below the floor."""
    removed_db: float
    """Energy the prediction removed, in decibels (0 for silence)."""
    applied: bool
    """The filtered audio is in `pcm`."""
    ms: float
    """Wall time of the filter."""

    @property
    def why(self) -> str:
        """The decision in words, for the debug view."""
        if self.applied:
            return f"late reverberation removed ({self.removed_db:.2f} dB)"
        return f"dry enough, left as it was ({self.removed_db:.2f} dB to remove)"


def _frames(x: np.ndarray, window: np.ndarray) -> np.ndarray:
    padded = np.concatenate([np.zeros(FFT, np.float32), x, np.zeros(FFT, np.float32)])
    frames = np.lib.stride_tricks.sliding_window_view(padded, FFT)[::HOP] * window
    return np.fft.rfft(frames, axis=1).astype(np.complex64).T.copy()  # (bands, frames)


def _overlap_add(spectrum: np.ndarray, window: np.ndarray, length: int) -> np.ndarray:
    frames = np.fft.irfft(spectrum.T, n=FFT, axis=1).astype(np.float32) * window
    count = frames.shape[0]
    out = np.zeros(count * HOP + FFT, np.float32)
    norm = np.zeros_like(out)
    for part in range(FFT // HOP):
        cut = slice(part * HOP, (part + 1) * HOP)
        out[part * HOP : part * HOP + count * HOP] += frames[:, cut].reshape(-1)
        norm[part * HOP : part * HOP + count * HOP] += np.tile(window[cut] ** 2, count)
    out /= np.maximum(norm, 1e-8)
    return out[FFT : FFT + length]


def wpe(x: np.ndarray) -> np.ndarray:
    """`x` (float samples) with its late reverberation predicted and subtracted."""
    window = np.hanning(FFT).astype(np.float32)
    spectrum = _frames(x.astype(np.float32), window)
    bands, count = spectrum.shape
    # past[f, t, k]: band f of frame t - DELAY - k, the frames an echo in frame t comes from.
    past = np.zeros((bands, count, TAPS), np.complex64)
    for k in range(TAPS):
        lag = DELAY + k
        if lag < count:
            past[:, lag:, k] = spectrum[:, : count - lag]
    dry = spectrum
    ridge = 1e-6 * np.eye(TAPS, dtype=np.complex64)
    for _ in range(ITERATIONS):
        power = np.maximum(dry.real**2 + dry.imag**2, 1e-10)
        power = (power + np.roll(power, 1, axis=1) + np.roll(power, -1, axis=1)) / 3
        weighted = (past / power[:, :, None]).transpose(0, 2, 1)
        covariance = weighted @ past.conj()
        correlation = weighted @ spectrum.conj()[:, :, None]
        filters = np.linalg.solve(covariance + ridge, correlation)
        dry = spectrum - (past @ filters.conj())[..., 0]
    return _overlap_add(dry, window, len(x))


def dereverb(pcm: bytes, min_removed_db: float) -> Dereverbed:
    """`pcm` (16 kHz mono s16le) filtered when the filter removes at least `min_removed_db`."""
    t0 = time.perf_counter()
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(np.float32)
    before = float(np.sum(x.astype(np.float64) ** 2))
    if before == 0.0:
        return Dereverbed(pcm, 0.0, False, (time.perf_counter() - t0) * 1000)
    y = np.concatenate([wpe(x[i : i + BLOCK]) for i in range(0, len(x), BLOCK)])
    after = max(float(np.sum(y.astype(np.float64) ** 2)), 1.0)
    removed = 10 * float(np.log10(before / after))
    applied = removed >= min_removed_db
    out = np.clip(np.rint(y), -32768, 32767).astype("<i2").tobytes() if applied else pcm
    return Dereverbed(out, removed, applied, (time.perf_counter() - t0) * 1000)


__all__ = ["Dereverbed", "dereverb", "wpe"]
