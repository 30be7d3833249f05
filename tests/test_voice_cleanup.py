"""The voice pieces leave nothing behind: no recognizer process and no temporary file outlives
the program, whether it closes them or just ends; closing twice is harmless."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = r"""
import asyncio, json, os, signal, sys
from assistant.config.voice import VoiceSettings
from states.parts import RecognizerPool
from states.recognition_processes import ProcessRecognizerPool
from audio.asr.factory import build_recognizer

async def main(how: str) -> None:
    pids = []
    pool = ProcessRecognizerPool(VoiceSettings(), {"dataset": ["movies"]}, workers=2)
    await pool.warm_up()
    pids += [pid for executor in pool._pools for pid in (executor._processes or {})]
    await pool.transcribe(bytes(32000))
    await pool.update_lists({"dataset": ["movies", "reviews"]})  # a fresh set of workers
    await pool.settled()
    pids += [pid for executor in pool._pools for pid in (executor._processes or {})]
    threads = RecognizerPool([build_recognizer(VoiceSettings())])
    await threads.update_lists({"dataset": ["films"]})
    await threads.transcribe(bytes(32000))
    from multiprocessing import forkserver
    pids.append(forkserver._forkserver._forkserver_pid)
    print(json.dumps(pids), flush=True)
    if how == "killed":  # kill -9: nobody closes anything
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "close":
        pool.close(wait=True)
        pool.close(wait=True)
        threads.close()
        threads.close()

asyncio.run(main(sys.argv[1]))
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.parametrize("how", ["close", "just_end", "killed"])
def test_recognizers_leave_no_process_or_temporary_file(how: str) -> None:
    # A short folder of its own, not pytest's tmp_path: multiprocessing's forkserver binds a
    # Unix socket inside TMPDIR, and such a path may not exceed 107 bytes; pytest-100/popen-gw1/
    # test_recognizers_leave_no_proc0/tmp/pymp-.../listener-... did.
    folder = Path(tempfile.mkdtemp(prefix="cleanup-"))
    try:
        _run_and_check(folder, how)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_and_check(folder: Path, how: str) -> None:
    env = {**os.environ, "TMPDIR": str(folder), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, how],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == (-9 if how == "killed" else 0), done.stderr
    pids = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(pids) == 5  # four workers, then the forkserver
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if _alive(pid)] == []
    # multiprocessing's own socket folder (pymp-*) included: nothing at all is left, except
    # after kill -9, which leaves Python no moment to remove that folder.
    left = sorted(p.name for p in folder.iterdir())
    assert [n for n in left if not (how == "killed" and n.startswith("pymp-"))] == []
