"""README "Scaling out": every command and config snippet there is run here as written."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shlex
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from assistant.app import Assistant
from assistant.config import Config, load_config
from audio.asr.wyoming_engine import WyomingRecognizer
from tests.corpus import sentiment_examples
from tests.postgres import PostgresServer
from tests.test_speech_server import utterance

ROOT = Path(__file__).resolve().parents[1]


def section_blocks() -> list[str]:
    """The indented blocks of the README's "Scaling out" section (not the fenced drawing)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Scaling out\n", 1)[1].split("\n## ", 1)[0]
    blocks, current, fenced = [], [], False
    for line in section.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced:
            continue
        elif line.startswith("    "):
            current.append(line[4:])
        elif current and not line.strip():
            current.append("")
        elif current:
            blocks.append("\n".join(current).strip())
            current = []
    return blocks + (["\n".join(current).strip()] if current else [])


def commands(prefix: str) -> list[str]:
    return [b for b in section_blocks() if b.startswith(prefix)]


def test_the_config_snippets_are_valid_settings(tmp_path: Path) -> None:
    snippets = [b for b in section_blocks() if not b.startswith(".venv/")]
    raw: dict[str, object] = {"state_dir": "state", "data_root": "data"}
    for snippet in snippets:
        raw.update(yaml.safe_load(snippet))
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw))
    config = load_config(tmp_path / "config.yaml")
    assert config.database_url == "postgresql://trainer@db.internal/trainer"
    assert config.voice.asr.engine == config.voice.tts.engine == "wyoming"
    assert config.voice.asr.wyoming_uri == "tcp://speech.internal:10300"
    assert (config.discord.shard_ids, config.discord.shard_count) == ([2, 3], 4)


@pytest.fixture
def documented_port() -> Iterator[None]:
    """The README's port is fixed: test runs on one machine take turns with it."""
    with open("/tmp/trainer-speech-server-10300.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_the_speech_server_command_serves_recognition(
    tmp_path: Path, documented_port: None
) -> None:
    [command] = commands(".venv/bin/python bot.py speech-server")
    (tmp_path / "config.yaml").write_text("state_dir: state\ndata_root: data\n")
    env = {**os.environ, "TRAINER_CONFIG": str(tmp_path / "config.yaml")}
    process = subprocess.Popen(
        shlex.split(command), cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert "listening on tcp://127.0.0.1:10300" in process.stdout.readline()
        uri = shlex.split(command)[-1]
        recognizer = WyomingRecognizer(load_config(tmp_path / "config.yaml").voice.asr)
        recognizer.settings = recognizer.settings.model_copy(update={"wyoming_uri": uri})
        heard = recognizer.transcribe(utterance("hey trainer train the model"))
        assert heard.wake and heard.text == "train the model", heard
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_the_worker_command_runs_queued_training(
    tmp_path: Path, postgres: PostgresServer, make_config: Callable[..., Config]
) -> None:
    [command] = commands(".venv/bin/python bot.py worker")
    config = make_config(storage_url=postgres.new_database())
    app = Assistant(config)
    await app.start()
    worker_folder = tmp_path / "worker-machine"
    worker_folder.mkdir()
    (worker_folder / "config.yaml").write_text(
        f"state_dir: state\ndata_root: data\nstorage_url: {config.database_url}\n"
    )
    env = {**os.environ, "TRAINER_CONFIG": str(worker_folder / "config.yaml")}
    process = subprocess.Popen(
        shlex.split(command), cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert "training worker ready" in process.stdout.readline()
        job = await app.jobs.start(
            guild_id="g1",
            channel_id="c1",
            dataset="reviews",
            examples=sentiment_examples(100),
            requested_by="1",
        )
        done = await asyncio.wait_for(app.jobs.wait(job.id), 120)
        assert done.status == "succeeded", done
    finally:
        process.terminate()
        process.wait(timeout=30)
        await app.close()


def test_the_worker_needs_postgresql(tmp_path: Path) -> None:
    [command] = commands(".venv/bin/python bot.py worker")
    (tmp_path / "config.yaml").write_text("state_dir: state\ndata_root: data\n")
    env = {**os.environ, "TRAINER_CONFIG": str(tmp_path / "config.yaml")}
    result = subprocess.run(
        shlex.split(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "needs storage_url: postgresql://" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_shards_command_runs_its_slice_of_the_guilds(tmp_path: Path) -> None:
    """The README's command against a fake Discord of four guilds on four shards: the process
    identifies shards 0 and 1 only, and answers in their guilds."""
    from tests.fakediscord.shards import FakeDiscordShards

    [command] = commands(".venv/bin/python bot.py --shards")
    discord = FakeDiscordShards(tmp_path / "fakediscord", shard_count=4, guilds=4)
    await discord.start()
    raw = {"state_dir": "state", "data_root": "data", "discord": discord.discord_settings()}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw))
    env = {**os.environ, "TRAINER_CONFIG": str(tmp_path / "config.yaml")}
    env["DISCORD_TOKEN"] = discord.token
    process = subprocess.Popen(
        shlex.split(command), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        await discord.guilds[1].wait_for(lambda: discord.gateway.identifies == 2, 90, "shards")
        assert sorted(discord.gateway.identified_shards) == [(0, 4), (1, 4)]
        for guild in discord.guilds[:2]:
            sent = await guild.send_message("!help")
            await guild.wait_for_reply(after=sent["id"], timeout=60)
        # Shards 2 and 3 are left to another process: nobody is connected for them.
        assert discord.gateway.shard(2).ws is None and discord.gateway.shard(3).ws is None
    finally:
        process.terminate()
        # In a thread: the fake Discord keeps answering while the bot says goodbye.
        err = (await asyncio.to_thread(process.communicate, timeout=30))[1].decode()
        await discord.close()
    assert process.returncode == 0 and "Traceback" not in err, err
