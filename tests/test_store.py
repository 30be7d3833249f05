"""The store on both engines: every test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.storage import Store, open_store
from assistant.storage.note_records import LATEST_REPLY
from assistant.storage.records import ModelRecord
from assistant.storage.schema import MIGRATIONS
from assistant.storage.store import WRITE_CHUNK
from tests.postgres import PostgresServer


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'trainer.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    store = open_store(url)
    yield store
    store.close()


def test_schema_is_at_the_latest_version_and_reopening_keeps_it(url: str) -> None:
    first = open_store(url)
    dataset = first.ensure_dataset("g", "reviews")
    first.close()
    again = open_store(url)
    try:
        assert again.schema_version == len(MIGRATIONS)
        assert again.active_dataset("g") == dataset
    finally:
        again.close()


def test_datasets_folders_and_the_active_one(store: Store) -> None:
    assert store.active_dataset("g") is None
    first = store.ensure_dataset("g", "reviews")
    store.ensure_dataset("g", "spam", activate=False)
    store.ensure_dataset("other", "news")
    assert store.active_dataset("g") == first
    assert [d.name for d in store.datasets("g")] == ["reviews", "spam"]
    assert store.dataset_names() == {"reviews", "spam", "news"}
    with_folder = store.set_folder(first, "reviews/good", "positive")
    replaced = store.set_folder(with_folder, "reviews/great", "positive")
    assert replaced.folders == (("reviews/great", "positive"),)
    both = store.set_folder(replaced, "reviews/all", None)
    assert both.folders == (("reviews/all", None), ("reviews/great", "positive"))
    assert store.ensure_dataset("g", "reviews").id == first.id


def test_examples_are_counted_once_and_keep_their_order(store: Store) -> None:
    dataset = store.ensure_dataset("g", "reviews")
    pairs = [("great film", "positive"), ("50% off, 100% bad?", "negative")]
    assert store.add_examples(dataset, pairs, source="typed", author_id="1") == 2
    assert store.add_examples(dataset, [*pairs, ("meh", "neutral")], "typed", "1") == 1
    assert store.examples(dataset) == [*pairs, ("meh", "neutral")]
    assert store.count_examples(dataset) == 3


def test_a_failed_write_changes_nothing(store: Store) -> None:
    dataset = store.ensure_dataset("g", "reviews")
    with pytest.raises(ValueError), store._tx() as db:
        db.execute(
            "INSERT INTO examples (dataset_id, text, label, source, author_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (dataset.id, "kept?", "x", "typed", "1", 0.0),
        )
        raise ValueError("refused halfway")
    assert store.count_examples(dataset) == 0


def test_a_job_whose_examples_fail_halfway_leaves_nothing_behind(store: Store) -> None:
    """Examples are written a chunk per transaction; a failure undoes the chunks before it."""
    dataset = store.ensure_dataset("g", "reviews")
    store.add_examples(dataset, [("kept from before", "x")], "typed", "1")

    def rows_then_a_failure() -> Iterator[tuple[str, str, str]]:
        for number in range(WRITE_CHUNK * 2 + 10):
            yield f"text {number}", "x", "typed"
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.create_job(
            guild_id="g",
            channel_id="c",
            dataset="reviews",
            backend="sklearn",
            requested_by="1",
            n_examples=WRITE_CHUNK * 2 + 11,
            add_to=dataset.id,
            new_examples=rows_then_a_failure(),
        )
    assert store.examples(dataset) == [("kept from before", "x")]
    assert store.jobs("g") == []


def test_jobs_move_through_their_states(store: Store) -> None:
    job = store.create_job(
        guild_id="g",
        channel_id="c",
        dataset="reviews",
        backend="sklearn",
        requested_by="1",
        n_examples=40,
    )
    assert job.status == "queued" and job.active
    running = store.update_job(job.id, status="running", progress=0.5, message="fitting")
    assert running.progress == 0.5 and running.updated_at >= job.updated_at
    other = store.create_job(
        guild_id="g",
        channel_id="c",
        dataset="d",
        backend="sklearn",
        requested_by=None,
        n_examples=1,
    )
    store.update_job(other.id, status="succeeded", model_version="v0001")
    assert [j.id for j in store.jobs("g")] == [other.id, job.id]
    assert [j.id for j in store.jobs("g", active_only=True)] == [job.id]
    with pytest.raises(ValueError):
        store.update_job(job.id, guild_id="elsewhere")
    interrupted = store.interrupt_unfinished_jobs()
    assert [j.id for j in interrupted] == [job.id]
    after = store.job(job.id)
    assert after is not None and after.status == "interrupted"
    assert store.job(10_000) is None


def test_models_newest_first_with_their_metrics(store: Store) -> None:
    for number, created in enumerate([1_764_600_000.25, 1_764_600_000.5], start=1):
        store.add_model(
            ModelRecord(
                version=f"v{number:04d}",
                guild_id="g",
                dataset="reviews",
                backend="sklearn",
                job_id=None,
                path=f"models/g/v{number:04d}",
                external_model=None,
                labels=["negative", "positive"],
                metrics={"accuracy": 0.9, "per_label": {"positive": {"f1": 0.8}}},
                n_examples=40,
                data_hash="abc",
                created_at=created,
            )
        )
    latest = store.latest_model("g")
    # A quarter of a second apart: the timestamps keep sub-second precision on both engines.
    assert latest is not None and latest.version == "v0002"
    assert latest.metrics["per_label"]["positive"]["f1"] == 0.8
    assert [m.version for m in store.models("g")] == ["v0002", "v0001"]
    assert store.latest_model("nobody") is None


def test_replies_corrections_and_feedback(store: Store) -> None:
    store.record_reply("m1", "g", "c", "test", "positive (0.91)", {"label": "positive"})
    store.record_reply("m1", "g", "c", "test", "a second reply with the same id", None)
    reply = store.reply("g", "m1")
    assert reply is not None and reply.text == "positive (0.91)"
    assert reply.data == {"label": "positive"}
    assert store.reply("other guild", "m1") is None
    correction = store.add_correction(
        guild_id="g",
        channel_id="c",
        message_id="m1",
        author_id="1",
        author_name="ada",
        kind="label",
        original="positive",
        correction="negative",
    )
    assert correction.id > 0 and store.corrections("g") == [correction]
    assert store.corrections("g", kind="transcript") == []
    first = store.add_feedback(
        guild_id="g", channel_id="c", author_id="1", author_name="ada", text="nice"
    )
    second = store.add_feedback(
        guild_id="g", channel_id="c", author_id="2", author_name="tom", text="slow"
    )
    assert store.feedback("g") == [second, first]


def test_voice_optouts(store: Store) -> None:
    store.set_voice_optout("g", "5", True)
    store.set_voice_optout("g", "5", True)
    store.set_voice_optout("g", "6", True)
    store.set_voice_optout("g", "6", False)
    assert store.voice_optouts("g") == {"5"}
    assert store.voice_optouts("other") == set()


def test_writers_from_many_threads_lose_nothing(store: Store) -> None:
    dataset = store.ensure_dataset("g", "reviews")

    def write(worker: int) -> None:
        for i in range(20):
            store.add_examples(dataset, [(f"text {worker}-{i}", "x")], "typed", str(worker))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count_examples(dataset) == 80


def test_two_processes_share_one_postgresql_database(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    bot_a, bot_b = open_store(url), open_store(url)
    try:
        bot_a.ensure_dataset("g", "reviews")
        active = bot_b.active_dataset("g")
        assert active is not None and active.name == "reviews"
        bot_b.set_voice_optout("g", "5", True)
        assert bot_a.voice_optouts("g") == {"5"}
    finally:
        bot_a.close()
        bot_b.close()


def test_an_unknown_storage_url_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="sqlite:///PATH or postgresql://"):
        open_store("mysql://db/trainer")


def test_a_write_waits_for_one_chunk_of_a_long_write_not_for_all_of_them(tmp_path: Path) -> None:
    """A worker writes chunk after chunk on a connection of its own (as 100,000 examples are
    written); a write from another thread (the event loop's) meanwhile gets the next turn.
    SQLite's busy handler alone let the worker begin chunk after chunk first: with both cores
    busy the event loop waited over a second."""
    from assistant.storage.database import SqliteDatabase

    db = SqliteDatabase(tmp_path / "turns.sqlite3")
    db.execute("CREATE TABLE t (x INTEGER)")
    chunk_s, chunks = 0.03, 40
    started, done = threading.Event(), threading.Event()

    def long_write() -> None:
        with db.writer() as own:
            for n in range(chunks):
                with own.transaction():
                    own.execute("INSERT INTO t VALUES (?)", (n,))
                    started.set()
                    time.sleep(chunk_s)  # a chunk of 2,000 rows on a loaded machine
        done.set()

    worker = threading.Thread(target=long_write)
    worker.start()
    assert started.wait(10)
    time.sleep(chunk_s * 3)
    asked = time.monotonic()
    with db.transaction():
        db.execute("INSERT INTO t VALUES (-1)")
    waited = time.monotonic() - asked
    assert not done.is_set(), "the write waited for every chunk of the long write"
    worker.join()
    assert waited < chunk_s * 2 + 0.5, f"waited {waited:.2f} s"
    assert db.execute("SELECT COUNT(*) FROM t")[0][0] == chunks + 1
    db.close()


def test_a_channels_latest_reply_is_read_by_its_index(store: Store, url: str) -> None:
    """`correct` with no message id reads my last prediction in the channel: by an index on
    the channel, not by scanning every reply the guild was ever sent."""
    for n in range(30):
        store.record_reply(f"m{n}", "g", f"c{n % 3}", "prediction", f"reply {n}", None)
    store.record_reply("m99", "g", "c1", "status", "not a prediction", None)
    latest = store.latest_reply("g", "c1", "prediction")
    assert latest is not None and latest.text == "reply 28", latest
    assert store.latest_reply("g", "elsewhere", "prediction") is None
    database = store.database
    args = ("g", "c1", "prediction")
    if url.startswith("sqlite"):
        plan = " ".join(
            str(row[-1]) for row in database.execute(f"EXPLAIN QUERY PLAN {LATEST_REPLY}", args)
        )
        assert "USING INDEX replies_channel" in plan and "TEMP B-TREE" not in plan, plan
    else:
        with database.transaction():  # a small table is scanned unless scans are ruled out
            database.execute("SET LOCAL enable_seqscan = off")
            plan = " ".join(
                str(row[0]) for row in database.execute(f"EXPLAIN {LATEST_REPLY}", args)
            )
        assert "replies_channel" in plan and "Sort" not in plan, plan
