"""A `cancel` that comes while a finished training job saves its model: the job got past its
last check for a cancel, so it ends as succeeded, and `cancel` must say so, not "Cancelled".

The save is held at its first step (the model registry's `commit`, in-process; the model
files' insert, on a queue worker, by a lock of the table) until the cancel has been asked."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.messages import Request
from assistant.training.registry import ModelRegistry
from tests.conftest import ADMIN
from tests.postgres import PostgresServer
from tests.queue_worker import TrainingWorker
from tests.test_training_queue import abort_requested, queue_training, until

FINISHED = {
    "en": "Training job #{job} on **reviews** had already finished when the cancel came, so "
    "nothing was cancelled: its model **{model}** is saved.",
    "ru": "Задача обучения #{job} на **reviews** уже завершилась, когда пришла отмена, поэтому "
    "ничего не отменено: её модель **{model}** сохранена.",
}


class HeldSave:
    """Holds every model registry `commit` (a finished job saving its model) until released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()


@pytest.fixture
def held_save(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldSave]:
    gate = HeldSave()
    commit = ModelRegistry.commit

    def held(self: ModelRegistry, **job: Any) -> Any:
        gate.reached.set()  # in a worker thread, past the job's last check for a cancel
        assert gate.release.wait(60), "the save was never released"
        return commit(self, **job)

    monkeypatch.setattr(ModelRegistry, "commit", held)
    yield gate
    gate.release.set()


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_cancel_while_the_model_is_saved_says_the_job_had_finished(
    app: Assistant, ask: Callable[..., Any], reviews: Path, held_save: HeldSave, language: str
) -> None:
    app.store.set_guild_language("g1", language)
    assert (await ask("select_dataset", "reviews")).ok
    started = await ask("train")
    assert started.ok, started.text
    assert await asyncio.to_thread(held_save.reached.wait, 120), "the job never saved"
    answer = asyncio.create_task(ask("cancel"))
    # the cancel has reached the job (its own event) before the save goes on
    running = app.jobs._running[started.job_id]
    await asyncio.wait_for(running.cancelled.wait(), 30)
    held_save.release.set()
    reply = await asyncio.wait_for(answer, 60)
    job = app.store.job(started.job_id)
    assert job is not None and job.status == "succeeded", job
    assert not reply.ok and reply.text == FINISHED[language].format(
        job=job.id, model=job.model_version
    ), reply.text
    latest = app.store.latest_model("g1")
    assert latest is not None and latest.version == job.model_version


async def test_on_the_queue_a_cancel_while_the_worker_saves_says_the_job_had_finished(
    make_config: Callable[..., Config], postgres: PostgresServer, tmp_path: Path
) -> None:
    """The bot answered "Cancelled" from the job's row, which the worker wrote as succeeded."""
    config = make_config(storage_url=postgres.new_database())
    app = Assistant(config)
    await app.start()
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url)
    # The model files' table, locked against writes: the worker's save waits for it.
    holder = psycopg.connect(config.database_url)
    try:
        holder.execute("LOCK TABLE trainer_model_files IN EXCLUSIVE MODE")
        worker.start()
        job = await queue_training(app, "g1", 200)
        await until(lambda: saving(app), 120, "the worker saves the model")
        request = Request(command="cancel", user=ADMIN, guild_id="g1", channel_id="c1")
        answer = asyncio.create_task(app.handle(request))
        await until(lambda: abort_requested(app), 30, "the cancel asks the worker")
        holder.commit()  # the save goes on
        reply = await asyncio.wait_for(answer, 120)
        done = app.store.job(job.id)
    finally:
        holder.close()
        worker.stop()
        await app.close()
    assert done is not None and done.status == "succeeded", done
    assert not reply.ok and reply.text == FINISHED["en"].format(
        job=job.id, model=done.model_version
    ), reply.text


def saving(app: Assistant) -> bool:
    """A worker waits to write a model's files (behind the test's lock)."""
    rows = app.store.database.execute(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE 'INSERT INTO trainer_model_files%'"
    )
    return bool(rows[0][0])


async def test_a_cancel_that_the_worker_does_not_meet_in_time_says_it_was_asked(
    make_config: Callable[..., Config], postgres: PostgresServer, tmp_path: Path
) -> None:
    """A worker too busy to stop within the cancel's wait (stopped here, as a loaded machine
    would be): the bot answered "Cancelled" while the job went on, and might still succeed."""
    from tests.test_training_queue import training

    trainer = {"openai": {"timeout_seconds": 1}}  # bounds the cancel's wait: 11 s on the queue
    config = make_config(storage_url=postgres.new_database(), trainer=trainer)
    app = Assistant(config)
    await app.start()
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    assert worker.process is not None
    try:
        job = await queue_training(app, "g1", 20_000)  # seconds of fitting: still at it
        await until(training(app, job.id), 120, "the worker trains")
        worker.hold_training()  # mid-way until the worker ends it, however busy the machine
        worker.pause()
        request = Request(command="cancel", user=ADMIN, guild_id="g1", channel_id="c1")
        reply = await app.handle(request)
        still = app.store.job(job.id)
        worker.resume_worker()  # it notices the cancel and ends the held job
        done = await asyncio.wait_for(app.jobs.wait(job.id), 120)
    finally:
        worker.release()
        worker.stop()
        await app.close()
    assert still is not None and still.status == "running", still
    assert not reply.ok and reply.text == (
        f"Training job #{job.id} on **reviews** was asked to stop but has not stopped yet; "
        "`status` shows when it has."
    ), reply.text
    assert done.status == "cancelled", done
