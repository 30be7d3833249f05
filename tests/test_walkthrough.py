"""The README's walk-through, run exactly as written through `bot.py console --json`.

Two datasets from text, a file, a folder, CSV and zip; positive, negative and multi-class
labels; a wrong label fixed, a bad example removed, datasets switched (each with its own model),
a model rolled back, a test with an attached file, an addition undone, an export.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.walkthrough_files import write_walkthrough_files

ROOT = Path(__file__).resolve().parents[1]


def readme_block(marker: str) -> list[str]:
    """The lines of the code block that follows `<!-- marker -->` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->\n```\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def run_console(workdir: Path, lines: list[str]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"],
        cwd=workdir,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_readme_walk_through(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_walkthrough_files(tmp_path)
    lines = readme_block("walkthrough")
    replies = run_console(tmp_path, lines)
    assert all(r["ok"] for r in replies), [r["text"] for r in replies if not r["ok"]]
    answers = [r for r in replies if r["command"] is not None]
    commands = [line for line in lines if line != "wait"]
    assert [r["command"] for r in answers] == [line.split()[0] for line in commands]
    by_line = dict(zip(commands, answers, strict=True))
    finished = [r for r in replies if r["command"] is None]
    assert len(finished) == 6 and all("100%" in r["text"] for r in finished)

    # 1. reviews: text examples, positive and negative, a test and a correction of item 3
    assert "Added 1 example (positive 1)" in by_line['train "this movie was 10/10"']["text"]
    assert "Added 1 example (negative 1)" in by_line['train "dull and slow" false']["text"]
    tested = next(r for r in answers if r["command"] == "test")
    correct_line = next(line for line in commands if line.startswith("correct"))
    assert correct_line.split()[1] == f"#{tested['id']}"  # the id the README shows is the reply's
    assert tested["data"]["dataset"] == "reviews"
    assert "reviews" in by_line[correct_line]["text"]

    # 2. tickets: CSV labels, one example per line of a .txt, one per file of a zip
    assert "This adds the label `billing`" in by_line["train file:tickets.csv"]["text"]
    assert (
        "label `praise` from `praise.txt`: 6 examples"
        in (by_line["train +attach praise.txt label=praise"]["text"])
    )
    zipped = by_line["train +attach more-tickets.zip"]["text"]
    assert "This adds the label `notes` from folder `notes/` in `more-tickets.zip`: 1 example" in (
        zipped
    )

    # 3. the example numbers the README uses are the ones `examples` shows
    listed = {
        e["id"]: e for line in ("examples", "examples 2") for e in by_line[line]["data"]["examples"]
    }
    remove_line = next(line for line in commands if line.startswith("remove"))
    relabel_line = next(line for line in commands if line.startswith("relabel"))
    assert listed[int(remove_line.split()[1][1:])]["label"] == "notes"
    wrong = listed[int(relabel_line.split()[1][1:])]
    assert wrong["label"] == "praise" and "deleted all my photos" in wrong["text"]
    retrained = [r for r in answers if r["command"] == "train"][-1]
    assert "notes" not in retrained["text"] and "bug 8" in retrained["text"]

    # 4. versions, rollback, a test with an attached file measured on the rolled-back model
    versions = by_line["models"]["data"]["models"]
    assert len(versions) == 4 and by_line["models"]["data"]["current"] == versions[0]["version"]
    assert by_line["rollback"]["data"]["model"] == versions[1]["version"]
    attached = by_line["test +attach tickets-test.json"]
    assert attached["data"]["model"] == versions[1]["version"]
    assert attached["data"]["metrics"]["n"] == 6
    assert "macro avg" in attached["text"] and "weighted avg" in attached["text"]
    assert sorted(Path(f).name.split("-", 1)[1] for f in attached["files"]) == [
        "confusion_matrix.png",
        "predictions.json",
    ]

    # 5. back to reviews: its own model; undo and export act on reviews only
    held_out = [r for r in answers if r["command"] == "test"][-1]
    assert held_out["data"]["dataset"] == "reviews"
    assert held_out["data"]["model"] == tested["data"]["model"]
    assert "dull and slow" in by_line["undo"]["text"]
    export = Path(by_line["export jsonl"]["files"][0])
    exported = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(exported) == by_line["export jsonl"]["data"]["examples"]
    assert {"text": "dull and far too long", "label": "negative"} in exported  # the correction
    assert not any(row["text"] == "dull and slow" for row in exported)
    assert not any(row["label"] in {"billing", "bug"} for row in exported)

    db = sqlite3.connect(tmp_path / "state" / "trainer.db")
    owners = db.execute(
        "SELECT d.name FROM corrections c JOIN datasets d ON d.id = c.dataset_id"
    ).fetchall()
    assert owners == [("reviews",)]
