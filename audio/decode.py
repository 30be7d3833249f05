"""Decode any audio file, or a speaker's Opus packets, to 16 kHz mono s16le.

Plain 16-bit PCM WAV of up to 32 MB of samples is read with the `wave` module (no process
start); everything else (ogg/opus, mp3, m4a, webm, odd or longer WAVs) goes through an ffmpeg
subprocess whose output is streamed and cut at `max_seconds`, so a two-hour file costs at most
that much memory.

A header is a few bytes anyone can write, and what it declares sizes the work: a WAV of 1,000
frames that claims 100,000,007 Hz made resampling ask for 24 GB. So a WAV's declared rate and
channels are checked before either decoder sees it, the fast path reads no more frames than
the file holds, and ffmpeg may not allocate any one block larger than `_FFMPEG_MAX_ALLOC`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import struct
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.i18n import tr

from . import RECOGNITION_BYTES_PER_S, RECOGNITION_RATE
from .convert import Downmix, downsample
from .level import MAX_GAIN_DB, raise_quiet
from .ogg_pages import whole_ogg
from .signatures import looks_like_audio

AUDIO_SUFFIXES = {".ogg", ".oga", ".opus", ".wav", ".mp3", ".m4a", ".webm", ".flac", ".aac"}
"""File names taken for audio: Discord attachments heard as voice messages, and the files the
console's `say` speaks ("say hi" names none, and is a line for the bot)."""

_CHUNK = 64 * 1024
MIN_SECONDS = 0.1
"""Shorter files are refused: no word is that short."""
_FFMPEG_TIMEOUT_S = 120.0
"""Longest an ffmpeg decode may take; protects against files that make it spin."""
_FFMPEG_MAX_ALLOC = 64 * 1024 * 1024
"""ffmpeg's `-max_alloc`: the largest single block it may allocate. Audio is decoded in blocks
of kilobytes (a 19 MB cover picture in an mp3 or m4a still decodes); an absurd header in a
format we do not parse (an AIFF of 100 MHz) made its resampler take 455 MB and 5 s for a 2 KB
file, one filter bank of hundreds of MB, and this makes that fail at once instead."""
MIN_RATE = 1_000
"""Lowest sample rate a WAV may declare: speech needs more, and ffmpeg's resampler took 350 MB
to bring 1 Hz up to 16 kHz."""
MAX_RATE = 384_000
"""Highest sample rate a WAV may declare: the most any recorder writes."""
MAX_CHANNELS = 64
"""Most channels a WAV may declare (a 7th-order ambisonic recording has 64)."""
_FAST_PATH_BYTES = 32 * 1024 * 1024
"""Most samples the fast path reads. It converts them whole in numpy, at about five times
their size (a 10-minute 96 kHz stereo WAV took 1 GB); ffmpeg streams a longer or wider file
into 16 kHz mono in constant memory."""
_TWO_CHANNELS = "aformat=channel_layouts=mono|stereo,pan=stereo|FL=FL+FC|FR=FR+FC"
"""ffmpeg's filter to two channels for `Downmix`: more are mixed to stereo by ffmpeg; one, the
centre, goes to both sides whole (plain `-ac 2` gives each side -3 dB of it)."""
_WAV_MAGIC = (b"RIFF", b"RF64", b"BW64")
_WAV_CHUNKS = 64
"""Chunks looked through for `fmt ` (it comes before the samples, after a few metadata ones)."""


class AudioError(UserError):
    """An audio file that cannot be used; the message says why, in plain words."""


@dataclass(frozen=True)
class DecodedAudio:
    """A decoded file."""

    pcm: bytes
    """16 kHz mono s16le samples."""
    truncated: bool
    """True when the file was longer than the cap and only its beginning was decoded."""
    raised_db: float = 0.0
    """How much a quiet recording was raised (audio/level.py); 0.0 when left as it was."""

    @property
    def seconds(self) -> float:
        """Duration of `pcm`."""
        return len(self.pcm) / RECOGNITION_BYTES_PER_S

    def note(self, name: str, max_seconds: float) -> str | None:
        """What a user is told about how the file was heard: only its beginning (longer than
        `max_seconds`, or damaged past there), or so quiet that even raised as far as it may
        be it may be misheard; None when there is nothing to say."""
        notes = []
        if self.truncated:
            key = "audio.cut_long" if self.seconds >= max_seconds - 0.1 else "audio.cut_damaged"
            notes.append(tr(key, seconds=f"{round(self.seconds, 1):g}"))
        if self.raised_db >= MAX_GAIN_DB:
            notes.append(tr("audio.very_quiet", db=f"{self.raised_db:.0f}"))
        return f"{name}: {'; '.join(notes)}" if notes else None


def decode_file(
    path: str | Path, max_seconds: float = 600.0, *, name: str | None = None
) -> DecodedAudio:
    """Decode `path`; raises AudioError for missing, empty, corrupt or too short files, naming
    the file `name` (its own name by default)."""
    path = Path(path)
    name = name or path.name
    if path.is_dir():
        raise AudioError(f"{name}: {tr('audio.folder')}")
    if not path.is_file():
        # a pipe or a device (`/dev/zero`) is there, but no file to read to its end
        key = "audio.not_regular" if path.exists() else "audio.missing"
        raise AudioError(f"{name}: {tr(key)}")
    if path.stat().st_size == 0:
        raise AudioError(f"{name}: {tr('audio.empty')}")
    declared = _wav_format(path)
    if declared is not None:
        _refuse_implausible(name, *declared)
    decoded = _read_wav(path, max_seconds, name)
    if decoded is None:
        decoded = _ffmpeg(path, max_seconds, name, declared[1] if declared else None)
    if not decoded.pcm:
        raise AudioError(f"{name}: {tr('audio.nothing_recorded')}")
    if decoded.seconds < MIN_SECONDS:
        ms = f"{decoded.seconds * 1000:.0f}"
        raise AudioError(f"{name}: {tr('audio.too_short', ms=ms)}")
    pcm, raised = raise_quiet(decoded.pcm)
    return DecodedAudio(pcm, decoded.truncated, raised)


def decode_bytes(data: bytes, name: str = "audio", max_seconds: float = 600.0) -> DecodedAudio:
    """Decode an in-memory file (e.g. a Discord attachment) via a temporary file."""
    if not data:
        raise AudioError(f"{name}: {tr('audio.empty')}")
    suffix = Path(name).suffix[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        # Messages name the file the user sent, not the temporary one.
        decoded = decode_file(tmp.name, max_seconds, name=Path(name).name)
    return decoded


def _wav_chunk(path: Path, name: bytes) -> tuple[int, bytes] | None:
    """Where chunk `name` of a WAV file begins (the offset of its body) and the first 8 bytes
    of that body; None when it is no WAV or the chunk is not among its first `_WAV_CHUNKS`."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] not in _WAV_MAGIC or head[8:] != b"WAVE":
                return None
            for _ in range(_WAV_CHUNKS):
                chunk = f.read(8)
                if len(chunk) < 8:
                    return None
                size = int.from_bytes(chunk[4:], "little")
                if chunk[:4] == name:
                    return f.tell(), f.read(8)
                f.seek(size + size % 2, os.SEEK_CUR)  # chunks are padded to an even size
    except OSError:
        return None
    return None


def _wav_format(path: Path) -> tuple[int, int] | None:
    """(sample rate, channels) as a WAV file's `fmt ` chunk declares them, whatever its codec;
    None when it is no WAV or its `fmt ` chunk is not found (the decoders judge it then)."""
    found = _wav_chunk(path, b"fmt ")
    if found is None or len(found[1]) < 8:
        return None
    _codec, channels, rate = struct.unpack("<HHI", found[1])
    return rate, channels


def _unsized_samples(path: Path, frames: int, block: int) -> bytes:
    """Up to `frames` frames of the samples of a WAV whose header gives their length as 0.
    A recorder writes the header first and the length once it stops: one that was killed,
    or wrote to a pipe, left 0 there, and the recording follows it to the end of the file."""
    found = _wav_chunk(path, b"data")
    if found is None:
        return b""
    with path.open("rb") as f:
        f.seek(found[0])
        raw = f.read(frames * block)
    return raw[: len(raw) // block * block]


def _refuse_implausible(name: str, rate: int, channels: int) -> None:
    """A rate or channel count no recording has is a damaged or hostile header: decoding it
    would cost far more memory and time than the file's size."""
    if not MIN_RATE <= rate <= MAX_RATE or not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(f"{name}: {tr('audio.unrecognised')}")


def _read_wav(path: Path, max_seconds: float, name: str) -> DecodedAudio | None:
    """Fast path for 16-bit PCM WAV; None means "let ffmpeg try" (other codecs, odd headers)."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getcomptype() != "NONE":
                return None
            rate, channels, total = w.getframerate(), w.getnchannels(), w.getnframes()
            _refuse_implausible(name, rate, channels)  # `fmt ` may lie past _WAV_CHUNKS
            if rate < 4000:
                return None
            limit = int(max_seconds * rate)
            # The declared length can lie too: never ask for more frames than the file holds.
            held = path.stat().st_size // (2 * channels)
            unsized = total == 0  # the length was never written: samples to the file's end
            frames = min(held if unsized else total, limit, held)
            if frames * 2 * channels > _FAST_PATH_BYTES:
                return None
            if unsized:
                raw = _unsized_samples(path, frames, 2 * channels)
                total = held
            else:
                raw = w.readframes(frames)
    except (wave.Error, EOFError, OSError):
        return None
    # A truncated file simply yields fewer frames than the header promises; keep what is there.
    truncated = min(total, held) > limit
    if rate != RECOGNITION_RATE or channels != 1:
        raw = downsample(raw, rate, channels)
    return DecodedAudio(raw, truncated)


def _to_two_channels(channels: int | None) -> str:
    """ffmpeg's filter to two channels for `Downmix`. A WAV of more than two names its
    channels' count: the even ones are averaged to the left and the odd ones to the right (as
    the fast path averages them all), since ffmpeg cannot mix 9 or 64 channels that declare
    no speaker layout and refused such a recording. Other files: `_TWO_CHANNELS`."""
    if channels is None or channels <= 2:
        return _TWO_CHANNELS
    left, right = ("+".join(f"c{i}" for i in range(side, channels, 2)) for side in (0, 1))
    return f"pan=stereo|c0<{left}|c1<{right}"


def _ffmpeg(path: Path, max_seconds: float, name: str, channels: int | None) -> DecodedAudio:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise AudioError(f"{name}: {tr('audio.no_ffmpeg')}")
    cmd = [
        exe, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-max_alloc", str(_FFMPEG_MAX_ALLOC),
        "-i", str(path),
        "-t", f"{max_seconds + 1:.3f}", "-vn", "-sn", "-dn",  # one extra second tells "longer"
        "-af", _to_two_channels(channels),
        "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "2", "-ar", str(RECOGNITION_RATE),
        "pipe:1",
    ]  # fmt: skip
    # Two channels come out, mixed here (a mono file's one channel twice, at its own level):
    # ffmpeg's own downmix averages a channel wired in antiphase away to silence.
    mix = Downmix(2)
    cap = int(max_seconds * RECOGNITION_BYTES_PER_S) * mix.channels
    pending = b""
    size = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            # Stream: never hold more than the cap, whatever ffmpeg produces.
            while size < cap:
                chunk = proc.stdout.read(min(_CHUNK, cap - size))
                if not chunk:
                    break
                pending += chunk
                whole = mix.whole_frames(pending)
                mix.add(pending[:whole])
                pending = pending[whole:]
                size += len(chunk)
            truncated = size >= cap
            if truncated:
                proc.kill()
            proc.wait(timeout=_FFMPEG_TIMEOUT_S)
            err = proc.stderr.read().decode("utf-8", "replace").strip()
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AudioError(f"{name}: {tr('audio.too_slow')}") from None
    pcm = mix.pcm()
    if not pcm and not truncated and whole_ogg(path):  # a voice message of 0 s
        raise AudioError(f"{name}: {tr('audio.nothing_recorded')}")
    if proc.returncode != 0 and not truncated and not pcm:
        raise AudioError(f"{name}: {_explain(err, path, name)}")
    if not pcm:
        raise AudioError(f"{name}: {tr('audio.no_audio')}")
    # Some corrupt files decode partly with errors; the decoded part is still usable.
    truncated = truncated or (proc.returncode != 0 and bool(err))
    return DecodedAudio(pcm, truncated)


def _explain(stderr: str, path: Path, name: str) -> str:
    """Why ffmpeg decoded nothing of `path`, in words (the file called `name`)."""
    text = stderr.lower()
    if (
        "invalid data" in text
        or "invalid argument" in text
        or "could not find codec" in text
        or "header" in text
        or "processing the decoded data" in text  # a resampler refused by -max_alloc
    ):
        return tr("audio.unrecognised")
    if "does not contain any stream" in text or "output file #0 does not contain" in text:
        return tr("audio.no_track")
    if not looks_like_audio(path):  # text named .ogg is "End of file" too: not cut short
        return tr("audio.unrecognised")
    # a real recording cut short: its container ends before a whole block (an Ogg page, a
    # FLAC frame), which ffmpeg words in each of these ways
    if any(words in text for words in ("end of file", "truncat", "after eof", "input/output")):
        return tr("audio.truncated")
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "unknown error"
    # ffmpeg names the file by its path: a voice message's is a temporary file of the bot's
    return tr("audio.undecodable", reason=last.replace(str(path), name)[:160])


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
    """Samples in Discord's 20 ms frame at 16 kHz."""
    MAX_GAP_SAMPLES = RECOGNITION_RATE * 600 // 1000
    """Longest gap `decode_gap` fills: five lost packets of Opus's longest, 120 ms."""
    _GAP_STEP = RECOGNITION_RATE // 400
    """libopus conceals and rebuilds in whole 2.5 ms."""

    def __init__(self) -> None:
        from discord import opus

        if not opus.is_loaded() and not opus._load_default():
            raise AudioError("libopus is not installed, so voice cannot be decoded")
        self._lib: Any = opus._lib
        self._error = opus.OpusError
        status = ctypes.c_int()
        self._state = self._lib.opus_decoder_create(self.RATE, 1, ctypes.byref(status))
        # Any one packet is at most 120 ms; a gap can be longer.
        self._buffer = (ctypes.c_int16 * self.MAX_GAP_SAMPLES)()

    def decode(self, packet: bytes) -> bytes:
        """One packet's samples. Raises `discord.opus.OpusError` for a corrupt packet (the
        decoder stays usable)."""
        count = self._lib.opus_decode(
            self._state, packet, len(packet), self._buffer, self.MAX_GAP_SAMPLES, 0
        )
        return ctypes.string_at(self._buffer, count * 2)

    def decode_gap(self, samples: int, following: bytes | None = None) -> bytes:
        """`samples` of audio lost just before the packet `following` (in whole 2.5 ms, at
        most `MAX_GAP_SAMPLES`), which is then decoded with `decode` as usual. The lost
        packet right before `following` is rebuilt from the in-band FEC it carries (Discord's
        clients send it: a lower-bitrate copy of the previous packet's speech, in SILK and
        hybrid packets), and the rest of the gap is concealed (PLC), as all of it is when
        `following` carries none (CELT packets, silence) or is None. Raises
        `discord.opus.OpusError` when `following` is corrupt (nothing is decoded then)."""
        samples = min(samples, self.MAX_GAP_SAMPLES) // self._GAP_STEP * self._GAP_STEP
        if samples <= 0:
            return b""
        if following is None:
            count = self._lib.opus_decode(self._state, None, 0, self._buffer, samples, 0)
        else:
            count = self._lib.opus_decode(
                self._state, following, len(following), self._buffer, samples, 1
            )
        return ctypes.string_at(self._buffer, count * 2)

    def close(self) -> None:
        if self._state is not None:
            self._lib.opus_decoder_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
