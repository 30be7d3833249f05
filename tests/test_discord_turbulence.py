"""Discord's turbulence, as a checker with real Discord clients meets it: REST 429s (a route's
bucket and the global limit) and 5xx answers while a job reports its progress and its result,
the bot removed from a server (or the server unavailable) while a job runs and the bot is in
voice there, gateway op 9 and op 7 mid-conversation, and a voice server reallocated
(`endpoint: null`). Real discord.py against the fake Discord (tests/fakediscord/turbulence.py);
each test says what a member saw before its fix."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_components import from_interaction
from tests.test_discord_text import no_traceback
from tests.test_discord_threads import big_folder

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

EDIT = r"^/channels/\d+/messages/\d+$"
POST = r"^/channels/\d+/messages$"
CALLBACK = r"^/interactions/\d+/[^/]+/callback$"


def replies_to(message: dict[str, Any]) -> Any:
    return lambda m: (m.get("message_reference") or {}).get("message_id") == message["id"]


async def start_big_job(fake: FakeDiscord, bot: Any, rows: int = 20_000) -> tuple[dict, Any]:
    """`!train folder:big` on a folder that takes seconds to learn: its started reply and job."""
    big_folder(bot, "big", rows)
    sent = await fake.send_message("!train folder:big")
    started = await fake.wait_for_reply(after=sent["id"], timeout=30)
    assert "Training started" in started["content"], started
    [job] = bot.assistant.store.jobs(str(fake.guild_id))
    return started, job


async def test_rate_limited_progress_and_result_still_arrive_and_end_right(
    fake: FakeDiscord, bot: Any
) -> None:
    """Discord rate-limits the progress edits (the route's bucket, then the global limit) and
    the result's post, six times in a row: discord.py tries a request five times and gave up,
    so the result of the training was lost and the member saw a bar stuck short of 100%."""
    started, job = await start_big_job(fake, bot)
    fake.fail_rest("PATCH", EDIT, 429, times=2, retry_after=0.3)
    fake.fail_rest("PATCH", EDIT, 429, times=1, retry_after=0.5, is_global=True)
    fake.fail_rest("POST", POST, 429, times=6, retry_after=0.3)
    store = bot.assistant.store
    await fake.wait_for(lambda: not store.job(job.id).active, 120, "the job's end")
    result = await fake.wait_for_reply(after=started["id"], where=replies_to(started), timeout=60)
    assert f"Training job #{job.id} finished" in result["content"], result
    progress = fake.find_message(started["id"]) or {}
    await fake.wait_for(lambda: "100%" in progress["content"], 30, "the bar's end")
    assert fake.components(progress) == [], progress  # no Cancel on a finished job
    assert sum(1 for _, status in fake.faulted if status == 429) == 9, fake.faulted
    no_traceback(fake)


async def test_a_reply_refused_by_a_5xx_is_sent_again_and_the_log_has_it(
    fake: FakeDiscord, bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord's edge answered 503 to a reply (discord.py does not retry a 503): the member's
    `status` got no answer at all, and the log said only "could not send a reply"."""
    fake.fail_rest("POST", POST, 503, times=1)
    sent = await fake.send_message("!status")
    reply = await fake.wait_for_reply(after=sent["id"], timeout=30)
    assert "Status" in reply["content"] + str(reply["embeds"]), reply
    assert fake.faulted == [(f"POST /channels/{fake.text_channel_id}/messages", 503)]
    assert any("503" in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    no_traceback(fake)


@pytest.mark.parametrize(("status", "landed"), [(503, False), (500, True)])
async def test_a_slash_command_whose_acknowledgement_got_a_5xx_is_still_answered(
    fake: FakeDiscord, bot: Any, status: int, landed: bool
) -> None:
    """Discord's edge answered a slash command's callback (its "thinking…") with a 5xx.
    discord.py tries it again a second later, within Discord's 3 seconds; but when Discord
    had taken the first one all the same (`landed`), the retry was refused as already
    acknowledged, the command was not run, and the member saw "thinking…" for good."""
    fake.fail_rest("POST", CALLBACK, status, landed=landed)
    interaction = await fake.interaction("status")
    reply = await fake.wait_for_reply(timeout=30)
    assert "Status" in reply["content"] + str(reply["embeds"]), reply
    record = fake.interactions[interaction]
    assert record["responses"] == [5] and record["original"]["id"] == reply["id"], record
    assert [answered for _, answered in fake.faulted] == [status]
    no_traceback(fake)


async def test_a_click_whose_acknowledgement_landed_but_got_a_5xx_still_runs(
    fake: FakeDiscord, bot: Any
) -> None:
    """The same for a button: Run status clicked, its callback done by Discord but answered
    500, discord.py's retry refused as already acknowledged; the click ran nothing and said
    nothing. It runs, and its answer is posted."""
    sent = await fake.send_message("!any idea where the training job stands")
    reply = await fake.wait_for_reply(after=sent["id"])
    [button] = fake.components(reply)
    assert button["custom_id"] == "trainer:run:status", button
    fake.fail_rest("POST", CALLBACK, 500, landed=True)
    click = await fake.click(reply, button["custom_id"])
    ran = await fake.wait_for_reply(where=from_interaction(click), timeout=30)
    assert "Status" in ran["content"], ran
    assert [answered for _, answered in fake.faulted] == [500]
    assert fake.interactions[click]["responses"] == [6], fake.interactions[click]
    no_traceback(fake)


async def test_a_slash_command_discord_would_not_take_is_not_run_and_the_log_says_so(
    fake: FakeDiscord, bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Its callback refused with 502 until Discord's 3 seconds were over (the last retry is
    told Unknown interaction): Discord shows the member that it failed. The log had an
    internal error with a traceback and the reference of an answer that could not be sent
    either; it now says the command was not run, and why."""
    fake.fail_rest("POST", CALLBACK, 502, times=3)
    await fake.interaction("status")

    def told() -> bool:
        return any(
            r.levelno == logging.WARNING and "/status was not run" in r.getMessage()
            for r in caplog.records
        )

    await fake.wait_for(told, 30, "the log to say the command was not run")
    assert fake.sent_messages() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_reply_that_cannot_be_sent_at_all_is_logged_and_the_bot_carries_on(
    fake: FakeDiscord,
    bot: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Discord's edge down for longer than the retries (503 to every attempt, 502 to a
    progress edit): the log names the reply that was lost, and once Discord answers again
    the next command is answered."""
    from transports.discord import retry

    monkeypatch.setattr(retry, "PAUSE_S", 0.2)
    fake.fail_rest("POST", POST, 503, times=retry.TRIES)
    sent = await fake.send_message("!status")
    await fake.wait_for(lambda: len(fake.faulted) == retry.TRIES, 30, "every attempt refused")
    await fake.wait_for(lambda: _lost(caplog), 10, "the lost reply in the log")
    assert fake.sent_messages() == []
    started, job = await start_big_job(fake, bot)
    fake.fail_rest("PATCH", EDIT, 502, times=1)
    sent = await fake.send_message("!status")
    reply = await fake.wait_for_reply(after=sent["id"], where=replies_to(sent), timeout=30)
    assert "Status" in reply["content"] + str(reply["embeds"]), reply
    store = bot.assistant.store
    await fake.wait_for(lambda: not store.job(job.id).active, 120, "the job's end")
    progress = fake.find_message(started["id"]) or {}
    await fake.wait_for(lambda: "100%" in progress["content"], 30, "the bar's end")
    no_traceback(fake)


def _lost(caplog: pytest.LogCaptureFixture) -> bool:
    """The log has the reply that could not be sent: an error naming it and the status."""
    return any(
        r.levelno >= logging.ERROR
        and "could not send a reply" in r.getMessage()
        and "Status" in r.getMessage()
        and "503" in r.getMessage()
        for r in caplog.records
    )


@pytest.fixture
async def two_guilds(tmp_path: Any, make_config: Any) -> AsyncIterator[tuple[Any, Any]]:
    """Two servers of one Discord (one shard) and the bot in both: (the fake, the app)."""
    from tests.fakediscord.shards import FakeDiscordShards
    from transports.discord.run import DiscordApp

    shards = FakeDiscordShards(tmp_path / "fakediscord", shard_count=1, guilds=2)
    await shards.start()
    settings = shards.discord_settings(rate_limit_count=50, rate_limit_seconds=10)
    app = DiscordApp(make_config(discord=settings), shards.token, guild_ready_timeout=0.1)
    try:
        await app.start()
        await app.wait_ready(30)
        await shards.guilds[0].wait_for(lambda: "train" in shards.guilds[0].commands, 10)
        yield shards, app
    finally:
        await app.close()
        await shards.close()


async def test_removed_from_a_server_mid_job_and_in_voice_the_bot_carries_on_elsewhere(
    two_guilds: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """An admin removes the bot (GUILD_DELETE) while a training job runs there and the bot
    is in its voice channel. The job's end is in the store, the voice session is closed, no
    request there is tried again and again, and the other server is answered as before."""
    from tests.test_discord_voice import join, voice

    shards, app = two_guilds
    gone, other = shards.guilds
    _, job = await start_big_job(gone, app)
    await join(gone)
    assert voice(app).session(gone.guild_id) is not None
    await gone.remove_bot()
    store = app.assistant.store
    await gone.wait_for(lambda: not store.job(job.id).active, 120, "the job's end")
    assert store.job(job.id).status == "succeeded", store.job(job.id)
    torn_down = lambda: gone.guild_id not in voice(app).guilds and not app.bot.voice_clients  # noqa: E731
    await gone.wait_for(torn_down, 15, "the voice session torn down")
    assert voice(app).session(gone.guild_id) is None
    requests = len(gone.requests)
    sent = await other.send_message("!status")
    reply = await other.wait_for_reply(after=sent["id"], timeout=30)
    assert "Status" in reply["content"] + str(reply["embeds"]), reply
    await asyncio.sleep(3)  # what is retried would be by now
    assert len(gone.requests) == requests, gone.requests[requests:]
    assert len(gone.faulted) <= 3, gone.faulted  # the last edit, the result: refused once each
    unhandled = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert unhandled == [], [r.getMessage() for r in unhandled]
    no_traceback(other)


async def test_a_server_unavailable_mid_job_and_call_comes_back_as_it_was(
    fake: FakeDiscord, bot: Any
) -> None:
    """Discord's outage of the server (GUILD_DELETE, `unavailable: true`) while a job runs
    and the bot is in its call, then its GUILD_CREATE: the job's result is posted, the call
    and its conversation are the ones it had, and the next command is answered."""
    from tests.test_discord_voice import join, voice

    started, job = await start_big_job(fake, bot)
    await join(fake)
    session = voice(bot).session(fake.guild_id)
    await fake.go_unavailable()
    await fake.wait_for(lambda: bot.bot.get_guild(fake.guild_id).unavailable, 10, "the outage")
    store = bot.assistant.store
    await fake.wait_for(lambda: not store.job(job.id).active, 120, "the job's end")
    await fake.come_back()
    await fake.wait_for(lambda: not bot.bot.get_guild(fake.guild_id).unavailable, 10, "its end")
    finished = f"Training job #{job.id} finished"  # posted by the call's session, said aloud
    await fake.wait_for_reply(after=started["id"], where=lambda m: finished in m["content"])
    sent = await fake.send_message("!status")
    reply = await fake.wait_for_reply(after=sent["id"], where=replies_to(sent), timeout=30)
    assert "Status" in reply["content"] + str(reply["embeds"]), reply
    assert voice(bot).session(fake.guild_id) is session
    assert fake.bot_voice_channel() == fake.voice_channel_id
    assert fake.voice.connections == 1
    no_traceback(fake)


async def test_op7_and_resumable_op9_mid_conversation_resume_and_keep_the_call(
    fake: FakeDiscord, bot: Any
) -> None:
    """Discord asks the bot to reconnect (op 7), then says its session may be resumed (op 9,
    true) while it is in a call: it resumes, answers the next command, and its voice session
    (and what the conversation was waiting for) is the one it had."""
    from tests.test_discord_voice import join, say_command, voice

    await join(fake)
    session = voice(bot).session(fake.guild_id)
    for disturb in (fake.gateway.request_reconnect, lambda: fake.invalidate_session(True)):
        resumes, identifies = fake.gateway.resumes, fake.gateway.identifies
        await disturb()
        await fake.wait_for(lambda: fake.gateway.resumes > resumes, 20, "a resume")  # noqa: B023
        assert fake.gateway.identifies == identifies
        sent = await fake.send_message("!status")
        reply = await fake.wait_for_reply(after=sent["id"], where=replies_to(sent), timeout=30)
        assert "Status" in reply["content"] + str(reply["embeds"]), reply
    assert voice(bot).session(fake.guild_id) is session
    assert await say_command(bot, fake) == "test"
    no_traceback(fake)


async def test_a_session_invalidated_mid_call_identifies_again_and_keeps_the_call(
    fake: FakeDiscord, make_config: Any
) -> None:
    """Op 9 (not resumable) while in a call: the bot identifies again, and Discord ends its
    voice state with the old session (4014). The bot rejoins, keeps its conversation and
    hears; and it follows the call as it is now: it kept reading the server as it was
    before the new session, so when everyone had left it stayed in the empty channel."""
    from tests.test_discord_voice import join, say_command, voice
    from transports.discord.run import DiscordApp

    config = make_config(**fixtures.discord_overrides(fake, empty_channel_timeout_s=1))
    bot = DiscordApp(config, fake.token, guild_ready_timeout=0.1)
    await bot.start()
    try:
        await bot.wait_ready()
        await join(fake)
        session = voice(bot).session(fake.guild_id)
        identifies, connections = fake.gateway.identifies, fake.voice.connections
        await fake.invalidate_session(False)
        await fake.wait_for(lambda: fake.gateway.identifies > identifies, 30, "a new IDENTIFY")
        sent = await fake.send_message("!status")
        reply = await fake.wait_for_reply(after=sent["id"], where=replies_to(sent), timeout=30)
        assert "Status" in reply["content"] + str(reply["embeds"]), reply
        await fake.wait_for(lambda: fake.voice.connections > connections, 30, "a voice rejoin")
        await fake.voice.wait_ready(fake.guild_id, timeout=30)
        assert fake.bot_voice_channel() == fake.voice_channel_id
        assert voice(bot).session(fake.guild_id) is session
        assert await say_command(bot, fake) == "test"
        await fake.set_voice_channel(fake.alice, None)
        await fake.wait_for(lambda: fake.bot_voice_channel() is None, 20, "the bot to leave")
        assert voice(bot).session(fake.guild_id) is None
        no_traceback(fake)
    finally:
        await bot.close()


@pytest.mark.parametrize("drop_code", [None, 4015])
async def test_a_voice_server_reallocated_with_a_null_endpoint_is_rejoined_and_hears(
    fake: FakeDiscord, bot: Any, drop_code: int | None
) -> None:
    """VOICE_SERVER_UPDATE with `endpoint: null` (the call's server is being reallocated),
    the old server left open or crashing as it goes (4015), then the new server a moment
    later: the bot connects to the new one and hears again."""
    from tests.test_discord_voice import join, say_command, voice

    await join(fake)
    session = voice(bot).session(fake.guild_id)
    connections = fake.voice.connections
    await fake.reallocate_voice_server(drop_code=drop_code, pause_s=5)
    await fake.wait_for(lambda: fake.voice.connections > connections, 30, "the new server")
    await fake.voice.wait_ready(fake.guild_id, timeout=30)
    dave = fake.voice.dave
    assert dave is not None
    await fake.wait_for(lambda: dave.bot_in_group and dave.welcomes_to_bot >= 2, 20, "keys")
    assert fake.bot_voice_channel() == fake.voice_channel_id
    assert voice(bot).session(fake.guild_id) is session
    assert await say_command(bot, fake) == "test"
    no_traceback(fake)


async def test_each_heartbeat_is_measured_against_its_own_ack(fake: FakeDiscord, bot: Any) -> None:
    """Long runs against the fake logged "Can't keep up, shard ID None websocket is 41.3s
    behind": the fake answered a heartbeat at once, on the bot's own loop, before
    discord.py's heartbeat thread had noted when it went out, so every ack was measured
    against the heartbeat before it (the whole 41.25 s interval)."""
    resumes = fake.gateway.resumes
    fake.gateway.heartbeat_ms = 400  # a new connection's HELLO: beats every 0.4 s
    await fake.drop_gateway()
    await fake.wait_for(lambda: fake.gateway.resumes > resumes, 20, "a resume")
    await fake.wait_for(lambda: math.isfinite(bot.bot.latency), 20, "the first ack")
    measured = [bot.bot.latency]
    loop = asyncio.get_running_loop()
    until = loop.time() + 4.0
    while loop.time() < until:
        if math.isfinite(bot.bot.latency) and bot.bot.latency != measured[-1]:
            measured.append(bot.bot.latency)
        await asyncio.sleep(0.005)
    assert len(measured) >= 5, measured  # one a beat
    assert max(measured) < 0.2, measured  # half the interval: not the one before


async def test_a_refused_last_edit_of_a_job_announced_in_voice_is_sent_again(
    fake: FakeDiscord, bot: Any
) -> None:
    """With the bot in voice, a job's end is announced by the voice session, and the text
    side only edits the started reply to show it. Discord's edge answered that last edit 503
    (discord.py does not retry a 503): the reply kept its bar short of 100% and its Cancel
    button for good, as nothing else edited it (without voice, posting the result did)."""
    from tests.test_discord_voice import join, voice

    await join(fake)
    bot.bot.delivery.progress.interval = 3600.0  # one periodic edit; the next is the last
    started, job = await start_big_job(fake, bot, rows=5_000)
    await fake.wait_for(lambda: started.get("edits", 0) >= 1, 60, "the first progress edit")
    store = bot.assistant.store
    assert store.job(job.id).active, "the job ended before its first progress edit"
    fake.fail_rest("PATCH", EDIT, 503, times=1)
    await fake.wait_for(lambda: not store.job(job.id).active, 120, "the job's end")
    assert voice(bot).announces(store.job(job.id))
    await fake.wait_for(lambda: "100%" in started["content"], 30, "the bar's end")
    assert fake.components(started) == [], started  # no Cancel on a finished job
    edit = f"PATCH /channels/{fake.text_channel_id}/messages/{started['id']}"
    assert fake.faulted == [(edit, 503)], fake.faulted
    no_traceback(fake)
