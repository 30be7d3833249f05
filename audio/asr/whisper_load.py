"""Loading a CTranslate2 Whisper model folder, checked before anything in it is read.

The folder must hold `model.bin`, with the sha256 pinned for the bundled tiny.en
(audio/asr/bundled_model.py) or given for a user's folder, and must load as a Whisper model;
anything else is a `ModelError` that says which. Kept apart from what the loaded model does
(audio/asr/neural.py): verification is a one-time gate, transcribing and scoring run on every
utterance.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bundled_model import BUNDLED_SHA256, ModelError, bundled_model_folder, sha256_of

# CTranslate2's OpenMP threads wait for the next piece of work passively, as threads do, not
# spinning on a core: after each decode they spun, burning CPU the grammar recognizer and the
# event loop wanted. libgomp reads this once, when it is loaded (by the `import ctranslate2`
# below, the first in the bot's process; a user's own setting stands). Measured on the 2-core
# machine, one model decoding three utterances 24 times 50 ms apart (3 runs each, nearly
# idle): median 58-59 ms against 65-80 spinning, 84-85 ms of CPU a decode against 91-97;
# and with one model shared by every bot of a test worker, libgomp's spinning was 10% of the
# voice tests' CPU (perf, tests/test_discord_voice.py), 0.3% with this.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@dataclass(frozen=True)
class LoadedWhisper:
    """A verified, loaded model."""

    model: Any
    """The `ctranslate2.models.Whisper`."""
    folder: Path
    sha256: str | None
    """model.bin's checksum when it was verified (lower case), else None."""
    ms: float
    """Wall time of loading it (after verification)."""


def load_whisper(folder: Path | None, sha256: str | None, threads: int) -> LoadedWhisper:
    """`folder` None: the pinned bundled tiny.en (checksum verified). A user's folder is
    verified when `sha256` is given."""
    try:
        import ctranslate2
    except ImportError:
        raise ModelError("ctranslate2 is not installed: pip install ctranslate2") from None
    if folder is None:
        folder, sha256 = bundled_model_folder(), BUNDLED_SHA256
    folder = Path(folder)
    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        raise ModelError(f"{folder} is not a CTranslate2 model folder (no model.bin)")
    if sha256 is not None:
        actual = sha256_of(model_bin)
        if actual != sha256.lower():
            raise ModelError(
                f"{model_bin} has sha256 {actual}, expected {sha256}: refusing to load it"
            )
    started = time.perf_counter()
    try:
        model = ctranslate2.models.Whisper(
            str(folder), device="cpu", compute_type="int8", intra_threads=threads
        )
    except Exception as exc:  # a folder of some other model
        raise ModelError(f"cannot load a Whisper model from {folder}: {exc}") from None
    ms = (time.perf_counter() - started) * 1000
    return LoadedWhisper(model, folder, sha256.lower() if sha256 else None, ms)
