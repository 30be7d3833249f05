"""The voice bench's misses sorted by the stage that decided them, for tuning only.

`python -m bench.voice_misses ROWS.json [-v]` reads the rows `python -m bench.voice_bench
--rows ROWS.json` wrote (with `--tuning-only`, `--calibration` or `--extra`) and counts each
miss (a command not heard right, anything else acted on) by its kind, whether the grammar
recognizer alone had it right, the last stage that spoke and that stage's reason, with numbers
and quoted words masked so that one reason is one class. Rows of held-out voices are dropped
unread: those voices are only ever reported, never analysed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.voice_corpus import HELD_OUT_VOICES

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_QUOTED = re.compile(r"'[^']*'")


def missed(row: dict[str, Any]) -> bool:
    return row["hearing"].get("ok") is False or bool(row["hearing"].get("fa"))


def miss_class(row: dict[str, Any]) -> tuple[str, str, str, str]:
    """(kind, grammar alone right or wrong, deciding stage and verdict, masked reason)."""
    stages = (row.get("debug") or {}).get("stages", [])
    last = stages[-1] if stages else {"stage": "vad", "verdict": "nothing", "why": ""}
    right = row["grammar"].get("ok") or row["grammar"].get("fa") is False
    why = _NUMBER.sub("N", _QUOTED.sub("'X'", last["why"]))
    return row["kind"], "grammar right" if right else "grammar wrong", last["stage"], why


def main(argv: list[str]) -> int:
    held = {v for v, _, _ in HELD_OUT_VOICES} | {"piper:joe"}
    rows = [r for r in json.loads(Path(argv[0]).read_text()) if r["voice"] not in held]
    misses = [r for r in rows if missed(r)]
    print(f"{len(misses)} misses in {len(rows)} utterances of non-held-out voices")
    for (kind, grammar, stage, why), n in Counter(map(miss_class, misses)).most_common():
        print(f"{n:4}  {kind:12} {grammar:14} {stage:8} {why}")
    if "-v" in argv:
        for r in misses:
            print(f"\n[{r['voice']} {r['condition']}] {r['kind']} {r['text']!r}")
            for s in r["debug"]["stages"]:
                print(f"  {s['stage']:8} {s['heard']!r} {s['score']} {s['verdict']} ({s['why']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
