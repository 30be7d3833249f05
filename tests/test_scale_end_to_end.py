"""Scaled out on loopback, through the entry points users run: PostgreSQL, a bot process
(`bot.py console`), a training worker (`bot.py worker`, its own folder) and a speech server
(`bot.py speech-server`) as four separate parts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.corpus import write_folder_dataset
from tests.postgres import PostgresServer
from tests.queue_worker import TrainingWorker
from tests.speech import join, speak, write_wav
from tests.test_console import ROOT, Console
from tests.test_speech_server import start_speech_server


@pytest.fixture
def deployment(tmp_path: Path, postgres: PostgresServer) -> Iterator[tuple[Path, TrainingWorker]]:
    """(the bot's folder, the worker), with the speech server and the database running."""
    url = postgres.new_database()
    speech_folder = tmp_path / "speech-machine"
    speech_folder.mkdir()
    (speech_folder / "config.yaml").write_text("state_dir: state\ndata_root: data\n")
    speech, uri = start_speech_server(speech_folder / "config.yaml")
    worker = TrainingWorker(tmp_path / "worker-machine", url)
    bot = tmp_path / "bot-machine"
    bot.mkdir()
    config = {
        "state_dir": "state",
        "data_root": "data",
        "storage_url": url,
        "voice": {
            "asr": {"engine": "wyoming", "wyoming_uri": uri},
            "tts": {"engine": "wyoming", "wyoming_uri": uri, "fallback": "none"},
        },
    }
    (bot / "config.yaml").write_text(yaml.safe_dump(config))
    write_folder_dataset(bot / "data")
    try:
        worker.start()
        yield bot, worker
    finally:
        worker.stop()
        speech.terminate()
        speech.wait(timeout=30)


def test_typed_training_runs_on_the_worker_and_speech_on_the_speech_server(
    deployment: tuple[Path, TrainingWorker],
) -> None:
    bot, _worker = deployment
    console = Console(bot)
    assert console.send("select_dataset reviews")["ok"]
    started = console.send("!train")
    assert started["ok"] and "Training started on **reviews**" in started["text"]
    finished = console.read()  # announced by the bot when the worker has finished
    assert finished["kind"] == "job" and finished["data"]["status"] == "succeeded", finished
    tested = console.send('!test ["what a lovely film", "dull and tedious"]')
    assert [p["prediction"] for p in tested["data"]["predictions"]] == ["positive", "negative"]
    out, err = console.close()
    assert "Traceback" not in out + err
    # The model was trained and written on the worker's machine only.
    assert (bot.parent / "worker-machine" / "state" / "models").is_dir()

    wav = write_wav(bot / "status.wav", join(speak("hey trainer, test the model")))
    console_command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    result = subprocess.run(
        [*console_command, "--json", "--speak", str(wav)],
        cwd=bot,
        capture_output=True,
        text=True,
        timeout=180,
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    heard = [e["text"] for e in events if e.get("event") == "heard"]
    said = [e["text"] for e in events if e.get("event") == "said"]
    assert heard == ["test the model"], result.stderr
    assert any("accuracy" in text for text in said), said
    answers = sorted((bot / "state" / "console-voice").glob("*-answer.wav"))
    assert answers and answers[-1].stat().st_size > 10_000  # spoken by the speech server
