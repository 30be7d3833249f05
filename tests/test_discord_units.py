"""Small parts of the Discord transport that need no fake server."""

from __future__ import annotations

from assistant.messages import Reply, ReplyFile
from transports.discord.ratelimit import RateLimiter
from transports.discord.render import ERROR_TITLE, MESSAGE_CHARS, render
from transports.discord.voice.playback import FRAME_BYTES, SpeechSource


def test_rate_limiter_is_a_sliding_window_per_user() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") == 10.0  # third within the window: wait until the first expires
    assert limiter.hit("b") == 0  # other users are not affected
    now[0] = 10.5
    assert limiter.hit("a") == 0


def test_long_text_is_cut_and_attached_in_full() -> None:
    text = "word " * 1000
    rendered = render(Reply(text=text), send_limit=8_000_000)
    assert rendered.content is not None and len(rendered.content) <= MESSAGE_CHARS
    assert [f.filename for f in rendered.files] == ["reply.txt"]


def test_errors_are_embeds_and_oversized_files_become_a_note() -> None:
    rendered = render(Reply(text="nope", ok=False), send_limit=8_000_000)
    assert rendered.content is None and rendered.embed is not None
    assert rendered.embed.title == ERROR_TITLE
    big = render(Reply(text="here", files=[ReplyFile("big.bin", data=b"x" * 100)]), send_limit=10)
    assert big.files == [] and big.content is not None and "big.bin" in big.content


def test_speech_source_frames_and_cut() -> None:
    source = SpeechSource(b"\1\0" * (FRAME_BYTES * 3 // 2 + 10))
    assert len(source.read()) == FRAME_BYTES
    source.cut()
    assert source.read() == b"" and source.was_cut
