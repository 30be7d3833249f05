"""PostgreSQL restarted or stopped under a running console and a training worker (README,
"Scaling out"): they go on once the server is back, and meanwhile every reply says the database
cannot be reached, with nothing changed. The server here is a cluster of this module's own, as
it is stopped and started."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.i18n import message
from assistant.messages import Request
from assistant.training.queue_setup import ORPHANED_S
from assistant.training.queue_worker import NoExamplesLogged
from tests.conftest import ADMIN
from tests.consoles import Console, make_workdir
from tests.corpus import write_folder_dataset
from tests.postgres import PostgresServer, start_server
from tests.queue_worker import TrainingWorker
from tests.test_training_queue import queue_training, until


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    server = start_server()
    yield server
    server.stop()


def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_console_goes_on_through_a_restart_and_an_outage_of_postgresql(
    tmp_path: Path, own_server: PostgresServer
) -> None:
    workdir = make_workdir(tmp_path)
    url = own_server.new_database()
    (workdir / "config.yaml").write_text(f"data_root: data\nstate_dir: state\nstorage_url: {url}\n")
    console = Console(workdir)
    try:
        assert console.send("select_dataset reviews")["ok"]
        own_server.restart()
        # the console stopped here: "Trainer stopped because of an internal error"
        status = console.send("status")
        assert status["ok"] and "Active dataset: **reviews**" in status["text"], status
        data = listing(workdir / "data")
        own_server.halt()
        try:
            for line in ("status", "create_dataset tweets", "hello there"):
                reply = console.send(line)
                unreachable = message("en", "error.database_unreachable")
                assert not reply["ok"] and reply["text"] == unreachable, (line, reply)
        finally:
            own_server.resume()
        status = console.send("status")
        assert status["ok"] and "Active dataset: **reviews**" in status["text"], status
        assert "tweets" not in console.send("datasets")["text"]
        assert listing(workdir / "data") == data
    finally:
        _, err = console.close()
    assert "Traceback" not in err, err


async def test_training_goes_on_after_postgresql_restarts(
    make_config: Callable[..., Config], own_server: PostgresServer, tmp_path: Path
) -> None:
    """The worker's connection died with the restart: its next job failed at once in the
    queue, while the job's row stayed "queued" for ever, so the guild could never train again
    (`cancel` could not end it)."""
    config = make_config(storage_url=own_server.new_database())
    app = Assistant(config)
    await app.start()
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    try:
        first = await queue_training(app, "g1", 100)
        assert (await asyncio.wait_for(app.jobs.wait(first.id), 120)).status == "succeeded"
        own_server.restart()
        job = await queue_training(app, "g1", 100)
        done = await asyncio.wait_for(app.jobs.wait(job.id), 120)
    finally:
        worker.stop()
        await app.close()
    assert done.status == "succeeded", done


async def lost_job(app: Assistant, server: PostgresServer, url: str) -> dict[str, str]:
    """`train` while the server stops between writing the job and queuing it (the queue's
    table is held locked until then, so the stop comes at that moment): the job's row is left
    queued with nothing on the queue. The reply to `train`, and the job's id."""
    holder = psycopg.connect(url)
    holder.execute("LOCK TABLE procrastinate_jobs IN ACCESS EXCLUSIVE MODE")
    training = asyncio.create_task(app.handle(typed("train")))
    with psycopg.connect(url, autocommit=True) as watcher:
        await until(lambda: queuing(watcher), 60, "the job waits to be queued")
    await asyncio.to_thread(server.halt)
    reply = await asyncio.wait_for(training, 60)
    holder.close()
    server.resume()
    (job,) = app.store.jobs("g1", active_only=True)
    return {"reply": reply.text, "job": str(job.id)}


def queuing(watcher: psycopg.Connection[tuple[object, ...]]) -> bool:
    rows = watcher.execute(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE '%procrastinate_defer%'"
    ).fetchall()
    return bool(rows[0][0])


def typed(command: str, text: str = "") -> Request:
    return Request(command=command, text=text, user=ADMIN, guild_id="g1", channel_id="c1")


async def test_a_job_lost_as_postgresql_stopped_is_ended_by_cancel(
    make_config: Callable[..., Config], own_server: PostgresServer
) -> None:
    """The job stayed queued for ever: `train` said a job was queued, and `cancel` waited and
    said it had been asked to stop but had not stopped yet."""
    config = make_config(storage_url=own_server.new_database())
    write_folder_dataset(config.data_root)
    app = Assistant(config)
    await app.start()
    try:
        assert (await app.handle(typed("select_dataset", "reviews"))).ok
        lost = await lost_job(app, own_server, config.database_url)
        assert lost["reply"] == message("en", "error.database_unreachable"), lost
        cancelled = await app.handle(typed("cancel"))
        again = await app.handle(typed("train"))
    finally:
        await app.close()
    assert cancelled.ok and cancelled.text == (
        f"Cancelled training job #{lost['job']} on **reviews**."
    ), cancelled.text
    assert again.ok and "Training started on **reviews**" in again.text, again.text


async def test_a_worker_interrupts_a_job_lost_as_postgresql_stopped(
    make_config: Callable[..., Config], own_server: PostgresServer, tmp_path: Path
) -> None:
    config = make_config(storage_url=own_server.new_database())
    write_folder_dataset(config.data_root)
    app = Assistant(config)
    await app.start()
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url)
    try:
        assert (await app.handle(typed("select_dataset", "reviews"))).ok
        job_id = int((await lost_job(app, own_server, config.database_url))["job"])
        worker.start()
        await until(lambda: not app.store.job(job_id).active, ORPHANED_S + 60, "interrupted")  # type: ignore[union-attr]
        status = await app.handle(typed("status"))
        again = await app.handle(typed("train"))
        assert again.ok, again.text
        done = await asyncio.wait_for(app.jobs.wait(again.job_id or 0), 120)
    finally:
        worker.stop()
        await app.close()
    assert f"job #{job_id} on **reviews**" in status.text, status.text
    assert "interrupted: the job was lost while the database could not be reached" in status.text
    assert done.status == "succeeded", done


def test_the_worker_log_keeps_no_example_of_a_job() -> None:
    """procrastinate's line for a job that failed named its call: every example in it."""
    from procrastinate.jobs import Job

    job = Job(
        id=7,
        queue="training",
        lock="trainer-job-3",
        queueing_lock=None,
        task_name="trainer.train",
        task_kwargs={"job_id": 3, "examples": [["my secret diary", "x"]]},
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(NoExamplesLogged())
    logger = logging.getLogger("procrastinate.worker")
    logger.addHandler(handler)
    try:
        logger.error(
            f"Job {job.call_string} ended with status: Error", extra={"job": job.log_context()}
        )
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "Job trainer.train[7] ended with status: Error\n"
