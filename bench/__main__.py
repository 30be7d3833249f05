"""`python -m bench` (or `make bench`): run every benchmark in turn, each in its own process,
so that one's imports and warm caches do not flatter the next.

`python -m bench NAME [ARGS...] [NAME [ARGS...]]` runs the benchmarks named, each with the
words that follow its name up to the next benchmark's name: `python -m bench voice_bench
--tuning-only` is `python -m bench.voice_bench --tuning-only` (the flags were dropped, and the
whole held-out run made instead)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCHES = [
    "training_bench",
    "voice_bench",
    "phrasing_bench",
    "spoken_phrasing_bench",
    "conversation_bench",
    "pause_hearing_bench",
    "discord_receive_bench",
    "receive_cost_bench",
    "scale_bench",
    "packet_loss_bench",
    "input_memory_bench",
]
HERE = Path(__file__).resolve().parent


def known() -> set[str]:
    """The names that start a benchmark: the ones `make bench` runs and any other bench file."""
    return set(BENCHES) | {path.stem for path in HERE.glob("*_bench.py")}


def plan(argv: list[str]) -> list[tuple[str, list[str]]]:
    """Each benchmark named in `argv` with the arguments after it (every one with none when
    `argv` is empty). Raises ValueError when `argv` begins with anything but a name."""
    if not argv:
        return [(name, []) for name in BENCHES]
    names = known()
    if argv[0] not in names:
        raise ValueError(
            f"{argv[0]} is not a benchmark; the benchmarks are {', '.join(sorted(names))}"
        )
    runs: list[tuple[str, list[str]]] = []
    for word in argv:
        if word in names:
            runs.append((word, []))
        else:
            runs[-1][1].append(word)
    return runs


def main(argv: list[str]) -> int:
    try:
        runs = plan(argv)
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    failed = []
    for name, args in runs:
        if not (HERE / f"{name}.py").exists():
            print(f"bench: {name} is not present, skipped")
            continue
        started = time.monotonic()
        print(f"bench: running {' '.join([name, *args])}", flush=True)
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *args], cwd=HERE.parent)
        print(f"bench: {name} finished in {time.monotonic() - started:.0f} s (exit {code})")
        if code:
            failed.append(name)
    print("bench: results are in bench/results/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
