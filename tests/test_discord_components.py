"""Discord-native parts through real discord.py against the fake Discord: slash-option
autocomplete, buttons and select menus (cancel, correct, confirm, pages), default member
permissions, and the 3-second acknowledgement of a slow command."""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

import pytest

from assistant.commands.registry import Command
from assistant.messages import Reply
from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.limits import ACK_DEADLINE_S
from tests.test_discord_text import as_csv, csv_examples, error_text, is_error
from transports.discord.cog_commands import build_command
from transports.discord.run import DiscordApp

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

MANAGE_GUILD = 1 << 5
EPHEMERAL = 64


def names(choices: list[dict[str, Any]]) -> list[Any]:
    return [c["value"] for c in choices]


def from_interaction(interaction: int) -> Any:
    return lambda m: m.get("interaction_id") == str(interaction)


def random_rows(n: int) -> list[tuple[str, str]]:
    """Distinct random texts (fast to make): training on them takes seconds."""
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=7)) for _ in range(5000)]
    return [
        (" ".join(rng.choices(vocabulary, k=14)), rng.choice(("positive", "negative")))
        for _ in range(n)
    ]


async def train_and_wait(
    fake: FakeDiscord, attachment: tuple[str, bytes, str] | None = None
) -> dict[str, Any]:
    """`!train` with `attachment` (24 examples of reviews.csv unless given), waited out."""
    sent = await fake.send_message(
        "!train", attachments=[attachment or ("reviews.csv", csv_examples(), "text/csv")]
    )
    started = await fake.wait_for_reply(after=sent["id"])
    assert "Training started" in started["content"], started
    await fake.wait_for_reply(
        after=started["id"],
        where=lambda m: m.get("message_reference", {}).get("message_id") == started["id"],
        timeout=60,
    )
    return started


async def test_restricted_commands_carry_default_member_permissions(
    fake: FakeDiscord, bot: Any
) -> None:
    restricted = set(bot.assistant.config.permissions.commands)
    for name, command in fake.commands.items():
        spec = bot.assistant.commands.get(name)  # None: the privacy cog's optout / optin
        wanted = str(MANAGE_GUILD) if spec and spec.permission in restricted else None
        assert command.get("default_member_permissions") == wanted, name
    assert fake.commands["getfile"]["default_member_permissions"] == str(MANAGE_GUILD)
    assert fake.commands["test"]["default_member_permissions"] is None
    # still checked when used: bob has no role, whatever Discord let him see
    interaction = await fake.interaction("getfile", {"path": "x.txt"}, author=fake.bob)
    refused = await fake.wait_for_reply(where=from_interaction(interaction))
    assert is_error(refused) and "trainer" in error_text(refused)


async def test_paths_autocomplete_inside_the_data_root_only(
    fake: FakeDiscord, bot: Any, tmp_path: Any
) -> None:
    root = bot.assistant.root.root
    (root / "reviews" / "positive").mkdir(parents=True)
    (root / "reviews" / "negative").mkdir(parents=True)
    (root / "reviews" / "positive" / "good.txt").write_text("great film")
    (root / "notes.txt").write_text("hello")
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    os.symlink(outside, root / "secret-link.txt")
    os.symlink(tmp_path, root / "escape")
    (tmp_path / "host.txt").write_text("a host file")
    os.link(tmp_path / "host.txt", root / "hardlink.txt")
    assert fake.commands["getfile"]["options"][0]["autocomplete"] is True

    files = names(await fake.autocomplete("getfile", "path", ""))
    assert files == ["notes.txt", "reviews/positive/good.txt"]  # no links of either kind
    assert names(await fake.autocomplete("getfile", "path", "GOOD")) == [
        "reviews/positive/good.txt"
    ]
    typed_down = names(await fake.autocomplete("getfile", "path", "reviews/positive/g"))
    assert typed_down == ["reviews/positive/good.txt"]
    assert await fake.autocomplete("getfile", "path", "../") == []
    assert await fake.autocomplete("getfile", "path", "escape/") == []
    folders = names(await fake.autocomplete("archive", "dir", "rev"))
    assert folders == ["reviews", "reviews/negative", "reviews/positive"]
    assert "escape" not in names(await fake.autocomplete("select_dataset", "dir", ""))
    sources = names(await fake.autocomplete("train", "data", "folder:reviews/p"))
    assert sources == ["folder:reviews/positive"]
    assert await fake.autocomplete("train", "data", "a lovely film") == []
    # a member getfile would refuse sees no file names at all
    assert await fake.autocomplete("getfile", "path", "", author=fake.bob) == []
    assert names(await fake.autocomplete("language", "code", "r")) == ["ru"]
    record = next(r for r in fake.interactions.values() if r["choices"] is not None)
    assert record["responses"] == [8] and record["acknowledged_after"] < ACK_DEADLINE_S


async def test_jobs_models_and_labels_autocomplete_after_training(
    fake: FakeDiscord, bot: Any
) -> None:
    await train_and_wait(fake)
    jobs = await fake.autocomplete("cancel", "job", "")
    assert len(jobs) == 1 and jobs[0]["name"].endswith("(succeeded, 100%)")
    assert isinstance(jobs[0]["value"], int)
    versions = names(await fake.autocomplete("use_model", "version", "v"))
    assert len(versions) == 1 and versions[0].startswith("v")
    labels = names(await fake.autocomplete("relabel", "label", "", {"example": "1"}))
    assert labels == ["negative", "positive"]
    assert names(await fake.autocomplete("train", "label", "neg")) == ["negative"]
    first = bot.assistant.store.stored_examples(
        bot.assistant.store.active_dataset(str(fake.guild_id)), limit=1
    )[0]
    by_text = await fake.autocomplete("relabel", "example", first.text.upper())
    assert f"#{first.id} {first.label}: {first.text}" in [c["name"] for c in by_text]
    by_number = await fake.autocomplete("remove", "example", f"#{first.id}")
    assert by_number[0]["value"] == str(first.id)


async def test_job_autocomplete_is_written_the_russian_way_in_a_russian_server(
    fake: FakeDiscord, bot: Any
) -> None:
    """The choices of `/cancel job` wrote "(succeeded, 100%)" on a Russian server too."""
    await train_and_wait(fake)
    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    jobs = await fake.autocomplete("cancel", "job", "")
    assert [c["name"] for c in jobs] == [f"#{job.id} · {job.dataset} (выполнена, 100\u00a0%)"]


async def test_cancel_button_checks_the_role_at_click_time(fake: FakeDiscord, bot: Any) -> None:
    # a folder of the data root is read at training time, not stored first: the job starts
    # at once and runs for seconds
    folder = bot.assistant.root.root / "big"
    folder.mkdir()
    (folder / "examples.csv").write_bytes(as_csv(random_rows(20_000)))
    sent = await fake.send_message("!train folder:big")
    started = await fake.wait_for_reply(after=sent["id"], timeout=30)
    job_id = started_job = bot.assistant.store.jobs(str(fake.guild_id))[0].id
    button = f"trainer:cancel:{job_id}"
    assert [c["custom_id"] for c in fake.components(started)] == [button]

    click = await fake.click(started, button, author=fake.bob)
    refusal = await fake.wait_for_reply(where=from_interaction(click))
    assert refusal["flags"] & EPHEMERAL and is_error(refusal) and "trainer" in error_text(refusal)
    assert bot.assistant.store.job(started_job).active

    click = await fake.click(started, button)
    done = await fake.wait_for_reply(where=from_interaction(click), timeout=30)
    assert f"Cancelled training job #{job_id}" in done["content"], done
    assert fake.interactions[click]["acknowledged_after"] < ACK_DEADLINE_S
    await fake.wait_for(
        lambda: not fake.components(fake.find_message(started["id"]) or {}), 30, "no button"
    )
    assert bot.assistant.store.job(job_id).status == "cancelled"


async def test_a_typed_cancel_is_answered_once(fake: FakeDiscord, bot: Any) -> None:
    """`!cancel` got its answer, then a second message, the job's "Training job #1 on `default` was
    cancelled." in reply to the training message."""
    folder = bot.assistant.root.root / "big"
    folder.mkdir()
    (folder / "examples.csv").write_bytes(as_csv(random_rows(20_000)))
    sent = await fake.send_message("!train folder:big")
    started = await fake.wait_for_reply(after=sent["id"], timeout=30)
    job_id = bot.assistant.store.jobs(str(fake.guild_id))[0].id
    sent = await fake.send_message("!cancel")
    done = await fake.wait_for_reply(after=sent["id"], timeout=30)
    assert done["content"] == f"Cancelled training job #{job_id} on **default**.", done
    # the progress message shows the end, as it does for every job
    await fake.wait_for(
        lambda: "cancelled" in (fake.find_message(started["id"]) or {})["content"], 30, "edit"
    )
    marker = await fake.send_message("!hi")
    hello = await fake.wait_for_reply(after=marker["id"], where=lambda m: "alice" in m["content"])
    after_cancel = [m["content"] for m in fake.sent_messages() if int(m["id"]) > int(sent["id"])]
    assert after_cancel == [done["content"], hello["content"]], after_cancel


async def test_slash_test_measures_the_model_on_a_named_dataset(
    fake: FakeDiscord, bot: Any
) -> None:
    """`/test` took only sentences; its `dataset` option, suggested as typed, names the
    dataset whose labelled examples measure the active model."""
    from tests.corpus import write_folder_dataset

    write_folder_dataset(bot.assistant.root.root, name="movie reviews", per_label=3)
    await train_and_wait(fake)
    assert names(await fake.autocomplete("test", "dataset", "mov"))[0] == "movie reviews"
    interaction = await fake.interaction("test", {"dataset": "movie reviews"})
    measured = await fake.wait_for_reply(where=from_interaction(interaction), timeout=30)
    assert measured["content"].startswith("6 predictions with model **v0001"), measured
    assert "for the examples of **movie reviews**" in measured["content"], measured
    assert "Measured on the 6 labelled examples of **movie reviews**" in measured["content"]
    assert sorted(a["filename"] for a in measured["attachments"]) == [
        "confusion_matrix.png",
        "predictions.json",
    ]


async def test_correct_button_opens_a_label_menu_and_records_the_fix(
    fake: FakeDiscord, bot: Any
) -> None:
    await train_and_wait(fake)
    asked = await fake.send_message('!test ["what a lovely film"]')
    prediction = await fake.wait_for_reply(after=asked["id"])
    assert [c["custom_id"] for c in fake.components(prediction)] == ["trainer:correct"]
    # /correct suggests my recent predictions
    [suggested] = await fake.autocomplete("correct", "message_id", "LOVELY")
    assert suggested["value"] == prediction["id"]
    assert suggested["name"].startswith(f"{prediction['id']}: “what a lovely film” → ")

    click = await fake.click(prediction, "trainer:correct")
    menu = await fake.wait_for_reply(where=from_interaction(click))
    assert menu["flags"] & EPHEMERAL and "what a lovely film" in menu["content"]
    [select] = fake.components(menu)
    assert select["type"] == 3 and {o["value"] for o in select["options"]} == {
        "positive",
        "negative",
    }
    picked = await fake.click(menu, select["custom_id"], values=["negative"])
    await fake.wait_for(lambda: fake.interactions[picked]["responses"] == [7], 10, "update")
    thanks = fake.find_message(menu["id"])
    assert thanks is not None and "Thanks" in thanks["content"] and thanks["components"] == []
    fixes = bot.assistant.store.corrections(str(fake.guild_id), "prediction")
    assert [(c.original, c.correction, c.message_id) for c in fixes] == [
        ("what a lovely film", "negative", prediction["id"])
    ]

    # several predictions: first which one, then its label
    asked = await fake.send_message('!test ["a dull film", "a fine film"]')
    prediction = await fake.wait_for_reply(after=asked["id"])
    # the buttons of messages sent before a restart keep working
    await bot.close()
    after_restart = DiscordApp(bot.config, fake.token, guild_ready_timeout=0.1)
    await after_restart.start()
    bot.__dict__.update(after_restart.__dict__)  # the fixture closes the restarted bot
    await after_restart.wait_ready(20)
    click = await fake.click(prediction, "trainer:correct", author=fake.bob)
    menu = await fake.wait_for_reply(where=from_interaction(click))
    [items] = fake.components(menu)
    assert [o["value"] for o in items["options"]] == ["1", "2"]
    picked = await fake.click(menu, items["custom_id"], values=["2"], author=fake.bob)
    await fake.wait_for(lambda: fake.interactions[picked]["responses"] == [7], 10, "update")
    [labels] = fake.components(fake.find_message(menu["id"]) or {})
    assert "a fine film" in (fake.find_message(menu["id"]) or {})["content"]
    await fake.click(menu, labels["custom_id"], values=["positive"], author=fake.bob)
    await fake.wait_for(
        lambda: len(bot.assistant.store.corrections(str(fake.guild_id), "prediction")) == 2,
        10,
        "second correction",
    )
    last = bot.assistant.store.corrections(str(fake.guild_id), "prediction")[-1]
    assert (last.original, last.correction, last.author_name) == ("a fine film", "positive", "bob")


async def test_destructive_commands_ask_to_confirm(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!create_dataset nothing_yet")
    await fake.wait_for_reply(after=sent["id"])
    # nothing to undo or roll back: the answer comes at once, with nothing to confirm
    for typed, words in [("!undo", "nothing to undo"), ("!rollback", "no model")]:
        sent = await fake.send_message(typed)
        answer = await fake.wait_for_reply(after=sent["id"])
        assert is_error(answer) and words in error_text(answer), answer
        assert answer["components"] == []
    interaction = await fake.interaction("undo")
    answer = await fake.wait_for_reply(where=from_interaction(interaction))
    assert is_error(answer) and fake.components(answer) == []

    await train_and_wait(fake)
    store, guild = bot.assistant.store, str(fake.guild_id)
    dataset = store.active_dataset(guild)
    before = store.count_examples(dataset)

    # no role: refused at once, no question asked
    sent = await fake.send_message("!remove 1", author=fake.bob)
    refused = await fake.wait_for_reply(after=sent["id"])
    assert is_error(refused) and refused["components"] == []

    interaction = await fake.interaction("remove", {"example": "1"})
    question = await fake.wait_for_reply(where=from_interaction(interaction))
    assert "Delete example `1`" in question["content"]
    confirm, decline = (c["custom_id"] for c in fake.components(question))
    click = await fake.click(question, confirm, author=fake.bob)
    not_yours = await fake.wait_for_reply(where=from_interaction(click))
    assert not_yours["flags"] & EPHEMERAL and "Only the member" in error_text(not_yours)
    await fake.click(question, decline)
    await fake.wait_for(
        lambda: "nothing was changed" in (fake.find_message(question["id"]) or {})["content"],
        10,
        "declined",
    )
    assert store.count_examples(dataset) == before

    sent = await fake.send_message("!remove 1")
    question = await fake.wait_for_reply(after=sent["id"])
    confirm = fake.components(question)[0]["custom_id"]
    await fake.click(question, confirm)
    await fake.wait_for(
        lambda: "Removed example #1" in (fake.find_message(question["id"]) or {})["content"],
        10,
        "removed",
    )
    assert store.count_examples(dataset) == before - 1
    assert (fake.find_message(question["id"]) or {})["components"] == []


async def test_instruction_is_paged_embeds_that_fit(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.interaction("instruction")
    first = await fake.wait_for_reply(where=from_interaction(interaction))
    assert first["content"] == "" and len(first["embeds"]) == 1
    embed = first["embeds"][0]
    pages = int(embed["footer"]["text"].rsplit(" ", 1)[1])
    assert pages >= 2 and embed["footer"]["text"] == f"Page 1 of {pages}"
    prev, nxt = fake.components(first)
    assert prev["disabled"] and not nxt.get("disabled")
    seen = [embed["description"]]
    for number in range(2, pages + 1):
        nxt = fake.components(fake.find_message(first["id"]) or {})[1]
        click = await fake.click(first, nxt["custom_id"])
        await fake.wait_for(lambda c=click: fake.interactions[c]["responses"] == [7], 10, "page")
        shown = (fake.find_message(first["id"]) or {})["embeds"][0]
        assert shown["footer"]["text"] == f"Page {number} of {pages}"
        seen.append(shown["description"])
    assert fake.components(fake.find_message(first["id"]) or {})[1]["disabled"]
    guide = "\n".join(seen)
    # the command table, too wide for a code block, is a line per command
    assert "|---" not in guide and "| `" not in guide
    assert "`!getfile [path]` — Send a file from the data folder." in guide
    assert fake.refused == []

    # as after a restart: the pages are made again from the recorded reply
    bot.bot.delivery.pages = type(bot.bot.delivery.pages)()
    prev = fake.components(fake.find_message(first["id"]) or {})[0]
    click = await fake.click(first, prev["custom_id"])
    await fake.wait_for(lambda: fake.interactions[click]["responses"] == [7], 10, "page back")
    shown = (fake.find_message(first["id"]) or {})["embeds"][0]
    assert shown["description"] == seen[-2]


async def test_slow_command_is_acknowledged_in_time_and_followed_up(
    fake: FakeDiscord, bot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(app: Any, request: Any, options: dict[str, Any]) -> Reply:
        await asyncio.sleep(ACK_DEADLINE_S + 0.5)
        return Reply(text="Finished the slow work.")

    spec = Command(name="slowpoke", summary="Takes longer than Discord's 3 s.", handler=slow)
    monkeypatch.setitem(bot.assistant.commands._commands, spec.name, spec)
    cog = bot.bot.commands_cog
    bot.bot.add_command(cog.native(build_command(spec, cog.run), spec))
    await bot.bot.tree.sync()
    interaction = await fake.interaction("slowpoke")
    reply = await fake.wait_for_reply(where=from_interaction(interaction), timeout=15)
    assert reply["content"] == "Finished the slow work."
    record = fake.interactions[interaction]
    assert record["responses"] == [5] and record["acknowledged_after"] < ACK_DEADLINE_S


async def test_components_speak_the_guild_language(fake: FakeDiscord, bot: Any) -> None:
    await train_and_wait(fake)  # so that `undo` has something to ask about
    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    interaction = await fake.interaction("instruction")
    first = await fake.wait_for_reply(where=from_interaction(interaction))
    [embed] = first["embeds"]  # the Russian guide's first page, paged in Russian
    assert embed["title"] and "Trainer" in embed["description"]
    assert [c["label"] for c in fake.components(first)] == ["◀ Назад", "Вперёд ▶"]
    interaction = await fake.interaction("undo")
    question = await fake.wait_for_reply(where=from_interaction(interaction))
    assert question["content"].startswith("Отменить последний")
    assert [c["label"] for c in fake.components(question)] == ["Подтвердить", "Отмена"]
    click = await fake.click(question, fake.components(question)[0]["custom_id"], author=fake.bob)
    refusal = await fake.wait_for_reply(where=from_interaction(click))
    assert refusal["embeds"][0]["title"] == "Не получилось"
    assert error_text(refusal).startswith("Подтвердить или отменить команду может только")


async def test_a_suggested_command_runs_from_its_button(fake: FakeDiscord, bot: Any) -> None:
    """ "Did you mean `status`?" carries Run status; a click runs it as the clicking member, who
    may be someone else. A command that needs arguments (`getfile`) gets no button."""
    sent = await fake.send_message("!any idea where the training job stands")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "Did you mean `status`?" in error_text(reply), reply
    [button] = fake.components(reply)
    assert (button["custom_id"], button["label"]) == ("trainer:run:status", "Run status")
    click = await fake.click(reply, button["custom_id"], author=fake.bob)
    ran = await fake.wait_for_reply(where=from_interaction(click))
    assert not is_error(ran) and "Status" in ran["content"], ran
    assert fake.interactions[click]["acknowledged_after"] < ACK_DEADLINE_S

    sent = await fake.send_message("!share report.txt with me please")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Did you mean `getfile`?" in error_text(reply) and not fake.components(reply), reply

    sent = await fake.send_message("!language ru")  # named as a Russian server calls it
    await fake.wait_for_reply(after=sent["id"])
    sent = await fake.send_message("!что там с обучением модели")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Может быть, `состояние`?" in error_text(reply), reply
    [button] = fake.components(reply)
    assert (button["custom_id"], button["label"]) == ("trainer:run:status", "Выполнить состояние")


async def test_russian_file_and_folder_words_autocomplete_on_a_russian_server(
    fake: FakeDiscord, bot: Any
) -> None:
    """`/train data:` suggested names after `file:` and `folder:` only: on a Russian server,
    where `файл:` and `папка:` name them too, typing one suggested nothing."""
    root = bot.assistant.root.root
    (root / "reviews" / "positive").mkdir(parents=True)
    (root / "notes.txt").write_text("hello")
    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    assert names(await fake.autocomplete("train", "data", "папка:rev")) == [
        "папка:reviews",
        "папка:reviews/positive",
    ]
    assert names(await fake.autocomplete("train", "data", "Файл:no")) == ["Файл:notes.txt"]
    assert names(await fake.autocomplete("train", "data", "file:no")) == ["file:notes.txt"]
    assert await fake.autocomplete("train", "data", "отличный фильм") == []
