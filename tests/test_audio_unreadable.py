"""Files that cannot be heard, answered with what is really wrong with them: a text file
named as audio is no audio file, a recording cut short is cut short, and nothing of ffmpeg's
own wording (or the bot's own paths) reaches the user."""

from __future__ import annotations

import subprocess
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.speech import speak, write_wav

TEXT = b"shopping list: milk, eggs, bread\n" * 3


async def test_text_named_as_audio_is_not_called_a_recording_cut_short(
    app: Assistant, tmp_path: Path
) -> None:
    """A text file named `.ogg` or `.aac` was answered "the file is cut short (truncated)",
    one named `.flac` "cannot decode it (Error marking filters as finished)", and the first
    bytes of a real FLAC "cannot decode it (/tmp/.../head.flac: Input/output error)": ffmpeg's
    words and the path of the file on the bot's machine (for a voice message, a temporary
    file's)."""
    wav = write_wav(tmp_path / "speech.wav", speak("hey trainer, what is the status"))
    flac = tmp_path / "whole.flac"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), str(flac)], check=True)
    (tmp_path / "head.flac").write_bytes(flac.read_bytes()[:30])
    (tmp_path / "head.ogg").write_bytes(b"OggS\x00\x02" + bytes(20))
    for suffix in (".ogg", ".aac", ".flac", ".opus"):
        (tmp_path / f"notes{suffix}").write_bytes(TEXT)
    expected = {
        "notes.ogg": "notes.ogg: not a recognised audio file, or it is corrupt",
        "notes.aac": "notes.aac: not a recognised audio file, or it is corrupt",
        "notes.flac": "notes.flac: not a recognised audio file, or it is corrupt",
        "notes.opus": "notes.opus: not a recognised audio file, or it is corrupt",
        "head.flac": "head.flac: the file is cut short (truncated)",
        "head.ogg": "head.ogg: the file is cut short (truncated)",
    }
    console = TypedConsole(app)
    try:
        for name, refusal in expected.items():
            reply = await console.send(f"say {tmp_path / name}")
            assert (reply["kind"], reply["text"]) == ("error", refusal)
        await console.send("language ru")
        reply = await console.send(f"say {tmp_path / 'notes.flac'} {tmp_path / 'head.flac'}")
    finally:
        await console.console.close()
    assert reply["text"].splitlines() == [
        "notes.flac: это не звуковой файл, который я знаю, или он повреждён",
        "head.flac: файл обрезан",
    ]
