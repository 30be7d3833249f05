"""An adversarial sweep of the Discord side: what a member, a moderator or Discord itself does
that the other tests do not, through real discord.py against the fake Discord. Each test says
what the member saw before its fix."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_components import EPHEMERAL, from_interaction, train_and_wait
from tests.test_discord_text import as_csv, error_text

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def test_confirm_clicked_twice_at_once_runs_once(fake: FakeDiscord, bot: Any) -> None:
    """The member double-clicks Confirm on `undo` (or clicks it on their phone and their
    laptop): both clicks reached the bot before the first removed the buttons, and `undo` ran
    twice. The second took back the train before the one asked about: 26 examples became 0."""
    await train_and_wait(fake)
    rows = [("what a lovely morning", "positive"), ("a dreadful film", "negative")]
    await train_and_wait(fake, ("more.csv", as_csv(rows), "text/csv"))
    store, guild = bot.assistant.store, str(fake.guild_id)
    dataset = store.active_dataset(guild)
    assert store.count_examples(dataset) == 26
    sent = await fake.send_message("!undo")
    question = await fake.wait_for_reply(after=sent["id"])
    confirm = fake.components(question)[0]["custom_id"]
    first = await fake.click(question, confirm)
    second = await fake.click(question, confirm)
    await fake.wait_for(
        lambda: "Removed the last addition" in (fake.find_message(question["id"]) or {})["content"],
        15,
        "the undo",
    )
    await asyncio.sleep(1)  # a second undo, were it running, has had time to finish
    assert store.count_examples(dataset) == 24
    answered = await fake.wait_for_reply(where=from_interaction(second))
    assert answered["flags"] & EPHEMERAL, answered
    assert "already" in error_text(answered), answered
    assert fake.interactions[first]["responses"], "the first click was answered"


async def test_without_embed_links_errors_and_long_replies_are_text(
    fake: FakeDiscord, bot: Any
) -> None:
    """Many servers give the bot Send Messages but not Embed Links. Discord then refuses a
    message of embeds alone (403) and drops the embeds of one with text: every refusal
    (a red embed) went unanswered, and a long reply (embed pages) showed nothing."""
    from tests.fakediscord.rest import EMBED_LINKS

    await fake.deny_bot(EMBED_LINKS)
    sent = await fake.send_message("!getfile ../../etc/passwd")
    refused = await fake.wait_for_reply(after=sent["id"], timeout=15)
    assert refused["embeds"] == [] and "Couldn't do that" in refused["content"], refused
    assert "etc/passwd" in refused["content"] and "Traceback" not in refused["content"]
    sent = await fake.send_message("!instruction")
    long = await fake.wait_for_reply(after=sent["id"], timeout=15)
    assert long["embeds"] == [] and len(long["content"]) > 500, long
    assert "Page 1 of" in long["content"], long["content"][-200:]
    nexts = [c for c in fake.components(long) if c["custom_id"].startswith("trainer:page:next")]
    click = await fake.click(long, nexts[0]["custom_id"])
    await fake.wait_for(lambda: fake.interactions[click]["responses"], 10, "the page turned")
    turned = fake.find_message(long["id"]) or {}
    assert "Page 2 of" in turned["content"] and turned["embeds"] == [], turned
    assert fake.api_errors == [] and fake.refused == []


async def test_a_slash_job_outliving_its_interaction_token_still_shows_its_end(
    fake: FakeDiscord, bot: Any
) -> None:
    """`/train` answers through the interaction, whose token Discord honours for 15 minutes;
    a longer job's progress edits then got 401 Invalid Webhook Token, one an interval for
    hours, and its message kept a stale bar and a Cancel button for a finished job."""
    from tests.test_discord_threads import big_folder

    big_folder(bot, "big", 20_000)
    interaction = await fake.interaction("train", {"data_dir": "big"})
    started = await fake.wait_for_reply(where=from_interaction(interaction))
    assert "Training started" in started["content"], started
    fake.token_lifetime_s = 0.0  # the job outlives its token (Discord's 15 minutes)
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    assert bot.assistant.store.job(job.id).active
    await fake.wait_for(lambda: not bot.assistant.store.job(job.id).active, 120, "the job's end")
    progress = fake.find_message(started["id"]) or {}
    await fake.wait_for(lambda: "100%" in progress["content"], 15, "the progress message's end")
    assert fake.components(progress) == [], progress  # no Cancel button on a finished job
    expired = [route for route, code in fake.api_errors if code == 50027]
    assert len(expired) <= 1, fake.api_errors


async def test_a_paged_job_reply_keeps_its_page_buttons_when_the_job_ends(
    fake: FakeDiscord, bot: Any
) -> None:
    """A `train` whose reply is long (45 new labels, each announced) is sent as pages with
    Previous / Next and Cancel. The job's end took every button away (the last progress edit
    sent no view): pages 2 and on could no longer be read. Now only Cancel goes, the page
    buttons stay at the page shown, and a page turned later has no Cancel either."""
    label = "a_rather_long_label_name_that_describes_the_kind_of_text_{}"
    rows = "text,label\n" + "".join(
        f"example {i} of words,{label.format(i % 45)}\n" for i in range(90)
    )
    sent = await fake.send_message("!train", attachments=[("many.csv", rows.encode(), "text/csv")])
    started = await fake.wait_for_reply(after=sent["id"], timeout=30)
    ids = [c["custom_id"] for c in fake.components(started)]
    assert ids == ["trainer:page:prev:0", "trainer:page:next:1", "trainer:cancel:1"], ids
    click = await fake.click(started, "trainer:page:next:1")
    await fake.wait_for(lambda: fake.interactions[click]["responses"], 10, "the page turned")
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    await fake.wait_for(lambda: not bot.assistant.store.job(job.id).active, 120, "the job's end")
    message = fake.find_message(started["id"]) or {}
    await fake.wait_for(lambda: "100%" in message["content"], 15, "the progress message's end")
    ids = [c["custom_id"] for c in fake.components(message)]
    assert ids == ["trainer:page:prev:0", "trainer:page:next:2"], ids  # page 2 shown, no Cancel
    assert "Page 2 of" in message["embeds"][0]["footer"]["text"], message["embeds"]
    click = await fake.click(message, "trainer:page:prev:0")
    await fake.wait_for(lambda: fake.interactions[click]["responses"], 10, "the page turned")
    message = fake.find_message(started["id"]) or {}
    ids = [c["custom_id"] for c in fake.components(message)]
    assert ids == ["trainer:page:prev:0", "trainer:page:next:1"], ids
    assert "Page 1 of" in message["embeds"][0]["footer"]["text"], message["embeds"]


async def test_join_where_i_may_not_connect_or_the_channel_is_full_says_so_at_once(
    fake: FakeDiscord, bot: Any
) -> None:
    """Discord answers nothing to a join it refuses: without Connect in the member's voice
    channel, or with the channel at its user limit, the member was told "Joining..." and 15 s
    later that the connection timed out. Now the refusal is at once and says why."""
    from tests.fakediscord.guild_voice import CONNECT, MOVE_MEMBERS
    from tests.test_discord_voice import join

    await fake.set_voice_channel(fake.alice, fake.voice_channel_id)
    await fake.limit_voice(denied=CONNECT)
    sent = await fake.send_message("!join")
    refused = await fake.wait_for_reply(after=sent["id"], timeout=10)
    assert error_text(refused) == (
        "I may not connect to the voice channel **Voice**: a server admin can give me the"
        " Connect permission there."
    ), refused
    await fake.limit_voice(denied=MOVE_MEMBERS, user_limit=1)  # alice fills it
    sent = await fake.send_message("!join")
    refused = await fake.wait_for_reply(after=sent["id"], timeout=10)
    assert error_text(refused).startswith("The voice channel **Voice** is full"), refused
    assert fake.bot_voice_channel() is None
    await fake.limit_voice(user_limit=1)  # with Move Members I may join a full channel
    await join(fake)
    assert fake.bot_voice_channel() == fake.voice_channel_id


async def test_join_where_i_may_not_speak_says_the_answers_come_in_text(
    fake: FakeDiscord, bot: Any
) -> None:
    """Without Speak in the voice channel Discord silences the bot: it joined, heard, and
    its spoken answers reached nobody, with nothing said about it."""
    from tests.fakediscord.guild_voice import SPEAK
    from tests.test_discord_voice import join

    await fake.limit_voice(denied=SPEAK)
    joined = await join(fake)
    note = await fake.wait_for_reply(
        after=joined["id"], where=lambda m: "may not speak" in m["content"], timeout=10
    )
    assert note["content"] == (
        "I may not speak in **Voice**, so I answer here in text only; a server admin can give"
        " me the Speak permission there."
    ), note


async def test_where_i_may_not_speak_answers_are_posted_and_none_is_synthesized(
    fake: FakeDiscord, bot: Any
) -> None:
    """Having said the answers come in text, the bot still synthesized each spoken answer
    and sent its audio into the channel, where Discord drops it: seconds of work a sentence
    for nobody. The answer is posted, no speech is made or sent, and the conversation goes
    on (the session notes the answer as unheard, not said): `leave` still leaves."""
    from tests.fakediscord.guild_voice import SPEAK
    from tests.test_discord_voice import COMMAND, join, speech48, voice

    await fake.limit_voice(denied=SPEAK)
    joined = await join(fake)
    note = await fake.wait_for_reply(
        after=joined["id"], where=lambda m: "may not speak" in m["content"], timeout=10
    )
    fake.voice.reset_received()
    session = voice(bot).session(fake.guild_id)
    await fake.stream_voice(fake.alice, speech48(COMMAND))
    answered = ("unheard", "speaking", "said")
    # the bound is for a loaded machine: a first spoken answer took over 30 s there
    await fake.wait_for(lambda: any(e.kind in answered for e in session.trace), 60, "an answer")
    kinds = [e.kind for e in session.trace if e.kind in answered]
    assert kinds == ["unheard"], kinds
    [unheard] = [e for e in session.trace if e.kind == "unheard"]
    posted = await fake.wait_for_reply(after=note["id"])  # "test the model": none yet
    assert "There is no active dataset yet" in str(posted["embeds"]), posted
    await asyncio.sleep(1)  # audio, were it sent, has reached the fake by now
    assert fake.received_voice_pcm() == b"", "no speech was sent"
    assert session.machine.state != "speaking", session.machine.state
    assert unheard.text, unheard
    await fake.stream_voice(fake.alice, speech48("hey trainer, leave the channel"))
    await fake.wait_for(lambda: fake.guild_id not in voice(bot).guilds, 60, "the bot to leave")
    assert fake.received_voice_pcm() == b"", "not even its goodbye"


async def test_run_double_clicked_runs_once_and_another_member_may_still_run_it(
    fake: FakeDiscord, bot: Any
) -> None:
    """A double click on a suggestion's Run ran the command twice (two archives of one
    folder). The same member's second press within seconds is told it runs once; another
    member's press still runs it, as Run is for whoever may."""
    sent = await fake.send_message("!any idea where the training job stands")
    reply = await fake.wait_for_reply(after=sent["id"])
    [button] = fake.components(reply)
    assert button["custom_id"] == "trainer:run:status", button
    first = await fake.click(reply, button["custom_id"])
    second = await fake.click(reply, button["custom_id"])
    ran = await fake.wait_for_reply(where=from_interaction(first))
    assert "Status" in ran["content"], ran
    again = await fake.wait_for_reply(where=from_interaction(second))
    assert again["flags"] & EPHEMERAL, again
    assert error_text(again).startswith("You pressed Run a moment ago; it runs once."), again
    other = await fake.click(reply, button["custom_id"], author=fake.bob)
    ran = await fake.wait_for_reply(where=from_interaction(other))
    assert "Status" in ran["content"], ran
