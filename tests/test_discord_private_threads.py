"""The bot in private threads (type 12), through real discord.py against the fake
(tests/fakediscord/private_threads.py): only members see one, so the bot hears nothing there
until a member adds it (or mentions it); in one it is in, typed and slash commands and a job's
progress and result stay there; removed from it while a job runs, the result goes to the
member who started the job by direct message, and the thread's channel (whose other members
cannot see the thread) is told only that a job from a private thread finished and where its
result is, pinging that member: none of the result (model, accuracy, dataset) is shown there."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.threads import FakeThread
from tests.test_discord_components import from_interaction
from tests.test_discord_text import csv_examples, no_traceback
from tests.test_discord_threads import ask, big_folder, replying_to

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def public_view(fake: FakeDiscord, after: str) -> str:
    """All that the bot posted in the text channel after message `after`: what its members
    who are not in the private thread see (text, embeds, files)."""
    return "\n".join(
        f"{m['content']} {m.get('embeds')} {m.get('attachments')}"
        for m in fake.sent_messages(fake.text_channel_id)
        if int(m["id"]) > int(after)
    )


def no_result_in(shown: str, job: Any) -> None:
    """None of the finished job's result is in `shown`: no model, accuracy, F1 or dataset."""
    assert job.status == "succeeded" and job.model_version, job
    for secret in (job.model_version, f"**{job.dataset}**", "%", "accuracy", "F1", "доля"):
        assert secret not in shown, (secret, shown)


def direct_messages(fake: FakeDiscord) -> list[dict[str, Any]]:
    return fake.sent_messages(fake.dm_channel(fake.alice))


async def with_the_bot(fake: FakeDiscord, bot: Any, name: str) -> FakeThread:
    """A private thread alice started and added the bot to, once discord.py knows it."""
    thread = await fake.start_private_thread(name)
    await fake.add_to_thread(thread, fake.bot)
    await fake.wait_for(lambda: bot.bot.get_channel(thread.id), 10, "THREAD_CREATE")
    return thread


async def removed_while_training(
    fake: FakeDiscord, bot: Any, thread: FakeThread, command: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`command` starts a job of seconds in the thread, alice removes the bot from the thread
    while it runs: the job's message, and the bot's next message in the channel."""
    big_folder(bot)
    started = await ask(fake, thread, command)
    assert bot.assistant.store.jobs(str(fake.guild_id))[0].active
    await fake.remove_from_thread(thread, fake.bot)
    moved = await fake.wait_for_reply(
        after=started["id"], channel_id=fake.text_channel_id, timeout=120
    )
    return started, moved


async def test_commands_in_a_private_thread_the_bot_was_added_to(
    fake: FakeDiscord, bot: Any
) -> None:
    """Not in the thread, the bot is told nothing of it (a command typed there is not run);
    added by a member, it answers typed and slash commands there, not the "added" notice."""
    thread = await fake.start_private_thread("planning")
    unheard = await fake.send_message('!train "not stored"', channel_id=thread.id)
    elsewhere = await fake.send_message("!hi")
    await fake.wait_for_reply(after=elsewhere["id"], where=replying_to(elsewhere))
    assert bot.bot.get_channel(thread.id) is None  # Discord told it nothing of the thread
    assert [m["id"] for m in fake.thread_messages(thread)] == [unheard["id"]]
    assert bot.assistant.store.active_dataset(str(fake.guild_id)) is None

    await fake.add_to_thread(thread, fake.bot)
    known = await fake.wait_for(lambda: bot.bot.get_channel(thread.id), 10, "THREAD_CREATE")
    assert known.type.value == 12 and known.parent_id == fake.text_channel_id
    hello = await ask(fake, thread, "!hi")
    assert hello["channel_id"] == str(thread.id) and "Hello, alice" in hello["content"], hello
    added = await ask(fake, thread, '!train "a great film"')
    assert "Added 1 example" in added["content"], added
    interaction = await fake.interaction("status", {}, channel_id=thread.id)
    sent = fake.interactions[interaction]["payload"]["channel"]
    assert (sent["type"], sent["parent_id"]) == (12, str(fake.text_channel_id))
    status = await fake.wait_for_reply(where=from_interaction(interaction))
    assert status["channel_id"] == str(thread.id) and "Status" in status["content"], status
    # the "alice added Trainer" notice (type 1, mentioning the bot) is no call: not answered
    [notice] = [m for m in fake.thread_messages(thread) if m["type"] == 1]
    assert notice["mentions"] == [fake.bot.user()], notice
    assert fake.sent_messages(thread.id)[0]["id"] == hello["id"]
    no_traceback(fake)


async def test_a_mention_adds_the_bot_to_a_private_thread(fake: FakeDiscord, bot: Any) -> None:
    """Discord adds a member a message mentions to the private thread: the bot then sees the
    thread and that message, and answers it there."""
    thread = await fake.start_private_thread("help me", author=fake.alice)
    called = await fake.send_message(f"<@{fake.bot.id}> help train", channel_id=thread.id)
    helped = await fake.wait_for_reply(after=called["id"], where=replying_to(called))
    assert helped["channel_id"] == str(thread.id) and "train" in helped["content"], helped
    assert fake.bot.id in thread.members
    no_traceback(fake)


async def test_slash_train_in_a_private_thread_the_bot_is_not_in(
    fake: FakeDiscord, bot: Any
) -> None:
    """A slash command is answered through its interaction, in a private thread the bot is not
    in as anywhere; the job's progress is edited there too. Its result, a message of its own,
    Discord would refuse there (the bot cannot see the thread): it was posted nowhere, the bot
    knowing the thread from the interaction only. It goes to the member by direct message, and
    the thread's channel is told only where it is."""
    thread = await fake.start_private_thread("no bot here")
    interaction = await fake.interaction(
        "train", {"file": ("more.csv", csv_examples(6))}, channel_id=thread.id
    )
    reply = await fake.wait_for_reply(where=from_interaction(interaction), timeout=30)
    assert reply["channel_id"] == str(thread.id) and "Added 12 examples" in reply["content"]
    note = await fake.wait_for_reply(after=reply["id"], channel_id=fake.text_channel_id, timeout=60)
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    assert note["content"] == (
        f"<@{fake.alice.id}> Training job #{job.id}, which you started in a private thread, "
        "has finished. I can't post in that thread any more, so I've sent you the result in a "
        "direct message."
    ), note
    assert [u["id"] for u in note["mentions"]] == [str(fake.alice.id)]
    no_result_in(public_view(fake, reply["id"]), job)
    [dm] = direct_messages(fake)
    assert dm["content"].startswith(
        "From **Fake Guild**: a training job you started in a private thread there has finished"
    ), dm
    assert f"Training job #{job.id} finished" in dm["content"] and "accuracy" in dm["content"]
    assert "no bot here" not in public_view(fake, reply["id"]) and fake.bot.id not in thread.members
    await fake.wait_for(
        lambda: "100%" in (fake.find_message(reply["id"]) or {})["content"], 10, "the end"
    )
    no_traceback(fake)


async def test_a_job_in_a_private_thread_reports_there(fake: FakeDiscord, bot: Any) -> None:
    thread = await with_the_bot(fake, bot, "private job")
    big_folder(bot, rows=2_000)
    started = await ask(fake, thread, "!train folder:big")
    assert "Training started" in started["content"], started
    result = await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    assert result["channel_id"] == str(thread.id), result
    assert "finished" in result["content"], result
    progress = fake.find_message(started["id"]) or {}
    await fake.wait_for(lambda: "100%" in progress["content"], 10, "the progress message's end")
    assert fake.sent_messages(fake.text_channel_id) == []
    no_traceback(fake)


async def test_removed_from_a_private_thread_while_its_job_runs(
    fake: FakeDiscord, bot: Any
) -> None:
    """A member removes the bot from the private thread while the job runs: Discord refuses
    every post and edit there now (403, 50001). The result goes to the member who started the
    job by direct message; the thread's channel, whose other members cannot see the thread,
    is told only that a job from a private thread finished, pinging that member, without the
    thread's name or the result; the progress edits stop at the first refusal."""
    thread = await with_the_bot(fake, bot, "secret plans")
    fake.answer_delay["PATCH"] = 6.0  # edits overlap: each waits for the one before
    started, result = await removed_while_training(fake, bot, thread, "!train folder:big")
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    assert result["content"].startswith(
        f"<@{fake.alice.id}> Training job #{job.id}, which you started in a private thread, "
        "has finished."
    ), result
    assert "sent you the result in a direct message" in result["content"], result
    assert [u["id"] for u in result["mentions"]] == [str(fake.alice.id)]
    shown = public_view(fake, started["id"])
    assert "secret plans" not in shown, shown
    no_result_in(shown, bot.assistant.store.job(job.id))
    [dm] = direct_messages(fake)
    assert f"Training job #{job.id} finished" in dm["content"] and "accuracy" in dm["content"]
    refused = [route for route, code in fake.api_errors if code == 50001]
    assert len([r for r in refused if r.startswith("PATCH")]) <= 1, fake.api_errors
    assert not [r for r in refused if r.startswith("POST")]  # it knew it was removed
    assert bot.assistant.store.job(job.id).status == "succeeded"
    # a command typed in the thread now reaches no one; one in the channel is answered
    await fake.send_message("!status", channel_id=thread.id)
    status = await fake.send_message("!status")
    shown = await fake.wait_for_reply(after=status["id"], where=replying_to(status))
    assert f"#{job.id}" in shown["content"], shown
    assert fake.sent_messages(thread.id)[-1]["id"] == started["id"]  # nothing more there
    no_traceback(fake)


async def test_removed_from_a_private_thread_and_added_again_in_russian(
    fake: FakeDiscord, bot: Any
) -> None:
    """The note and the direct message in Russian; added to the thread again, the bot posts a
    job's result there."""
    language = await fake.send_message("!язык ru")
    await fake.wait_for_reply(after=language["id"], where=replying_to(language))
    thread = await with_the_bot(fake, bot, "тайное")
    _, moved = await removed_while_training(fake, bot, thread, "!обучить folder:big")
    assert moved["content"].startswith(
        f"<@{fake.alice.id}> Задача обучения #1, которую вы запустили в закрытой ветке, завершена."
    ), moved
    assert "прислал вам результат в личные сообщения" in moved["content"], moved
    assert "тайное" not in moved["content"], moved
    no_result_in(public_view(fake, language["id"]), bot.assistant.store.job(1))
    [dm] = direct_messages(fake)
    assert dm["content"].startswith("С сервера **"), dm
    assert "Задача обучения #1 завершена" in dm["content"] and "доля верных" in dm["content"]

    await fake.add_to_thread(thread, fake.bot)
    big_folder(bot, "bigger", 20_001)
    again = await ask(fake, thread, "!обучить folder:bigger")
    assert again["channel_id"] == str(thread.id), again
    result = await fake.wait_for_reply(after=again["id"], where=replying_to(again), timeout=120)
    assert result["channel_id"] == str(thread.id) and "Задача обучения #2" in result["content"]
    assert fake.sent_messages(fake.text_channel_id)[-1]["id"] == moved["id"]
    no_traceback(fake)


async def test_a_private_threads_result_for_a_member_who_takes_no_direct_message(
    fake: FakeDiscord, bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Alice takes no direct message from the bot (Discord refuses it: 50007): the channel is
    told where she can see the result, `/status job:N` in the thread, whose answer only the
    thread's members see; that shows the model the job made. Nothing of it is in the channel."""
    caplog.set_level(logging.INFO, logger="transports.discord.delivery")
    fake.dms_closed.add(fake.alice.id)
    thread = await with_the_bot(fake, bot, "quiet")
    started, note = await removed_while_training(fake, bot, thread, "!train folder:big")
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    assert note["content"] == (
        f"<@{fake.alice.id}> Training job #{job.id}, which you started in a private thread, "
        "has finished. I can't post in that thread any more, nor send you a direct message: "
        f"to see the result, use `/status job:{job.id}` in that thread (only its members see "
        "the answer there)."
    ), note
    refused = (f"POST /channels/{fake.dm_channel(fake.alice)}/messages", 50007)
    assert direct_messages(fake) == [] and refused in fake.api_errors, fake.api_errors
    # closed direct messages are expected: logged, but not as an error
    unsent = [r for r in caplog.records if "could not send a reply" in r.getMessage()]
    assert unsent and all(r.levelno == logging.INFO for r in unsent), unsent
    no_result_in(public_view(fake, started["id"]), bot.assistant.store.job(job.id))

    interaction = await fake.interaction("status", {"job": job.id}, channel_id=thread.id)
    shown = await fake.wait_for_reply(where=from_interaction(interaction))
    model = bot.assistant.store.job(job.id).model_version
    assert shown["channel_id"] == str(thread.id), shown
    assert f"job #{job.id} on" in shown["content"] and f"model **{model}**" in shown["content"]
    assert "accuracy" in shown["content"], shown
    no_traceback(fake)
