"""The bot in threads and forum posts, through real discord.py against the fake's threads
(tests/fakediscord/threads.py): typed and slash commands answered in the thread, a job's
progress and result there, and a thread archived, locked or deleted while its job runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.corpus import write_folder_dataset
from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.threads import FakeThread
from tests.test_discord_components import as_csv, from_interaction, random_rows
from tests.test_discord_text import csv_examples, error_text, is_error, no_traceback

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def replying_to(message: dict[str, Any]) -> Any:
    return lambda m: (m.get("message_reference") or {}).get("message_id") == message["id"]


async def ask(fake: FakeDiscord, thread: FakeThread, line: str, **kw: Any) -> dict[str, Any]:
    sent = await fake.send_message(line, channel_id=thread.id, **kw)
    return await fake.wait_for_reply(after=sent["id"], where=replying_to(sent), timeout=30)


async def test_typed_commands_are_answered_in_the_thread(fake: FakeDiscord, bot: Any) -> None:
    parent = await fake.send_message("let's train something")
    thread = await fake.start_thread("training", message=parent)
    assert thread.id == int(parent["id"])
    helped = await ask(fake, thread, "!help")
    # the command list is long enough to be sent as pages (an embed with buttons)
    shown = helped["content"] + "".join(e.get("description", "") for e in helped["embeds"])
    assert helped["channel_id"] == str(thread.id) and "train" in shown, helped
    status = await ask(fake, thread, "!status")
    assert status["channel_id"] == str(thread.id) and "Status" in status["content"], status
    assert bot.bot.user.id in thread.members  # Discord added it when it posted there
    no_traceback(fake)


async def test_train_in_a_thread_shows_progress_and_result_there(
    fake: FakeDiscord, bot: Any
) -> None:
    write_folder_dataset(bot.assistant.root.root, name="movie_reviews", per_label=40)
    thread = await fake.start_thread("reviews")
    started = await ask(fake, thread, "!train movie_reviews")
    assert "Training started" in started["content"], started
    result = await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)
    assert result["channel_id"] == str(thread.id), result
    assert "finished" in result["content"].lower(), result
    edited = fake.find_message(started["id"])
    assert edited is not None and edited.get("edits", 0) >= 1 and "100%" in edited["content"]
    assert fake.sent_messages(fake.text_channel_id) == []  # nothing leaked to the parent
    no_traceback(fake)


def big_folder(bot: Any, name: str = "big", rows: int = 20_000) -> None:
    """A folder of the data root read at training time: the job starts at once and runs for
    seconds (tests/test_discord_components.py's way)."""
    folder = bot.assistant.root.root / name
    folder.mkdir()
    (folder / "examples.csv").write_bytes(as_csv(random_rows(rows)))


async def started_job(
    fake: FakeDiscord, bot: Any, thread: FakeThread, name: str = "big", rows: int = 20_000
) -> tuple[dict[str, Any], int]:
    big_folder(bot, name, rows)
    started = await ask(fake, thread, f"!train folder:{name}")
    assert "Training started" in started["content"], started
    job = bot.assistant.store.jobs(str(fake.guild_id))[0]
    assert job.active, job
    return started, job.id


async def test_a_thread_archived_while_its_job_runs_gets_the_result(
    fake: FakeDiscord, bot: Any
) -> None:
    """A thread left alone archives itself (after an hour at least; long jobs outlive that).
    discord.py then forgets it, and the job's result was announced nowhere: the bot found no
    channel and said nothing. Posting there opens the thread again, as Discord does; then the
    progress message can show the end (it kept a stale bar and its Cancel button), and the
    edits Discord refused meanwhile stop at the first (one per interval, for hours)."""
    thread = await fake.start_thread("long job", auto_archive_duration=60)
    fake.answer_delay["PATCH"] = 6.0  # edits overlap: each waits for the one before
    started, job_id = await started_job(fake, bot, thread)
    await fake.archive_thread(thread)
    assert bot.assistant.store.job(job_id).active  # archived while the job ran
    result = await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=120)
    assert result["channel_id"] == str(thread.id), result
    assert f"Training job #{job_id} finished" in result["content"], result
    assert not thread.archived  # the bot's post opened it again
    assert fake.sent_messages(fake.text_channel_id) == []
    refused = [route for route, code in fake.api_errors if route.startswith("PATCH")]
    assert len(refused) <= 1, fake.api_errors
    progress = fake.find_message(started["id"]) or {}
    await fake.wait_for(lambda: "100%" in progress["content"], 10, "the progress message's end")
    assert fake.components(progress) == [], progress  # no Cancel button on a finished job
    no_traceback(fake)


async def test_a_thread_locked_while_its_job_runs_sends_the_result_to_its_channel(
    fake: FakeDiscord, bot: Any
) -> None:
    """A moderator closes (archives and locks) the thread while the job runs: Discord refuses
    the bot's edits and posts there (50083). The result was lost from the chat; it goes to the
    thread's channel, naming the thread, pinging the member who started the job."""
    thread = await fake.start_thread("long job")
    started, job_id = await started_job(fake, bot, thread)
    await fake.archive_thread(thread, locked=True, by=fake.bob)
    result = await fake.wait_for_reply(
        after=started["id"], channel_id=fake.text_channel_id, timeout=120
    )
    assert f"Training job #{job_id} finished" in result["content"], result
    assert "The thread **long job** is closed now" in result["content"], result
    assert [u["id"] for u in result["mentions"]] == [str(fake.alice.id)]
    assert bot.assistant.store.job(job_id).status == "succeeded"
    assert thread.archived and thread.locked
    status = await fake.send_message("!status")
    shown = await fake.wait_for_reply(after=status["id"])
    assert f"#{job_id}" in shown["content"], shown
    no_traceback(fake)


async def test_a_thread_deleted_while_its_job_runs_sends_the_result_to_its_channel(
    fake: FakeDiscord, bot: Any
) -> None:
    thread = await fake.start_thread("long job")
    started, job_id = await started_job(fake, bot, thread)
    await fake.delete_thread(thread)
    result = await fake.wait_for_reply(
        after=started["id"], channel_id=fake.text_channel_id, timeout=120
    )
    assert f"Training job #{job_id} finished" in result["content"], result
    assert "**long job**" in result["content"], result
    hello = await fake.send_message("!hi")
    assert "Hello, alice" in (await fake.wait_for_reply(after=hello["id"]))["content"]
    no_traceback(fake)


async def test_join_typed_in_a_thread_answers_there_and_outlives_its_archiving(
    fake: FakeDiscord, bot: Any
) -> None:
    """`!join` typed in a thread joins the member's voice channel; the answer and the
    listening notice go to the thread, as everything the session posts. A job started there
    while in voice is announced by the voice session, which lost it once the thread had archived
    itself: the session's text side looked the thread up in discord.py's cache only."""
    fake.voice.dave = None  # the call's encryption is not what this is about
    thread = await fake.start_thread("voice")
    await fake.set_voice_channel(fake.alice, fake.voice_channel_id)
    joined = await ask(fake, thread, "!join")
    assert joined["channel_id"] == str(thread.id) and "Joining" in joined["content"], joined
    await fake.voice.wait_ready(fake.guild_id, timeout=60)
    notice = await fake.wait_for_reply(
        after=joined["id"], where=lambda m: "listening" in m["content"], timeout=30
    )
    assert notice["channel_id"] == str(thread.id), notice
    assert bot.bot.voice_cog.guilds[fake.guild_id].channel_id == fake.voice_channel_id
    started, job_id = await started_job(fake, bot, thread)
    await fake.archive_thread(thread)
    result = await fake.wait_for_reply(
        after=started["id"], where=lambda m: "finished" in m["content"], timeout=120
    )
    assert result["channel_id"] == str(thread.id), result
    assert f"Training job #{job_id} finished" in result["content"], result
    assert fake.sent_messages(fake.text_channel_id) == []
    # closed by a moderator: what the session posts goes to the channel, saying why
    started, job_id = await started_job(fake, bot, thread, "bigger", 20_001)
    await fake.archive_thread(thread, locked=True, by=fake.bob)
    moved = await fake.wait_for_reply(
        after=started["id"], channel_id=fake.text_channel_id, timeout=120
    )
    assert "The thread **voice** is closed now" in moved["content"], moved
    assert f"Training job #{job_id} finished" in moved["content"], moved
    no_traceback(fake)


async def test_slash_train_in_a_thread_is_answered_and_followed_there(
    fake: FakeDiscord, bot: Any
) -> None:
    """`/train` invoked in a thread: the interaction's channel is the thread (its payload a
    type 11 channel with its parent), and the answer, the progress and the result are there."""
    thread = await fake.start_thread("slash")
    interaction = await fake.interaction(
        "train", {"file": ("more.csv", csv_examples(6))}, channel_id=thread.id
    )
    sent = fake.interactions[interaction]["payload"]["channel"]
    assert (sent["type"], sent["parent_id"]) == (11, str(fake.text_channel_id))
    reply = await fake.wait_for_reply(where=from_interaction(interaction), timeout=30)
    assert reply["channel_id"] == str(thread.id) and "Added 12 examples" in reply["content"]
    result = await fake.wait_for_reply(after=reply["id"], where=replying_to(reply), timeout=60)
    assert result["channel_id"] == str(thread.id) and "finished" in result["content"], result
    edited = fake.find_message(reply["id"])
    assert edited is not None and "100%" in edited["content"]
    no_traceback(fake)


async def test_test_correct_getfile_and_cancel_in_a_thread(fake: FakeDiscord, bot: Any) -> None:
    thread = await fake.start_thread("work")
    trained = await ask(fake, thread, "!train", attachments=[("r.csv", csv_examples(), "text/csv")])
    await fake.wait_for_reply(after=trained["id"], where=replying_to(trained), timeout=60)
    predicted = await ask(fake, thread, '!test ["what a lovely film"]')
    assert predicted["channel_id"] == str(thread.id) and not is_error(predicted), predicted
    thanks = await ask(fake, thread, "!correct negative", reply_to=predicted["id"])
    assert "Thanks" in thanks["content"], thanks
    fixes = bot.assistant.store.corrections(str(fake.guild_id), "prediction")
    assert [(c.correction, c.message_id) for c in fixes] == [("negative", predicted["id"])]

    folder = bot.assistant.config.data_root / "notes"
    folder.mkdir(parents=True)
    (folder / "hello.txt").write_bytes(b"hello from the data folder\n")
    sent_file = await ask(fake, thread, "!getfile notes/hello.txt")
    assert sent_file["channel_id"] == str(thread.id)
    assert [a["filename"] for a in sent_file["attachments"]] == ["hello.txt"]
    assert fake.attachment_data(sent_file["attachments"][0]) == b"hello from the data folder\n"

    big_folder(bot)
    started = await ask(fake, thread, "!train folder:big")
    [job, _] = bot.assistant.store.jobs(str(fake.guild_id))
    cancelled = await ask(fake, thread, "!cancel")
    assert cancelled["content"] == f"Cancelled training job #{job.id} on **default**.", cancelled
    await fake.wait_for(
        lambda: "cancelled" in (fake.find_message(started["id"]) or {})["content"], 30, "edit"
    )
    assert fake.sent_messages(fake.text_channel_id) == []
    no_traceback(fake)


async def test_roles_apply_in_a_thread_as_in_its_channel(fake: FakeDiscord, bot: Any) -> None:
    thread = await fake.start_thread("roles", author=fake.bob)
    refused = await ask(fake, thread, "!train a great film", author=fake.bob)
    assert is_error(refused) and "`trainer`" in error_text(refused), refused
    interaction = await fake.interaction(
        "getfile", {"path": "x.txt"}, author=fake.bob, channel_id=thread.id
    )
    slash = await fake.wait_for_reply(where=from_interaction(interaction))
    assert is_error(slash) and slash["channel_id"] == str(thread.id), slash
    assert bot.assistant.store.jobs(str(fake.guild_id)) == []
    allowed = await ask(fake, thread, '!train "a great film"')
    assert "Added 1 example" in allowed["content"], allowed


async def test_send_messages_in_threads_decides_where_commands_run(
    fake: FakeDiscord, bot: Any
) -> None:
    """In a thread Discord asks for Send Messages in Threads, not Send Messages: a server
    that keeps the channel read-only for the bot but lets it talk in threads gets answers in
    threads; one that denies threads gets none there (the command is not run unseen)."""
    from tests.fakediscord.rest import SEND_MESSAGES
    from tests.fakediscord.threads import SEND_MESSAGES_IN_THREADS

    thread = await fake.start_thread("permissions")
    await fake.deny_bot(SEND_MESSAGES)
    answered = await ask(fake, thread, "!hi")
    assert "Hello, alice" in answered["content"], answered
    await fake.deny_bot(SEND_MESSAGES_IN_THREADS)
    silent = await fake.send_message('!train "not stored"', channel_id=thread.id)
    elsewhere = await fake.send_message("!hi")  # the channel is open to it again
    await fake.wait_for_reply(after=elsewhere["id"], where=replying_to(elsewhere))
    assert not [m for m in fake.thread_messages(thread) if int(m["id"]) > int(silent["id"])]
    assert bot.assistant.store.active_dataset(str(fake.guild_id)) is None  # nothing stored


async def test_a_forum_post_is_answered_in_the_post(fake: FakeDiscord, bot: Any) -> None:
    post, first = await fake.start_forum_post("How do I train?", "!help train")
    helped = await fake.wait_for_reply(after=int(first["id"]) - 1, where=replying_to(first))
    assert helped["channel_id"] == str(post.id) and "train" in helped["content"], helped
    status = await ask(fake, post, "!status")
    assert status["channel_id"] == str(post.id) and "Status" in status["content"], status
    no_traceback(fake)


async def test_threads_outlive_a_restart_and_open_again_when_posted_in(
    fake: FakeDiscord, bot: Any
) -> None:
    """After a restart discord.py learns the active threads from GUILD_CREATE; an archived one
    a member posts in is opened again (THREAD_UPDATE) and answered."""
    from transports.discord.run import DiscordApp

    thread = await fake.start_thread("kept")
    await ask(fake, thread, "!hi")
    await bot.close()
    restarted = DiscordApp(bot.config, fake.token, guild_ready_timeout=0.1)
    await restarted.start()
    bot.__dict__.update(restarted.__dict__)  # the fixture closes the restarted bot
    await restarted.wait_ready(20)
    known = restarted.bot.get_channel(thread.id)
    assert known is not None and known.parent_id == fake.text_channel_id
    await fake.archive_thread(thread)
    answered = await ask(fake, thread, "!status")
    assert answered["channel_id"] == str(thread.id) and not thread.archived, answered


async def test_the_fake_starts_threads_as_discord_does_for_discord_py(
    fake: FakeDiscord, bot: Any
) -> None:
    """The fake's own routes, called by real discord.py: a thread from a message (the same id,
    the message marked), one without a message, and the refusals Discord gives."""
    import discord

    text = bot.bot.get_channel(fake.text_channel_id)
    posted = await text.send("a message to discuss")
    from_message = await posted.create_thread(name="about it", auto_archive_duration=60)
    assert from_message.id == posted.id and from_message.parent_id == text.id
    assert (fake.find_message(posted.id) or {})["flags"] & 32  # HAS_THREAD
    standalone = await text.create_thread(name="alone", type=discord.ChannelType.public_thread)
    assert fake.threads[standalone.id].parent_id == text.id
    await fake.wait_for(lambda: bot.bot.get_channel(standalone.id), 10, "THREAD_CREATE")
    said = await standalone.send("hello")
    assert (
        said.channel.id == standalone.id and bot.bot.user.id in fake.threads[standalone.id].members
    )
    with pytest.raises(discord.HTTPException) as again:
        await posted.create_thread(name="again")
    assert again.value.code == 160004  # one thread per message
    await fake.archive_thread(fake.threads[standalone.id], locked=True)
    with pytest.raises(discord.HTTPException) as archived:
        await said.edit(content="changed")
    assert archived.value.code == 50083
    await fake.delete_thread(fake.threads[from_message.id])
    with pytest.raises(discord.NotFound) as gone:
        await from_message.send("anyone?")
    assert gone.value.code == 10003
