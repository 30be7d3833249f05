"""What a second probe of the text commands found, through the fake Discord: files downloaded
for members the command then refused, a zip's damage explained in zipfile's English, a label
with nothing to label, a sentence in `/test json:` read as a dataset's name."""

from __future__ import annotations

import logging
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


def _with_method(data: bytes, method: int) -> bytes:
    """Declare the zip's members compressed by `method` (9: deflate64, which zipfile lacks)."""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = raw.find(signature)
        raw[start + offset : start + offset + 2] = method.to_bytes(2, "little")
    return bytes(raw)


async def test_a_damaged_zip_is_explained_in_the_servers_language(
    fake: FakeDiscord, bot: Any, caplog: Any
) -> None:
    """A damaged zip was refused with zipfile's and zlib's own English words in brackets, on
    a Russian server too: "повреждён (Error -3 while decompressing data: invalid code lengths
    set)", "(Bad CRC-32 for file 'texts.txt')", "не читается (compression type 9
    (deflate64))". The reason is now ours, in the server's language; the log keeps theirs."""
    from assistant import i18n
    from tests.test_hostile import _corrupt_member, _lying_sizes, _zip
    from tests.test_russian_replies import english_in

    caplog.set_level(logging.INFO, logger="assistant.datasets")
    text = "\n".join(f"a pleasant sentence number {i} " * 3 for i in range(200)).encode()
    good = _zip({"texts.txt": text})
    damaged = (
        (_corrupt_member(good), "upload.damaged.data"),
        (_lying_sizes(good), "upload.damaged.checksum"),
    )
    for language in ("en", "ru"):
        if language == "ru":
            switched = await fake.send_message("!language ru")
            await fake.wait_for_reply(after=switched["id"])
        where = i18n.message(language, "origin.member", member="texts.txt", name="bad.zip")
        for data, key in damaged:
            sent = await fake.send_message("!train", attachments=[("bad.zip", data)])
            reply = await fake.wait_for_reply(after=sent["id"])
            reason = i18n.message(language, key)
            expected = i18n.message(language, "upload.damaged", where=where, reason=reason)
            assert error_text(reply) == expected, reply
        sent = await fake.send_message("!train", attachments=[("bad.zip", _with_method(good, 9))])
        reply = await fake.wait_for_reply(after=sent["id"])
        expected = i18n.message(language, "upload.compression", where=where, method="deflate64")
        assert error_text(reply) == expected, reply
        if language == "ru":
            assert english_in(error_text(reply).replace("deflate64", "")) == [], reply
    assert "its compressed data is broken" in i18n.message("en", "upload.damaged.data")
    assert "Bad CRC-32 for file 'texts.txt'" in caplog.text
    assert "invalid code lengths set" in caplog.text
    assert not bot.assistant.store.dataset_names()


async def test_a_label_with_nothing_to_label_is_refused(fake: FakeDiscord, bot: Any) -> None:
    """`/train label:@here` with no texts, file or folder retrained the model on what it had,
    the label silently dropped (and `!train label:billing`, `!train false` the same). A label
    needs examples: it is refused, in the server's language, and nothing changes."""
    from assistant import i18n
    from tests.test_discord_probe import replying_to

    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(3))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    store = bot.assistant.store
    before = (
        store.jobs(str(fake.guild_id)),
        store.examples(store.active_dataset(str(fake.guild_id))),
    )
    for language in ("en", "ru"):
        if language == "ru":
            switched = await fake.send_message("!language ru")
            await fake.wait_for_reply(after=switched["id"])
        interaction = await fake.interaction("train", {"label": "@here"})
        slash = await fake.wait_for_reply(where=answer_to(interaction))
        assert error_text(slash) == i18n.message(
            language, "train.label_without_data", label="@here"
        ), slash
        for line, label in (("!train label:billing", "billing"), ("!train false", "negative")):
            sent = await fake.send_message(line)
            reply = await fake.wait_for_reply(after=sent["id"])
            expected = i18n.message(language, "train.label_without_data", label=label)
            assert error_text(reply) == expected, (line, reply)
    assert "A label needs examples" in i18n.message("en", "train.label_without_data", label="x")
    after = (
        store.jobs(str(fake.guild_id)),
        store.examples(store.active_dataset(str(fake.guild_id))),
    )
    assert after == before


async def test_a_sentence_in_the_json_option_of_test_is_classified(
    fake: FakeDiscord, bot: Any
) -> None:
    """`/test json:what a lovely film` was read as a dataset's name ("There is no dataset or
    folder `what a lovely film`"), and a pasted page of 4,100 characters got "That path is
    too long.": `/test` has a `dataset` option for datasets; what its `json` option holds is
    what to classify, a plain sentence too. Typed, `!test reviews` still names a dataset."""
    from tests.test_discord_probe import replying_to

    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    page = "what a lovely film " * 216
    for sentence, shown in (("what a lovely film", "“what a lovely film”"), (page, "“what a")):
        interaction = await fake.interaction("test", {"json": sentence})
        reply = await fake.wait_for_reply(where=answer_to(interaction))
        assert not is_error(reply), error_text(reply)
        assert reply["content"].startswith("1 prediction") and shown in reply["content"], reply
    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    interaction = await fake.interaction("test", {"json": "какой чудесный фильм"})
    reply = await fake.wait_for_reply(where=answer_to(interaction))
    assert reply["content"].startswith("Предсказаний: 1,"), reply
    assert "“какой чудесный фильм” →" in reply["content"], reply
    # JSON written wrong is still refused as JSON; a typed name is still a dataset's
    interaction = await fake.interaction("test", {"json": '["a lovely film" "dull"]'})
    reply = await fake.wait_for_reply(where=answer_to(interaction))
    assert "JSON" in error_text(reply), reply
    sent = await fake.send_message("!test what a lovely film")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "`what a lovely film`" in error_text(reply), reply


async def test_a_ping_or_a_quoted_word_after_a_command(fake: FakeDiscord, bot: Any) -> None:
    """`!test @everyone` and `!status 'single quoted'` answered "Did you mean `test`? Type
    `test` alone…" to a member who had typed `test`. A Discord ping only addresses people,
    as "test, everyone" does: the command runs. Words in single quotes are a written
    argument: refused as the command refuses it, naming them."""
    from assistant import i18n
    from tests.test_discord_probe import replying_to

    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    for language, status in (("en", "**Status**"), ("ru", "**Состояние**")):
        if language == "ru":
            switched = await fake.send_message("!language ru")
            await fake.wait_for_reply(after=switched["id"])
        current = i18n.message(language, "test.current", model="")[:7]
        for line, start in (
            ("!test @everyone", current),
            ("!status @here", status),
            (f"!status <@{fake.bob.id}>, <@&{fake.role_trainer}>", status),
        ):
            sent = await fake.send_message(line)
            reply = await fake.wait_for_reply(after=sent["id"])
            assert reply["content"].startswith(start), (line, reply)
        sent = await fake.send_message("!status 'single quoted'")
        reply = await fake.wait_for_reply(after=sent["id"])
        job = {"en": "job", "ru": "задача"}[
            language
        ]  # the option as the server's language names it
        expected = i18n.message(language, "args.not_int", name=job, value="single quoted")
        assert error_text(reply) == expected, reply


async def test_a_file_sent_with_a_command_that_takes_none_is_said_to_be_unused(
    fake: FakeDiscord, bot: Any
) -> None:
    """`!status` or `!feedback` with a file answered as if none had come, and the member thought
    it was read. The reply now says it was not used and which commands take files; the file is
    still never downloaded. In a sentence too, and on a Russian server in Russian."""
    csv = [("reviews.csv", csv_examples(2))]
    sent = await fake.send_message("!status", attachments=csv)
    status = await fake.wait_for_reply(after=sent["id"])
    note = "(`status` takes no files: `reviews.csv` was not used. Files go with `train`, `test`.)"
    assert note in status["content"], status
    sent = await fake.send_message(
        "!feedback the bot is great", attachments=[*csv, ("shot.png", b"\x89PNG", "image/png")]
    )
    thanks = await fake.wait_for_reply(after=sent["id"])
    assert "`reviews.csv`, `shot.png` were not used" in thanks["content"], thanks
    [stored] = bot.assistant.store.feedback(str(fake.guild_id))
    assert stored.text == "the bot is great", stored
    sent = await fake.send_message("!please show me the status", attachments=csv)
    worded = await fake.wait_for_reply(after=sent["id"])
    assert note in worded["content"], worded
    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    sent = await fake.send_message("!состояние", attachments=csv)
    russian = await fake.wait_for_reply(after=sent["id"])
    assert "(`status` не принимает файлы: `reviews.csv` не использован." in russian["content"]
    assert fake.cdn_downloads == []


async def test_a_file_sent_with_a_command_asked_about_first_is_said_to_be_unused(
    fake: FakeDiscord, bot: Any
) -> None:
    """`!undo` or `!remove 1` with a file asked Confirm / Cancel (or said there was nothing
    to undo) without a word of the file; the question and the refusal now say it is unused."""
    csv = [("reviews.csv", csv_examples(2))]
    note = "(`undo` takes no files: `reviews.csv` was not used. Files go with `train`, `test`.)"
    sent = await fake.send_message("!undo", attachments=csv)
    nothing = await fake.wait_for_reply(after=sent["id"])
    assert note in error_text(nothing), nothing
    sent = await fake.send_message('!train "a lovely film"')
    await fake.wait_for_reply(after=sent["id"])
    sent = await fake.send_message("!remove 1", attachments=csv)
    asked = await fake.wait_for_reply(after=sent["id"])
    assert fake.components(asked), asked
    assert "(`remove` takes no files: `reviews.csv` was not used." in asked["content"], asked
    assert fake.cdn_downloads == []
