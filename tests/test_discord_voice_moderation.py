"""What moderators and Discord do to the bot's voice connection mid-call, through the fake
Discord with the real bot: dragged into another channel, deafened server-side, the call moved
to another voice server. Each time it keeps listening where it is, says what it has to, and
the next spoken command is heard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_voice import join, say_command, voice

pytest.importorskip("audio.asr.factory", reason="the speech recogniser has not landed yet")
pytestmark = pytest.mark.timeout(240)

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot
WATCHDOG_S = 1.5
"""The receive watchdog's limit here: a SPEAKING member unheard this long means reconnect."""


@pytest.fixture
async def app(fake: FakeDiscord, make_config: Any) -> AsyncIterator[Any]:
    """The bot with a quick receive watchdog and empty-channel timeout (1 s), so that a wrong
    judgement of either shows within a few seconds."""
    from transports.discord.run import DiscordApp

    overrides = fixtures.discord_overrides(
        fake, receive_watchdog_s=WATCHDOG_S, empty_channel_timeout_s=1
    )
    app = DiscordApp(make_config(**overrides), fake.token, guild_ready_timeout=0.1)
    await app.start()
    try:
        await app.wait_ready(20)
        yield app
    finally:
        await app.close()


def texts(fake: FakeDiscord, after: str) -> list[str]:
    """What the bot posted in the text channel after the message `after`."""
    return [
        m["content"] or "".join(e.get("description", "") for e in m["embeds"])
        for m in fake.sent_messages()
        if int(m["id"]) > int(after)
    ]


async def test_dragged_into_another_channel_it_listens_there(fake: FakeDiscord, app: Any) -> None:
    """The bot judged its old channel: a moderator dragged it and alice into "Voice 2", the
    old channel was empty, so the bot left within seconds, with alice talking to it. (With
    people left in the old channel, it would have stayed in an empty one instead.)
    The fake's DAVE group is one channel's, so this call goes without DAVE."""
    fake.voice.dave = None
    reply = await join(fake)
    await fake.wait_for(lambda: len(texts(fake, reply["id"])) >= 1, 10, "the listening notice")
    await fake.move_bot(fake.other_voice_channel_id)
    await fake.set_voice_channel(fake.alice, fake.other_voice_channel_id)
    await asyncio.sleep(4)  # the watchdog's empty-channel check (1 s) ran a few times
    assert fake.bot_voice_channel() == fake.other_voice_channel_id
    # The members of the new channel were told that the bot listens there, as on `join`.
    assert any("listening in **Voice 2**" in t for t in texts(fake, reply["id"]))
    await fake.voice.wait_ready(fake.guild_id)
    assert await say_command(app, fake) == "test"
    assert fake.bot_voice_channel() == fake.other_voice_channel_id


async def test_deafened_by_a_moderator_it_waits_and_says_so(fake: FakeDiscord, app: Any) -> None:
    """Server-deafened, the bot gets no audio while members' SPEAKING still come, and the
    receive watchdog took that for a broken connection: it left and rejoined the channel
    every few seconds (the join sound each time), which cannot bring the audio back."""
    reply = await join(fake)
    connections = fake.voice.connections
    await fake.server_deafen_bot(True)
    for _ in range(3):  # alice talks on, unheard, well past the watchdog's limit
        await fake.voice.announce_speaking(fake.guild_id, fake.alice.id, fake.alice.ssrc, True)
        await asyncio.sleep(WATCHDOG_S + 1)
    assert fake.voice.connections == connections
    assert voice(app).guilds[fake.guild_id].reconnects == 0
    notice = await fake.wait_for_reply(
        after=reply["id"], where=lambda m: "deafened me" in m["content"], timeout=20
    )
    assert "Typed commands still work" in notice["content"]
    await fake.server_deafen_bot(False)
    await fake.wait_for_reply(
        after=notice["id"], where=lambda m: "listening again" in m["content"], timeout=20
    )
    assert await say_command(app, fake) == "test"
    assert fake.voice.connections == connections


async def test_joining_while_still_deafened_says_so(fake: FakeDiscord, bot: Any) -> None:
    """Discord keeps a server deafen across joins: asked back after leaving, the bot joined,
    said it listens, and heard nothing, with no word of why."""
    await join(fake)
    await fake.server_deafen_bot(True)
    await fake.send_message("!leave")
    await fake.wait_for(lambda: fake.bot_voice_channel() is None, 15, "the bot to leave")
    reply = await join(fake, keys=False)
    notice = await fake.wait_for_reply(
        after=reply["id"], where=lambda m: "deafened me" in m["content"], timeout=20
    )
    assert "Typed commands still work" in notice["content"]


async def test_new_voice_server_and_new_ssrc_mid_call(fake: FakeDiscord, app: Any) -> None:
    """Discord moves the call to another voice server (VOICE_SERVER_UPDATE mid-call): the
    bot re-makes its connection and its DAVE keys, without telling anyone it was dropped;
    then alice's client reconnects too and speaks from a new SSRC."""
    reply = await join(fake)
    await asyncio.sleep(1.5)  # the watchdog has seen the first connection
    connections = fake.voice.connections
    await fake.voice_server_update()
    await fake.wait_for(lambda: fake.voice.connections > connections, 15, "a new connection")
    await join_keys(fake)
    fake.alice.ssrc = 9191
    assert await say_command(app, fake) == "test"
    assert not any("rejoined" in t or "disconnected" in t for t in texts(fake, reply["id"]))
    assert voice(app).guilds[fake.guild_id].reconnects == 0


async def join_keys(fake: FakeDiscord) -> None:
    """Until the bot's new voice connection is up and, with DAVE, keyed again."""
    await fake.voice.wait_ready(fake.guild_id, timeout=30)
    dave = fake.voice.dave
    if dave is not None:
        await fake.wait_for(
            lambda: dave.welcomes_to_bot >= 2 and len(dave.executed) >= 2, 20, "keys"
        )


async def test_a_member_who_spoke_and_left_does_not_deafen_the_bot(
    fake: FakeDiscord, bot: Any
) -> None:
    """Discord tells the call's clients that a member left (voice op 13). voice-recv's
    handler of it raised for a member who had spoken (it reached for the audio reader that
    only its own `listen()` makes), which ended discord.py's voice websocket reader: the
    call's re-key after that member left was never read, and nobody was heard again."""
    dave = fake.voice.dave
    assert dave is not None
    await fake.set_voice_channel(fake.bob, fake.voice_channel_id)
    await join(fake)
    assert (
        await say_command(bot, fake, "hey trainer, what is the status", member=fake.bob) == "status"
    )
    keyed = len(dave.executed)
    await fake.set_voice_channel(fake.bob, None)
    await fake.wait_for(lambda: len(dave.executed) > keyed, 15, "the re-key after bob left")
    assert await say_command(bot, fake, timeout=30) == "test"


async def test_a_camera_described_in_an_unknown_way_does_not_deafen_the_bot(
    fake: FakeDiscord, bot: Any
) -> None:
    """A client turns its camera on and describes the stream without a field voice-recv
    reads strictly (its resolution). The error ended discord.py's voice websocket reader, so
    the SPEAKING of alice's new SSRC (her client reconnected) was never read: not heard."""
    await fake.set_voice_channel(fake.bob, fake.voice_channel_id)
    await join(fake)
    stream = {"type": "video", "rid": "100", "ssrc": 7001, "rtx_ssrc": 7002, "active": True}
    stream |= {"quality": 100, "max_bitrate": 2_500_000, "max_framerate": 30}
    await fake.voice.announce_video(fake.guild_id, fake.bob.id, fake.bob.ssrc, [stream])
    fake.alice.ssrc = 9292
    assert await say_command(bot, fake, timeout=30) == "test"
