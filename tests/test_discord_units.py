"""Small parts of the Discord transport that need no fake server."""

from __future__ import annotations

from assistant.messages import Reply, ReplyFile
from transports.discord.pages import EMBED_DESCRIPTION_CHARS, EMBED_TOTAL_CHARS, paginate
from transports.discord.ratelimit import RateLimiter
from transports.discord.render import render
from transports.discord.voice.playback import FRAME_BYTES, SpeechSource


def test_rate_limiter_is_a_sliding_window_per_user() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") == 10.0  # third within the window: wait until the first expires
    assert limiter.hit("b") == 0  # other users are not affected
    now[0] = 10.5
    assert limiter.hit("a") == 0


def test_long_text_becomes_embed_pages_that_fit_discord() -> None:
    lines = [f"line {n}: " + " ".join(["word"] * 30) for n in range(120)]
    text = "# Guide\n" + "\n".join(lines)
    rendered = render(Reply(text=text), send_limit=8_000_000, language="ru")
    assert rendered.content is None and rendered.embed is not None
    assert rendered.title == "Guide" and len(rendered.pages) >= 3
    assert all(len(page) <= EMBED_DESCRIPTION_CHARS for page in rendered.pages)
    embed = rendered.embed.to_dict()
    assert len(embed["description"]) + len(embed["title"]) + len(embed["footer"]["text"]) < (
        EMBED_TOTAL_CHARS
    )
    assert embed["footer"]["text"] == f"Страница 1 из {len(rendered.pages)}"
    # nothing lost, nothing cut inside a line
    assert "\n".join(rendered.pages).split("\n") == lines


def test_markdown_table_becomes_an_aligned_code_block() -> None:
    text = "Scores:\n| label | F1 |\n|---|---:|\n| positive | 0.91 |\n| neg | 0.8 |\nDone."
    rendered = render(Reply(text=text), send_limit=8_000_000)
    assert rendered.content == (
        "Scores:\n```\nlabel     F1\n--------  ----\npositive  0.91\nneg       0.8\n```\nDone."
    )


def test_a_wide_table_becomes_a_line_per_row() -> None:
    text = "| command | what it does |\n|---|---|\n| `!hi` | Say hello. |\n| `!status` | " + (
        "Show the active dataset, the current model and running jobs. |"
    )
    rendered = render(Reply(text=text), send_limit=8_000_000)
    assert rendered.content == (
        "`!hi` — Say hello.\n"
        "`!status` — Show the active dataset, the current model and running jobs."
    )


def test_a_code_block_cut_between_pages_is_closed_and_reopened() -> None:
    text = "intro\n```\n" + "\n".join(f"row {n}" for n in range(400)) + "\n```\nend"
    pages = paginate(text, size=500)
    assert len(pages) > 3
    for page in pages:
        assert len(page) <= 500 and page.count("```") % 2 == 0


def test_errors_are_embeds_and_oversized_files_become_a_note() -> None:
    rendered = render(Reply(text="nope", ok=False), send_limit=8_000_000)
    assert rendered.content is None and rendered.embed is not None
    assert rendered.embed.title == "Couldn't do that"
    russian = render(Reply(text="нет", ok=False), send_limit=1, language="ru").embed
    assert russian is not None and russian.title == "Не получилось"
    big = render(Reply(text="here", files=[ReplyFile("big.bin", data=b"x" * 100)]), send_limit=10)
    assert big.files == [] and big.content is not None and "big.bin" in big.content


def test_speech_source_frames_and_cut() -> None:
    source = SpeechSource(b"\1\0" * (FRAME_BYTES * 3 // 2 + 10))
    assert len(source.read()) == FRAME_BYTES
    source.cut()
    assert source.read() == b"" and source.was_cut
