"""Long lists of strings or numbers pickled in parts, each part rebuilt by a Python call.

Unpickling the typed index (300,000 sentences twice, and their order by length) is C from end
to end: it held the GIL for 150 ms at a time, 0.3 s in all, and the bot's event loop stood
still for it while voice started (over a second on a loaded machine, where a thread discord.py
started waited for it). Between parts rebuilt by a Python function, other threads run."""

from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass
from typing import Any

PART = 10_000
"""Values per part: about a millisecond to rebuild."""
_SEPARATOR = "\n"


@dataclass(frozen=True)
class _Strings:
    blob: bytes

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _strings, (self.blob,)


@dataclass(frozen=True)
class _Ints:
    blob: bytes

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _ints, (self.blob,)


@dataclass(frozen=True)
class Packed:
    """A value as pickled: a list of strings or of ints in parts, anything else as it is."""

    parts: list[Any] | None
    """The parts (each unpickles as a list of its values), or None."""
    value: Any = None
    """The value itself when it is not in parts."""


def packed(value: Any) -> Packed:
    """`value` ready to pickle (`unpacked` gives it back)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if any(_SEPARATOR in v for v in value):
            return Packed(None, value)
        return Packed([_Strings(_SEPARATOR.join(p).encode()) for p in _parts(value)])
    if isinstance(value, list) and all(type(v) is int for v in value):
        return Packed([_Ints(array("i", p).tobytes()) for p in _parts(value)])
    return Packed(None, value)


def unpacked(value: Packed) -> Any:
    """What `packed` was given."""
    if value.parts is None:
        return value.value
    return list(itertools.chain.from_iterable(value.parts))


def _parts(values: list[Any]) -> list[list[Any]]:
    return [values[start : start + PART] for start in range(0, len(values), PART)]


def _strings(blob: bytes) -> list[str]:
    return blob.decode().split(_SEPARATOR)


def _ints(blob: bytes) -> list[int]:
    values = array("i")
    values.frombytes(blob)
    return values.tolist()
