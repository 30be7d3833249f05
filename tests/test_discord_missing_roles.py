"""A role that config.yaml's `permissions` names but the Discord server does not have: the
member refused for it is told that the server lacks it and what an admin can do, and the
operator reads a warning naming it when the bot starts. Through the fake Discord, whose server
has the roles `trainer` and `admin`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from assistant.config import Config
from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.fixtures import discord_overrides
from tests.test_discord_text import csv_examples, error_text

fake, bot = fixtures.fake, fixtures.bot

PERMISSIONS = {
    "commands": {
        "train": ["ml-team"],  # not a role of this server
        "archive": ["ml-team", "data-team"],  # neither is
        "getfile": ["Trainer", "data-team"],  # one is (whatever its case)
        "language": ["trainer"],
    }
}


@pytest.fixture
def bot_config(fake: FakeDiscord, make_config: Callable[..., Config]) -> Config:
    return make_config(**discord_overrides(fake), permissions=PERMISSIONS)


async def refusal(fake: FakeDiscord, line: str, **sent: Any) -> str:
    message = await fake.send_message(line, **sent)
    reply = await fake.wait_for_reply(after=message["id"])
    assert reply["embeds"] and not reply["content"], (
        reply
    )  # the error embed (its title per language)
    return error_text(reply)


async def test_a_role_the_server_lacks_is_named_as_missing(fake: FakeDiscord, bot: Any) -> None:
    """The refusal said "Sorry, `train` needs one of these roles: `ml-team`.", which no member
    can ask to be given and no admin can give until the role is made."""
    store = bot.assistant.store
    train = await refusal(fake, "!train", attachments=[("reviews.csv", csv_examples(6))])
    assert train == (
        "Sorry, `train` needs the role `ml-team`, which does not exist on this server: an admin "
        "should create it, or change `permissions` in config.yaml."
    ), train
    assert not store.dataset_names()  # refused before anything was stored
    archive = await refusal(fake, "!archive reviews")
    assert archive == (
        "Sorry, `archive` needs one of the roles `ml-team`, `data-team`, and none of them exists "
        "on this server: an admin should create one, or change `permissions` in config.yaml."
    ), archive
    # a role that exists is the one to ask for; the missing one is left out
    getfile = await refusal(fake, "!getfile notes.txt", author=fake.bob)
    assert getfile == "Sorry, `getfile` needs one of these roles: `Trainer`.", getfile

    switched = await fake.send_message("!language ru")  # alice has `trainer`
    await fake.wait_for_reply(after=switched["id"])
    russian = await refusal(fake, "!train", attachments=[("reviews.csv", csv_examples(6))])
    assert russian == (
        "Извините, для `train` нужна роль `ml-team`, но такой роли на этом сервере нет: "
        "администратору нужно создать её или изменить `permissions` в config.yaml."
    ), russian

    # once an admin makes the role (here: renames one), it is an ordinary role again
    await fake.rename_role(fake.role_trainer, "ml-team")
    await fake.wait_for(
        lambda: "ml-team" in {r.name for r in bot.bot.get_guild(fake.guild_id).roles},
        10,
        "the rename to reach the bot",
    )
    ordinary = await refusal(fake, "!train", author=fake.bob)
    assert ordinary == "Извините, для `train` нужна одна из ролей: `ml-team`.", ordinary


async def test_the_operator_is_warned_at_start_up_once(
    fake: FakeDiscord, bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing said that config.yaml named roles the server did not have until a member was
    refused; the log now names them, and what they guard, when the bot joins the server."""
    sent = await fake.send_message("!hi")  # the bot is up and answering
    await fake.wait_for_reply(after=sent["id"])
    warned = [
        r.getMessage()
        for r in caplog.get_records("setup") + caplog.get_records("call")
        if r.levelno == logging.WARNING and "permissions.commands" in r.getMessage()
    ]
    assert len(warned) == 1, warned
    assert f"(id {fake.guild_id})" in warned[0], warned
    assert "`ml-team` (archive, train); `data-team` (archive, getfile)" in warned[0], warned


async def test_a_speaker_refused_for_a_missing_role_is_read_again_once_it_is_made(
    fake: FakeDiscord, bot: Any
) -> None:
    """The voice channel remembers a speaker's roles, and now the server's: made after her
    first words, the role must not still be called missing when she speaks again."""
    from tests.test_discord_voice import join, say_command

    async def spoken_refusal() -> str:
        last = fake.sent_messages()[-1]
        assert await say_command(bot, fake, "hey trainer, train the model") == "train"
        reply = await fake.wait_for_reply(after=last["id"], timeout=30)
        return error_text(reply)

    await join(fake)
    assert "which does not exist on this server" in await spoken_refusal()
    await fake.create_role("ml-team")
    await fake.wait_for(
        lambda: "ml-team" in {r.name for r in bot.bot.get_guild(fake.guild_id).roles},
        10,
        "the new role to reach the bot",
    )
    assert await spoken_refusal() == "Sorry, `train` needs one of these roles: `ml-team`."
