"""`bot.py simulate` for a Russian server: its dry run answers in Russian, written and said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import load_config
from audio.simulate import main
from tests.speech import speak, write_wav
from tests.test_russian_replies import english_in


def test_a_dry_run_answers_in_the_servers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With `language: ru` the dry run wrote "(dry run) I would run status." and said "I would
    run status." through the Russian voice, the only English in an otherwise Russian answer."""
    (tmp_path / "data").mkdir()
    config = tmp_path / "config.yaml"
    config.write_text("data_root: data\nstate_dir: state\nlanguage: ru\n", encoding="utf-8")
    wav = write_wav(tmp_path / "status.wav", speak("hey trainer, what's the status"))
    code = main([str(wav), "--json", "--speed", "0"], config=load_config(config))
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and record["intent"] == "status", record
    assert record["reply"] == "(пробный прогон) Я бы выполнил состояние.", record
    assert record["said"] == ["Я бы выполнил состояние."], record
    assert not english_in(record["reply"]), record
