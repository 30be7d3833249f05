"""Training on the PostgreSQL queue: the bot and `bot.py worker` are separate processes that share
only the database (the worker has its own state folder, as on another machine)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.i18n import render
from assistant.storage.database import open_database
from assistant.storage.records import Job
from assistant.training.jobs import JobEvent
from assistant.training.queue import STALLED_S, ModelFiles, QueuedJobManager, ensure_queue_schema
from bench.text_corpus import noisy_examples
from tests.corpus import sentiment_examples
from tests.postgres import PostgresServer
from tests.queue_worker import TrainingWorker


@pytest.fixture
def config(make_config: Callable[..., Config], postgres: PostgresServer) -> Config:
    return make_config(storage_url=postgres.new_database())


async def queue_training(app: Assistant, guild_id: str, n: int) -> Job:
    # above 10,000: distinct texts, so the job runs for seconds even with a warm trainer
    examples = noisy_examples(n, labels=2) if n > 10_000 else sentiment_examples(n)
    return await app.jobs.start(
        guild_id=guild_id,
        channel_id=f"channel-of-{guild_id}",
        dataset="reviews",
        examples=examples,
        requested_by="1",
    )


async def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.1)


def training(app: Assistant, job_id: int) -> Callable[[], bool]:
    """True once the worker's training process reports (the job is really mid-way)."""

    def check() -> bool:
        job = app.store.job(job_id)
        return job is not None and job.status == "running" and job.progress >= 0.05

    return check


async def test_the_worker_trains_and_the_bot_relays_progress_and_uses_the_model(
    app: Assistant, config: Config, tmp_path: Path
) -> None:
    assert isinstance(app.jobs, QueuedJobManager)
    events: list[JobEvent] = []
    app.jobs.subscribe(events.append)
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    try:
        job = await queue_training(app, "g1", 400)
        done = await asyncio.wait_for(app.jobs.wait(job.id), 120)
    finally:
        worker.stop()
    assert done.status == "succeeded", done
    mine = [e for e in events if e.job.id == job.id]
    assert [e.kind for e in mine][-1] == "finished" and mine[-1].job.status == "succeeded"
    assert any(e.kind == "progress" and 0 < e.job.progress < 1 for e in mine)

    # The model was written on the worker's machine; the app fetches it from the database.
    worker_models = tmp_path / "worker-machine" / "state" / "models" / "g1"
    assert [p.name for p in worker_models.iterdir()] == [done.model_version]
    loaded = app.jobs.classifier("g1")
    assert loaded is not None and loaded[0].version == done.model_version
    assert (config.state_dir / "models" / "g1" / done.model_version / "meta.json").is_file()
    assert loaded[1].predict(["a wonderful, moving film"])[0].label == "positive"


async def test_a_job_failing_on_the_worker_is_explained_in_the_guilds_language(
    make_config: Callable[..., Config],
    postgres: PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A job that failed on `bot.py worker` (no request around it there) was explained in
    English on a Russian server: "OpenAI refused the API key (401)…"."""
    from tests.fakes.openai_server import FakeOpenAI
    from tests.test_russian_replies import english_in

    monkeypatch.setenv("OPENAI_API_KEY", "sk-revoked")  # the bot's and the worker's alike
    with FakeOpenAI() as server:
        openai = {"base_url": server.base_url, "max_retries": 0, "timeout_seconds": 5}
        trainer = {"backend": "openai", "openai": openai}
        config = make_config(storage_url=postgres.new_database(), trainer=trainer)
        app = Assistant(config)
        await app.start()
        worker = TrainingWorker(tmp_path / "worker", config.database_url, trainer=trainer)
        try:
            app.store.set_guild_language("g1", "ru")
            job = await queue_training(app, "g1", 40)
            worker.start()
            done = await asyncio.wait_for(app.jobs.wait(job.id), 120)
        finally:
            worker.stop()
            await app.close()
    assert done.status == "failed", done
    reason = render(done.error or "", "ru")
    assert reason.startswith("OpenAI отклонил ключ API (401)"), reason
    assert not english_in(reason), reason


async def test_cancel_reaches_the_job_on_the_worker(
    app: Assistant, config: Config, tmp_path: Path
) -> None:
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    try:
        running = await queue_training(app, "g1", 20_000)
        waiting = await queue_training(app, "g2", 100)  # behind it: one job at a time
        await until(training(app, running.id), 120, "the worker trains")
        # held mid-way: with both cores busy a job ran to its end before the cancel came
        worker.hold_training()
        assert app.store.job(running.id).status == "running"  # type: ignore[union-attr]
        assert (await app.jobs.cancel(guild_id="g2")).status == "cancelled"
        cancelled = await app.jobs.cancel(guild_id="g1")
    finally:
        worker.release()
        worker.stop()
    assert cancelled.status == "cancelled", cancelled
    assert app.store.models("g1") == [] and app.store.job(waiting.id).status == "cancelled"
    # The queue keeps no copy of the users' examples once a job has ended.
    assert app.store.database.execute("SELECT COUNT(*) FROM procrastinate_jobs")[0][0] == 0


async def test_a_dead_worker_leaves_its_job_interrupted_and_the_next_worker_goes_on(
    app: Assistant, config: Config, tmp_path: Path
) -> None:
    finished: list[Job] = []
    app.jobs.subscribe(lambda e: finished.append(e.job) if e.kind == "finished" else None)
    first = TrainingWorker(tmp_path / "machine-1", config.database_url).start()
    second = TrainingWorker(tmp_path / "machine-2", config.database_url)
    try:
        doomed = await queue_training(app, "g1", 20_000)
        waiting = await queue_training(app, "g2", 200)
        await until(training(app, doomed.id), 60, "the first worker trains")
        first.kill()
        second.start()
        lost = await asyncio.wait_for(app.jobs.wait(doomed.id), STALLED_S + 60)
        next_one = await asyncio.wait_for(app.jobs.wait(waiting.id), 120)
    finally:
        first.kill()
        second.stop()
    assert lost.status == "interrupted" and "worker stopped" in render(lost.message)
    assert next_one.status == "succeeded"
    assert {(j.id, j.status) for j in finished} == {
        (doomed.id, "interrupted"),
        (waiting.id, "succeeded"),
    }
    again = await queue_training(app, "g1", 100)  # the guild is free to train again
    assert again.status == "queued"


async def test_two_workers_train_at_once_and_their_models_do_not_clash(
    app: Assistant, config: Config, tmp_path: Path
) -> None:
    workers = [
        TrainingWorker(tmp_path / f"machine-{n}", config.database_url).start() for n in (1, 2)
    ]
    try:
        jobs = [await queue_training(app, f"g{n}", 2000) for n in range(4)]
        done = [await asyncio.wait_for(app.jobs.wait(job.id), 180) for job in jobs]
    finally:
        for worker in workers:
            worker.stop()
    assert [job.status for job in done] == ["succeeded"] * 4, done
    assert len({job.model_version for job in done}) == 4
    for n in range(4):  # every guild's model loads here, whichever machine trained it
        loaded = app.jobs.classifier(f"g{n}")
        assert loaded is not None and loaded[0].version == done[n].model_version


def test_processes_starting_together_on_a_fresh_database_all_start(
    postgres: PostgresServer,
) -> None:
    """Bots and workers started at the same moment on a new database each create the queue's
    tables if missing; none of them fails because another created them meanwhile."""
    url = postgres.new_database()
    starters = 6
    barrier = threading.Barrier(starters)
    failures: list[BaseException] = []

    def start() -> None:
        database = open_database(url)
        try:
            barrier.wait()
            ModelFiles(database)
            ensure_queue_schema(database)
        except BaseException as exc:
            failures.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


async def test_a_second_cancel_says_the_job_is_already_being_cancelled(
    app: Assistant, config: Config, ask: Callable[..., Any], tmp_path: Path
) -> None:
    """In-process, a `cancel` typed while the first one waits for the job to stop says so; on
    the queue the second asked the worker to abort again and answered "Cancelled" twice."""
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    assert worker.process is not None
    try:
        running = await queue_training(app, "g1", 20_000)
        await until(training(app, running.id), 120, "the worker trains")
        worker.hold_training()  # the job stays mid-way until the worker ends it
        assert app.store.job(running.id).status == "running"  # type: ignore[union-attr]
        # a worker too busy to stop at once (a machine under load): the first cancel waits
        worker.pause()
        first = asyncio.create_task(ask("cancel"))
        await until(lambda: abort_requested(app), 30, "the first cancel asks the worker")
        second = await ask("cancel")
        worker.resume_worker()  # it notices the cancel and ends the held job
        done = await asyncio.wait_for(first, 120)
    finally:
        worker.release()
        worker.stop()
    assert not second.ok and second.text == (
        f"Training job #{running.id} is already being cancelled."
    ), second
    assert done.ok and done.text == f"Cancelled training job #{running.id} on **reviews**.", done
    assert app.store.job(running.id).status == "cancelled"


def abort_requested(app: Assistant) -> bool:
    rows = app.store.database.execute("SELECT bool_or(abort_requested) FROM procrastinate_jobs")
    return bool(rows[0][0])


async def test_two_cancels_at_once_cancel_the_job_once(
    app: Assistant, ask: Callable[..., Any]
) -> None:
    """Two members cancelling at once both found no cancel asked yet, and both were answered
    "Cancelled". One cancel asks at a time now: the other is told the job is already being
    cancelled (or, asking just after, that it is cancelled). No worker runs here, so each job
    waits in the queue and the first cancel drops it."""
    for _ in range(3):
        job = await queue_training(app, "g1", 100)
        answers = await asyncio.gather(ask("cancel"), ask("cancel"))
        done = [reply.text for reply in answers if reply.ok]
        assert done == [f"Cancelled training job #{job.id} on **reviews**."], answers
        (refused,) = [reply.text for reply in answers if not reply.ok]
        assert refused in (
            f"Training job #{job.id} is already being cancelled.",
            f"Job {job.id} is not running; its status: cancelled.",
        ), refused
        assert app.store.job(job.id).status == "cancelled"  # type: ignore[union-attr]
