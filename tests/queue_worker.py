"""`bot.py worker` as a real process for tests: its own folder, so it shares only the database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


class TrainingWorker:
    """A training worker on `storage_url`, with a state folder of its own (no shared files)."""

    def __init__(self, folder: Path, storage_url: str, **settings: object) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.config_path = folder / "config.yaml"
        raw = {"state_dir": "state", "data_root": "data", "storage_url": storage_url, **settings}
        self.config_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> TrainingWorker:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "--config", str(self.config_path), "worker"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # kill() takes its training subprocesses down with it
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "training worker ready" not in line:
            self.kill()
            raise RuntimeError(f"the training worker did not start: {line!r}")
        return self

    def hold_training(self) -> None:
        """Stop the worker's training processes where they are, not the worker: however busy
        the machine, the job cannot finish meanwhile, and the worker still hears a cancel (a
        stopped worker, continued, could finish the job before it noticed the cancel)."""
        assert self.process is not None
        for pid in self._group():
            if pid != self.process.pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)

    def pause(self) -> None:
        """Stop the worker and its training processes, as a machine too busy to answer."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume_worker(self) -> None:
        """Let the worker itself go on (its training processes stay as they are)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def release(self) -> None:
        """Let the worker and every training process go on."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def _group(self) -> list[int]:
        """Every process of the worker's session (it leads its own process group)."""
        assert self.process is not None
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if os.getpgid(int(entry.name)) == self.process.pid:
                        found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """Die at once, as a machine that loses power (no clean-up of any kind)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop like an operator would (SIGTERM), and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
