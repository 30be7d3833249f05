"""What a member types, picks or sends to `train`, `cancel` and `examples` through the fake
Discord, and what they see: the arguments read as they were meant, or refused saying how."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_probe import replying_to
from tests.test_discord_text import error_text, is_error

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def stored(fake: FakeDiscord, bot: Any) -> list[tuple[str, str]]:
    store = bot.assistant.store
    dataset = store.active_dataset(str(fake.guild_id))
    return sorted(store.examples(dataset)) if dataset else []


def slash_reply(fake: FakeDiscord, interaction: int) -> Any:
    return fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))


async def test_words_after_a_quoted_example_are_refused_with_what_was_meant(
    fake: FakeDiscord, bot: Any
) -> None:
    """`!train "dull" false 😀` stored `"dull" false 😀`, quotes included, as a positive
    example: the quotes say where the example ends, so `false` after them is its label, and
    the emoji is neither: refused, showing both lines that may have been meant."""
    sent = await fake.send_message('!train "dull" false 😀')
    refused = await fake.wait_for_reply(after=sent["id"])
    assert is_error(refused), refused
    assert error_text(refused) == (
        "Only the quoted text is the example, and `😀` after it is no option. To add it to the"
        ' example, put it inside the quotes: `train "dull 😀" false`; else leave it out:'
        ' `train "dull" false`.'
    ), refused
    assert stored(fake, bot) == []
    # either suggestion does what it says; a polite word after the quotes is no mistake
    for line in ('!train "dull" false', '!train "dull 😀" false', '!train "a lovely film" please'):
        sent = await fake.send_message(line)
        added = await fake.wait_for_reply(after=sent["id"])
        assert not is_error(added) and "Added 1 example" in added["content"], (line, added)
    assert stored(fake, bot) == [
        ("a lovely film", "positive"),
        ("dull", "negative"),
        ("dull 😀", "negative"),
    ]


async def test_a_message_of_several_lines_adds_a_line_each(fake: FakeDiscord, bot: Any) -> None:
    """A `!train` message of several lines was stored as one example, its lines joined by
    spaces, where a `.txt` of the same lines gives an example a line. A quoted text of several
    lines is still one example."""
    sent = await fake.send_message('!train "a film in\ntwo lines" false')
    one = await fake.wait_for_reply(after=sent["id"])
    assert "\nAdded 1 example (negative 1)." in one["content"], one
    assert "lines" not in one["content"], one
    sent = await fake.send_message("!train what a lovely film\nloved every minute\n\ngreat cast")
    added = await fake.wait_for_reply(after=sent["id"])
    assert not is_error(added), error_text(added)
    lines, *_, counted = added["content"].split("\n")
    assert lines == (
        "3 lines, each an example of its own; to add them as one example, put the text in quotes."
    ), added
    assert counted.startswith("Added 3 examples (positive 3). Training started"), added
    await fake.wait_for_reply(after=added["id"], where=replying_to(added), timeout=60)
    sent = await fake.send_message("!train\ndull and slow\nI left early\nfalse")
    negative = await fake.wait_for_reply(after=sent["id"])
    assert "Added 2 examples (negative 2)" in negative["content"], negative
    await fake.wait_for_reply(after=negative["id"], where=replying_to(negative), timeout=60)
    assert stored(fake, bot) == [
        ("I left early", "negative"),
        ("a film in\ntwo lines", "negative"),
        ("dull and slow", "negative"),
        ("great cast", "positive"),
        ("loved every minute", "positive"),
        ("what a lovely film", "positive"),
    ]


async def test_numbers_below_one_are_stopped_by_discord_itself(fake: FakeDiscord, bot: Any) -> None:
    """`/cancel job:-5` and `/examples page:0` reached the bot and were answered "from 1 to
    9,223,372,036,854,775,807": the options now declare `min_value`, so Discord's client
    refuses them as it is typed, and never sends them."""
    for command, option in (("cancel", "job"), ("examples", "page")):
        [declared] = fake.commands[command]["options"]
        assert declared["name"] == option and declared["type"] == 4, declared
        assert declared["min_value"] == 1, declared
        assert declared.get("max_value") is None, declared  # Discord's own bound (2**53 - 1)
    with pytest.raises(ValueError, match="job must be from 1"):
        await fake.interaction("cancel", {"job": -5})
    with pytest.raises(ValueError, match="page must be from 1"):
        await fake.interaction("examples", {"page": 0})
    sent = await fake.send_message('!train "a lovely film"')
    await fake.wait_for_reply(after=sent["id"])
    interaction = await fake.interaction("examples", {"page": 1})
    listed = await slash_reply(fake, interaction)
    assert not is_error(listed) and "a lovely film" in listed["content"], listed


async def test_only_a_typed_train_is_told_to_quote_a_name(fake: FakeDiscord, bot: Any) -> None:
    """`/train data:notes.txt` was told "to add the words as text, put them in quotes": a
    slash option is one value, with no quotes to add. A typed line still gets the note."""
    (bot.assistant.root.root / "notes.txt").write_text("a lovely film\ndull\n", encoding="utf-8")
    interaction = await fake.interaction("train", {"data": "notes.txt"})
    slash = await slash_reply(fake, interaction)
    assert not is_error(slash) and "Added 2 examples" in slash["content"], slash
    assert "quotes" not in slash["content"], slash
    sent = await fake.send_message("!train notes.txt false")
    typed = await fake.wait_for_reply(after=sent["id"])
    assert typed["content"].startswith(
        "`notes.txt` is a file in the data folder, so I read the file; to add the words as text,"
        ' put them in quotes: `"notes.txt"`.'
    ), typed


async def test_utf16_without_its_mark_is_read_and_binary_is_refused(
    fake: FakeDiscord, bot: Any
) -> None:
    """A UTF-16 file saved without its byte-order mark was read as text full of NUL
    characters (every other byte zero), and so was a binary file: the first is read as the
    UTF-16 it is, the second refused as no text."""
    rows = "text,label\r\nwhat a lovely film,positive\r\nскучно и затянуто,negative\r\n"
    sent = await fake.send_message("!train", attachments=[("excel.csv", rows.encode("utf-16-le"))])
    added = await fake.wait_for_reply(after=sent["id"])
    assert "Added 2 examples (negative 1, positive 1)" in added["content"], added
    assert stored(fake, bot) == [
        ("what a lovely film", "positive"),
        ("скучно и затянуто", "negative"),
    ]
    binary = b"SQLite format 3\x00" + bytes(range(1, 9)) * 8 + b"\x00\x00\n\x00"
    for name, data in (("notes.txt", binary), ("blob.csv", rows.encode("utf-32-le"))):
        sent = await fake.send_message("!train", attachments=[(name, data)])
        refused = await fake.wait_for_reply(after=sent["id"])
        assert is_error(refused), refused
        assert error_text(refused).startswith(f"`{name}` is not text I can read"), refused
    assert len(stored(fake, bot)) == 2


async def test_quotes_typed_into_a_slash_option_are_read_as_typed_ones(
    fake: FakeDiscord, bot: Any
) -> None:
    """`/train data:"dull" 😀` stored `"dull" 😀`, quotes included, and `label:"praise"` the
    label `"praise"`: a slash value skipped the typed parser's quote rules. Now a value that is
    one quoted group is the words inside, and words after a quoted example are read as after
    `!train "dull"`: a label, a polite word, or refused saying what may have been meant."""
    interaction = await fake.interaction("train", {"data": '"dull" 😀'})
    refused = await slash_reply(fake, interaction)
    assert is_error(refused), refused
    assert error_text(refused) == (
        "Only the quoted text is the example, and `😀` after it is no option. To add it to the"
        ' example, put it inside the quotes: `train "dull 😀"`; else leave it out:'
        ' `train "dull"`.'
    ), refused
    assert stored(fake, bot) == []
    given: list[dict[str, Any]] = [
        {"data": '"dull" false'},
        {"data": '"a lovely film"', "label": '"praise"'},
        {"data": "“great cast” please", "positive": True},
    ]
    for options in given:
        interaction = await fake.interaction("train", options)
        added = await slash_reply(fake, interaction)
        assert not is_error(added) and "Added 1 example" in added["content"], (options, added)
    assert stored(fake, bot) == [
        ("a lovely film", "praise"),
        ("dull", "negative"),
        ("great cast", "positive"),
    ]
    # a name or a number in quotes is that name or number, and a removal is still asked first
    interaction = await fake.interaction("create_dataset", {"name": '"films"'})
    assert "Created dataset **films**" in (await slash_reply(fake, interaction))["content"]
    for name in ("films", '"default"'):
        interaction = await fake.interaction("select_dataset", {"dir": name})
        selected = await slash_reply(fake, interaction)
        assert not is_error(selected), selected
    store = bot.assistant.store
    number = next(e.id for e in store.stored_examples(store.active_dataset(str(fake.guild_id))))
    interaction = await fake.interaction("relabel", {"example": f'"#{number}"', "label": '"bug"'})
    relabelled = await slash_reply(fake, interaction)
    assert not is_error(relabelled) and "is now **bug**" in relabelled["content"], relabelled
    interaction = await fake.interaction("remove", {"example": f'"{number}"'})
    question = await slash_reply(fake, interaction)
    assert f"Delete example `{number}`" in question["content"], question
    assert len(stored(fake, bot)) == 3
