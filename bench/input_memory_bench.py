"""Hostile inputs of 10 MB or less must never take more than 500 MB of memory.

Inputs over `limits.attachment_bytes` (8 MB by default) are refused before they are read, so the
worst cases are just under that size.

Drives the entry point a user runs, `bot.py console --json`, once per input: `train +attach
FILE` then `wait`, and samples the resident memory of the bot and every process it starts (the
training worker) every 20 ms from /proc. The floor, measured in the same run, is the same console
doing `status` only. Writes bench/results/input_memory.json and .md.

    .venv/bin/python -m bench.input_memory_bench
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BUDGET_MB = 500
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def _rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total


def run_console(workdir: Path, lines: list[str]) -> dict[str, Any]:
    """Peak resident memory of the console's process tree, wall time and the replies."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _rss(_tree(process.pid)))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate("\n".join(lines) + "\n", timeout=900)
    stop.set()
    sampler.join()
    replies = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {
        "peak_mb": round(peak / 1e6, 1),
        "wall_s": round(time.monotonic() - started, 1),
        "replies": [r["text"][:160] for r in replies],
    }


def one_char_zip() -> bytes:
    """The measured zip bomb: 10 members of 10 MB of one-character lines (~100 KB zipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(10):
            archive.writestr(f"part{index}.txt", "a\n" * 5_000_000)
    return buffer.getvalue()


def many_labels_csv() -> bytes:
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["text", "label"])
    for index in range(10_000):
        writer.writerow([f"sentence number {index} about things", f"label{index}"])
    return rows.getvalue().encode()


SIZE = 7_900_000
"""Just under the default attachment limit: the largest input that is read at all."""


def long_rows_csv() -> bytes:
    """7.9 MB of 19,990-character texts (each as long as an example may be), two labels."""
    words = [f"w{i}" for i in range(4_000)]
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["text", "label"])
    for index in range(SIZE // 20_000):
        text = " ".join(words[index % 50 :] + words[: index % 50])[:19_990]
        writer.writerow([text, "positive" if index % 2 else "negative"])
    return rows.getvalue().encode()


def many_rows_csv() -> bytes:
    """7.9 MB of short two-label rows, up to the most examples an upload may add, trained."""
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["text", "label"])
    index = 0
    while rows.tell() < SIZE and index < 99_000:
        label = "positive" if index % 2 else "negative"
        writer.writerow(
            [f"review {index} was {'great fun' if index % 2 else 'dull'} {index % 97}", label]
        )
        index += 1
    return rows.getvalue().encode()


def many_files_zip() -> bytes:
    """5,000 small files in folders named 200 ways: the zip member and label limits."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(5_000):
            archive.writestr(f"label{index % 200}/{index}.txt", f"text {index}")
    return buffer.getvalue()


CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "zip of 10 x 10 MB one-character lines": ("bomb.zip", one_char_zip),
    "CSV with 10,000 distinct labels": ("labels.csv", many_labels_csv),
    "7.9 MB CSV of 20,000-character texts, trained": ("long.csv", long_rows_csv),
    "7.9 MB CSV, up to 99,000 two-label rows, trained": ("rows.csv", many_rows_csv),
    "zip of 5,000 files in 200 label folders": ("folders.zip", many_files_zip),
}


def main() -> int:
    results: dict[str, Any] = {"budget_mb": BUDGET_MB, "cases": {}}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
        floor = run_console(work, ["status"])
        results["floor"] = floor
        print(f"floor (console, status only): {floor['peak_mb']} MB", flush=True)
        for title, (name, make) in CASES.items():
            data = make()
            (work / name).write_bytes(data)
            for state in ("state",):
                subprocess.run(["rm", "-rf", str(work / state)], check=True)
            measured = run_console(work, ["create_dataset bench", f"train +attach {name}", "wait"])
            measured["input_bytes"] = len(data)
            measured["ratio_to_floor"] = round(measured["peak_mb"] / floor["peak_mb"], 2)
            results["cases"][title] = measured
            print(
                f"{title}: {len(data):,} bytes -> peak {measured['peak_mb']} MB "
                f"({measured['ratio_to_floor']}x floor), {measured['wall_s']} s",
                flush=True,
            )
            print("   " + " / ".join(measured["replies"][1:])[:300], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "input_memory.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Memory of hostile inputs (bench/input_memory_bench.py)",
        "",
        f"Peak resident memory of `bot.py console --json` and its training worker; budget "
        f"{BUDGET_MB} MB. Floor: the same console running `status` only, "
        f"{floor['peak_mb']} MB.",
        "",
        "| input | bytes | peak MB | x floor | wall s | outcome |",
        "|---|---|---|---|---|---|",
    ]
    for title, m in results["cases"].items():
        outcome = (m["replies"][1] if len(m["replies"]) > 1 else "").split("\n")[0][:90]
        lines.append(
            f"| {title} | {m['input_bytes']:,} | {m['peak_mb']} | {m['ratio_to_floor']} | "
            f"{m['wall_s']} | {outcome.replace('|', '/')} |"
        )
    (RESULTS / "input_memory.md").write_text("\n".join(lines) + "\n")
    worst = max(m["peak_mb"] for m in results["cases"].values())
    print(f"worst peak {worst} MB (budget {BUDGET_MB} MB)")
    return 0 if worst <= BUDGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
