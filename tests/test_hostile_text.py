"""Hostile text through the real surfaces (the console and discord.py against the fake
Discord): replies that would not fit Discord's limits, and members' text echoed back with line
breaks or backticks that would break the reply's own formatting. Each says what the member
sees."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.limits import CONTENT_CHARS
from tests.test_discord_probe import replying_to
from tests.test_discord_text import as_csv, no_traceback

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def test_a_started_job_whose_reply_is_paged_still_shows_its_progress(
    fake: FakeDiscord, bot: Any
) -> None:
    """A `train` that brings 50 long labels announces each: its reply is sent as embed pages.
    Its progress edits put the reply's first 2,000 characters in the message's content, beside
    the embed that already showed them, and cut the progress line off: the member saw the text
    twice and never the bar, nor 100%."""
    rows = [
        (f"sentence {i} about topic {i % 50} and more", f"{i % 50:02d}" + "l" * 97)
        for i in range(200)
    ]
    sent = await fake.send_message("!train", attachments=[("many.csv", as_csv(rows), "text/csv")])
    started = await fake.wait_for_reply(after=sent["id"])
    assert started["embeds"] and not started["content"], started  # paged
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=120)
    shown = fake.find_message(started["id"])
    assert shown is not None and shown.get("edits", 0) >= 1
    assert "100%" in shown["content"] and len(shown["content"]) <= CONTENT_CHARS, shown["content"]
    assert "This adds the label" not in shown["content"], shown["content"][:300]
    assert "This adds the label" in shown["embeds"][0]["description"]  # the pages stay
    assert fake.refused == []
    no_traceback(fake)

