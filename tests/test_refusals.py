"""Refusal changes nothing: for every command, a refused or failed call leaves the database and
the data root exactly as they were (every command checks first, then writes in one transaction)."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.messages import Attachment, Request
from tests.conftest import ADMIN, GUEST
from tests.test_commands import train_and_wait

TABLES_KEPT = (
    "guilds",
    "datasets",
    "dataset_folders",
    "examples",
    "models",
    "corrections",
    "feedback",
    "counters",
    "voice_optouts",
    "folder_changes",
)


def snapshot(app: Assistant) -> dict[str, Any]:
    """Every row that a command could change, and every file under the data and model roots."""
    db = sqlite3.connect(app.config.state_dir / "trainer.db")
    rows = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES_KEPT}
    rows["jobs"] = db.execute("SELECT COUNT(*) FROM jobs").fetchall()
    db.close()
    for name, root in (("data", app.root.root), ("models", app.config.state_dir / "models")):
        rows[name] = sorted(
            (p.relative_to(root).as_posix(), p.stat().st_size)
            for p in (root.rglob("*") if root.exists() else [])
        )
    return rows


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


async def test_every_refused_or_failed_command_changes_nothing(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    await ask("select_dataset", "reviews")
    selected_id = ask.last_id  # a reply that predicted nothing
    await train_and_wait(app, ask)
    await ask("test", '["a lovely film", "dull"]')
    prediction_id = ask.last_id
    huge = "99999999999999999999999"  # more than SQLite's integers hold
    (reviews.parent / "broken").mkdir()
    (reviews.parent / "broken" / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    too_many = "\n".join(f"t{i},label{i}" for i in range(60))
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("train", "file:nothing.csv", {}),
        ("train", "folder:../..", {}),
        ("train", "folder:broken", {}),
        ("train", '"x" positive=maybe', {}),
        ("train", '"x" false label:billing', {}),
        ("train", '"x"', {"user": GUEST}),
        ("train", "", {"attachments": [Attachment("a.exe", b"MZ")]}),
        ("train", "", {"attachments": [Attachment("m.csv", b"text,label\n" + too_many.encode())]}),
        ("train", "", {"attachments": [Attachment("z.zip", b"not a zip")]}),
        ("train", "", {"attachments": [Attachment("ok.txt", b"fine"), Attachment("b.png", b"")]}),
        ("train", "x" * 30_000, {}),
        ("select_dataset", "broken", {}),
        ("select_dataset", "nothing", {}),
        ("select_dataset", "reviews", {"user": GUEST}),
        ("create_dataset", "reviews", {}),
        ("create_dataset", "bad/name", {}),
        ("relabel", "#9999 negative", {}),
        ("relabel", "#abc negative", {}),
        ("relabel", f"#{huge} negative", {}),
        ("remove", "#9999", {}),
        ("remove", f"#{huge}", {}),
        ("remove", "#1", {"user": GUEST}),
        ("undo", "", {}),
        ("use_model", "v9999", {}),
        ("use_model", "v0001", {"user": GUEST}),
        ("rollback", "", {}),
        ("test", '["good",]', {}),
        ("test", "", {"attachments": [Attachment("t.xml", b"<x/>")]}),
        ("correct", "99999 negative", {}),
        ("correct", f"{prediction_id} 7 negative", {}),
        ("correct", f"#{prediction_id} negative", {}),  # two items: which one?
        ("correct", f"{selected_id} 2 negative", {}),
        ("correct", f"{selected_id} negative", {}),
        ("feedback", "x" * 5_000, {}),
        ("cancel", "", {}),
        ("cancel", "77", {}),
        ("cancel", huge, {}),
        ("archive", "../..", {}),
        ("getfile", "reviews", {}),
        ("export", "xml", {}),
        ("examples", "nope", {}),
        ("examples", huge, {}),
        ("examples", "2", {}),  # one page
        ("models", "extra words", {}),
    ]
    for command, text, fields in cases:
        before = snapshot(app)
        reply = await ask(command, text, **fields)
        assert not reply.ok, (command, text, reply.text)
        assert "Traceback" not in reply.text and "went wrong" not in reply.text, reply.text
        after = snapshot(app)
        assert after == before, (command, text, reply.text)
    covered = {command for command, _, _ in cases}
    writers = {"train", "select_dataset", "create_dataset", "relabel", "remove", "undo"}
    writers |= {"use_model", "rollback", "correct", "feedback", "cancel", "archive"}
    assert writers <= covered


async def test_train_refused_while_a_job_runs_stores_nothing(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    await ask("select_dataset", "reviews")
    running = await ask("train")
    assert running.ok and running.job_id

    # The running job writes its own model folder meanwhile; everything else must stay.
    def unchanged() -> dict:
        return {k: v for k, v in snapshot(app).items() if k != "models"}

    before = unchanged()
    for text, fields in [
        ('"more text" false', {}),
        ("", {"attachments": [Attachment("more.zip", zip_of({"negative/1.txt": "awful"}))]}),
    ]:
        refused = await ask("train", text, **fields)
        assert not refused.ok and "already running" in refused.text
        assert unchanged() == before
    for command, text in [("relabel", "#1 x"), ("remove", "#1"), ("undo", "")]:
        refused = await ask(command, text)
        assert not refused.ok and "already running" in refused.text
    job = await app.jobs.wait(running.job_id)
    assert job.status == "succeeded" and job.n_examples == running.data["examples"]


async def test_undo_while_a_train_is_being_read_is_refused(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    """`train` reads its examples (seconds for 100,000) before its job exists: an `undo` (or
    `relabel`, `remove`) from another member meanwhile took the last addition back, and the
    job then trained on it all the same, while `undo` said "`train` retrains without them"."""
    await ask("select_dataset", "reviews")
    first = await ask("train", '"the first addition"')
    await app.jobs.wait(first.job_id)

    def request(command: str, text: str = "") -> Request:
        return Request(command=command, text=text, user=ADMIN, guild_id="g1", channel_id="c1")

    # the `undo` runs while the `train` reads its examples in a worker thread
    trained, undone, relabelled = await asyncio.gather(
        app.handle(request("train", '"the second addition" false'), read=True),
        app.handle(request("undo"), read=True),
        app.handle(request("relabel", "#1 negative"), read=True),
    )
    assert trained.ok, trained.text
    # they wait for the `train` to start its job, and are refused by its number
    for refused in (undone, relabelled):
        busy = f"A training job is already running (job {trained.job_id})"
        assert not refused.ok and busy in refused.text, refused.text
    job = await app.jobs.wait(trained.job_id)
    assert job.status == "succeeded" and job.n_examples == trained.data["examples"]
    stored = app.store.examples(app.store.active_dataset("g1"))
    assert sorted(stored) == [
        ("the first addition", "positive"),
        ("the second addition", "negative"),
    ]


async def test_failed_select_dataset_keeps_the_active_dataset(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    await ask("select_dataset", "reviews")
    (reviews.parent / "other" / "neg").mkdir(parents=True)
    (reviews.parent / "other" / "neg" / "1.txt").write_bytes(
        b"\xff\xfe\x00\xd8"
    )  # a lone surrogate: no UTF-16 either
    failed = await ask("select_dataset", "other")
    assert not failed.ok and "UTF-8" in failed.text
    assert app.store.active_dataset("g1").name == "reviews"
    assert app.store.dataset("g1", "other") is None
