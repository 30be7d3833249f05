"""A job started in a private thread while the bot is in a voice channel: its result is for the
thread's members alone, so the voice channel, whose members may not be in the thread, does not
hear it; the text side gives it as without voice (in the thread, or by direct message). A job
started in the public channel is still announced aloud. Real discord.py against the fake, with
the real speech output: `said` is what the bot spoke in the voice channel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_private_threads import (
    direct_messages,
    no_result_in,
    public_view,
    removed_while_training,
    with_the_bot,
)
from tests.test_discord_text import no_traceback
from tests.test_discord_threads import ask, big_folder, replying_to
from tests.test_discord_voice import join, said, say_and_wait

pytest.importorskip("audio.tts.factory", reason="speech output has not landed yet")

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def public_job_said(fake: FakeDiscord, bot: Any) -> list[str]:
    """A job on a new dataset, `shared`, started in the public channel; once its end has been
    said aloud (a job that ended before it would have been said first), all the bot has said
    in the voice channel."""
    made = await fake.send_message("!create_dataset shared")
    await fake.wait_for_reply(after=made["id"], where=replying_to(made))
    big_folder(bot, "public", 2_000)
    started = await fake.send_message("!train folder:public")
    posted = await fake.wait_for_reply(
        after=started["id"], where=lambda m: "finished" in m["content"], timeout=60
    )
    assert posted["channel_id"] == str(fake.text_channel_id), posted
    await fake.wait_for(
        lambda: any("shared" in line for line in said(bot, fake)), 60, "the public job said"
    )
    return said(bot, fake)


async def test_a_private_threads_job_is_not_said_in_the_voice_channel(
    fake: FakeDiscord, bot: Any
) -> None:
    """Alice trains in a private thread while the bot is in the voice channel: the result is
    posted in the thread, and nothing of it is said aloud; a job from the public channel after
    it is announced aloud as before."""
    await join(fake)
    thread = await with_the_bot(fake, bot, "private job")
    big_folder(bot, rows=2_000)
    started = await ask(fake, thread, "!train folder:big")
    result = await fake.wait_for_reply(
        after=started["id"], where=lambda m: "finished" in m["content"], timeout=60
    )
    assert result["channel_id"] == str(thread.id), result
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    no_result_in(public_view(fake, started["id"]), job)
    spoken = await public_job_said(fake, bot)
    assert [line for line in spoken if "shared" not in line] == [], spoken  # nothing private
    assert len(spoken) == 1 and spoken[0].startswith("Training on shared finished. Accuracy")
    no_traceback(fake)


async def test_removed_from_a_private_thread_while_in_voice(fake: FakeDiscord, bot: Any) -> None:
    """Removed from the private thread while its job runs, the bot in the voice channel: the
    result goes to the member who started the job by direct message, the channel gets only the
    note, and the voice channel hears nothing of it."""
    await join(fake)
    thread = await with_the_bot(fake, bot, "secret plans")
    started, note = await removed_while_training(fake, bot, thread, "!train folder:big")
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    assert note["content"].startswith(f"<@{fake.alice.id}> Training job #{job.id}"), note
    assert "sent you the result in a direct message" in note["content"], note
    [dm] = direct_messages(fake)
    assert f"Training job #{job.id} finished" in dm["content"] and "accuracy" in dm["content"]
    shown = public_view(fake, started["id"])
    assert "secret plans" not in shown, shown
    no_result_in(shown, bot.assistant.store.job(job.id))
    spoken = await public_job_said(fake, bot)
    assert len(spoken) == 1 and spoken[0].startswith("Training on shared finished."), spoken
    no_traceback(fake)


async def test_joined_from_a_private_thread_a_spoken_job_is_said(
    fake: FakeDiscord, bot: Any
) -> None:
    """`join` typed in a private thread: the voice session posts there. A job typed in the
    thread is not said aloud; one asked for aloud is, as everyone in the voice channel heard
    it asked."""
    thread = await with_the_bot(fake, bot, "voice from here")
    await join(fake, channel_id=thread.id)
    big_folder(bot, rows=2_000)
    typed = await ask(fake, thread, "!train folder:big")
    result = await fake.wait_for_reply(
        after=typed["id"], where=lambda m: "finished" in m["content"], timeout=60
    )
    assert result["channel_id"] == str(thread.id), result
    spoken = await public_job_said(fake, bot)
    assert len(spoken) == 1 and "shared" in spoken[0], spoken  # nothing of the typed job
    # not spoken over an announcement: speaking over the bot would cut it off, unheard
    await say_and_wait(bot, fake, "hey trainer, train the model")
    await fake.wait_for(lambda: len(said(bot, fake)) >= 3, 60, "the spoken job's end")
    spoken = said(bot, fake)
    assert spoken[1].startswith("Training started on shared"), spoken
    assert spoken[2].startswith("Training on shared finished. Accuracy"), spoken
    assert len(bot.assistant.store.jobs(str(fake.guild_id))) == 3
    no_traceback(fake)


async def test_removed_from_the_private_thread_it_joined_from(fake: FakeDiscord, bot: Any) -> None:
    """`join` typed in a private thread, then the bot removed from it: a spoken command is
    still answered aloud, and its transcript and answer, which the thread no longer takes, go
    nowhere else. They were posted to the channel as a note that a "Training job #?" from a
    private thread had finished."""
    thread = await with_the_bot(fake, bot, "voice from here")
    await join(fake, channel_id=thread.id)
    await fake.remove_from_thread(thread, fake.bot)
    before = len(said(bot, fake))
    await say_and_wait(bot, fake)
    assert len(said(bot, fake)) > before  # answered aloud
    assert fake.sent_messages(fake.text_channel_id) == []
    assert direct_messages(fake) == []
    no_traceback(fake)
