"""Whether an Ogg file is whole: every page of it complete, the file ending where one ends.

A Discord voice message is Ogg Opus. One of 0 seconds (the record button tapped and let go)
holds its two header pages and no sound; one cut short in transfer ends inside a page. Neither
decodes to any sample, and ffmpeg calls both "End of file": the pages tell them apart.
"""

from __future__ import annotations

import struct
from pathlib import Path

_PAGE = struct.Struct("<4sBBqIIIB")
"""A page's header (RFC 3533): "OggS", version, flags, granule position, stream serial number,
page sequence number, checksum, and how many lacing values (segment sizes) follow."""
MOST_BYTES = 64 * 1024
"""Largest file looked through: a recording of nothing is a few hundred bytes."""


def whole_ogg(path: Path) -> bool:
    """`path` is an Ogg file of at most `MOST_BYTES`, made of complete pages only."""
    with path.open("rb") as f:
        data = f.read(MOST_BYTES + 1)
    if len(data) > MOST_BYTES:
        return False
    offset = 0
    while offset < len(data):
        if len(data) - offset < _PAGE.size:
            return False
        capture, *_, segments = _PAGE.unpack_from(data, offset)
        sizes = data[offset + _PAGE.size : offset + _PAGE.size + segments]
        if capture != b"OggS" or len(sizes) < segments:
            return False
        offset += _PAGE.size + segments + sum(sizes)
    return 0 < offset == len(data)
