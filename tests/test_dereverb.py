"""Late reverberation removed before recognition (audio/dereverb.py): real espeak-ng speech in
synthetic rooms; what the recognizers get, and what the debug view says about it."""

from __future__ import annotations

import asyncio
import tracemalloc

import numpy as np
import pytest

from assistant.config.voice import DereverbSettings, VoiceSettings
from audio.dereverb import _frames, dereverb, wpe
from audio.hearing import Hearer
from tests.speech import speak, utterance

FLOOR = DereverbSettings().min_removed_db


def _room(dry: np.ndarray, rt60_s: float, seed: int) -> np.ndarray:
    """A room unlike the voice bench's (other lengths and seeds): direct path plus an
    exponentially decaying noise tail."""
    rng = np.random.default_rng(seed)
    n = int(rt60_s * 16_000)
    ir = 0.05 * rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    ir[0] = 1.0
    ir /= np.sqrt(np.sum(ir**2))
    return np.convolve(dry, ir)[: len(dry)]


def _pcm(x: np.ndarray) -> bytes:
    return np.clip(np.rint(x), -32768, 32767).astype("<i2").tobytes()


def _log_spectrum(x: np.ndarray) -> np.ndarray:
    spectrum = _frames(x.astype(np.float32), np.hanning(512).astype(np.float32))
    return np.log(np.abs(spectrum) ** 2 + 1e3)


@pytest.mark.parametrize(("voice", "rt60_s"), [("en-gb", 0.4), ("en-us", 0.8)])
def test_a_rooms_tail_is_taken_out_and_dry_speech_is_left_alone(voice: str, rt60_s: float) -> None:
    dry = np.frombuffer(utterance(speak("hey trainer what's the status", voice)), "<i2")
    dry = dry.astype(np.float64)
    wet = _room(dry, rt60_s, seed=17)
    filtered = wpe(wet)
    assert len(filtered) == len(wet)
    before = np.mean((_log_spectrum(wet) - _log_spectrum(dry)) ** 2)
    after = np.mean((_log_spectrum(filtered) - _log_spectrum(dry)) ** 2)
    assert after < 0.92 * before, (before, after)  # measured: 15-18% nearer the dry speech

    room = dereverb(_pcm(wet), FLOOR)
    assert room.applied and room.removed_db > FLOOR and "reverberation removed" in room.why
    assert room.pcm != _pcm(wet) and len(room.pcm) == len(_pcm(wet))

    as_said = dereverb(_pcm(dry), FLOOR)
    assert not as_said.applied and as_said.pcm == _pcm(dry), as_said.why


@pytest.mark.parametrize(
    "pcm",
    [
        b"",
        b"\x01",
        b"\x00" * 3200,
        b"\x01\x02\x03",
        np.full(8000, 32767, "<i2").tobytes(),
        np.random.default_rng(1).integers(-32768, 32767, 16000, dtype="<i2").tobytes(),
    ],
    ids=["empty", "one byte", "silence", "odd length", "clipped", "white noise"],
)
def test_odd_audio_passes_without_error(pcm: bytes) -> None:
    room = dereverb(pcm, FLOOR)
    assert len(room.pcm) // 2 == len(pcm) // 2
    assert np.isfinite(room.removed_db)


def test_a_long_recording_is_filtered_in_bounded_memory() -> None:
    dry = np.frombuffer(utterance(speak("hey trainer, train the model", "en-us")), "<i2")
    long = np.tile(_room(dry.astype(np.float64), 0.5, seed=9), 40)  # about two minutes
    tracemalloc.start()
    try:
        room = dereverb(_pcm(long), FLOOR)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert room.applied and len(room.pcm) == 2 * len(long)
    assert peak < 150e6, peak  # measured 66 MB; 409 MB in one piece


def test_the_hearing_says_what_was_done_to_the_audio() -> None:
    settings = VoiceSettings()
    settings.asr.second_opinion.enabled = False  # the grammar alone: the filter is the point
    hearer = Hearer.local(settings)
    try:
        dry = np.frombuffer(utterance(speak("hey trainer, train the model", "en-us")), "<i2")
        wet = _pcm(_room(dry.astype(np.float64), 0.5, seed=5))
        heard = asyncio.run(hearer.hear(wet))
        assert heard.audio.startswith("late reverberation removed"), heard.debug()
        assert heard.debug()["audio"] == heard.audio
        assert heard.debug_lines()[0].startswith("  audio    late reverberation removed")
        assert 0 < heard.timings_ms["dereverb"] <= heard.timings_ms["total"]
        as_said = asyncio.run(hearer.hear(utterance(speak("hey trainer, train the model"))))
        assert as_said.audio.startswith("dry enough"), as_said.debug()
    finally:
        hearer.close()

    settings.asr.dereverb.enabled = False
    plain = Hearer.local(settings)
    try:
        heard = asyncio.run(plain.hear(wet))
        assert heard.audio == "" and "dereverb" not in heard.timings_ms
        assert "audio" not in heard.debug()
    finally:
        plain.close()
