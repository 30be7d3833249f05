"""Start-up with a broken machine, a broken config or a damaged state folder: one line,
"Trainer cannot start: ...", saying what is wrong and what to do; nothing damaged is changed."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.corpus import write_folder_dataset

ROOT = Path(__file__).resolve().parents[1]
BOT = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml"]


def run(
    workdir: Path, script: str = "", *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOT, *(args or ("console", "--json"))],
        cwd=workdir,
        input=script,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def refused_start(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line: exit status 2, no traceback, the reason named."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Trainer cannot start: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(tmp_path / "data", per_label=20)
    return tmp_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a damaged database ----------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _bad_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"Not SQLite here\x00"
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _random_bytes, _bad_header])
def test_a_damaged_database_is_named_kept_and_recoverable(workdir: Path, damage: object) -> None:
    first = run(workdir, "feedback keep me\n" + "feedback and me\n" * 300)
    assert first.returncode == 0, first.stderr
    database = workdir / "state" / "trainer.db"
    assert callable(damage)
    damage(database)
    before = digest(database)
    line = refused_start(run(workdir, "status\n"), "damaged", str(database), ".recover")
    assert digest(database) == before  # the damaged file is kept exactly as it was
    assert not (workdir / "state" / "trainer.db.damaged").exists()
    assert "mv " in line


def test_the_readme_recovery_steps_work(workdir: Path) -> None:
    """README, Safety: the recovery commands, run exactly as written there."""
    assert run(workdir, "feedback keep me\n").returncode == 0
    database = workdir / "state" / "trainer.db"
    _bad_header_after_data(database)
    refused_start(run(workdir, "status\n"), "damaged")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("To recover a damaged database", 1)[1].split("```sh\n", 1)[1]
    commands = block.split("```", 1)[0]
    assert "mv state/trainer.db state/trainer.db.damaged" in commands
    done = subprocess.run(commands, shell=True, cwd=workdir, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = run(workdir, "status\n")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[0])["ok"]


def _bad_header_after_data(database: Path) -> None:
    """Damage only the first page's free space: .recover can still read the rows."""
    data = bytearray(database.read_bytes())
    data[:16] = b"Not SQLite here\x00"
    database.write_bytes(bytes(data))


def test_an_empty_database_with_models_left_is_refused(workdir: Path) -> None:
    trained = run(workdir, "select_dataset reviews\ntrain\n")
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout.splitlines()[-1])["data"]["status"] == "succeeded"
    database = workdir / "state" / "trainer.db"
    database.write_bytes(b"")
    line = refused_start(run(workdir, "status\n"), "0 bytes", "models", "truncated")
    assert "backup" in line
    assert database.stat().st_size == 0
    assert [p for p in (workdir / "state" / "models").glob("*/*") if p.is_dir()]


def test_an_empty_database_without_models_is_a_fresh_start(workdir: Path) -> None:
    (workdir / "state").mkdir()
    (workdir / "state" / "trainer.db").write_bytes(b"")
    result = run(workdir, "status\n")
    assert result.returncode == 0 and json.loads(result.stdout)["ok"], result.stderr


# -- the config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"log_level: BOGUS\n", ("log_level", "DEBUG, INFO")),
        (b"data_root: d\xe9ta\n", ("not UTF-8", "0xe9")),
        (b"storage_url: sqlite://x.db\n", ("storage_url", "three slashes")),
        (b"storage_url: 'sqlite://'\n", ("storage_url", "three slashes")),
        (b"storage_url: 'sqlite:///'\n", ("storage_url", "three slashes")),
        (b"data_root: .\n", ("data_root", "contains state_dir")),
        (b"data_root: state/..\n", ("data_root", "contains state_dir")),
        (b"data_root: data\nstate_dir: data/state\n", ("data_root", "contains state_dir")),
        (b"voice:\n  wake_phrases: []\n", ("voice.wake_phrases", "at least 1")),
        (b"voice:\n  wake_phrases: ['!!']\n", ("voice.wake_phrases", "no words")),
    ],
)
def test_config_mistakes_stop_start_up_in_one_line(
    tmp_path: Path, text: bytes, words: tuple[str, ...]
) -> None:
    (tmp_path / "config.yaml").write_bytes(text)
    refused_start(run(tmp_path, "status\n"), *words)


def test_the_config_file_inside_the_data_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"data_root: .\nstate_dir: {tmp_path.parent / 'st'}\n")
    refused_start(run(tmp_path, "status\n"), "contains the config file")


def test_a_relative_sqlite_url_is_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "config.yaml").write_text("storage_url: sqlite:///db/t.db\ndata_root: data\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", "conf/config.yaml", "console"],
        cwd=tmp_path,
        input="feedback hi\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "db" / "t.db").is_file()
    assert not (tmp_path / "db").exists()


def test_a_relative_intents_file_is_read_from_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "config.yaml").write_text(
        "data_root: data\nstate_dir: state\nvoice:\n  intents_file: extra.yaml\n"
    )
    (folder / "extra.yaml").write_text(
        "intents:\n  hi:\n    data:\n      - sentences: ['ahoy there']\n"
    )
    script = "ahoy there\n"
    result = subprocess.run(
        [*BOT[:2], "--config", "conf/config.yaml", "console", "--json"],
        cwd=tmp_path,  # not the config's folder: the file must still be found
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout.splitlines()[0])
    assert reply["ok"] and reply["command"] == "hi", reply
    (folder / "extra.yaml").unlink()
    refused_start(
        subprocess.run(
            [*BOT[:2], "--config", "conf/config.yaml", "console", "--json"],
            cwd=tmp_path,
            input=script,
            capture_output=True,
            text=True,
            timeout=120,
        ),
        "intents_file",
        "extra.yaml",
    )


# -- the machine -----------------------------------------------------------------------------------


def _can_mount_read_only() -> bool:
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o ro tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


def test_a_missing_data_root_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "config.yaml").write_text("data_root: afile/data\nstate_dir: state\n")
    refused_start(run(tmp_path, "status\n"), "data_root", "cannot be created")


def test_a_missing_data_root_on_a_read_only_file_system(tmp_path: Path) -> None:
    if not _can_mount_read_only():
        pytest.fail("this test needs `unshare -rm` (user namespaces) to mount a read-only folder")
    (tmp_path / "ro").mkdir()
    (tmp_path / "config.yaml").write_text("data_root: ro/data\nstate_dir: state\n")
    command = " ".join(shlex.quote(part) for part in [*BOT, "console"])
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o ro tmpfs ro && exec {command}"],
        cwd=tmp_path,
        input="status\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    refused_start(result, "data_root", "Read-only file system")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_discord_unreachable_retries_with_back_off_and_stops_cleanly(tmp_path: Path) -> None:
    port = _closed_port()
    (tmp_path / "config.yaml").write_text(
        "data_root: data\nstate_dir: state\ndiscord:\n"
        f"  api_base: http://127.0.0.1:{port}/api/v10\n"
        f"  gateway_url: ws://127.0.0.1:{port}/\n"
    )
    process = subprocess.Popen(
        BOT,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DISCORD_TOKEN": "a.fake.token"},
    )
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while sum("cannot reach Discord" in line for line in lines) < 2:
        assert time.monotonic() < deadline, lines
        line = process.stderr.readline()
        assert line, lines
        lines.append(line)
    process.send_signal(signal.SIGTERM)
    rest = process.communicate(timeout=30)[1]
    text = "".join(lines) + rest
    assert process.returncode == 0, text
    assert "Traceback" not in text
    assert "retrying in 1 s" in text and "retrying in 2 s" in text
    assert "a.fake.token" not in text


# -- one instance per state folder -----------------------------------------------------------------


def test_a_second_instance_on_the_same_state_folder_is_refused(workdir: Path) -> None:
    first = subprocess.Popen(
        [*BOT, "console", "--json"],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdin and first.stdout
    first.stdin.write("hi\n")
    first.stdin.flush()
    assert json.loads(first.stdout.readline())["ok"]  # the first one is up
    line = refused_start(run(workdir, "status\n"), "another Trainer", str(first.pid))
    assert "state_dir" in line
    first.kill()  # the lock dies with its process, even on kill -9
    first.wait(timeout=30)
    again = run(workdir, "hi\n")
    assert again.returncode == 0, again.stderr


FORKSERVER = (
    "import multiprocessing as mp\n"
    "p = mp.get_context('forkserver').Process(target=print)\n"
    "p.start(); p.join(); raise SystemExit(p.exitcode)\n"
)
"""Starts one process through multiprocessing's forkserver, as the recognizer's pool does."""


def test_a_temporary_folder_too_long_for_the_recognizer_socket(workdir: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="tmpdir-"))
    try:
        longest = base / ("y" * (75 - len(str(base)) - 1))
        too_long = base / ("x" * (76 - len(str(base)) - 1))
        longest.mkdir()
        too_long.mkdir()
        line = refused_start(run(workdir, "status\n", env={"TMPDIR": str(too_long)}), "TMPDIR")
        assert str(too_long) in line and "/tmp" in line
        assert not (workdir / "state").exists()  # refused before anything was written

        def forkserver(tmp: Path) -> subprocess.CompletedProcess[str]:
            env = {**os.environ, "TMPDIR": str(tmp)}
            return subprocess.run(
                [sys.executable, "-c", FORKSERVER], env=env, capture_output=True, text=True
            )

        # The limit is the forkserver's own: one byte more and it cannot start.
        assert forkserver(longest).returncode == 0
        failed = forkserver(too_long)
        assert failed.returncode != 0 and "AF_UNIX path too long" in failed.stderr
        accepted = run(workdir, "status\n", env={"TMPDIR": str(longest)})
        assert accepted.returncode == 0, accepted.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)
