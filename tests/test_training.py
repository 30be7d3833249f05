"""Training through the JobManager with the real scikit-learn backend, registry and store."""

from __future__ import annotations

import asyncio
import itertools
import json
import multiprocessing
import time
from collections.abc import Awaitable
from pathlib import Path

import pytest

from assistant.config import Config
from assistant.errors import NotFound, UserError
from assistant.i18n import render
from assistant.storage import Store
from assistant.training.base import Example, data_hash
from assistant.training.jobs import JobEvent, JobManager
from bench.text_corpus import noisy_examples
from tests.corpus import sentiment_examples

GUILD = "1234"


def make_config(tmp_path: Path, **trainer: object) -> Config:
    return Config.model_validate(
        {"state_dir": tmp_path / "state", "data_root": tmp_path / "data", "trainer": trainer}
    )


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "state" / "trainer.db")
    yield store
    store.close()


@pytest.fixture
async def manager(tmp_path: Path, store: Store):
    manager = JobManager(store, make_config(tmp_path))
    manager.recover()
    yield manager
    await manager.close()


async def start(manager: JobManager, examples: list[Example]):
    return await manager.start(
        guild_id=GUILD, channel_id="c1", dataset="reviews", examples=examples, requested_by="ann"
    )


# -- jobs -------------------------------------------------------------------------------------


async def max_loop_lag(until: Awaitable[object]) -> float:
    """Longest time the event loop failed to wake a 10 ms ticker before `until` finished."""
    waiting = asyncio.ensure_future(until)
    worst = 0.0
    while not waiting.done():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        worst = max(worst, time.monotonic() - before - 0.01)
    return worst


async def test_training_job_succeeds_and_registers_a_model(
    manager: JobManager, store: Store, tmp_path: Path
) -> None:
    events: list[JobEvent] = []
    async_events: list[JobEvent] = []

    def broken(event: JobEvent) -> None:
        raise RuntimeError("a subscriber bug must not break the job")

    async def collect_async(event: JobEvent) -> None:
        async_events.append(event)

    times: list[float] = []
    manager.subscribe(events.append)
    manager.subscribe(lambda event: times.append(time.monotonic()))
    manager.subscribe(broken)
    manager.subscribe(collect_async)
    examples = sentiment_examples(300)

    started = time.monotonic()
    job = await start(manager, examples)
    assert job.status == "queued" and job.n_examples == 300
    lag = asyncio.create_task(max_loop_lag(until=manager.wait(job.id)))
    done = await manager.wait(job.id)
    elapsed = time.monotonic() - started
    stalled = await lag

    assert done.status == "succeeded", done.error
    assert done.progress == 1.0
    assert done.model_version and done.model_version.startswith("v0001-")
    assert "accuracy" in render(done.message)
    progress = [e for e in events if e.kind == "progress"]
    messages = [render(e.job.message) for e in progress]
    assert len(progress) >= 3, messages
    assert any("fitting" in m or "vectorizing" in m or "evaluating" in m for m in messages)
    assert [e.kind for e in events][-1] == "finished"
    # Throttled: after the "starting" event, progress comes at most about 4 times a second.
    gaps = [b - a for a, b in itertools.pairwise(times[1:-1])]
    assert all(gap >= 0.2 for gap in gaps), gaps
    # Training ran in another process: the event loop kept ticking meanwhile.
    assert stalled < 0.5, f"the event loop stalled for {stalled:.2f} s"
    await asyncio.sleep(0)
    assert async_events and async_events[-1].kind == "finished"

    record = store.latest_model(GUILD)
    assert record is not None and record.version == done.model_version
    assert record.metrics["accuracy"] > 0.9
    assert record.metrics["evaluated_on"] == "held_out"
    assert record.metrics["n_held_out"] == 60
    assert record.labels == ["negative", "positive"]
    assert record.data_hash == data_hash(examples)

    folder = Path(record.path or "")
    assert folder == tmp_path / "state" / "models" / GUILD / record.version
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["dataset"] == "reviews" and meta["backend"] == "sklearn"
    assert meta["n_examples"] == 300 and meta["data_hash"] == record.data_hash
    rows = [json.loads(line) for line in (folder / "data.jsonl").read_text().splitlines()]
    assert len(rows) == 300
    assert sum(r["split"] == "held_out" for r in rows) == 60
    assert (folder / "model.pkl").is_file()

    # The new model is loaded ahead of its first use, off the loop.
    for _ in range(200):
        if manager.registry.is_loaded(record):
            break
        await asyncio.sleep(0.05)
    assert manager.registry.is_loaded(record), "the new model was not loaded ahead of use"
    loaded = manager.classifier(GUILD)
    assert loaded is not None
    _, classifier = loaded
    assert classifier.labels == ["negative", "positive"]
    good, bad = classifier.predict(["the dinner was superb", "the dinner was dreadful"])
    assert (good.label, bad.label) == ("positive", "negative")
    assert good.score > 0.5 and bad.score > 0.5
    assert manager.classifier(GUILD) == loaded  # cached
    print(
        f"sklearn accuracy {record.metrics['accuracy']:.3f} in {elapsed:.1f} s,"
        f" longest loop stall {stalled * 1000:.0f} ms"
    )

    # A second training gets the next version, and becomes the latest model.
    second = await manager.wait((await start(manager, examples[:100])).id)
    assert second.status == "succeeded"
    assert second.model_version and second.model_version.startswith("v0002-")
    assert [m.version for m in store.models(GUILD)] == [second.model_version, record.version]


async def test_one_job_per_guild(manager: JobManager) -> None:
    job = await start(manager, sentiment_examples(100))
    with pytest.raises(UserError, match=rf"already running \(job {job.id}\)"):
        await start(manager, sentiment_examples(100))
    other = await manager.start(
        guild_id="other",
        channel_id="c",
        dataset="d",
        examples=sentiment_examples(40),
        requested_by=None,
    )
    assert (await manager.wait(job.id)).status == "succeeded"
    assert (await manager.wait(other.id)).status == "succeeded"


async def test_cancel_stops_the_worker_and_registers_nothing(
    manager: JobManager, store: Store, tmp_path: Path
) -> None:
    worker_started = asyncio.Event()

    def watch(event: JobEvent) -> None:
        if event.kind == "progress" and event.job.progress >= 0.05:  # the worker reports
            worker_started.set()

    manager.subscribe(watch)
    # big enough that the warm training process cannot finish before the cancel arrives
    job = await start(manager, noisy_examples(20_000, labels=2))
    await asyncio.wait_for(worker_started.wait(), 20)
    assert training_workers()

    before = time.monotonic()
    cancelled = await manager.cancel(guild_id=GUILD)
    took = time.monotonic() - before

    assert cancelled.id == job.id and cancelled.status == "cancelled"
    assert took < 1.0, f"cancel took {took:.2f} s"
    assert not training_workers()
    assert store.models(GUILD) == []
    assert list((tmp_path / "state" / "models" / GUILD).iterdir()) == []
    with pytest.raises(NotFound):
        await manager.cancel(guild_id=GUILD)
    with pytest.raises(NotFound, match="not running"):
        await manager.cancel(job.id, guild_id=GUILD)


def training_workers() -> list[multiprocessing.process.BaseProcess]:
    """Training processes only: other tests' recogniser processes may still be winding down."""
    return [p for p in multiprocessing.active_children() if p.name.startswith("trainer")]


async def test_close_marks_running_jobs_interrupted(tmp_path: Path, store: Store) -> None:
    manager = JobManager(store, make_config(tmp_path))
    job = await start(manager, sentiment_examples(300))
    await asyncio.sleep(0.3)
    await manager.close()
    after = store.job(job.id)
    assert after is not None and after.status == "interrupted"
    assert not training_workers()
    assert store.models(GUILD) == []


async def test_close_right_after_start_still_ends_the_job(tmp_path: Path, store: Store) -> None:
    manager = JobManager(store, make_config(tmp_path))
    job = await start(manager, sentiment_examples(50))
    await manager.close()
    after = store.job(job.id)
    assert after is not None and after.status == "interrupted"


def test_restart_marks_unfinished_jobs_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "state" / "trainer.db"
    before = Store(db)
    job = before.create_job(
        guild_id=GUILD,
        channel_id="c",
        dataset="d",
        backend="sklearn",
        requested_by=None,
        n_examples=10,
    )
    before.update_job(job.id, status="running", progress=0.4)
    staging = tmp_path / "state" / "models" / GUILD / ".staging-v0001-20261125T141000"
    staging.mkdir(parents=True)
    before.close()

    after = Store(db)
    try:
        recovered = JobManager(after, make_config(tmp_path)).recover()
        assert [j.id for j in recovered] == [job.id]
        row = after.job(job.id)
        assert row is not None and row.status == "interrupted"
        assert "interrupted by a restart" in render(row.message)
        assert not staging.exists()
    finally:
        after.close()


async def test_single_label_is_refused(manager: JobManager, store: Store) -> None:
    positives = [Example(f"good thing number {i}", "positive") for i in range(10)]
    with pytest.raises(UserError) as caught:
        await start(manager, positives)
    assert str(caught.value) == (
        "Training needs at least two labels; you have only `positive`. "
        'Add examples of another label, for example `train "dull and slow" false`.'
    )
    assert store.jobs(GUILD) == []


async def test_too_few_examples_are_refused(manager: JobManager) -> None:
    with pytest.raises(UserError, match="at least 4 examples"):
        await start(manager, [Example("good", "positive"), Example("bad", "negative")])


async def test_tiny_dataset_is_measured_on_training_data(manager: JobManager, store: Store) -> None:
    examples = [
        Example("great", "positive"),
        Example("lovely", "positive"),
        Example("awful", "negative"),
        Example("horrid", "negative"),
        Example("dreadful", "negative"),
        Example("meh", "neutral"),
    ]
    done = await manager.wait((await start(manager, examples)).id)
    assert done.status == "succeeded", done.error
    record = store.latest_model(GUILD)
    assert record is not None and record.labels == ["negative", "neutral", "positive"]
    assert record.metrics["n_held_out"] == 2


async def test_the_training_process_stays_warm_and_the_same_data_is_not_refitted(
    manager: JobManager, store: Store
) -> None:
    examples = sentiment_examples(200)
    first = await manager.wait((await start(manager, examples)).id)
    assert first.status == "succeeded", first.error
    warm = training_workers()
    assert len(warm) == 1, "one training process is kept for the next job"

    # The same examples in another order: nothing to learn, the fit is reused at once.
    again = await manager.wait((await start(manager, list(reversed(examples)))).id)
    assert again.status == "succeeded", again.error
    said = render(again.message)
    assert "so its fit was reused" in said and str(first.model_version) in said
    reused = store.latest_model(GUILD)
    assert reused is not None and reused.metrics["reused_from"] == first.model_version
    loaded = manager.classifier(GUILD)
    assert loaded is not None and loaded[1].predict(["a superb meal"])[0].label == "positive"

    # One more example: a real fit, in the same warm process.
    more = [*examples, Example("the staff were wonderful", "positive")]
    third = await manager.wait((await start(manager, more)).id)
    assert third.status == "succeeded", third.error
    assert "reused" not in render(third.message)
    assert [p.pid for p in training_workers()] == [p.pid for p in warm]


def test_start_up_with_the_local_backend_does_not_import_the_openai_client(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from assistant.app import Assistant\n"
        "from assistant.config import Config\n"
        f"root = Path({str(tmp_path)!r})\n"
        "config = Config(data_root=root / 'data', state_dir=root / 'state')\n"
        "async def main():\n"
        "    app = Assistant(config)\n"
        "    await app.start()\n"
        "    await app.close()\n"
        "asyncio.run(main())\n"
        "print('openai' in sys.modules, 'sklearn' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


async def test_old_models_are_pruned_but_never_the_rollback_target(
    tmp_path: Path, store: Store
) -> None:
    manager = JobManager(store, make_config(tmp_path, keep_models=1))
    store.ensure_dataset(GUILD, "reviews")
    try:
        versions = []
        for size in (40, 41, 42, 43):
            job = await manager.wait((await start(manager, sentiment_examples(size))).id)
            assert job.status == "succeeded", job.error
            versions.append(job.model_version)
        # The newest model (in use) and the one `rollback` goes back to; folders too.
        kept = [m.version for m in store.models(GUILD)]
        assert kept == [versions[3], versions[2]]
        folder = manager.registry.guild_dir(GUILD)
        assert sorted(p.name for p in folder.iterdir()) == sorted(kept)
        dataset = store.dataset(GUILD, "reviews")
        assert dataset is not None and dataset.model_version == versions[3]
    finally:
        await manager.close()
