"""espeak-ng in a subprocess: offline, ~20 ms to first audio, the default and the fallback."""

from __future__ import annotations

import io
import re
import shutil
import wave

from ..piped import run_piped
from .base import Speech, Synthesizer, TtsError


def parse_wav(data: bytes, engine: str = "") -> Speech:
    """WAV bytes -> Speech. espeak streams WAV with a placeholder length; read what is there."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getsampwidth() != 2:
                raise TtsError(f"unsupported sample width {w.getsampwidth()}")
            rate, channels = w.getframerate(), w.getnchannels()
            frames = w.readframes(1 << 31)
    except (wave.Error, EOFError) as exc:
        raise TtsError(f"not a WAV stream ({exc})") from None
    return Speech(frames, rate, channels, engine)


CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)
RUSSIAN_VOICE = "ru"
"""espeak-ng's Russian voice, for answers written in Russian (a guild that chose `language ru`)."""


def voice_for(text: str, voice: str) -> str:
    """The configured voice, or the Russian one when the answer is mostly Cyrillic: the answer's
    own script says which language it is in, whichever guild or engine asked for it."""
    if len(CYRILLIC.findall(text)) > len(LATIN.findall(text)):
        return RUSSIAN_VOICE
    return voice


class EspeakSynthesizer(Synthesizer):
    """espeak-ng voice (e.g. "en-us", "en-gb+f3") at `rate` words per minute."""

    name = "espeak"

    def __init__(self, voice: str | None = None, rate: int = 175, timeout_s: float = 10.0) -> None:
        self.exe = shutil.which("espeak-ng") or shutil.which("espeak")
        self.voice = voice or "en-us"
        self.rate = rate
        self.timeout_s = timeout_s

    async def synthesize(self, text: str) -> Speech:
        if self.exe is None:
            raise TtsError("espeak-ng is not installed (apt install espeak-ng)")
        if not text.strip():
            return Speech(b"", 22_050, 1, self.name)
        voice = voice_for(text, self.voice)
        args = [self.exe, "-v", voice, "-s", str(self.rate), "--stdout", "--stdin"]
        try:
            # Text goes through stdin, so a reply starting with "-" is never read as an option.
            done = await run_piped(args, text.encode(), self.timeout_s)
        except TimeoutError:
            raise TtsError(f"espeak-ng took longer than {self.timeout_s:.0f} s") from None
        if done.returncode != 0:
            raise TtsError(f"espeak-ng failed: {done.err.decode(errors='replace').strip()[:200]}")
        out = done.out
        return parse_wav(out, self.name)
