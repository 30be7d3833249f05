"""Whether a file begins as an audio file does: the first bytes every container writes.

ffmpeg calls a text file named `.ogg` or `.aac` "End of file", as it does an Ogg cut short in
transfer, and a text file named `.flac` "Error marking filters as finished": what it says
cannot tell a damaged recording from something that never was one. These bytes can.
"""

from __future__ import annotations

from pathlib import Path

_AT_START = (
    b"OggS",  # Ogg (Opus, Vorbis, FLAC in Ogg): Discord's voice messages
    b"fLaC",  # FLAC
    b"RIFF",  # WAV, and WebP or AVI, which ffmpeg calls no audio track
    b"RF64",  # WAV over 4 GB
    b"BW64",  # broadcast WAV over 4 GB
    b"ID3",  # MP3 (or AAC) with a tag first
    b"\x1a\x45\xdf\xa3",  # Matroska, WebM
    b"FORM",  # AIFF
    b"#!AMR",  # AMR
    b"caff",  # Core Audio
    b".snd",  # Sun/NeXT audio
    b"MAC ",  # Monkey's Audio
    b"wvpk",  # WavPack
    b"0&\xb2u",  # ASF (WMA)
)
_MPEG_SYNC = 0xFFE0
"""The first 11 bits of an MPEG audio frame (MP3) or an ADTS frame (AAC) are all set."""


def looks_like_audio(path: Path) -> bool:
    """`path` begins as some audio container or stream begins."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError:
        return False
    if head.startswith(_AT_START):
        return True
    if head[4:8] == b"ftyp":  # MP4, M4A (iOS's voice memos), 3GP
        return True
    return len(head) >= 2 and int.from_bytes(head[:2], "big") & _MPEG_SYNC == _MPEG_SYNC
