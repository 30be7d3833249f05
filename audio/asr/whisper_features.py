"""Whisper's log-mel input features in numpy (what OpenAI's `log_mel_spectrogram` computes).

CTranslate2 runs the network but leaves feature extraction to the caller; this keeps the
second opinion free of torch and of faster-whisper's extra dependencies.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16_000
N_FFT = 400
HOP = 160
CHUNK_SAMPLES = 30 * SAMPLE_RATE
"""Whisper always encodes 30 s windows; shorter audio is padded with silence."""
FRAMES = CHUNK_SAMPLES // HOP


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney mel scale (linear below 1 kHz, logarithmic above), as librosa's default."""
    f = np.asarray(f, dtype=np.float64)
    mel = f / (200.0 / 3)
    log_region = f >= 1000.0
    mel[log_region] = 15.0 + np.log(f[log_region] / 1000.0) / (np.log(6.4) / 27.0)
    return mel


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f = m * (200.0 / 3)
    log_region = m >= 15.0
    f[log_region] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m[log_region] - 15.0))
    return f


@lru_cache(maxsize=4)
def mel_filters(n_mels: int = 80) -> np.ndarray:
    """[n_mels, N_FFT // 2 + 1] slaney-normalised triangular filters (librosa.filters.mel)."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_pts = _mel_to_hz(
        np.linspace(_hz_to_mel(np.array([0.0]))[0], _hz_to_mel(np.array([8000.0]))[0], n_mels + 2)
    )
    fdiff = np.diff(mel_pts)
    ramps = mel_pts[:, None] - fft_freqs[None, :]
    weights = np.zeros((n_mels, len(fft_freqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_pts[2 : n_mels + 2] - mel_pts[:n_mels]))[:, None]
    return weights.astype(np.float32)


def log_mel(pcm: bytes, n_mels: int = 80, window_s: float = 30.0) -> np.ndarray:
    """16 kHz mono s16le -> float32 [n_mels, frames] features of one window.

    Whisper was trained on 30 s windows (3000 frames). A shorter window (the utterance plus
    silence, at least `window_s`) makes the encoder several times faster; whisper.cpp calls
    this a reduced audio context. It is cut at 30 s.
    """
    audio = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], "<i2").astype(np.float32) / 32768.0
    audio = audio[:CHUNK_SAMPLES]
    window = max(int(window_s * SAMPLE_RATE), len(audio) + SAMPLE_RATE)
    window = min(CHUNK_SAMPLES, -(-window // SAMPLE_RATE) * SAMPLE_RATE)
    audio = np.pad(audio, (0, window - len(audio)))
    # torch.stft(center=True): reflect-pad half a window on each side.
    padded = np.pad(audio, (N_FFT // 2, N_FFT // 2), mode="reflect")
    hann = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    spectrum = np.fft.rfft(frames * hann, axis=1)
    power = (np.abs(spectrum) ** 2).T[:, : window // HOP]  # Whisper drops the last frame
    mel = mel_filters(n_mels) @ power
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).astype(np.float32)
