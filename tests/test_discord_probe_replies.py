"""What members see when they use the text commands the way people do on a busy server, through
the fake Discord: two of them at once, odd arguments, long ones."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_probe import replying_to
from tests.test_discord_text import as_csv, csv_examples, error_text, is_error

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def preparing(fake: FakeDiscord, bot: Any) -> None:
    """Until the guild's `train` is reading its examples (a second or two for tens of
    thousands), when a second command comes in the middle of it."""
    jobs = bot.assistant.jobs
    await fake.wait_for(lambda: str(fake.guild_id) in jobs._starting, 30, "the train to start")


async def test_two_members_training_at_once_are_both_answered(fake: FakeDiscord, bot: Any) -> None:
    """alice trained on a big file of praise and bob, a moment later, added one line: bob was
    told "A training job is starting; wait for it to finish", and his line was dropped, though
    no job ever started (one label is not enough to train) and no result came to wait for."""
    await fake.set_roles(fake.bob, [fake.role_trainer])
    await fake.wait_for(
        lambda: bot.bot.get_guild(fake.guild_id).get_member(fake.bob.id).roles[1:],
        10,
        "bob's role to reach the bot",
    )
    rows = [(f"review number {n}, a lovely film", "positive") for n in range(50_000)]
    (bot.assistant.config.data_root / "praise.csv").write_bytes(as_csv(rows))
    big = await fake.send_message("!train file:praise.csv")
    await preparing(fake, bot)
    small = await fake.send_message('!train "what a warm, funny film"', author=fake.bob)
    first = await fake.wait_for_reply(after=big["id"], where=replying_to(big), timeout=60)
    second = await fake.wait_for_reply(after=big["id"], where=replying_to(small), timeout=60)
    assert "Added 50,000 examples (positive 50,000). Not training yet" in first["content"], first
    assert not is_error(second), error_text(second)
    assert "Added 1 example (positive 1). Not training yet" in second["content"], second
    store = bot.assistant.store
    assert len(store.examples(store.active_dataset(str(fake.guild_id)))) == 50_001
    assert store.jobs(str(fake.guild_id)) == []


async def test_a_command_while_a_train_starts_its_job_is_refused_by_the_jobs_number(
    fake: FakeDiscord, bot: Any
) -> None:
    """When the first `train` does start a job, the second one is refused as while any job
    runs (by the job's number), and stores nothing."""
    rows = [
        (f"review number {n}, {word}", label)
        for n in range(20_000)
        for word, label in (("a lovely film", "positive"), ("a dull film", "negative"))
    ]
    (bot.assistant.config.data_root / "reviews.csv").write_bytes(as_csv(rows))
    big = await fake.send_message("!train file:reviews.csv")
    await preparing(fake, bot)
    small = await fake.send_message('!train "what a warm, funny film"')
    started = await fake.wait_for_reply(after=big["id"], where=replying_to(big), timeout=60)
    refused = await fake.wait_for_reply(after=big["id"], where=replying_to(small), timeout=60)
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    assert f"Job #{job.id}" in started["content"], started
    assert error_text(refused).startswith(f"A training job is already running (job {job.id})")
    store = bot.assistant.store
    assert len(store.examples(store.active_dataset(str(fake.guild_id)))) == 40_000


async def test_a_long_argument_is_not_repeated_whole_in_the_refusal(
    fake: FakeDiscord, bot: Any
) -> None:
    """A pasted page given to `help`, `language`, `use_model` or `remove` was quoted back
    whole: 4,000 characters of it, and the end of the refusal, which says what to do, cut off
    at the embed's limit ("There is no command `xxx…xx" and no "Type `help` to list them.")."""
    page = "x" * 4100
    sent = await fake.send_message("!train", attachments=[("reviews.csv", csv_examples(3))])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    refusals = []
    sent = await fake.send_message(f"!help {page}")
    refusals.append((await fake.wait_for_reply(after=sent["id"]), "Type `help` to list them."))
    for name, options, end in (
        ("language", {"code": page}, "Languages: `en` (English), `ru` (русский)."),
        ("use_model", {"version": page}, "`models` lists them."),
        ("remove", {"example": page}, "`examples` lists them (#12)."),
    ):
        interaction = await fake.interaction(name, options)
        refusals.append(
            (
                await fake.wait_for_reply(
                    where=lambda m, i=interaction: m.get("interaction_id") == str(i)
                ),
                end,
            )
        )
    for reply, end in refusals:
        text = error_text(reply)
        assert is_error(reply) and text.endswith(end) and len(text) < 300, text[-300:]
        assert "x" * 29 + "…" in text, text


async def test_an_empty_code_block_is_refused_not_learnt(fake: FakeDiscord, bot: Any) -> None:
    """What was to be pasted into a code block was not: `!train ``````` stored six backticks
    as a positive example (and `/train data:```` three), on a Russian server too."""
    from assistant import i18n

    for language in ("en", "ru"):
        if language == "ru":
            switched = await fake.send_message("!language ru")
            await fake.wait_for_reply(after=switched["id"])
        for line in ("!train ``````", "!train ```json\n```", "!test ```\n```", "!train ```"):
            sent = await fake.send_message(line)
            reply = await fake.wait_for_reply(after=sent["id"])
            assert error_text(reply) == i18n.message(language, "args.empty_block"), (line, reply)
        interaction = await fake.interaction("train", {"data": "```"})
        slash = await fake.wait_for_reply(
            where=lambda m, i=interaction: m.get("interaction_id") == str(i)
        )
        assert error_text(slash) == i18n.message(language, "args.empty_block"), slash
    assert "nothing is between its backticks" in i18n.message("en", "args.empty_block")
    assert not bot.assistant.store.dataset_names()
    # a block with something in it is what it holds, as before
    sent = await fake.send_message("!train ```what a lovely film```")
    added = await fake.wait_for_reply(after=sent["id"])
    assert not is_error(added), error_text(added)
    store = bot.assistant.store
    assert store.examples(store.active_dataset(str(fake.guild_id))) == [
        ("what a lovely film", "positive")
    ]


async def test_a_json_mistake_is_explained_in_the_servers_language(
    fake: FakeDiscord, bot: Any
) -> None:
    """On a Russian server, JSON written wrong was refused in Russian around Python's English
    words: "Это — не корректный JSON: Expecting ',' delimiter, строка 1…", "`bad.json`, строка
    1 — не корректный JSON: Expecting property name enclosed in double quotes (столбец 3)"."""
    from tests.test_russian_replies import english_in

    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    refusals = []
    for line, files in (
        ('!test ["хороший фильм" "плохой фильм"]', None),
        ('!train {"text": "скучно" "label": "negative"}', None),
        ("!train", [("bad.json", b'[{"text": "a",')]),
        ("!train", [("bad.jsonl", b'{"text": "a"}\n{"text": "b\n')]),
        ("!test", [("items.json", b'["a", "b"] ["c"]')]),
    ):
        sent = await fake.send_message(line, attachments=files)
        reply = await fake.wait_for_reply(after=sent["id"])
        refusals.append(error_text(reply))
    for text in refusals:
        assert "JSON" in text and english_in(text.replace("JSON", "")) == [], text
    assert "ожидалась запятая, строка 1, столбец 18" in refusals[0], refusals[0]
    assert "ожидалось имя поля в двойных кавычках (столбец 15)" in refusals[2], refusals[2]
    assert "кавычка строки не закрыта (столбец 10)" in refusals[3], refusals[3]
    assert "лишние данные после конца JSON" in refusals[4], refusals[4]
    assert not bot.assistant.store.dataset_names()


async def test_a_new_label_from_a_folder_is_named_in_correct_russian(
    fake: FakeDiscord, bot: Any
) -> None:
    """A label found in a sub-folder was announced as coming "из папки `negative/` в папки
    `отзывы/`" ("in" with the case "from" takes): now "внутри папки `отзывы/`", and a zip's
    "внутри `отзывы.zip`"."""
    import io
    import zipfile

    data = bot.assistant.config.data_root
    for label, text in (("positive", "тёплый и смешной фильм"), ("negative", "скучный фильм")):
        (data / "отзывы" / label).mkdir(parents=True)
        (data / "отзывы" / label / "1.txt").write_text(text, encoding="utf-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as made:
        made.writestr("жалобы/1.txt", "вернули не те деньги")
    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    sent = await fake.send_message("!обучить folder:отзывы")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert (
        "Добавляется метка `negative` из папки `negative/` внутри папки `отзывы/`, "
        in (reply["content"])
    ), reply
    sent = await fake.send_message("!обучить", attachments=[("письма.zip", archive.getvalue())])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert (
        "Добавляется метка `жалобы` из папки `жалобы/` внутри `письма.zip`, " in (reply["content"])
    ), reply
