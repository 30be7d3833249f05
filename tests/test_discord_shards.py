"""Shards: the real bot (an AutoShardedBot) against a fake Discord of two guilds on two shards.
A process running shard 1 of 2 is sent only shard 1's guild and answers only there; a process
with no shard settings asks Discord how many shards to run and runs them all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import Config, load_config
from tests.fakediscord.gateway import shard_of
from tests.fakediscord.shards import FakeDiscordShards
from transports.discord.run import DiscordApp


@pytest.fixture
async def shards(tmp_path: Path) -> AsyncIterator[FakeDiscordShards]:
    server = FakeDiscordShards(tmp_path / "fakediscord", shard_count=2, guilds=2)
    await server.start()
    yield server
    await server.close()


def bot_config(folder: Path, shards: FakeDiscordShards, **discord: Any) -> Config:
    folder.mkdir()
    raw = {
        "data_root": "data",
        "state_dir": "state",
        "discord": shards.discord_settings(rate_limit_count=50, **discord),
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(folder / "config.yaml")


async def started(config: Config, token: str) -> DiscordApp:
    app = DiscordApp(config, token, guild_ready_timeout=0.1)
    await app.start()
    await app.wait_ready(30)
    return app


async def test_each_process_gets_only_the_guilds_of_its_shard(
    shards: FakeDiscordShards, tmp_path: Path
) -> None:
    first, second = shards.guilds
    assert [shard_of(g.guild_id, 2) for g in shards.guilds] == [0, 1]
    apps = []
    try:
        for shard in (0, 1):
            config = bot_config(tmp_path / f"bot-{shard}", shards, shard_ids=[shard], shard_count=2)
            apps.append(await started(config, shards.token))
        await shards.gateway.identified.wait()
        assert sorted(shards.gateway.identified_shards) == [(0, 2), (1, 2)]
        bots = [app.bot for app in apps]
        assert [[g.id for g in b.guilds] for b in bots if b] == [
            [first.guild_id],
            [second.guild_id],
        ]
        # Only the process running shard 0 registers the slash commands.
        await first.wait_for(lambda: "train" in first.commands, 10, "slash commands")
        await second.wait_for(lambda: "train" in second.commands, 10, "slash commands")
        assert [m for m, path in first.requests if path.endswith("/commands")] == ["PUT"]
        # A command typed in each guild is answered there, once, by the shard owning it.
        for guild in (first, second):
            sent = await guild.send_message("!help")
            reply = await guild.wait_for_reply(after=sent["id"], timeout=30)
            assert "train" in reply["content"] + str(reply["embeds"])
        for guild in (first, second):
            assert len(guild.sent_messages(guild.text_channel_id)) == 1
    finally:
        for app in apps:
            await app.close()


async def test_without_shard_settings_the_bot_runs_every_shard_discord_asks_for(
    shards: FakeDiscordShards, tmp_path: Path
) -> None:
    app = await started(bot_config(tmp_path / "bot", shards), shards.token)
    try:
        assert app.bot is not None and app.bot.shard_count == 2
        assert sorted(g.id for g in app.bot.guilds) == sorted(g.guild_id for g in shards.guilds)
        second = shards.guilds[1]
        sent = await second.send_message("!help")
        await second.wait_for_reply(after=sent["id"], timeout=30)
    finally:
        await app.close()


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (
            ["--shards", "0,5", "--shard-count", "4"],
            "shard_ids must be distinct numbers from 0 to 3",
        ),
        (["--shards", "1"], "shard_ids needs shard_count (the total across processes)"),
    ],
)
def test_shard_arguments_that_do_not_fit_are_refused_in_one_line(
    argv: list[str], problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot

    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    status = bot.main(["--config", str(tmp_path / "config.yaml"), *argv, "console"])
    err = capsys.readouterr().err
    assert status == 2 and err == f"Trainer cannot start: --shards/--shard-count: {problem}\n"


def test_shard_arguments_override_the_config_file(tmp_path: Path) -> None:
    import bot

    (tmp_path / "config.yaml").write_text("discord: {shard_count: 2, shard_ids: [0]}\n")
    config = load_config(tmp_path / "config.yaml")
    moved = bot.with_shards(config, [1, 2], 4)
    assert (moved.discord.shard_ids, moved.discord.shard_count) == ([1, 2], 4)
    assert bot.with_shards(config, None, None) is config
