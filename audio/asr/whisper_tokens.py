"""Whisper's text side: the model folder's tokenizer, and byte-level BPE tokens back to text.

Whisper writes GPT-2 byte-level BPE tokens ("Ġtrainer"); `detokenize` maps their characters
back to bytes and the bytes to text. The tokenizer (`tokenizer.json`, which CTranslate2
converters copy beside `model.bin`) turns text into token ids for scoring; without it scoring
is off. Kept apart from the model's decoding (audio/asr/neural.py): this is text, not audio.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


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


def load_tokenizer(folder: Path) -> Any:
    """The model's byte-level BPE tokenizer, or None (scoring is then unavailable)."""
    path = folder / "tokenizer.json"
    try:
        import tokenizers  # noqa: F401 - only whether it is there
    except ImportError:
        log.warning("the tokenizers package is missing: neural scoring is off")
        return None
    if not path.is_file():
        log.warning("%s has no tokenizer.json: neural scoring is off", folder)
        return None
    stat = path.stat()
    return _tokenizer_at(str(path), (stat.st_mtime_ns, stat.st_size))


@functools.cache
def _tokenizer_at(path: str, _version: tuple[int, int]) -> Any:
    """One tokenizer per file (and version of it) per process: it is only read from, and
    reading the file holds the GIL (0.1 s idle, 0.3 s on a loaded machine) as a voice starts."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path)
