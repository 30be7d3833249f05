"""`models` as Discord pages it, through the real client against the fake Discord: a page
never holds a heading alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_text import as_csv

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot
pytestmark = pytest.mark.timeout(180)

TOPIC = "customers asking about the order they placed and what it costs them, topic"


def labels(width: int) -> list[str]:
    """As many labels as a dataset may have, each `width` characters long."""
    return [f"{TOPIC} number {n:02}".rjust(width, "x") for n in range(50)]


async def pages_of(fake: FakeDiscord, first: dict[str, Any]) -> list[str]:
    """Every page of a paged reply, turned with its Next button."""
    embed = first["embeds"][0]
    count = int(embed["footer"]["text"].rsplit(" ", 1)[1])
    seen = [embed["description"]]
    for number in range(2, count + 1):
        turn = fake.components(fake.find_message(first["id"]) or {})[1]["custom_id"]
        click = await fake.click(first, turn)
        await fake.wait_for(lambda c=click: fake.interactions[c]["responses"] == [7], 10, "page")
        shown = (fake.find_message(first["id"]) or {})["embeds"][0]
        assert shown["footer"]["text"].split()[-3::2] == [str(number), str(count)]
        seen.append(shown["description"])
    return seen


@pytest.mark.parametrize("width", [72, 90])
async def test_models_of_long_labels_never_show_their_heading_alone(
    fake: FakeDiscord, bot: Any, width: int
) -> None:
    """With a model of 50 long labels, page 1 of `models` was "Models of **default** (newest
    first):" and nothing else: its model's line did not fit under the heading (72 characters
    a label) or on a page at all (90), so the page was cut before it. The line now begins
    under its heading, and goes on on the next page."""
    topics = labels(width)
    rows = [(f"message {n} {i} about it", label) for n, label in enumerate(topics) for i in (1, 2)]
    sent = await fake.send_message("!train", attachments=[("topics.csv", as_csv(rows), "text/csv")])
    started = await fake.wait_for_reply(after=sent["id"])
    assert "topic number 00" in started["embeds"][0]["description"], started
    await fake.wait_for_reply(
        after=started["id"],
        where=lambda m: m.get("message_reference", {}).get("message_id") == started["id"],
        timeout=120,
    )
    for language, heading in (
        ("en", "Models of **default** (newest first):"),
        ("ru", "Модели набора **default** (сначала новые):"),
    ):
        switched = await fake.send_message(f"!language {language}")
        await fake.wait_for_reply(after=switched["id"])
        sent = await fake.send_message("!models")
        pages = await pages_of(fake, await fake.wait_for_reply(after=sent["id"]))
        assert len(pages) >= 2 and pages[0].startswith(heading + "\n- **v"), pages[0][:200]
        assert all(page.strip() != heading for page in pages)
        assert all(len(page) <= 4096 for page in pages)
        shown = " ".join(pages)
        assert all(label in shown for label in topics), shown
