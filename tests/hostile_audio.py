"""Audio files whose headers declare what a test wants: the `wave` module refuses to write a
float WAV or a 4 GB data chunk over 2 KB of samples, and no encoder writes 100 MHz, but
anyone can type those bytes and attach the file."""

from __future__ import annotations

import math
import multiprocessing
import struct
import tracemalloc
from pathlib import Path
from typing import Any

PCM, FLOAT = 1, 3
"""WAV codec tags: integer PCM (the fast path's) and IEEE float (ffmpeg's)."""


def wav_declaring(
    path: Path,
    *,
    rate: int,
    channels: int = 1,
    codec: int = PCM,
    frames: int = 1000,
    data_bytes: int | None = None,
) -> Path:
    """A WAV of `frames` quiet frames (16-bit, or 32-bit float) whose header says `rate`,
    `channels` and, when given, `data_bytes` as the size of its samples."""
    width = 4 if codec == FLOAT else 2
    sample = struct.pack("<f", 0.01) if codec == FLOAT else struct.pack("<h", 300)
    data = sample * frames * channels
    block = channels * width
    fmt = struct.pack(
        "<HHIIHH", codec, channels, rate, rate * block % 2**32, block % 2**16, width * 8
    )
    declared = len(data) if data_bytes is None else data_bytes
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", declared) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def aiff_declaring(path: Path, *, rate: int, frames: int = 1000) -> Path:
    """A 16-bit mono AIFF whose header says `rate` (an 80-bit float there, so any rate at
    all): a format only ffmpeg reads."""
    mantissa, exponent = math.frexp(rate)  # rate = mantissa * 2**exponent, 0.5 <= mantissa < 1
    extended = struct.pack(">HQ", exponent - 1 + 16383, int(mantissa * 2**64))
    common = struct.pack(">hIh", 1, frames, 16) + extended
    sound = struct.pack(">II", 0, 0) + struct.pack(">h", 300) * frames
    body = b"AIFFCOMM" + struct.pack(">I", len(common)) + common
    body += b"SSND" + struct.pack(">I", len(sound)) + sound
    path.write_bytes(b"FORM" + struct.pack(">I", len(body)) + body)
    return path


def decoded_with_peak(path: Path) -> tuple[Any, int]:
    """`decode_file(path)` and the most memory Python and numpy held at once while it ran,
    in a process of its own: tracemalloc counts every thread's allocations, and threads that
    earlier tests left behind (recognizers, learners) allocated while this one measured."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_decode_traced, (path,))


def _decode_traced(path: Path) -> tuple[Any, int]:
    from audio.decode import decode_file

    tracemalloc.start()
    try:
        decoded = decode_file(path)
        return decoded, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
