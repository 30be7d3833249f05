"""Spaces from phones and clipboards in a typed line (transports/typed_spaces.py): a no-break,
narrow or thin space between a command and its words, a zero-width space pasted after a name.
Each looks like a plain line, and each was an unknown command."""

from __future__ import annotations

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
    ("hey\u00a0trainer what can you do", "help", "Commands"),
)
"""A line as a phone or a paste writes it, the command it is, and a word of its reply."""


async def test_the_console_reads_other_spaces_as_spaces(app: Assistant) -> None:
    with_names(app)
    console = TypedConsole(app)
    for line, command, shown in LINES:
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == command, (line, reply)
        assert shown in reply["text"], (line, reply["text"])


async def test_discord_reads_other_spaces_as_spaces(fake: FakeDiscord, bot: Any) -> None:
    for line, _command, shown in LINES[1:3]:  # a line with no `!` is not for the bot there
        sent = await fake.send_message(line)
        reply = await fake.wait_for_reply(after=sent["id"])
        text = reply["content"] + str(reply.get("embeds", ""))
        assert not is_error(reply) and shown in text, (line, reply)
