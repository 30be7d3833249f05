"""`bot.py worker`: the process that runs queued training jobs, and marks those of a worker
that died."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import UserError
from ..i18n import chosen, deferred, speaking
from ..storage import Store
from ..storage.database import is_postgres, open_database
from ..storage.records import Job
from .base import Example
from .jobs import BACKENDS, JobManager
from .model_files import ModelFiles, UploadingStore
from .queue_setup import (
    HEARTBEAT_S,
    ORPHANED_S,
    QUEUE,
    STALLED_S,
    TASK,
    ensure_queue_schema,
    orphaned_jobs,
    queue_app,
)
from .registry import ModelRegistry

log = logging.getLogger(__name__)

INTERRUPTED = deferred("job.worker_stopped")
LOST = deferred("job.lost")


def interrupt_orphaned_jobs(store: Store) -> list[int]:
    """Jobs that no worker will ever run nor end (`orphaned_jobs`): interrupted, so the user is
    told and the guild may train again (their row kept it busy for ever)."""
    lost = orphaned_jobs(store.database, time.time() - ORPHANED_S)
    for job_id in lost:
        store.update_job(job_id, status="interrupted", message=LOST)
        log.warning("job %s was lost while the database could not be reached; interrupted", job_id)
    return lost


class NoExamplesLogged(logging.Filter):
    """procrastinate writes a job's call, its arguments included, into its log lines (a job
    that failed: at ERROR): every example of the job, megabytes of the users' texts. The call
    is shortened to the task's name and the queue's job id."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = getattr(record, "job", None)
        if isinstance(job, dict) and job.get("call_string"):
            short = f"{job.get('task_name')}[{job.get('id')}]"
            record.msg, record.args = record.getMessage().replace(job["call_string"], short), None
        return True


async def interrupt_stalled_jobs(
    queue: Any, store: Store, running_here: Callable[[int], bool] = lambda job_id: False
) -> list[int]:
    """Jobs of workers that stopped sending heartbeats: interrupted for the user, failed in the
    queue (so nobody runs half of them again behind the user's back). A job this worker runs is
    alive whatever its heartbeat says: a worker that was paused (a loaded machine, a suspended
    host) looked at its own heartbeat before renewing it and interrupted its own job."""
    from procrastinate.jobs import Status

    interrupted = []
    stalled = await queue.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=STALLED_S
    )
    for stale in stalled:
        job_id = int(stale.task_kwargs.get("job_id", 0))
        if running_here(job_id):
            continue
        job = store.job(job_id)
        if job is not None and job.active:
            store.update_job(job_id, status="interrupted", message=INTERRUPTED)
            interrupted.append(job_id)
            log.warning("job %s was on a worker that stopped; marked interrupted", job_id)
        await queue.job_manager.finish_job(stale, status=Status.FAILED, delete_job=True)
    return interrupted


class WorkerRegistry(ModelRegistry):
    """Model versions numbered by their job's id: unique across workers on other machines, which
    cannot see each other's model folders (a guild has one job at a time, so the guild says
    which job is asking)."""

    def __init__(self, state_dir: Path, store: Store) -> None:
        super().__init__(state_dir, store)
        self.job_of_guild: dict[str, int] = {}

    def new_version(self, guild_id: str) -> str:
        job_id = self.job_of_guild.get(guild_id)
        if job_id is None:
            return super().new_version(guild_id)
        return f"v{job_id:04d}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"


class WorkerJobManager(JobManager):
    """The worker's job manager: runs queued jobs, names models by job id."""

    def __init__(self, store: Store, config: Config) -> None:
        super().__init__(store, config)
        self.registry = WorkerRegistry(config.state_dir, store)
        for name in BACKENDS:
            self.registry.add_loader(name, self._loader(name))

    def run_queued(
        self, job: Job, examples: list[Example], cancelled: asyncio.Event
    ) -> asyncio.Task[Job]:
        assert isinstance(self.registry, WorkerRegistry)
        self.registry.job_of_guild[job.guild_id] = job.id
        return super().run_queued(job, examples, cancelled)


async def run_worker(config: Config, concurrency: int = 1) -> None:
    """`bot.py worker`: run queued training jobs until SIGINT/SIGTERM."""
    from procrastinate import JobContext
    from procrastinate.job_context import AbortReason

    if not is_postgres(config.database_url):
        raise UserError("`worker` needs storage_url: postgresql://… (SQLite trains in the bot)")
    # procrastinate logs every job's arguments at INFO: they are the users' examples.
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(NoExamplesLogged())
    database = open_database(config.database_url)
    store = UploadingStore(database, ModelFiles(database))
    ensure_queue_schema(database)
    manager = WorkerJobManager(store, config)
    manager.registry.clean_staging()
    queue = queue_app(config.database_url)

    @queue.task(name=TASK, queue=QUEUE, pass_context=True)
    async def train(context: JobContext, job_id: int, examples: list[list[str]]) -> None:
        try:
            await run_job(context, job_id, examples)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database away, most likely: the job must not stay active
            log.exception("training job %s failed on this worker", job_id)
            with contextlib.suppress(Exception):  # else `interrupt_orphaned_jobs` will
                job = store.job(job_id)
                if job is not None and job.active:
                    failed = deferred("job.status.failed")
                    error = deferred("job.internal_error")
                    store.update_job(job_id, status="failed", message=failed, error=error)

    async def run_job(context: JobContext, job_id: int, examples: list[list[str]]) -> None:
        job = store.job(job_id)
        if job is None or job.status != "queued":
            return  # cancelled or interrupted while it waited
        cancelled = asyncio.Event()
        # No request is around a queued job here: its errors, written with `tr`, are in its
        # guild's language as they would be in the bot (the task inherits the language).
        with speaking(chosen(store.guild_language(job.guild_id), config.language)):
            task = manager.run_queued(job, [Example(t, label) for t, label in examples], cancelled)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if context.abort_reason() == AbortReason.USER_REQUEST:
                cancelled.set()  # `cancel` from a bot: the job ends as cancelled
                await asyncio.gather(task, return_exceptions=True)
                return
            task.cancel()  # this worker is shutting down: the job ends as interrupted
            await asyncio.gather(task, return_exceptions=True)
            raise

    async def watch_stalled() -> None:
        while True:
            try:
                await interrupt_stalled_jobs(queue, store, manager.runs_here)
                interrupt_orphaned_jobs(store)
            except Exception:
                log.exception("checking for stopped workers failed")
            await asyncio.sleep(HEARTBEAT_S * 2)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with queue.open_async():
        worker = asyncio.create_task(
            queue.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                install_signal_handlers=False,
                update_heartbeat_interval=HEARTBEAT_S,
                stalled_worker_timeout=STALLED_S,
                abort_job_polling_interval=0.5,
                shutdown_graceful_timeout=5,
                # The store keeps the job's record; the queue's copy holds users' examples.
                delete_jobs="always",
            )
        )
        watcher = asyncio.create_task(watch_stalled())
        print(f"training worker ready ({concurrency} at a time)", flush=True)
        await asyncio.wait(
            [worker, asyncio.create_task(stop.wait())], return_when="FIRST_COMPLETED"
        )
        watcher.cancel()
        worker.cancel()
        await asyncio.gather(worker, watcher, return_exceptions=True)
        await manager.close()
    store.close()
