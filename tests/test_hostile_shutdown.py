"""Stopping Trainer in every way a person or a machine does, in the middle of a training job:
nothing is lost, no process, staging folder or temporary file is left, no traceback is shown."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench.text_corpus import noisy_examples
from tests.consoles import Console

ROOT = Path(__file__).resolve().parents[1]
BOT = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    # Character n-grams and a few thousand distinct texts keep a job running for seconds, so
    # a signal surely arrives while it trains, even on an idle machine with a warm trainer.
    (tmp_path / "config.yaml").write_text(
        "data_root: data\nstate_dir: state\ntrainer:\n  sklearn:\n    char_ngrams: true\n"
    )
    for label, texts in distinct_texts(3000).items():
        folder = tmp_path / "data" / "reviews" / label
        folder.mkdir(parents=True)
        for index, text in enumerate(texts):
            (folder / f"{index:05d}.txt").write_text(text, encoding="utf-8")
    return tmp_path


def distinct_texts(per_label: int) -> dict[str, list[str]]:
    """`per_label` distinct short texts for `positive` and `negative`."""
    by_label: dict[str, list[str]] = {"positive": [], "negative": []}
    for example in noisy_examples(per_label * 2, labels=2, noise=0.0):
        name = "positive" if example.label == "label0" else "negative"
        by_label[name].append(example.text)
    return by_label


def descendants(pid: int) -> set[int]:
    """Every process whose parent chain leads to `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def describe(pids: set[int]) -> list[str]:
    lines = []
    for pid in alive(pids):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        lines.append(f"{pid}: {command[:200]}")
    return lines


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def start_training(console: Console) -> set[int]:
    """Start a job and return the processes it runs in once its worker is up."""
    assert console.send("select_dataset reviews")["ok"]
    assert console.send("train")["job_id"] == 1
    wait_until(lambda: descendants(console.process.pid), 60, "the training worker never started")
    return descendants(console.process.pid)


def leftovers(workdir: Path) -> list[Path]:
    """Staging folders and temporary files anywhere under the work folder."""
    return [
        path
        for path in workdir.rglob("*")
        if path.name.startswith(".staging-")
        or path.suffix in (".partial", ".tmp")
        or path.name.endswith(("-journal",))
    ]


def status_after_restart(workdir: Path) -> dict[str, Any]:
    result = subprocess.run(
        [*BOT, "--json"], cwd=workdir, input="status\n", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[0])


def test_sigterm_during_a_job_stops_cleanly(workdir: Path) -> None:
    console = Console(workdir)
    workers = start_training(console)
    console.process.send_signal(signal.SIGTERM)
    out, err = console.process.communicate(timeout=30)
    assert console.process.returncode == 0, err
    assert "Traceback" not in out + err
    wait_until(lambda: not alive(workers), 10, f"processes left behind: {alive(workers)}")
    assert leftovers(workdir) == []
    assert not (workdir / "state" / "trainer.db-wal").exists()  # closed, checkpointed
    status = status_after_restart(workdir)
    job = status["data"]["jobs"][0]
    assert job["id"] == 1 and job["status"] == "interrupted"
    assert leftovers(workdir) == []


def test_sigterm_to_every_process_of_the_service_interrupts_the_job_quietly(
    workdir: Path,
) -> None:
    """A service stop (systemd's, `kill -TERM -PGID`) signals the training process too. When
    the bot's check for a dead training process saw it gone before the bot's own signal came,
    the job failed with a traceback in the log ("training process exited with code -15")."""
    console = Console(workdir)
    workers = start_training(console)

    def fitting() -> bool:  # the job's examples are in the training process, which reports
        jobs = console.send("status")["data"]["jobs"]
        return bool(jobs) and jobs[0]["status"] == "running" and jobs[0]["progress"] > 0

    wait_until(fitting, 60, "the job never reached its training process")
    for pid in workers:
        os.kill(pid, signal.SIGTERM)
    time.sleep(0.3)  # the check looks every 50 ms: it meets the stopped process first
    console.process.send_signal(signal.SIGTERM)
    out, err = console.process.communicate(timeout=30)
    log = (workdir / "state" / "trainer.log").read_text(encoding="utf-8")
    assert console.process.returncode == 0, err
    assert "Traceback" not in out + err + log, out + err + log
    stopped = [line for line in log.splitlines() if "training process was stopped" in line]
    assert len(stopped) == 1 and " INFO " in stopped[0], log
    wait_until(lambda: not alive(workers), 10, f"processes left behind: {alive(workers)}")
    assert leftovers(workdir) == []
    job = status_after_restart(workdir)["data"]["jobs"][0]
    assert job["id"] == 1 and job["status"] == "interrupted", job


def test_kill_9_during_a_job_leaves_no_worker_and_loses_nothing(workdir: Path) -> None:
    console = Console(workdir)
    assert console.send("feedback written just before the crash")["ok"]
    workers = start_training(console)
    console.process.kill()
    console.process.wait(timeout=30)
    # nobody is left to stop the worker: it notices its parent is gone and stops itself
    wait_until(lambda: not alive(workers), 10, f"orphans still running: {describe(workers)}")
    status = status_after_restart(workdir)
    assert status["data"]["jobs"][0]["status"] == "interrupted"
    assert leftovers(workdir) == []  # the restart removed the staging folder
    again = Console(workdir)
    listing = again.send("feedback")
    assert "written just before the crash" in listing["text"]
    again.process.stdin.close()  # type: ignore[union-attr]
    again.process.wait(timeout=60)


class Terminal:
    """The interactive console on a pseudo-terminal, in its own process group like a shell
    job: Ctrl-C is SIGINT to the whole group (the worker too), as a terminal sends it."""

    def __init__(self, workdir: Path) -> None:
        leader, follower = pty.openpty()
        self.process = subprocess.Popen(
            BOT,
            cwd=workdir,
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env={**os.environ, "TERM": "dumb"},
            start_new_session=True,
        )
        os.close(follower)
        self.leader = leader
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.seen:
            assert time.monotonic() < deadline, self.text[-2000:]
            ready, _, _ = select.select([self.leader], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.leader, 65536)
                except OSError:  # the process ended and closed the terminal
                    break

    def type(self, line: str) -> None:
        os.write(self.leader, line.encode() + b"\n")

    def ctrl_c(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)

    def finish(self, timeout: float = 20) -> str:
        self.process.wait(timeout=timeout)
        with_rest = self.seen
        while True:
            ready, _, _ = select.select([self.leader], [], [], 0.2)
            if not ready:
                break
            try:
                chunk = os.read(self.leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            with_rest += chunk
        os.close(self.leader)
        self.seen = with_rest
        return self.text

    @property
    def text(self) -> str:
        return self.seen.decode(errors="replace")


def test_ctrl_c_at_the_prompt_quits_at_once(workdir: Path) -> None:
    terminal = Terminal(workdir)
    terminal.read_until(b"trainer> ")
    terminal.ctrl_c()
    text = terminal.finish(timeout=15)  # no Enter needed
    assert terminal.process.returncode == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text


def type_train(terminal: Terminal) -> None:
    """Type `select_dataset reviews` and `train` at the prompt, as a person does."""
    terminal.type("select_dataset reviews")
    terminal.read_until(b"Active dataset")
    terminal.type("train")
    terminal.read_until(b"Training started")


def test_ctrl_c_during_a_job_asks_first(workdir: Path) -> None:
    terminal = Terminal(workdir)
    terminal.read_until(b"trainer> ")
    type_train(terminal)
    terminal.read_until(b"vectorizing")  # the job is running in its worker
    workers = descendants(terminal.process.pid)
    terminal.ctrl_c()
    terminal.read_until(b"press Ctrl-C again")
    assert terminal.process.poll() is None  # still running: it asked
    terminal.ctrl_c()
    text = terminal.finish()
    assert terminal.process.returncode == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    wait_until(lambda: not alive(workers), 10, f"processes left behind: {alive(workers)}")
    assert status_after_restart(workdir)["data"]["jobs"][0]["status"] == "interrupted"
    assert leftovers(workdir) == []


def test_quit_during_a_job_asks_first(workdir: Path) -> None:
    terminal = Terminal(workdir)
    terminal.read_until(b"trainer> ")
    type_train(terminal)
    terminal.type("quit")
    terminal.read_until(b"type `quit` again")
    assert terminal.process.poll() is None
    terminal.type("quit")
    text = terminal.finish()
    assert terminal.process.returncode == 0, text
    assert "Traceback" not in text
    jobs = status_after_restart(workdir)["data"]["jobs"]
    assert jobs[0]["status"] in ("interrupted", "succeeded")  # it may have finished meanwhile
    assert leftovers(workdir) == []
