"""Scaled out on loopback, through the entry points users run: PostgreSQL, two Discord bot
processes (`bot.py --shards 0 --shard-count 2` and `--shards 1`) each owning one guild of the fake
Discord, training workers (`bot.py worker`, each with its own folder) and a speech server
(`bot.py speech-server`), all separate processes that share only the database."""

from __future__ import annotations

import asyncio
import csv
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.storage.store import Store, open_store
from assistant.training.queue import STALLED_S
from bench.text_corpus import noisy_examples
from tests.corpus import write_folder_dataset
from tests.fakediscord import FakeDiscord
from tests.fakediscord.gateway import shard_of
from tests.fakediscord.shards import FakeDiscordShards, bot_process
from tests.postgres import PostgresServer
from tests.queue_worker import TrainingWorker
from tests.test_discord_voice import join, speech48
from tests.test_speech_server import start_speech_server, stopped

SHARDS = 2
LONG_JOB_EXAMPLES = 20_000
"""Distinct texts, so the job is still running when its worker is killed."""


@dataclass
class Deployment:
    """Every part, started; `guilds[i]` is owned by the bot process running shard i."""

    discord: FakeDiscordShards
    store: Store
    """The shared database, as an operator would look at it."""
    workers: list[TrainingWorker]
    folder: Path
    bots: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def guilds(self) -> list[FakeDiscord]:
        return self.discord.guilds

    def new_worker(self) -> TrainingWorker:
        worker = TrainingWorker(self.folder / f"worker-{len(self.workers) + 1}", self.store_url)
        self.workers.append(worker)
        return worker.start()

    store_url: str = ""


def start_bot(folder: Path, shard: int, discord: FakeDiscordShards, url: str, speech: str) -> Any:
    """`bot.py --shards N --shard-count 2` in a folder of its own, as on its own machine."""
    config = {
        "state_dir": "state",
        "data_root": "data",
        "storage_url": url,
        "voice": {
            "asr": {"engine": "wyoming", "wyoming_uri": speech},
            "tts": {"engine": "wyoming", "wyoming_uri": speech, "fallback": "none"},
        },
        "discord": discord.discord_settings(rate_limit_count=50),
    }
    write_folder_dataset(folder / "data")
    if shard == 0:
        (folder / "data" / "big").mkdir()
        with (folder / "data" / "big" / "texts.csv").open("w", newline="", encoding="utf-8") as out:
            rows = csv.writer(out)
            rows.writerow(["text", "label"])
            rows.writerows((e.text, e.label) for e in noisy_examples(LONG_JOB_EXAMPLES, labels=2))
    return bot_process(folder, config, [shard], SHARDS, discord.token)


@pytest.fixture
async def deployment(tmp_path: Path, postgres: PostgresServer) -> AsyncIterator[Deployment]:
    url = postgres.new_database()
    speech_folder = tmp_path / "speech-machine"
    speech_folder.mkdir()
    (speech_folder / "config.yaml").write_text("state_dir: state\ndata_root: data\n")
    speech, uri = start_speech_server(speech_folder / "config.yaml")
    discord = FakeDiscordShards(tmp_path / "fakediscord", shard_count=SHARDS, guilds=SHARDS)
    await discord.start()
    parts = Deployment(discord, open_store(url), [], tmp_path, store_url=url)
    try:
        parts.new_worker()
        for shard in range(SHARDS):
            parts.bots.append(start_bot(tmp_path / f"bot-{shard}", shard, discord, url, uri))
        await asyncio.wait_for(discord.gateway.identified.wait(), 90)
        for guild in discord.guilds:
            await guild.wait_for(lambda g=guild: "train" in g.commands, 30, "slash commands")
        yield parts
    finally:
        # Everything stops at once; the fake Discord keeps answering while the bots say goodbye.
        for process in [*parts.bots, *(w.process for w in parts.workers), speech]:
            if process is not None and process.poll() is None:
                process.terminate()
        for bot in parts.bots:
            await asyncio.to_thread(bot.wait, 30)
        for worker in parts.workers:
            await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(stopped, speech)
        parts.store.close()
        await discord.close()
    for shard in range(SHARDS):
        err = (tmp_path / f"bot-{shard}" / "err.log").read_text()
        assert "Traceback" not in err, err


def text_of(message: dict[str, Any]) -> str:
    """What a member reads: the content and any embed."""
    embeds = [f"{e.get('title', '')} {e.get('description', '')}" for e in message["embeds"]]
    return " ".join([message["content"], *embeds])


async def typed(guild: FakeDiscord, command: str, timeout: float = 60) -> dict[str, Any]:
    sent = await guild.send_message(command)
    return await guild.wait_for_reply(after=sent["id"], timeout=timeout)


async def announced(
    guild: FakeDiscord, started: dict[str, Any], words: str, timeout: float
) -> dict[str, Any]:
    """The announcement answering the `train` reply `started`, in the guild's channel."""

    def about(message: dict[str, Any]) -> bool:
        reference = message.get("message_reference") or {}
        return reference.get("message_id") == started["id"] and words in text_of(message)

    return await guild.wait_for_reply(
        after=started["id"], channel_id=guild.text_channel_id, where=about, timeout=timeout
    )


async def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.2)


async def test_two_shard_processes_train_on_the_worker_and_hear_through_the_speech_server(
    deployment: Deployment,
) -> None:
    first, second = deployment.guilds
    assert [shard_of(g.guild_id, SHARDS) for g in (first, second)] == [0, 1]
    store = deployment.store

    # A long job in the first guild; the second guild's job waits behind it (one worker).
    assert "big" in text_of(await typed(first, "!select_dataset big", 120))
    assert "reviews" in text_of(await typed(second, "!select_dataset reviews"))
    long_job = await typed(first, "!train")
    assert "Training started on **big**" in long_job["content"], text_of(long_job)

    def long_job_training() -> bool:
        jobs = store.jobs(str(first.guild_id), limit=1)
        return bool(jobs) and jobs[0].status == "running" and jobs[0].progress >= 0.05

    await until(long_job_training, 120, "the worker trains the long job")
    queued = await typed(second, "!train")
    assert "Training started on **reviews**" in queued["content"], queued

    # The worker dies mid-job: the job is interrupted, the next worker runs the queued one.
    deployment.workers[0].kill()
    deployment.new_worker()
    lost = await announced(first, long_job, "interrupted", STALLED_S + 60)
    assert "worker stopped" in text_of(lost)
    done = await announced(second, queued, "finished", 120)
    assert "accuracy" in text_of(done).lower()

    # The first guild trains again, on the new worker; each announcement in its own channel.
    assert "reviews" in text_of(await typed(first, "!select_dataset reviews"))
    again = await typed(first, "!train")
    await announced(first, again, "finished", 120)
    for guild in (first, second):
        announcements = [m for m in guild.sent_messages() if "Training job #" in text_of(m)]
        jobs = {j.id for j in store.jobs(str(guild.guild_id), limit=10)}
        assert {int(text_of(m).split("#")[1].split()[0]) for m in announcements} <= jobs

    # `test` in each guild uses the model its job just made.
    for guild in (first, second):
        latest = store.latest_model(str(guild.guild_id))
        assert latest is not None
        tested = text_of(await typed(guild, '!test ["what a lovely film", "dull and tedious"]'))
        assert "positive" in tested and "negative" in tested and latest.version in tested, tested

    # A spoken command in each guild is heard through the speech server and answered.
    for guild in (first, second):
        reply = await join(guild)
        notice = await guild.wait_for_reply(
            after=reply["id"], where=lambda m: "optout" in m["content"], timeout=30
        )
        await guild.stream_voice(guild.alice, speech48("hey trainer, test the model"))
        answer = await guild.wait_for_reply(after=notice["id"], timeout=90)
        assert store.latest_model(str(guild.guild_id)).version in text_of(answer)  # type: ignore[union-attr]
