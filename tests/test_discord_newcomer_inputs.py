"""A newcomer's hostile inputs through the fake Discord, typed (`!train`) and as slash options,
which arrive one value each: mentions, lines with no words, Russian refusals naming options."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_probe_uploads import answer_to
from tests.test_discord_text import error_text

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def refused(
    fake: FakeDiscord, line: str = "", slash: tuple[str, dict[str, Any]] = ("", {})
) -> str:
    """The error a typed `line`, or a slash command and its options, is answered with."""
    if line:
        sent = await fake.send_message(line)
        reply = await fake.wait_for_reply(after=sent["id"])
    else:
        interaction = await fake.interaction(*slash)
        reply = await fake.wait_for_reply(where=answer_to(interaction))
    assert reply["embeds"] and not reply["content"], (line, slash, reply)  # an error's embed
    return error_text(reply)


async def test_a_mention_alone_is_no_example_and_no_feedback(fake: FakeDiscord, bot: Any) -> None:
    """`!train <@123>` retrained the active dataset, `!train <#456>` and `/train data:<#456>`
    stored the channel's mention as an example, `!feedback <@123>` kept it as feedback."""
    member, channel = f"<@{fake.bob.id}>", f"<#{fake.text_channel_id}>"
    for mention in ("@everyone", member, f"<@&{fake.role_trainer}>", channel):
        expected = f"A mention is no example (`{mention}`): nothing was added."
        assert (await refused(fake, f"!train {mention}")).startswith(expected), mention
        text = await refused(fake, slash=("train", {"data": mention}))
        assert text.startswith(expected), (mention, text)
        what = "What is your feedback? Write it after the command"
        assert (await refused(fake, f"!feedback {mention}")).startswith(what), mention
        text = await refused(fake, slash=("feedback", {"text": mention}))
        assert text.startswith(what), (mention, text)
    store = bot.assistant.store
    guild = str(fake.guild_id)
    assert store.feedback(guild, limit=10) == [] and store.jobs(guild) == []
    assert not store.dataset_names()


async def test_a_line_with_no_letters_is_no_example(fake: FakeDiscord, bot: Any) -> None:
    """`!train 123` and `/train data:-5` were stored as examples; in a message of several
    lines (an example a line), a line of dashes between two examples was one too."""
    for line, shown in (("!train 123", "123"), ("!train great film\n---\ndull and slow", "---")):
        text = await refused(fake, line)
        assert text.startswith(f"`{shown}` holds no letters, so it is no example"), text
    text = await refused(fake, slash=("train", {"data": "-5"}))
    assert text.startswith("`-5` holds no letters, so it is no example"), text
    assert not bot.assistant.store.dataset_names()


async def test_a_russian_refusal_names_options_as_russian_does(fake: FakeDiscord, bot: Any) -> None:
    """`!examples 0` on a Russian server said "`page` должно быть ..." and `!relabel #1` gave
    the usage `relabel <example> <label>`; the options are named as Russian names them."""
    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    text = await refused(fake, "!примеры 0")
    assert text == "Значение `страница` должно быть целым числом не меньше 1, а не `0`.", text
    text = await refused(fake, "!relabel #1")
    assert text == "Не хватает параметра `метка`. Использование: `relabel <пример> <метка>`", text


async def test_undo_that_and_export_to_xml(fake: FakeDiscord, bot: Any) -> None:
    """`!undo that` was refused as too many arguments, `!export to xml` answered "Did you mean
    `export`?"."""
    sent = await fake.send_message('!train "a fine day"')
    assert "Added 1 example" in (await fake.wait_for_reply(after=sent["id"]))["content"]
    text = await refused(fake, "!export to xml")
    assert text == "`format` must be one of csv, jsonl, not `xml`.", text
    sent = await fake.send_message("!undo that")
    question = await fake.wait_for_reply(after=sent["id"])
    assert question["content"].startswith("Take back the last"), question
    await fake.click(question, fake.components(question)[0]["custom_id"])
    undone = "Removed the last addition to **default**: 1 example"
    await fake.wait_for(
        lambda: undone in (fake.find_message(question["id"]) or {})["content"], 10, "undone"
    )
    dataset = bot.assistant.store.active_dataset(str(fake.guild_id))
    assert dataset is not None and bot.assistant.store.stored_examples(dataset) == []
