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


def test_the_text_view_is_in_the_servers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without `--json` each file's line said "heard ... -> status" and "said: ..." in English
    on a Russian server; those words are the server's language's (the stages under them are
    the debug view, as the log has it)."""
    (tmp_path / "data").mkdir()
    config = tmp_path / "config.yaml"
    config.write_text("data_root: data\nstate_dir: state\nlanguage: ru\n", encoding="utf-8")
    wav = write_wav(tmp_path / "status.wav", speak("hey trainer, what's the status"))
    code = main([str(wav), "--speed", "0"], config=load_config(config))
    out = capsys.readouterr().out
    assert code == 0, out
    (line,) = [line for line in out.splitlines() if line.startswith(f"{wav} @")]
    assert " с: услышано " in line and "what's the status" in line, out
    assert line.endswith(" -> status"), out
    assert "    сказано: Я бы выполнил состояние." in out, out
    assert " heard " not in out and "said:" not in out, out
