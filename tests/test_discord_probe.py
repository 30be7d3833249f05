"""A user's odd but ordinary ways of talking to the bot on Discord, through the fake Discord:
each is what a member does, and what they see."""

from __future__ import annotations

from typing import Any

import pytest

from tests.corpus import sentences
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_text import csv_examples, error_text, is_error

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def replying_to(message: dict[str, Any]) -> Any:
    return lambda m: m.get("message_reference", {}).get("message_id") == message["id"]


async def test_a_capitalised_or_worded_command_keeps_its_attachment_and_job(
    fake: FakeDiscord, bot: Any
) -> None:
    """A phone keyboard writes "!Train": the file was dropped (the bot said the dataset had no
    examples), the job's result never came, and "!Undo" ran without asking."""
    sent = await fake.send_message("!Train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    assert "Added 12 examples" in started["content"], started
    result = await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    assert "finished" in result["content"].lower(), result
    worded = await fake.send_message(
        "!please train the model", attachments=[("more.csv", csv_examples(8))]
    )
    reply = await fake.wait_for_reply(after=worded["id"])
    assert "Added 4 examples" in reply["content"], reply  # 8 a label, 6 already there
    await fake.wait_for_reply(after=reply["id"], where=replying_to(reply), timeout=60)
    undo = await fake.send_message("!Undo")
    asked = await fake.wait_for_reply(after=undo["id"])
    assert not is_error(asked) and "Confirm" in str(asked["components"]), asked
    # named after politeness, it is the same command, and asks the same way
    # (read as a sentence, its words are no arguments of `undo`: they were refused as such)
    for line in ("!please undo", "!could you undo the last addition"):
        polite = await fake.send_message(line)
        asked = await fake.wait_for_reply(after=polite["id"])
        assert not is_error(asked), (line, error_text(asked))
        assert "Confirm" in str(asked["components"]), asked
    store = bot.assistant.store
    assert len(store.examples(store.active_dataset(str(fake.guild_id)))) == 16


async def test_join_from_outside_voice_says_only_why_not(fake: FakeDiscord, bot: Any) -> None:
    """Typed outside a voice channel (or in a DM), `join` answered "Joining your voice
    channel. Say “hey trainer”…" and then, in the guild, "Join a voice channel first"; and
    `leave` said goodbye from no channel."""
    sent = await fake.send_message("!join", author=fake.bob)
    refused = await fake.wait_for_reply(after=sent["id"])
    assert is_error(refused) and "Join a voice channel first" in error_text(refused), refused
    interaction = await fake.interaction("join", {}, author=fake.bob)
    slash = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert is_error(slash) and "Join a voice channel first" in error_text(slash), slash
    direct = await fake.send_direct_message("!join", author=fake.bob)
    answer = await fake.wait_for_reply(after=direct["id"], channel_id=fake.dm_channel(fake.bob))
    assert is_error(answer) and "Join a voice channel first" in error_text(answer), answer
    await fake.send_message("!hi", author=fake.bob)  # ...and nothing else was said before it
    hello = await fake.wait_for_reply(after=answer["id"], where=lambda m: "Hello" in m["content"])
    replies = [m for m in fake.sent_messages() if int(m["id"]) < int(hello["id"])]
    assert replies == [refused, slash, answer], [m["content"] for m in replies]
    assert fake.bot_voice_channel() is None
    # `leave` where the bot is in no voice channel said "Leaving the voice channel. Bye!"
    for asked in (await fake.send_message("!leave"), await fake.send_direct_message("!leave")):
        left = await fake.wait_for_reply(after=asked["id"], channel_id=int(asked["channel_id"]))
        assert is_error(left) and "not in a voice channel" in error_text(left), left


async def test_a_role_taken_away_is_taken_away_in_voice_too(fake: FakeDiscord, bot: Any) -> None:
    """The voice channel remembered a speaker's roles from their first words: alice, whose
    `trainer` role an admin had just removed, could still train by voice."""
    from tests.test_discord_voice import join, say_command

    await join(fake)
    assert await say_command(bot, fake, "hey trainer, what is the status") == "status"
    await fake.set_roles(fake.alice, [])
    await fake.wait_for(
        lambda: not bot.bot.get_guild(fake.guild_id).get_member(fake.alice.id).roles[1:],
        10,
        "the role change to reach the bot",
    )
    last = fake.sent_messages()[-1]
    assert await say_command(bot, fake, "hey trainer, train the model") == "train"
    refused = await fake.wait_for_reply(after=last["id"], where=is_error, timeout=30)
    assert "needs one of these roles: `trainer`" in error_text(refused), refused


async def test_a_renamed_or_deleted_role_is_read_again_in_voice(
    fake: FakeDiscord, bot: Any
) -> None:
    """Roles are known by name: after an admin renamed alice's `trainer` role, she could still
    train by voice (her roles were remembered from her first words), and so after it was
    deleted; renamed back, she may again. With no `trainer` role on the server, the refusal
    says so."""
    from tests.test_discord_voice import join, say_command

    async def spoken_reply(where: Any = None) -> dict[str, Any]:
        last = fake.sent_messages()[-1]
        assert await say_command(bot, fake, "hey trainer, train the model") == "train"
        return await fake.wait_for_reply(after=last["id"], where=where, timeout=30)

    def role_named(name: str | None) -> Any:
        roles = bot.bot.get_guild(fake.guild_id).get_member(fake.alice.id).roles[1:]
        return [r.name for r in roles] == ([name] if name else [])

    refused = "needs the role `trainer`, which does not exist on this server"
    await join(fake)
    assert await say_command(bot, fake, "hey trainer, what is the status") == "status"
    await fake.rename_role(fake.role_trainer, "helpers")
    await fake.wait_for(lambda: role_named("helpers"), 10, "the rename to reach the bot")
    assert refused in error_text(await spoken_reply(is_error))
    await fake.rename_role(fake.role_trainer, "trainer")
    await fake.wait_for(lambda: role_named("trainer"), 10, "the rename to reach the bot")
    answer = await spoken_reply()
    assert refused not in error_text(answer) + answer["content"], answer
    await fake.delete_role(fake.role_trainer)
    await fake.wait_for(lambda: role_named(None), 10, "the deletion to reach the bot")
    assert refused in error_text(await spoken_reply(is_error))


def not_run(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.message for r in caplog.records if "was not run" in r.message]


async def test_no_command_runs_where_the_bot_cannot_answer(
    fake: FakeDiscord, bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """With Send Messages denied in a channel, `!train` still stored the example and trained,
    and the member never learnt it."""
    from tests.fakediscord.rest import SEND_MESSAGES

    await fake.deny_bot(SEND_MESSAGES)
    channel = await fake.wait_for(
        lambda: bot.bot.get_channel(fake.text_channel_id), 10, "the channel"
    )
    await fake.wait_for(lambda: channel.overwrites, 10, "the overwrite to reach the bot")
    await fake.send_message('!train "a lovely film"')
    await fake.send_message("!create_dataset films")
    await fake.wait_for(lambda: len(not_run(caplog)) == 2, 10, "both commands to be turned away")
    interaction = await fake.interaction("hi", {})  # a slash command is answered all the same
    await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    store = bot.assistant.store
    assert not store.dataset_names() and not store.jobs(str(fake.guild_id))
    assert [m for m in fake.sent_messages() if not m.get("interaction_id")] == []


async def test_a_file_with_no_command_is_not_read_as_an_upload(fake: FakeDiscord, bot: Any) -> None:
    """ "!lol" with a video is no command: the answer says so, rather than refusing the video
    (larger than an upload may be) as an upload it never was."""
    video = b"\0" * (bot.assistant.config.limits.attachment_bytes + 1)
    sent = await fake.send_message("!lol", attachments=[("clip.mp4", video, "video/mp4")])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "I don't know the command `lol`" in error_text(reply), reply


async def test_no_run_button_for_a_command_the_member_may_not_run(
    fake: FakeDiscord, bot: Any
) -> None:
    """Bob, without the `trainer` role, typed `!trian` and was offered Run train, which then
    refused him."""
    sent = await fake.send_message("!trian", author=fake.bob)
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Did you mean `train`?" in error_text(reply) and not fake.components(reply), reply
    sent = await fake.send_message("!statu", author=fake.bob)
    reply = await fake.wait_for_reply(after=sent["id"])
    [button] = fake.components(reply)
    assert button["custom_id"] == "trainer:run:status", reply


async def test_a_correction_said_in_a_sentence_in_reply_corrects_that_reply(
    fake: FakeDiscord, bot: Any
) -> None:
    """`!correct negative` in reply to a prediction corrected it; "!please correct it to
    negative" and "@bot that's wrong, it should be negative" in reply lost the reply they
    answered and were given the usage."""
    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    asked = await fake.send_message('!test ["what a lovely film"]')
    prediction = await fake.wait_for_reply(after=asked["id"])
    assert not is_error(prediction), prediction
    for line in (
        "!please correct it to negative",
        f"<@{bot.bot.user.id}> that's wrong, it should be negative",
    ):
        correction = await fake.send_message(line, reply_to=prediction["id"])
        thanks = await fake.wait_for_reply(after=correction["id"])
        assert not is_error(thanks) and "Thanks" in thanks["content"], (line, error_text(thanks))
    fixes = bot.assistant.store.corrections(str(fake.guild_id), "prediction")
    # the second correction of the same item replaces the first
    assert [(c.original, c.correction, c.message_id) for c in fixes] == [
        ("what a lovely film", "negative", prediction["id"])
    ]


async def test_a_file_the_bot_may_not_attach_is_explained_in_the_guilds_language(
    fake: FakeDiscord, bot: Any
) -> None:
    """With Attach Files denied in the channel, `getfile` failed without saying why (an English
    "(I could not attach the file.)" after "Here is `notes.txt`"), on a Russian server too."""
    from assistant import i18n
    from tests.fakediscord.rest import ATTACH_FILES

    data = bot.assistant.config.data_root
    (data / "notes.txt").write_bytes(b"kept as it was\n")
    before = sorted(p.name for p in data.rglob("*"))
    await fake.deny_bot(ATTACH_FILES)
    channel = await fake.wait_for(
        lambda: bot.bot.get_channel(fake.text_channel_id), 10, "the channel"
    )
    await fake.wait_for(lambda: channel.overwrites, 10, "the overwrite to reach the bot")
    for language in ("en", "ru"):
        if language == "ru":
            switched = await fake.send_message("!language ru")
            await fake.wait_for_reply(after=switched["id"])
        sent = await fake.send_message("!getfile notes.txt")
        reply = await fake.wait_for_reply(after=sent["id"])
        assert reply["embeds"] and not reply["attachments"], reply
        assert reply["embeds"][0]["description"] == i18n.message(language, "discord.cannot_attach")
        assert reply["embeds"][0]["title"] == i18n.message(language, "error.title")
    assert "ask an admin for Attach Files" in i18n.message("en", "discord.cannot_attach")
    assert sorted(p.name for p in data.rglob("*")) == before
    assert (data / "notes.txt").read_bytes() == b"kept as it was\n"


async def test_a_command_whose_message_was_deleted_meanwhile_is_still_answered(
    fake: FakeDiscord, bot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member who deleted their `!create_dataset` message while it ran never learnt that it
    had run: the reply was sent as a reply to the deleted message, which Discord refuses."""
    import asyncio

    reached, release = asyncio.Event(), asyncio.Event()
    handle = bot.assistant.handle

    async def held(request: Any, **kw: Any) -> Any:
        reached.set()
        await release.wait()
        return await handle(request, **kw)

    monkeypatch.setattr(bot.assistant, "handle", held)
    sent = await fake.send_message("!create_dataset films")
    await asyncio.wait_for(reached.wait(), 30)
    await fake.delete_message(sent)
    release.set()
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Created dataset **films**" in reply["content"], reply
    assert fake.refused == []


async def test_a_direct_message_needs_no_prefix(fake: FakeDiscord, bot: Any) -> None:
    """Written to the bot in a DM, "hi" or "what's the status" got no answer at all: only
    "!hi" did, though a DM can only be meant for the bot."""
    dm = fake.dm_channel(fake.alice)
    for line, expected in (("hi", "Hello, alice"), ("what's the status", "**Status**")):
        sent = await fake.send_direct_message(line)
        reply = await fake.wait_for_reply(after=sent["id"], channel_id=dm)
        assert expected in reply["content"], reply
    # with the prefix, as before; and only one answer to each
    sent = await fake.send_direct_message("!hi")
    reply = await fake.wait_for_reply(after=sent["id"], channel_id=dm)
    assert "Hello, alice" in reply["content"], reply
    assert len(fake.sent_messages(dm)) == 3


async def test_an_attachment_refused_on_a_russian_server_is_refused_in_russian(
    fake: FakeDiscord, bot: Any
) -> None:
    """An attachment over the size limit, or one Discord's CDN no longer has, was refused in
    English on a Russian server. Its size is written in the form its last digits take ("8 000 002
    байта", not "байт")."""
    from tests.test_russian_replies import english_in

    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    huge = bot.assistant.config.limits.attachment_bytes + 2
    sent = await fake.send_message(
        "!train", attachments=[("big.csv", b"text,label\n")], attachment_size=huge
    )
    too_big = await fake.wait_for_reply(after=sent["id"])
    fake.cdn_missing = True
    sent = await fake.send_message("!train", attachments=[("gone.csv", csv_examples(2))])
    gone = await fake.wait_for_reply(after=sent["id"])
    for reply, name in ((too_big, "big.csv"), (gone, "gone.csv")):
        text = reply["embeds"][0]["description"]
        assert f"`{name}`" in text and not english_in(text), text
    sizes = "занимает 8\u00a0000\u00a0002 байта; предел вложения — 8\u00a0000\u00a0000 байт."
    assert sizes in too_big["embeds"][0]["description"], too_big
    assert fake.cdn_downloads == [] and not bot.assistant.store.dataset_names()


async def test_a_bare_mention_of_the_bot_is_answered(fake: FakeDiscord, bot: Any) -> None:
    """ "@Trainer" alone, as one calls someone, got no answer ("@Trainer hi" did)."""
    for content in (f"<@{fake.bot.id}>", f"<@!{fake.bot.id}>  "):
        sent = await fake.send_message(content)
        reply = await fake.wait_for_reply(after=sent["id"])
        assert "Hello, alice" in reply["content"], (reply["content"], reply["embeds"])
    sent = await fake.send_message("!hi")  # and nothing else was said
    last = await fake.wait_for_reply(after=sent["id"])
    assert len([m for m in fake.sent_messages() if int(m["id"]) <= int(last["id"])]) == 3


def pinged(fake: FakeDiscord, member: Any) -> list[str]:
    """What the bot's messages notified `member` of (Discord's `mentions` of each message)."""
    return [
        m["content"]
        for m in fake.sent_messages()
        if str(member.id) in {u["id"] for u in m.get("mentions", [])}
    ]


async def test_an_example_that_mentions_a_member_does_not_ping_them(
    fake: FakeDiscord, bot: Any
) -> None:
    """alice trained on "<@bob> was great", and every `examples` listing (and the prediction of
    such a text) pinged bob: the bot let every user mention in its replies notify."""
    sent = await fake.send_message(
        "!train",
        attachments=[
            ("reviews.csv", csv_examples(3) + f'"<@{fake.bob.id}> was great",positive\n'.encode())
        ],
    )
    started = await fake.wait_for_reply(after=sent["id"])
    assert not is_error(started), error_text(started)
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    listed = await fake.send_message("!examples")
    listing = await fake.wait_for_reply(after=listed["id"])
    assert f"<@{fake.bob.id}> was great" in listing["content"], listing
    asked = await fake.send_message(f'!test ["<@{fake.bob.id}> was great", "<@!{fake.bob.id}>"]')
    prediction = await fake.wait_for_reply(after=asked["id"])
    assert f"<@{fake.bob.id}>" in prediction["content"], prediction
    assert pinged(fake, fake.bob) == []


def mac_zip(files: dict[str, str]) -> bytes:
    """A zip as macOS's Compress makes it: each file has an AppleDouble twin `._NAME` under
    `__MACOSX/` (its extended attributes), and the Finder's `.DS_Store` sits beside them."""
    import io
    import zipfile

    double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\tATTR"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
            folder, _, base = name.rpartition("/")
            archive.writestr(f"__MACOSX/{folder}/._{base}", double + b"com.apple.quarantine")
        archive.writestr("reviews/.DS_Store", b"\x00\x00\x00\x01Bud1")
    return out.getvalue()


async def test_a_zip_made_on_a_mac_adds_only_its_files(fake: FakeDiscord, bot: Any) -> None:
    """A zip compressed on macOS added an example per AppleDouble file (`__MACOSX/…/._1.txt`,
    a few bytes of NULs and "Mac OS X"), under the labels of their folders."""
    files = {
        f"reviews/{label}/{n}.txt": text
        for label in ("positive", "negative")
        for n, text in enumerate(sentences(label, 3))
    }
    sent = await fake.send_message("!train", attachments=[("reviews.zip", mac_zip(files))])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Added 6 examples (negative 3, positive 3)" in reply["content"], reply
    store = bot.assistant.store
    texts = [text for text, _ in store.examples(store.active_dataset(str(fake.guild_id)))]
    assert sorted(texts) == sorted(files.values()), texts


async def test_cancel_sent_twice_cancels_once(fake: FakeDiscord, bot: Any) -> None:
    """Two `!cancel` in a row (a second press of Enter, or two members) both answered
    "Cancelled training job #1", as if two jobs had stopped."""
    from tests.test_discord_components import as_csv, random_rows

    folder = bot.assistant.root.root / "big"
    folder.mkdir()
    (folder / "examples.csv").write_bytes(as_csv(random_rows(20_000)))
    sent = await fake.send_message("!train folder:big")
    await fake.wait_for_reply(after=sent["id"], timeout=30)
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    cancels = [await fake.send_message("!cancel") for _ in range(2)]
    # A channel's messages are handled in order (transports/discord/in_order.py): the first
    # cancels; the second finds the job stopped, or still stopping if the first took longer
    # than a message waits for the one before it.
    answers = [
        await fake.wait_for_reply(after=cancels[0]["id"], where=replying_to(cancel), timeout=30)
        for cancel in cancels
    ]
    assert answers[0]["content"] == f"Cancelled training job #{job.id} on **default**.", answers
    assert is_error(answers[1]) and error_text(answers[1]) in (
        "No training job is running.",
        f"Training job #{job.id} is already being cancelled.",
    ), answers[1]
    assert bot.assistant.store.job(job.id).status == "cancelled"


def excel_csv(rows: list[tuple[str, str]], delimiter: str, encoding: str = "utf-8-sig") -> bytes:
    """A CSV as Excel saves it: `;` between fields where a comma is the decimal mark (most of
    Europe, Russia), tabs and UTF-16 for "Unicode text", CRLF line ends."""
    lines = ["text" + delimiter + "label"] + [t + delimiter + label for t, label in rows]
    return "\r\n".join(lines).encode(encoding)


async def test_a_csv_saved_by_excel_in_europe_is_read(fake: FakeDiscord, bot: Any) -> None:
    """A CSV with `;` between its fields (Excel's in a comma-decimal locale) was refused:
    "`reviews.csv` needs a `text` column ...; columns: text;label", and one saved as Unicode
    text (UTF-16, tabs) as "not UTF-8 text"; `test` refused the same files."""
    rows = [(text, label) for label in ("positive", "negative") for text in sentences(label, 6)]
    sent = await fake.send_message("!train", attachments=[("reviews.csv", excel_csv(rows, ";"))])
    started = await fake.wait_for_reply(after=sent["id"])
    assert "Added 12 examples (negative 6, positive 6)" in started["content"], started
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    more = [(text + " indeed", label) for text, label in rows[:2] + rows[-2:]]
    unicode_text = excel_csv(more, "\t", "utf-16")
    sent = await fake.send_message("!train", attachments=[("more.csv", unicode_text)])
    again = await fake.wait_for_reply(after=sent["id"])
    assert "Added 4 examples (negative 2, positive 2)" in again["content"], again
    await fake.wait_for_reply(after=again["id"], where=replying_to(again), timeout=60)
    for name, data in (("check.csv", excel_csv(rows, ";")), ("check2.csv", unicode_text)):
        sent = await fake.send_message("!test", attachments=[(name, data)])
        measured = await fake.wait_for_reply(after=sent["id"])
        assert not is_error(measured) and "accuracy" in measured["content"].lower(), measured
    store = bot.assistant.store
    stored = store.examples(store.active_dataset(str(fake.guild_id)))
    assert sorted(stored) == sorted(rows + more), stored


async def test_a_json_mistake_far_along_the_line_is_shown_where_it_is(
    fake: FakeDiscord, bot: Any
) -> None:
    """A long `!test [...]` with a quote missing near its end was answered "Unterminated string
    starting at at line 1, column 1851", then the line's first 200 characters and, under them,
    a line of spaces: the mark pointing at the mistake was past the end of what was shown."""
    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    items = ", ".join(f'"review number {n} was a lovely film"' for n in range(50))
    sent = await fake.send_message(f'!test [{items}, "the last one forgot its quote]')
    reply = await fake.wait_for_reply(after=sent["id"])
    text = error_text(reply)
    assert "starting at line 1, column 1892" in text and " at at " not in text, text
    excerpt, pointer = text.split("```\n")[1].split("\n")[:2]
    assert pointer.strip() == "^" and excerpt[len(pointer) - 1 :].startswith('"the last'), text


async def test_json_pasted_in_a_code_block_is_read(fake: FakeDiscord, bot: Any) -> None:
    """JSON pasted as Discord users paste it, in a code block (```json … ```, or `…`), was taken
    for the name of a dataset: "There is no dataset or folder ```` ```json\\u000a[…" ; and
    `!train ```a lovely film```` stored the backticks as part of the example."""
    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    items = '["a lovely film", "dull and slow"]'
    for line in (f"!test ```json\n{items}\n```", f"!test ```{items}```", f"!test `{items}`"):
        sent = await fake.send_message(line)
        reply = await fake.wait_for_reply(after=sent["id"])
        assert reply["content"].startswith("2 predictions"), (line, reply)
    interaction = await fake.interaction("test", {"json": f"```\n{items}\n```"})
    slash = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert slash["content"].startswith("2 predictions"), slash
    sent = await fake.send_message("!train ```what a lovely film```")
    added = await fake.wait_for_reply(after=sent["id"])
    assert "Added 1 example" in added["content"], added
    store = bot.assistant.store
    assert ("what a lovely film", "positive") in store.examples(
        store.active_dataset(str(fake.guild_id))
    )


async def test_sentences_in_a_text_file_can_be_tested(fake: FakeDiscord, bot: Any) -> None:
    """`train` takes a `.txt` of one sentence per line; `test` refused the same file: "`test`
    reads .json, .jsonl or .csv attachments, not `sentences.txt`"."""
    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(6))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    lines = b"a lovely film\r\n\r\ndull and slow\n"
    sent = await fake.send_message("!test", attachments=[("sentences.txt", lines)])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert reply["content"].startswith("2 predictions"), reply
    assert "“a lovely film”" in reply["content"] and "“dull and slow”" in reply["content"]
    interaction = await fake.interaction("test", {"file": ("more.txt", b"what a film\n")})
    slash = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert slash["content"].startswith("1 prediction"), slash
