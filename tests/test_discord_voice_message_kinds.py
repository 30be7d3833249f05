"""Voice messages and audio attachments as other clients send them, through the fake Discord
and the real recognizer: iOS's m4a (labelled `video/mp4` by some uploaders), a browser's webm
(`video/webm`), mp3, an ogg with no or a wrong content type, and two that cannot be heard (a
0 s recording, an upload cut short), each answered in words, and the next one heard."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from audio import RECOGNITION_RATE
from tests.fakediscord import FakeDiscord, fixtures
from tests.speech import speak, write_wav

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot
VOICE_MESSAGE = 1 << 13
pytestmark = pytest.mark.timeout(240)

HEARD = [  # (file name, content type, ffmpeg's encoder options)
    ("Recording.m4a", "video/mp4", ["-c:a", "aac"]),
    ("clip.webm", "video/webm", ["-c:a", "libopus"]),
    ("clip.mp3", "audio/mpeg", ["-c:a", "libmp3lame"]),
    ("voice-message.ogg", "application/octet-stream", ["-c:a", "libopus", "-b:a", "24k"]),
    ("voice-message.ogg", None, ["-c:a", "libopus", "-ac", "1"]),
]


def shown(message: dict[str, Any]) -> str:
    return message["content"] or "".join(e.get("description", "") for e in message["embeds"])


def encode(source: Path, out: Path, *options: str) -> bytes:
    command = ["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), *options, str(out)]
    subprocess.run(command, check=True, timeout=60)
    return out.read_bytes()


async def send(fake: FakeDiscord, name: str, data: bytes, content_type: str | None) -> str:
    sent = await fake.send_message(
        "", attachments=[(name, data, content_type)], flags=VOICE_MESSAGE
    )
    return shown(await fake.wait_for_reply(after=sent["id"], timeout=60))


async def test_voice_messages_of_every_client_are_heard(
    fake: FakeDiscord, bot: Any, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "s.wav", speak("hey trainer, what is the status"), RECOGNITION_RATE)
    for n, (name, content_type, options) in enumerate(HEARD):
        data = encode(wav, tmp_path / f"{n}{Path(name).suffix}", *options)
        reply = await send(fake, name, data, content_type)
        assert "heard" in reply and "status" in reply, (name, content_type, reply)
    # A tap on the record button (0 s) and an upload cut short: told why, in words.
    empty = encode(wav, tmp_path / "empty.ogg", "-t", "0", "-c:a", "libopus")
    cut = encode(wav, tmp_path / "whole.ogg", "-c:a", "libopus")[:3000]
    for data in (empty, cut):
        reply = await send(fake, "voice-message.ogg", data, "audio/ogg")
        assert reply.startswith("voice-message.ogg: ") and "Traceback" not in reply, reply
    reply = await send(fake, "voice-message.ogg", encode(wav, tmp_path / "again.ogg"), "audio/ogg")
    assert "status" in reply, reply
