"""A channel's messages are answered in the order they were sent, however long each one's
reading takes: each line is read off the event loop, and on a busy machine a reading can take
longer than the next one's (transports/discord/in_order.py). The delay is made here by holding
the real reader's thread for the first line, as a busy machine does."""

from __future__ import annotations

import time
from typing import Any

import pytest

from assistant.messages import Request
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_probe import replying_to

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

SLOW_S = 1.5
"""How long the first line's reading is held (a thread starved of CPU)."""


def read_slowly(bot: Any, monkeypatch: pytest.MonkeyPatch, words: str) -> None:
    """Lines that hold `words` are read `SLOW_S` late; the reading itself is the real one."""
    reading = bot.assistant.reading
    read = reading.as_sentence

    def slowly(request: Request) -> Request:
        if words in f"{request.command} {request.text}":
            time.sleep(SLOW_S)
        return read(request)

    monkeypatch.setattr(reading, "as_sentence", slowly)


@pytest.mark.parametrize(
    "line",
    ['!train "a quietly moving film" positive', '!please add "a quietly moving film" as positive'],
)
async def test_examples_asked_right_after_adding_one_lists_it(
    fake: FakeDiscord, bot: Any, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    """`!train ...` then `!examples` at once: `examples` was answered first, without the
    example just added. A sentence ("!please add ...") goes the same way as a command."""
    read_slowly(bot, monkeypatch, "quietly moving")
    first = await fake.send_message(line)
    second = await fake.send_message("!examples")
    added = await fake.wait_for_reply(after=first["id"], where=replying_to(first))
    listed = await fake.wait_for_reply(after=first["id"], where=replying_to(second))
    assert "Added 1 example (positive 1)" in added["content"], (added["content"], added["embeds"])
    assert "a quietly moving film" in listed["content"], listed
    assert int(added["id"]) < int(listed["id"])


async def test_a_slow_message_holds_its_channel_up_only_for_a_while(
    fake: FakeDiscord, bot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message whose handling takes long (here its reading, 1.5 s, over a wait of 0.3 s)
    does not hold up the next one past the wait: the channel is not blocked for good."""
    bot.bot.in_order.wait_s = 0.3
    read_slowly(bot, monkeypatch, "quietly moving")
    first = await fake.send_message('!train "a quietly moving film" positive')
    second = await fake.send_message("!hi")
    greeted = await fake.wait_for_reply(after=first["id"], where=replying_to(second))
    added = await fake.wait_for_reply(after=first["id"], where=replying_to(first))
    assert int(greeted["id"]) < int(added["id"]), (greeted, added)
