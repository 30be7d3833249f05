"""Running `python bot.py console` as a user's script does: a folder with config and data;
and the same console's line handling inside the test's process (TypedConsole)."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.corpus import write_folder_dataset
from transports.console import ConsoleTransport

if TYPE_CHECKING:
    from assistant.app import Assistant

ROOT = Path(__file__).resolve().parents[1]


def make_workdir(folder: Path) -> Path:
    """config.yaml (data and state folders beside it) and the `reviews` dataset."""
    (folder / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(folder / "data")
    return folder


def memory_cap(gigabytes: int = 8) -> Callable[[], None]:
    """A `preexec_fn` that caps a child's address space: were an input to make the bot ask for
    tens of GB again (a 2 KB WAV declaring 100,000,007 Hz did), the test fails, not the machine.
    The bot with its speech engines maps about 1.3 GB."""
    limit = gigabytes << 30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


def run_checked(
    command: list[str],
    cwd: Path,
    script: str = "",
    *,
    preexec_fn: Callable[[], None] | None = None,
    **env: str,
) -> str:
    """Run a user's command (input on a pipe); its standard output, checked for tracebacks."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec_fn,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def run_console(workdir: Path, script: str, *flags: str) -> str:
    """Feed `script` to the console on a pipe; its standard output."""
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", *flags]
    return run_checked(command, workdir, script)


class Console:
    """A console process driven over pipes, one JSON reply per line."""

    def __init__(self, workdir: Path, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"],
            cwd=workdir,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def send(self, line: str) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.read()

    def read(self) -> dict[str, Any]:
        assert self.process.stdout
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read() if self.process.stderr else "no output"
        return json.loads(line)

    def say(self, wav: Path) -> list[dict[str, Any]]:
        """`say` a file; every event it printed. A `hi` typed after it marks where they end:
        how many events one utterance makes depends on timing (a reply may be spoken before
        or after it is posted), so a fixed count of reads is no bound on a busy machine."""
        assert self.process.stdin
        self.process.stdin.write(f"say {wav}\nhi\n")
        self.process.stdin.flush()
        events = []
        while (event := self.read()).get("command") != "hi":
            events.append(event)
        return events

    def close(self) -> tuple[str, str]:
        out, err = self.process.communicate(timeout=60)
        return out, err


class TypedConsole:
    """Lines typed at `bot.py console --json`, handled in this process on a started Assistant:
    a test sees each reply as the user does, and can look at the database and the data root
    between two lines (a refused line must change neither)."""

    def __init__(self, app: Assistant) -> None:
        self.out = io.StringIO()
        self.console = ConsoleTransport(app, json_mode=True, out=self.out)

    async def send(self, line: str) -> dict[str, Any]:
        """Type one line; the reply it printed, as `--json` prints it."""
        start = len(self.out.getvalue())
        await self.console.handle_safely(line)
        printed = self.out.getvalue()[start:].splitlines()
        assert printed, f"no reply to {line!r}"
        return json.loads(printed[-1])

    async def wait(self) -> None:
        """The console's `wait`: until the running jobs have finished and been announced."""
        await self.console.wait_for_jobs()
