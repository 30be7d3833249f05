"""Two voice bench runs on the same rendering compared, for tuning only.

`python -m bench.voice_compare BEFORE.json AFTER.json` reads the rows two runs of `python -m
bench.voice_bench --rows` wrote (with `--tuning-only`, `--calibration` or `--extra`, the same
voices and conditions: espeak-ng renders each utterance the same in both) and prints, for each:
commands right, follow-ups right, every false-accept class, end of speech -> reply p50/p95; then
the decisions that moved, with what each stage made of them before and after, and the hearing's
time on the utterances whose decision path differs (`--changed-ms KEY`: rows whose debug view
holds KEY after and not before, a new step's cost on the very utterances it ran for). Rows of
held-out voices are dropped unread, as in bench/voice_misses.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench.voice_corpus import HELD_OUT_VOICES

CLASSES = [
    ("commands and wake phrases right", ("command", "wake_only"), "ok"),
    ("follow-ups right", ("follow_up",), "ok"),
    ("false accepts, wake phrase required", ("non_command",), "fa"),
    ("false accepts, chatter in a window", ("chatter",), "fa"),
    ('"hey <another name>, <command>" acted', ("other_name",), "fa"),
    ('"hey <another name>" alone opened a window', ("name_alone",), "fa"),
]

Row = dict[str, Any]


def load(path: str) -> dict[tuple[str, str, str, str], Row]:
    held = {v for v, _, _ in HELD_OUT_VOICES} | {"piper:joe"}
    rows = [r for r in json.loads(Path(path).read_text()) if r["voice"] not in held]
    return {(r["text"], r["voice"], r["condition"], r["kind"]): r for r in rows}


def _pct(values: list[float]) -> str:
    if not values:
        return "-"
    return f"p50 {np.percentile(values, 50):.0f} / p95 {np.percentile(values, 95):.0f} ms"


def summary(rows: list[Row]) -> list[str]:
    lines = []
    for label, kinds, key in CLASSES:
        relevant = [r for r in rows if r["kind"] in kinds]
        lines.append(
            f"  {label}: {sum(bool(r['hearing'].get(key)) for r in relevant)}/{len(relevant)}"
        )
    replies = [r["reply_ms"] for r in rows if "reply_ms" in r]
    lines.append(f"  end of speech -> reply: {_pct(replies)} ({len(replies)} replies)")
    return lines


def _stages(row: Row) -> str:
    d = row.get("debug") or {}
    said = f"{d.get('intent')} {d.get('slots') or ''}".strip()
    steps = "; ".join(
        f"{s['stage']} {s['verdict']} ({s['why']}) <{s.get('sentence', '')}>"
        for s in d.get("stages", [])
    )
    return f"{said} | {steps}"


def main(argv: list[str]) -> int:
    before, after = load(argv[0]), load(argv[1])
    both = [k for k in after if k in before]
    for name, rows in (("before", before), ("after", after)):
        print(f"{name} ({len(rows)} utterances):")
        print("\n".join(summary([rows[k] for k in both])))
    moved = 0
    for k in both:
        old, new = before[k], after[k]
        for key in ("ok", "fa"):
            if key in new["hearing"] and bool(new["hearing"][key]) != bool(old["hearing"].get(key)):
                moved += 1
                was, now = bool(old["hearing"].get(key)), bool(new["hearing"][key])
                where = f"[{new['voice']} {new['condition']}] {new['kind']} {new['text']!r}"
                print(f"\n{key} {was} -> {now}: {where}")
                print(f"  before: {_stages(old)}\n  after:  {_stages(new)}")
    print(f"\n{moved} decisions moved")
    if "--changed-ms" in argv:
        key = argv[argv.index("--changed-ms") + 1]
        ran = [k for k in both if key in (after[k].get("debug") or {})]
        print(f"'{key}' in {len(ran)} of {len(both)} utterances; on those:")
        for timing in ("grammar", "total"):
            for name, rows in (("before", before), ("after", after)):
                ms = [rows[k]["debug"]["timings_ms"][timing] for k in ran if rows[k].get("debug")]
                print(f"  {timing} {name}: {_pct(ms)}")
        replied = [k for k in ran if "reply_ms" in before[k] and "reply_ms" in after[k]]
        for name, rows in (("before", before), ("after", after)):
            print(f"  reply {name}: {_pct([rows[k]['reply_ms'] for k in replied])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
