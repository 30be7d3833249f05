"""What a second probe of the text commands found, through the fake Discord: files downloaded
for members the command then refused, a zip's damage explained in zipfile's English, a label
with nothing to label, a sentence in `/test json:` read as a dataset's name."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_text import csv_examples, error_text, is_error

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def answer_to(interaction: int) -> Any:
    return lambda m: m.get("interaction_id") == str(interaction)


async def test_a_member_without_the_role_costs_no_download(fake: FakeDiscord, bot: Any) -> None:
    """bob, without the `trainer` role config.yaml asks for `train`, was refused, but only
    after the bot had downloaded his attachment from Discord's CDN: any member could make it
    fetch 8 MB a command. Now the role is checked first; the refusal is the same."""
    denied = "Sorry, `train` needs one of these roles: `trainer`."
    for line in ("!train", "!please train the model"):
        sent = await fake.send_message(
            line, author=fake.bob, attachments=[("reviews.csv", csv_examples(3))]
        )
        reply = await fake.wait_for_reply(after=sent["id"])
        assert is_error(reply) and error_text(reply) == denied, (line, reply)
    interaction = await fake.interaction(
        "train", {"file": ("reviews.csv", csv_examples(3))}, author=fake.bob
    )
    slash = await fake.wait_for_reply(where=answer_to(interaction))
    assert is_error(slash) and error_text(slash) == denied, slash
    assert fake.cdn_downloads == [] and not bot.assistant.store.dataset_names()
    # a member with the role still has the file read
    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(3))])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert not is_error(reply) and "Added 6 examples" in reply["content"], reply
    assert len(fake.cdn_downloads) == 1
