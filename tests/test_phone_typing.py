"""Lines as phones and clipboards write them: a no-break, narrow or thin space between a command
and its words, a zero-width space pasted after a name (transports/typed_spaces.py), a sentence's
last mark after a command's name ("!status?"), a name capitalised by the keyboard
("Kaggle_Tweets"), a name one letter off. Each looks like a plain line, and each was refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_text import is_error
from tests.test_typed_phrasings import with_names

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

LINES = (
    ("!select_dataset\u00a0kaggle_tweets", "select_dataset", "kaggle_tweets"),
    ("!status\u200b", "status", "Status"),
    ("!help\u202ftrain", "help", "`!train"),
    ("!status?", "status", "Status"),
    ("!Select_Dataset Movie_Reviews", "select_dataset", "**movie_reviews**"),
    ("hey\u00a0trainer what can you do", "help", "Commands"),
)
"""A line as a phone or a paste writes it, the command it is, and a word of its reply."""


async def test_the_console_reads_other_spaces_as_spaces(app: Assistant) -> None:
    with_names(app)
    console = TypedConsole(app)
    for line, command, shown in LINES:
        reply = await console.send(line)
        assert reply["ok"] and reply["command"].lower() == command, (line, reply)
        assert shown in reply["text"], (line, reply["text"])


async def test_discord_reads_other_spaces_as_spaces(fake: FakeDiscord, bot: Any) -> None:
    for line, _command, shown in LINES[1:4]:  # a line with no `!` is not for the bot there
        sent = await fake.send_message(line)
        reply = await fake.wait_for_reply(after=sent["id"])
        text = reply["content"] + str(reply.get("embeds", ""))
        assert not is_error(reply) and shown in text, (line, reply)


async def test_a_name_one_letter_off_is_named_in_the_refusal(app: Assistant) -> None:
    with_names(app)
    console = TypedConsole(app)
    reply = await console.send("!select_dataset movie_review")
    assert not reply["ok"] and "Did you mean `movie_reviews`?" in reply["text"], reply
    assert app.store.active_dataset("console") is None  # refused: nothing was selected


async def test_a_name_in_two_cases_on_disk_is_not_guessed(app: Assistant) -> None:
    """Where `Notes` and `notes` are both folders, "NOTES" is neither: it is refused, naming
    both (it said there was no `NOTES`, as if neither were there)."""
    root = Path(app.config.data_root)
    for name in ("Notes", "notes"):
        (root / name).mkdir(parents=True)
    reply = await TypedConsole(app).send("!select_dataset NOTES")
    assert not reply["ok"] and reply["text"].startswith(
        "`NOTES` could be `Notes` or `notes`: the data folder holds names that differ only in case."
    ), reply
