"""Nothing a user asks for blocks the event loop that live voice runs on.

The console is driven in JSON mode the way a script drives it (`train file:big.csv`, then `test`
with 5,000 labelled items) while a ticker on the same event loop records the
longest time the loop spent on one stretch of work. It runs in a process of its own, like the
bot.

What is measured is the loop thread's own CPU time between two ticks (`time.thread_time`), not
the wall-clock gap: on a machine whose cores are busy with other work the loop thread may simply
not be scheduled, or wait its turn for the GIL, and that is not something this code did. The CPU
time the loop thread spends between two ticks is work done on the loop, and it does not grow
with the machine's load, so the 50 ms limit needs no margin. The wall-clock gap is bounded too,
loosely, to catch a worker thread holding the GIL for long (a large `json.dumps` or `sorted`).
"""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.config import load_config
from assistant.heap import wait_for_builds
from assistant.storage import Store
from bench.text_corpus import noisy_examples
from transports.console import ConsoleTransport
from transports.console_loop import ConsoleLoop

ROOT = Path(__file__).resolve().parents[1]

LIMIT_S = 0.05
"""Longest stretch of work the event loop may do at once (the issue's goal)."""
WALL_LIMIT_S = 1.0
"""Loose bound on the wall-clock gap: a worker holding the GIL for long, or a write holding
the database's lock for seconds, shows up here."""
TRACKED_LIMIT = 20_000
"""Objects a full garbage collection may walk once voice is live (a few ms of work)."""
SIZE = 100_000
TEST_ITEMS = 5_000


@dataclass
class Ticker:
    """Wakes every 5 ms on the loop; keeps the longest on-loop CPU stretch and wall gap.
    Every 100 ms it also writes to the store from the loop, as replies to other users do:
    a long write elsewhere that held the database's lock would stall it."""

    store: Store
    cpu: float = 0.0
    wall: float = 0.0
    ticks: int = 0

    async def run(self, stop: asyncio.Event) -> None:
        wall, cpu = time.monotonic(), time.thread_time()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            if self.ticks % 20 == 0:
                self.store.next_number("stall test")
            now_wall, now_cpu = time.monotonic(), time.thread_time()
            self.cpu = max(self.cpu, now_cpu - cpu)
            self.wall = max(self.wall, now_wall - wall - 0.005)
            wall, cpu = now_wall, now_cpu
            self.ticks += 1


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


async def measure(folder: Path) -> dict[str, Any]:
    """Train 100,000 examples and test 5,000 through the console in `folder` while the ticker
    watches the loop; what the user saw and what the ticker measured."""
    (folder / "config.yaml").write_text(
        # a smaller model fits sooner; what the event loop does is the same
        "data_root: data\nstate_dir: state\n"
        "trainer:\n  sklearn:\n    max_features: 5000\n    refit_on_all: false\n",
        encoding="utf-8",
    )
    config = load_config(folder / "config.yaml")
    data = folder / "data"
    data.mkdir(exist_ok=True)
    rows = [(e.text, e.label) for e in noisy_examples(SIZE + TEST_ITEMS, vocabulary=2_000)]
    write_csv(data / "big.csv", rows[:SIZE])
    items = [{"text": text, "label": label} for text, label in rows[SIZE:]]
    (folder / "items.json").write_text(json.dumps(items), encoding="utf-8")
    del rows, items

    app = Assistant(config)
    await app.start()
    out = io.StringIO()
    console = ConsoleTransport(app, json_mode=True, out=out)
    script = io.StringIO(f"train file:big.csv\nwait\ntest +attach {folder / 'items.json'}\n")
    ticker, stop = Ticker(app.store), asyncio.Event()
    watching = asyncio.create_task(ticker.run(stop))
    assert threading.current_thread() is threading.main_thread()
    try:
        started = time.monotonic()
        await ConsoleLoop(console).run(script)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        await watching
        await console.close()
        await app.close()

    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    started_reply = next(r for r in replies if r["command"] and r["command"].startswith("train"))
    tested = next(r for r in replies if r["command"] and r["command"].startswith("test"))
    return {
        "refused": [r["text"] for r in replies if not r["ok"]],
        "examples": started_reply["data"]["examples"],
        "finished": [r["text"] for r in replies if r["command"] is None],
        "predictions": len(tested["data"]["predictions"]),
        "accuracy": tested["data"]["metrics"]["accuracy"],
        "files": tested["files"],
        "elapsed": elapsed,
        "cpu": ticker.cpu,
        "wall": ticker.wall,
        "ticks": ticker.ticks,
    }


def in_own_process(measurement: str, folder: Path) -> dict[str, Any]:
    """Run `measurement` (a function of this module) in a process of its own, as the bot
    runs: not in this test process, whose heap holds whatever hundreds of earlier tests left
    (a full garbage collection of that heap on the loop is this process's history, not the
    bot's work)."""
    program = (
        "import asyncio, json, sys; from pathlib import Path; "
        f"from tests.test_loop_stalls import {measurement}; "
        f"print(json.dumps(asyncio.run({measurement}(Path(sys.argv[1])))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(folder)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_training_and_testing_100k_examples_never_block_the_event_loop(tmp_path: Path) -> None:
    result = in_own_process("measure", tmp_path)
    print(
        f"{SIZE:,} examples trained and {TEST_ITEMS:,} tested in {result['elapsed']:.1f} s; "
        f"longest on-loop work {result['cpu'] * 1000:.0f} ms, longest wall gap "
        f"{result['wall'] * 1000:.0f} ms"
    )
    assert result["refused"] == []
    assert result["examples"] == SIZE
    finished = result["finished"]
    assert any("finished" in text and "model" in text for text in finished), finished
    assert result["predictions"] == TEST_ITEMS
    assert result["accuracy"] > 0.5
    assert any(f.endswith("confusion_matrix.png") for f in result["files"])
    assert result["ticks"] > 100
    cpu, wall = result["cpu"], result["wall"]
    assert cpu < LIMIT_S, f"the event loop worked {cpu * 1000:.0f} ms at a stretch"
    assert wall < WALL_LIMIT_S, f"the event loop was blocked {wall:.2f} s"


SPOKEN = ["hey trainer what's the status", "hey trainer help", "hey trainer say hi"]
"""Said through the console's voice channel while the ticker watches."""


async def measure_hearing(folder: Path) -> dict[str, Any]:
    """Say three commands into the console's voice channel (the live session: VAD, grammar
    recognizer in a worker process, neural second opinion in a thread) while the ticker
    watches the loop; one command said first warms the parts up outside the measurement."""
    from tests.speech import speak, write_wav

    (folder / "config.yaml").write_text("data_root: data\nstate_dir: state\n", encoding="utf-8")
    (folder / "data").mkdir(exist_ok=True)
    config = load_config(folder / "config.yaml")
    names = []
    for n, text in enumerate(["hey trainer hello", *SPOKEN]):
        names.append(str(write_wav(folder / f"said{n}.wav", speak(text))))
    app = Assistant(config)
    await app.start()
    out = io.StringIO()
    console = ConsoleTransport(app, json_mode=True, out=out)
    ticker, stop = Ticker(app.store), asyncio.Event()
    walked: list[int] = []
    """Objects each full collection from the join on walked (the frozen ones excluded)."""

    def full_pass(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            walked.append(sum(gc.get_count()) + len(gc.get_objects(generation=2)))

    gc.callbacks.append(full_pass)
    try:
        await ConsoleLoop(console).run(io.StringIO(f"join\nsay {names[0]}\n"))
        watching = asyncio.create_task(ticker.run(stop))
        started = time.monotonic()
        await ConsoleLoop(console).run(io.StringIO("".join(f"say {n}\n" for n in names[1:])))
        elapsed = time.monotonic() - started
        stop.set()
        await watching
        # on a busy machine the learners may still run: what they leave is frozen when they end
        assert await asyncio.to_thread(wait_for_builds, 120)
        tracked = len(gc.get_objects())  # what a full collection would walk now
    finally:
        gc.callbacks.remove(full_pass)
        stop.set()
        await console.close()
        await app.close()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return {
        "heard": [e["text"] for e in events if e.get("event") == "heard"],
        "posted": [e["text"] for e in events if e.get("event") == "posted"],
        "elapsed": elapsed,
        "tracked": tracked,
        "walked": walked,
        "cpu": ticker.cpu,
        "wall": ticker.wall,
        "ticks": ticker.ticks,
    }


def test_hearing_speech_never_blocks_the_event_loop(tmp_path: Path) -> None:
    # Pocketsphinx holds the GIL for a whole decode: run in a thread of the bot's process it
    # stalled the loop (voice receive, other guilds' replies) 0.3-3 s per utterance.
    result = in_own_process("measure_hearing", tmp_path)
    print(
        f"{len(SPOKEN)} commands heard in {result['elapsed']:.1f} s; longest on-loop work "
        f"{result['cpu'] * 1000:.0f} ms, longest wall gap {result['wall'] * 1000:.0f} ms; "
        f"{result['tracked']:,} objects for a full collection"
    )
    assert result["heard"][1:] == ["what's the status", "help", "say hi"], result["heard"]
    posted = result["posted"]
    assert any(text.startswith("**Status**") for text in posted), posted
    assert any(text.startswith("**Commands**") for text in posted), posted
    assert result["ticks"] > 20
    # The voice parts and what they learned beside the first utterances live as long as the
    # bot: frozen out of the collector's view, a full pass (on whichever thread, the loop's
    # too) walks only what was made since. Unfrozen they were 85,000 objects, 20-100 ms a pass.
    assert result["tracked"] < TRACKED_LIMIT, f"{result['tracked']} objects for a full pass"
    # Nor while they are built (the first seconds after a join): a full pass then walked
    # everything built so far, all of which outlives it (85-614 ms on a busy machine).
    assert max(result["walked"], default=0) < TRACKED_LIMIT, result["walked"]
    cpu, wall = result["cpu"], result["wall"]
    assert cpu < LIMIT_S, f"the event loop worked {cpu * 1000:.0f} ms at a stretch"
    assert wall < WALL_LIMIT_S, f"the event loop was blocked {wall:.2f} s"
