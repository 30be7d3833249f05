"""Decode any audio file, or a speaker's Opus packets, to 16 kHz mono s16le.

Plain 16-bit PCM WAV is read with the `wave` module (no process start); everything else
(ogg/opus, mp3, m4a, webm, odd WAVs) goes through an ffmpeg subprocess whose output is
streamed and cut at `max_seconds`, so a two-hour file costs at most that much memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import UserError

from . import RECOGNITION_RATE
from .convert import downsample

_BYTES_PER_S = RECOGNITION_RATE * 2
_CHUNK = 64 * 1024
MIN_SECONDS = 0.1
"""Shorter files are refused: no word is that short."""
_FFMPEG_TIMEOUT_S = 120.0
"""Longest an ffmpeg decode may take; protects against files that make it spin."""


class AudioError(UserError):
    """An audio file that cannot be used; the message says why, in plain words."""


@dataclass(frozen=True)
class DecodedAudio:
    """A decoded file."""

    pcm: bytes
    """16 kHz mono s16le samples."""
    truncated: bool
    """True when the file was longer than the cap and only its beginning was decoded."""

    @property
    def seconds(self) -> float:
        """Duration of `pcm`."""
        return len(self.pcm) / _BYTES_PER_S


def decode_file(path: str | Path, max_seconds: float = 600.0) -> DecodedAudio:
    """Decode `path`; raises AudioError for missing, empty, corrupt or too short files."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path.name}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path.name}: the file is empty")
    decoded = _read_wav(path, max_seconds)
    if decoded is None:
        decoded = _ffmpeg(path, max_seconds)
    if decoded.seconds < MIN_SECONDS:
        raise AudioError(
            f"{path.name}: only {decoded.seconds * 1000:.0f} ms of audio, too short to hold speech"
        )
    return decoded


def decode_bytes(data: bytes, name: str = "audio", max_seconds: float = 600.0) -> DecodedAudio:
    """Decode an in-memory file (e.g. a Discord attachment) via a temporary file."""
    if not data:
        raise AudioError(f"{name}: the file is empty")
    suffix = Path(name).suffix[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        decoded = decode_file(tmp.name, max_seconds)
    return decoded


def _read_wav(path: Path, max_seconds: float) -> DecodedAudio | None:
    """Fast path for 16-bit PCM WAV; None means "let ffmpeg try" (other codecs, odd headers)."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getcomptype() != "NONE":
                return None
            rate, channels, total = w.getframerate(), w.getnchannels(), w.getnframes()
            if rate < 4000 or channels < 1:
                return None
            limit = int(max_seconds * rate)
            raw = w.readframes(min(total, limit))
    except (wave.Error, EOFError, OSError):
        return None
    # A truncated file simply yields fewer frames than the header promises; keep what is there.
    truncated = total > limit
    if rate != RECOGNITION_RATE or channels != 1:
        raw = downsample(raw, rate, channels)
    return DecodedAudio(raw, truncated)


def _ffmpeg(path: Path, max_seconds: float) -> DecodedAudio:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise AudioError("cannot decode this format: ffmpeg is not installed on the bot's machine")
    cmd = [
        exe, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(path),
        "-t", f"{max_seconds + 1:.3f}", "-vn", "-sn", "-dn",  # one extra second tells "longer"
        "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(RECOGNITION_RATE),
        "pipe:1",
    ]  # fmt: skip
    cap = int(max_seconds * _BYTES_PER_S)
    chunks: list[bytes] = []
    size = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            # Stream: never hold more than the cap, whatever ffmpeg produces.
            while size < cap:
                chunk = proc.stdout.read(min(_CHUNK, cap - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            truncated = size >= cap
            if truncated:
                proc.kill()
            proc.wait(timeout=_FFMPEG_TIMEOUT_S)
            err = proc.stderr.read().decode("utf-8", "replace").strip()
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AudioError(f"{path.name}: decoding took too long; is it really audio?") from None
    pcm = b"".join(chunks)
    if proc.returncode != 0 and not truncated and not pcm:
        raise AudioError(f"{path.name}: {_explain(err)}")
    if not pcm:
        raise AudioError(f"{path.name}: the file contains no audio")
    # Some corrupt files decode partly with errors; the decoded part is still usable.
    truncated = truncated or (proc.returncode != 0 and bool(err))
    return DecodedAudio(pcm[: len(pcm) - len(pcm) % 2], truncated)


def _explain(stderr: str) -> str:
    text = stderr.lower()
    if (
        "invalid data" in text
        or "invalid argument" in text
        or "could not find codec" in text
        or "header" in text
    ):
        return "not a recognised audio file, or it is corrupt"
    if "does not contain any stream" in text or "output file #0 does not contain" in text:
        return "the file has no audio track"
    if "end of file" in text or "truncat" in text:
        return "the file is cut short (truncated)"
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "unknown error"
    return f"cannot decode it ({last[:160]})"


class SpeechOpusDecoder:
    """Opus packets (Discord voice) -> 16 kHz mono s16le, the recognizer's format, in one step.

    libopus decodes at any of its rates itself, so asking it for 16 kHz mono skips the 48 kHz
    stereo synthesis and the resampling after it. Measured per speaker-second of speech
    (bench/receive_cost_bench.py): 48 kHz stereo decode plus downsampling cost about 4x the CPU
    of this. The output buffer is reused and copied out with one call, instead of the
    per-sample Python list that `discord.opus.Decoder.decode` builds. One per speaker (Opus
    decoding keeps state between packets). Not thread-safe.
    """

    RATE = RECOGNITION_RATE
    FRAME_SAMPLES = RECOGNITION_RATE // 50
    """Samples in Discord's 20 ms frame at 16 kHz; the length concealed for a lost packet."""
    _MAX_SAMPLES = RECOGNITION_RATE * 120 // 1000
    """Longest Opus packet: 120 ms."""

    def __init__(self) -> None:
        from discord import opus

        if not opus.is_loaded() and not opus._load_default():
            raise AudioError("libopus is not installed, so voice cannot be decoded")
        self._lib: Any = opus._lib
        self._error = opus.OpusError
        status = ctypes.c_int()
        self._state = self._lib.opus_decoder_create(self.RATE, 1, ctypes.byref(status))
        self._buffer = (ctypes.c_int16 * self._MAX_SAMPLES)()

    def decode(self, packet: bytes | None, *, fec: bool = False) -> bytes:
        """One packet's samples; `None` conceals a lost packet. Raises `discord.opus.OpusError`
        for a corrupt packet (the decoder stays usable)."""
        if packet is None:
            count = self._lib.opus_decode(self._state, None, 0, self._buffer, self.FRAME_SAMPLES, 0)
        elif fec:
            # Recovering the previous packet from this one's redundancy: exactly one frame.
            count = self._lib.opus_decode(
                self._state, packet, len(packet), self._buffer, self.FRAME_SAMPLES, 1
            )
        else:
            count = self._lib.opus_decode(
                self._state, packet, len(packet), self._buffer, self._MAX_SAMPLES, 0
            )
        return ctypes.string_at(self._buffer, count * 2)

    def close(self) -> None:
        if self._state is not None:
            self._lib.opus_decoder_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
