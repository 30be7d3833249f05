"""config.yaml: validation names the key and the reason; start-up never shows a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.prefix == "!"
    assert config.data_root == (ROOT / "data").resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prefix: ''\n", "prefix"),
        ("limits:\n  attachment_bytes: -5\n", "limits.attachment_bytes"),
        ("trainer:\n  backend: tensorflow\n", "trainer.backend"),
        ("permisions: {}\n", "permisions"),
        ("limits: [1, 2]\n", "limits"),
        ("prefix: [unclosed\n", "not valid YAML at line"),
        ("- a list\n", "must be a mapping"),
        ("storage_url: mysql://db/trainer\n", "storage_url: Value error, use sqlite:///PATH"),
        ("discord:\n  record_audio: true\n", "discord.record_audio: Value error, recording"),
    ],
)
def test_invalid_config_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)


def test_environment_variable_selects_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("prefix: '?'\ndata_root: here\n")
    monkeypatch.setenv("TRAINER_CONFIG", str(path))
    config = load_config()
    assert config.prefix == "?"
    assert config.data_root == tmp_path / "here"


def test_bad_config_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("limits:\n  zip_files: lots\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", str(path), "console"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2
    assert "limits.zip_files" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
