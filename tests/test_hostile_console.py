"""The console under hostile or careless use: clear replies, no traceback on the terminal, no
secret in the log, and the config's permissions honoured."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Config
from assistant.logs import setup_logging
from tests.corpus import write_folder_dataset

ROOT = Path(__file__).resolve().parents[1]
BOT = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(tmp_path / "data", per_label=10)
    return tmp_path


def console(
    workdir: Path, script: str, env: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    result = subprocess.run(
        BOT,
        cwd=workdir,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_bytes_that_are_not_utf8_on_standard_input(workdir: Path) -> None:
    result = subprocess.run(
        BOT, cwd=workdir, input=b"hi\n\xff\xfe junk\nhi\n", capture_output=True, timeout=120
    )
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stderr
    assert replies[0]["ok"] and replies[-1]["ok"], replies
    assert b"Traceback" not in result.stderr


def test_internal_errors_print_no_traceback_on_the_terminal(workdir: Path) -> None:
    """Files of replies are saved in state/console-files: make that impossible."""
    (workdir / "state").mkdir()
    (workdir / "state" / "console-files").write_text("a file where a folder should be")
    replies, err = console(workdir, "getfile reviews/positive/0000.txt\nhi\n")
    assert not replies[0]["ok"] and replies[-1]["ok"], replies
    assert "Traceback" not in err and 'File "' not in err, err
    assert str(ROOT) not in err  # no host paths of the code either
    log = (workdir / "state" / "trainer.log").read_text(encoding="utf-8")
    assert "Traceback" in log  # the details are kept where the operator looks


def test_the_console_user_is_not_an_admin_when_the_config_says_so(workdir: Path) -> None:
    (workdir / "config.yaml").write_text(
        "data_root: data\nstate_dir: state\npermissions:\n  console_user_is_admin: false\n"
    )
    replies, _ = console(workdir, "getfile reviews/positive/0000.txt\nhi\n")
    assert not replies[0]["ok"] and "role" in replies[0]["text"].lower(), replies[0]
    assert not replies[0]["files"]
    assert replies[1]["ok"]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("secret", ["sk-ABC", "Zq", "a much longer discord token value"])
def test_every_secret_is_redacted_whatever_its_length(
    make_config: Callable[..., Config],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret: str,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("DISCORD_TOKEN", f"{secret}-discord\n")
    config = make_config()
    setup_logging(config, quiet_console=True)
    try:
        raise RuntimeError(f"the endpoint said: invalid key {secret}-discord and {secret}")
    except RuntimeError:
        logging.getLogger("t").exception("request failed for %s", secret)
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = (config.state_dir / "trainer.log").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    for text in (log, err):
        assert f"{secret}-discord" not in text
        assert "invalid key [redacted] and [redacted]" in log
    assert "request failed for [redacted]" in err
    assert "Traceback" not in err and "Traceback" in log


def test_a_dry_run_logs_only_what_went_wrong_into_an_existing_state_folder(
    make_config: Callable[..., Config],
) -> None:
    """`simulate` (a dry run) changes no folder: news such as a cache it made ("made the kept
    typed-index ...", INFO) is not written to the state folder's log; a warning still is."""
    config = make_config()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        setup_logging(config, quiet_console=True, make_folder=False)
        logging.getLogger("assistant.kept").info("made the kept typed-index abc in 9.1 s")
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert not (config.state_dir / "trainer.log").exists()
        logging.getLogger("t").warning("a file could not be read")
        for handler in logging.getLogger().handlers:
            handler.flush()
        log = (config.state_dir / "trainer.log").read_text(encoding="utf-8")
        assert "a file could not be read" in log and "made the kept" not in log
    finally:
        for handler in logging.getLogger().handlers:
            handler.close()
        logging.getLogger().handlers.clear()
