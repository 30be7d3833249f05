"""`python -m bench` (or `make bench`): run every benchmark in turn, each in its own process,
so that one's imports and warm caches do not flatter the next."""

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
]
HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    chosen = argv or BENCHES
    failed = []
    for name in chosen:
        if not (HERE / f"{name}.py").exists():
            print(f"bench: {name} is not present, skipped")
            continue
        started = time.monotonic()
        print(f"bench: running {name}", flush=True)
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent)
        print(f"bench: {name} finished in {time.monotonic() - started:.0f} s (exit {code})")
        if code:
            failed.append(name)
    print("bench: results are in bench/results/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
