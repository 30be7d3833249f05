"""DAVE end to end: the real bot (discord.py 2.7.1 + voice-recv + our receiver) in a call whose
fake voice server runs the DAVE protocol's server side against real MLS sessions (davey), one
per simulated member. The bot hears a member only if it really joined the group and decrypts
with the right keys; a member hears the bot only if the bot really encrypted for the group."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_voice import (
    COMMAND,
    heard,
    join,
    say_command,
    speech48,
    speech_seconds,
    voice,
)

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def stats(app: Any, fake: FakeDiscord) -> Any:
    return voice(app).guilds[fake.guild_id].receiver.stats


def dave_session(app: Any, fake: FakeDiscord) -> Any:
    vc = app.bot.get_guild(fake.guild_id).voice_client
    return vc._connection.dave_session if vc is not None else None


async def test_welcome_flow_member_frames_decrypted_and_answer_heard_by_member(
    fake: FakeDiscord, bot: Any
) -> None:
    group = fake.voice.dave
    assert group is not None
    await join(fake)  # alice is in the call first: she commits the bot's Add, the bot is welcomed
    await fake.wait_for(lambda: group.executed, 10, "the welcome's transition")
    session = dave_session(bot, fake)
    assert session.ready and session.epoch == group.epoch == 1
    assert group.welcomes_to_bot == 1 and group.leaves == [fake.alice.id, fake.bot.id]
    assert fake.voice.dave.members[fake.alice.id].session.own_leaf_index == 0
    fake.voice.reset_received()
    assert await say_command(bot, fake) == "test"
    s = stats(bot, fake)
    assert s.decrypted > 50 and s.no_key == s.dave_errors == s.passthrough == 0, s.last_dave_error
    assert s.padded > 0 and s.extended > 0
    # The bot's spoken answer: encrypted for the group, decrypted by alice's own session.
    assert fake.voice.received_dave > 25 and fake.voice.received_errors == 0
    assert speech_seconds(fake.received_voice_pcm()) > 0.4
    # The counters, for admins only, in `status`.
    admin = fake.add_member("admin", [fake.role_admin])
    for author, shown in ((admin, True), (fake.alice, False)):
        sent = await fake.send_message("!status", author=author)
        reply = await fake.wait_for_reply(after=sent["id"], timeout=20)
        text = reply["content"] or reply["embeds"][0].get("description", "")
        assert ("Voice receive:" in text and f"DAVE: {s.decrypted:,}" in text) == shown, text


async def test_commit_flow_bot_commits_for_a_member_who_connects_later(
    fake: FakeDiscord, bot: Any
) -> None:
    group = fake.voice.dave
    assert group is not None
    # alice's voice state says she is in the call, but her client connects only after the
    # bot: the bot is alone in its pending group, and it commits her Add itself.
    await fake.set_voice_channel(fake.alice, fake.voice_channel_id, connect=False)
    sent = await fake.send_message("!join", author=fake.alice)
    await fake.wait_for_reply(after=sent["id"], timeout=60)
    await fake.voice.wait_ready(fake.guild_id, timeout=30)
    await fake.wait_for(lambda: group.bot_key_package, 10, "the bot's key package")
    assert not dave_session(bot, fake).ready
    await fake.connect_voice(fake.alice)  # op 27 Add -> op 28 commit+welcome -> op 29
    await fake.wait_for(lambda: group.executed, 10, "the commit's transition")
    assert group.bot_commits == 1 and group.welcomes_to_bot == 0 and group.epoch == 1
    assert group.leaves == [fake.bot.id, fake.alice.id]
    assert group.members[fake.alice.id].session.own_leaf_index == 1
    assert dave_session(bot, fake).ready
    fake.voice.reset_received()
    assert await say_command(bot, fake) == "test"
    assert stats(bot, fake).decrypted > 50 and fake.voice.received_dave > 25


async def test_members_joining_and_leaving_rekey_the_call(fake: FakeDiscord, bot: Any) -> None:
    group = fake.voice.dave
    assert group is not None
    carol = fake.add_member("carol", [], ssrc=4444)
    await join(fake)
    await fake.wait_for(lambda: group.executed, 10, "the welcome's transition")
    # carol joins: the proposal goes to alice and the bot, the bot's commit wins.
    await fake.set_voice_channel(carol, fake.voice_channel_id)
    await fake.wait_for(lambda: len(group.executed) == 2, 10, "carol's re-key")
    assert group.epoch == 2 and group.bot_commits == 1
    assert group.leaves == [fake.alice.id, fake.bot.id, carol.id]
    assert dave_session(bot, fake).epoch == 2
    before = stats(bot, fake).decrypted
    await fake.voice.stream(fake.guild_id, carol.id, carol.ssrc, speech48("hello"), pace=0.005)
    await fake.wait_for(lambda: stats(bot, fake).decrypted > before + 30, 10, "carol heard")
    # alice leaves: this time a member (carol) commits her Remove; the bot follows.
    group.commit_by = "member"
    await fake.set_voice_channel(fake.alice, None)
    await fake.wait_for(lambda: len(group.executed) == 3, 10, "alice's removal")
    assert group.epoch == 3 and group.member_commits == 2
    assert group.leaves == [None, fake.bot.id, carol.id]
    assert dave_session(bot, fake).epoch == 3
    fake.voice.reset_received()
    before = stats(bot, fake).decrypted
    await fake.voice.stream(fake.guild_id, carol.id, carol.ssrc, speech48(COMMAND))
    await fake.wait_for(
        lambda: any("test the model" in text for text in heard(bot, fake)), 30, "the command"
    )
    assert stats(bot, fake).decrypted > before + 50
    s = stats(bot, fake)
    assert s.dave_errors == 0 and s.no_key == 0


async def test_frames_before_the_keys_are_dropped_and_counted(fake: FakeDiscord, bot: Any) -> None:
    group = fake.voice.dave
    assert group is not None
    group.hold_welcome = True  # alice's group exists; the bot's welcome is late
    await join(fake, keys=False)
    await fake.wait_for(lambda: group.bot_key_package, 10, "the bot's key package")
    s = stats(bot, fake)
    sent = await fake.stream_voice(fake.alice, speech48(COMMAND), pace=0.005)
    # (On a loaded machine the first packets can beat SPEAKING: those are unknown SSRCs.)
    counted = lambda: s.no_key + s.silence + s.unknown_ssrc  # noqa: E731
    await fake.wait_for(lambda: counted() >= sent and s.frames >= s.silence, 10, "all counted")
    assert s.no_key > 50
    # Only the unencrypted silence frames were decoded; no garbage reached the VAD.
    assert s.frames == s.silence <= 5 and s.decrypted == s.dave_errors == 0
    await group.release_welcome()
    await fake.wait_for(lambda: group.executed, 10, "the welcome's transition")
    assert await say_command(bot, fake) == "test"
    assert heard(bot, fake) == [heard(bot, fake)[-1]]  # the early utterance was never heard


async def test_passthrough_frames_during_a_downgrade_and_upgrade(
    fake: FakeDiscord, bot: Any
) -> None:
    group = fake.voice.dave
    assert group is not None
    await join(fake)
    await fake.wait_for(lambda: group.executed, 10, "the welcome's transition")
    connection = bot.bot.get_guild(fake.guild_id).voice_client._connection
    # A client without DAVE joins: op 21 (to protocol 0), the bot lets frames through.
    await group.downgrade()
    await fake.wait_for(lambda: connection.dave_protocol_version == 0, 10, "the downgrade")
    assert await say_command(bot, fake) == "test"  # unencrypted now
    # Back to DAVE: op 24 -> new key package -> welcome -> op 22; unencrypted frames that
    # still arrive in the next seconds pass through, encrypted ones are decrypted.
    await group.upgrade()
    await fake.wait_for(lambda: group.welcomes_to_bot == 2, 10, "the new group's welcome")
    await fake.wait_for(lambda: connection.dave_protocol_version == 1, 10, "the upgrade")
    group.members[fake.alice.id].plain_share = 0.1
    s = stats(bot, fake)
    decrypted = s.decrypted
    assert await say_command(bot, fake) == "test"
    assert s.passthrough > 5 and s.decrypted > decrypted + 50 and s.dave_errors == 0


async def test_call_without_dave(fake: FakeDiscord, bot: Any) -> None:
    fake.voice.dave = None
    await join(fake)
    assert dave_session(bot, fake) is None
    assert await say_command(bot, fake) == "test"
    s = stats(bot, fake)
    assert s.decrypted == s.no_key == s.passthrough == s.dave_errors == 0


async def test_a_rekey_in_the_middle_of_a_command(fake: FakeDiscord, bot: Any) -> None:
    """carol joins while alice speaks: the call moves to a new epoch mid-utterance (alice's
    client switches keys at the transition), and the command is heard whole."""
    group = fake.voice.dave
    assert group is not None
    carol = fake.add_member("carol", [], ssrc=4444)
    await join(fake)
    before = len(heard(bot, fake))
    talking = asyncio.ensure_future(fake.stream_voice(fake.alice, speech48(COMMAND)))
    await asyncio.sleep(0.6)
    await fake.set_voice_channel(carol, fake.voice_channel_id)
    await talking
    await fake.wait_for(lambda: len(group.executed) == 2, 10, "carol's re-key")
    await fake.wait_for(lambda: len(heard(bot, fake)) > before, 60, "the command")
    assert "test the model" in heard(bot, fake)[before]
    assert stats(bot, fake).dave_errors == 0
