"""Resampling a whole recording (audio/resample.py): the classic polyphase filter, in numpy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from audio.resample import resample
from tests.speech import write_wav

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("up", "down"),
    [(1, 3), (160, 441), (320, 147), (147, 320), (2, 1), (1, 24), (16, 15), (1000, 999)],
)
@pytest.mark.parametrize("length", [1, 2, 7, 1000, 48_017])
def test_it_gives_what_scipys_resample_poly_gives(up: int, down: int, length: int) -> None:
    # Recordings and the bot's speech were resampled by scipy before (22.05 kHz speech to
    # Discord's 48 kHz, 44.1 kHz files to 16 kHz): they must sound the same, sample for sample.
    x = (np.random.default_rng(length).standard_normal(length) * 8000).astype(np.float32)
    expected = resample_poly(x, up, down)
    got = resample(x, up, down)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.max(np.abs(got - expected)) < 0.05  # of 32,768: below a 16-bit sample's step


def test_a_tone_keeps_its_pitch_and_loudness() -> None:
    rate, seconds = 44_100, 1.0
    t = np.arange(int(rate * seconds)) / rate
    tone = (10_000 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = resample(tone, 160, 441)  # to 16 kHz
    assert len(out) == 16_000
    middle = out[2_000:14_000]
    spectrum = np.abs(np.fft.rfft(middle))
    assert np.fft.rfftfreq(len(middle), 1 / 16_000)[spectrum.argmax()] == pytest.approx(440, abs=2)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(10_000 / np.sqrt(2), rel=0.01)


def test_reading_a_44_khz_wav_does_not_import_scipy(tmp_path: Path) -> None:
    # Importing scipy.signal cost every process that read such a file, or spoke in a voice
    # channel, over a second of CPU.
    wav = write_wav(tmp_path / "cd.wav", bytes(44_100 * 2), rate=44_100)
    program = (
        "import sys\n"
        "from audio.decode import decode_file\n"
        "from audio.convert import to_discord\n"
        f"decoded = decode_file({str(wav)!r})\n"
        "to_discord(b'\\x00\\x01' * 22050, 22050)\n"
        "print(len(decoded.pcm), 'scipy.signal' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["32000", "False"]
