"""Training jobs on a PostgreSQL-backed queue (procrastinate), when `storage_url` is PostgreSQL.

procrastinate was chosen because PostgreSQL is its broker (no second service to run), it is
asyncio-native, and it has what a scaled-out trainer needs: cancellation that reaches a running
job (abort), worker heartbeats (a dead worker's job is found), and LISTEN/NOTIFY so an idle
worker starts a job at once.

- A bot process (`QueuedJobManager`) records the job in the store as before and queues it; it
  follows the job's row to relay progress and the result to whoever subscribed (the message that
  started it), and `cancel` asks the worker running it to stop, on whatever machine that is.
- `bot.py worker` (`run_worker`) runs queued jobs with the ordinary `JobManager` machinery.
  Finished models are uploaded to PostgreSQL (`ModelFiles`) before their row appears, so a bot on
  another machine, with no shared file system, downloads and loads them.
- A worker that dies mid-job stops sending heartbeats; any live worker then marks that job
  interrupted (never lost: the user is told and can run `train` again) and goes on with the queue.

With SQLite nothing here is used: the local registry and in-process jobs stay as they are.

The parts: queue_setup.py (names, timings, tables), model_files.py (models in PostgreSQL),
queue_worker.py (`bot.py worker`); this module is the bot's side.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Any

from ..config import Config
from ..errors import NotFound
from ..i18n import deferred, tr
from ..storage import Store
from ..storage.database import is_postgres
from ..storage.records import Job, ModelRecord
from .base import Backend, Classifier, Example
from .jobs import JobEvent, JobManager, busy
from .model_files import ModelFiles
from .queue_setup import QUEUE, STALLED_S, TASK, ensure_queue_schema, job_lock, queue_app
from .queue_worker import run_worker

__all__ = [
    "STALLED_S",
    "ModelFiles",
    "QueuedJobManager",
    "ensure_queue_schema",
    "make_job_manager",
    "run_worker",
]

log = logging.getLogger(__name__)

CANCEL_LOCK = 0x6361_6E63
"""Advisory lock class under which one `cancel` at a time asks for a job's end."""
POLL_S = 0.3
"""How often a bot reads the rows of the jobs it follows (progress is written ~4 times a second)."""


def make_job_manager(store: Store, config: Config) -> JobManager:
    """The queue with PostgreSQL, today's in-process jobs with SQLite."""
    if is_postgres(config.database_url):
        return QueuedJobManager(store, config)
    return JobManager(store, config)


class QueuedJobManager(JobManager):
    """The bot side: queue jobs, follow their rows, cancel them wherever they run."""

    def __init__(self, store: Store, config: Config) -> None:
        super().__init__(store, config)
        self.files = ModelFiles(store.database)
        ensure_queue_schema(store.database)
        self._queue: Any = None
        self._opening = asyncio.Lock()
        self._followed: dict[int, Job] = {}
        self._follower: asyncio.Task[None] | None = None

    async def _open(self) -> Any:
        async with self._opening:
            if self._queue is None:
                queue = queue_app(self.config.database_url)
                await queue.open_async()
                self._queue = queue
        return self._queue

    def recover(self) -> list[Job]:
        """Nothing to recover here: jobs run on workers, which mark a dead worker's job."""
        self.registry.clean_staging()
        return []

    async def close(self) -> None:
        """Stop following; the jobs go on running on their workers."""
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
        if self._queue is not None:
            await self._queue.close_async()
        await super().close()  # nothing runs here; this closes the backends

    async def _launch(self, job: Job, backend: Backend, examples: list[Example]) -> None:
        """Queue the job for whichever worker is free, and follow its row."""
        try:
            queue = await self._open()
            await queue.configure_task(TASK, queue=QUEUE, lock=job_lock(job.id)).defer_async(
                job_id=job.id, examples=[[e.text, e.label] for e in examples]
            )
        except BaseException:
            failed = deferred("job.status.failed")
            self.store.update_job(
                job.id, status="failed", message=failed, error=deferred("job.not_queued")
            )
            raise
        self._follow(job)

    def _check_none_active(self, guild_id: str) -> None:
        """A guild's job may be queued or running on any worker: the store knows."""
        active = self.store.jobs(guild_id, active_only=True, limit=1)
        if active:
            raise busy(active[0].id, active[0].status)

    async def cancel(self, job_id: int | None = None, *, guild_id: str) -> Job:
        job = self._active_job(job_id, guild_id)
        # Two cancels at once (two members, two bot processes) both found no abort asked yet
        # and both answered "Cancelled": asking is one at a time per job, under a lock of the
        # database that its own connection holds (a lock is shared within one connection).
        with self.store.database.writer() as own:
            held = own.execute("SELECT pg_try_advisory_lock(?, ?)", (CANCEL_LOCK, job.id % 2**31))
            if not held[0][0]:
                raise NotFound(tr("cancel.already", job=job.id))  # another cancel is asking
            again = self.store.job(job.id)
            if again is None or not again.active:  # a cancel that asked before this one ended it
                raise self._not_running(job.id, guild_id)
            queue = await self._open()
            found = list(await queue.job_manager.list_jobs_async(lock=job_lock(job.id)))
            if not found:  # lost: nothing on the queue will ever run nor end it
                return self._cancel_lost(job.id, guild_id)
            if any(queued.abort_requested for queued in found):
                # a second cancel while the first one waits for the worker to stop
                raise NotFound(tr("cancel.already", job=job.id))
            for queued in found:
                # A job not started yet is simply dropped; a running one is asked to stop.
                if await queue.job_manager.cancel_job_by_id_async(
                    queued.id, abort=False, delete_job=True
                ):
                    cancelled = deferred("job.status.cancelled")
                    return self.store.update_job(job.id, status="cancelled", message=cancelled)
                await queue.job_manager.cancel_job_by_id_async(queued.id, abort=True)
        # the abort is asked: a later cancel sees it (closing the connection freed the lock)
        return await self.wait(job.id, timeout=self.config.trainer.openai.timeout_seconds + 10)

    def _cancel_lost(self, job_id: int, guild_id: str) -> Job:
        """Cancel a job that is active in the store with no job on the queue (the database
        went away between writing it and queuing it): nothing else would ever end it. Only if
        it is still active: a worker ends a job in the store before it leaves the queue."""
        changed = self.store.database.execute_count(
            "UPDATE jobs SET status = 'cancelled', message = ?, updated_at = ?"
            " WHERE id = ? AND status IN ('queued', 'running')",
            (deferred("job.status.cancelled"), time.time(), job_id),
        )
        job = self.store.job(job_id)
        if not changed or job is None:
            raise self._not_running(job_id, guild_id)
        return job

    async def wait(self, job_id: int, timeout: float | None = None) -> Job:
        """The job once it has finished (read from the store, wherever it ran)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            job = self.store.job(job_id)
            if job is None:
                raise NotFound(tr("job.missing", job=job_id))
            # A job this process follows is done once its "finished" event went out.
            if (not job.active and job_id not in self._followed) or (
                deadline is not None and loop.time() > deadline
            ):
                return job
            await asyncio.sleep(POLL_S)

    def classifier(self, guild_id: str) -> tuple[ModelRecord, Classifier] | None:
        record = self.store.latest_model(guild_id)
        if record is None:
            return None
        if record.path is not None:
            local = self.registry.guild_dir(guild_id) / record.version
            self.files.download(record.version, local)
            record = dataclasses.replace(record, path=str(local))
        return record, self.registry.load_classifier(record)

    # -- following jobs ------------------------------------------------------------------------

    def _active_job(self, job_id: int | None, guild_id: str) -> Job:
        """The guild's active job (or job `job_id`), queued or running on any worker."""
        if job_id is None:
            active = self.store.jobs(guild_id, active_only=True, limit=1)
            if active:
                return active[0]
        else:
            job = self.store.job(job_id)
            if job is not None and job.guild_id == guild_id and job.active:
                return job
        raise self._not_running(job_id, guild_id)

    def _follow(self, job: Job) -> None:
        self._followed[job.id] = job
        if self._follower is None or self._follower.done():
            self._follower = asyncio.create_task(self._follow_rows(), name="job-follower")

    async def _follow_rows(self) -> None:
        while self._followed:
            await asyncio.sleep(POLL_S)
            for job_id, seen in list(self._followed.items()):
                try:
                    job = self.store.job(job_id)
                except Exception:  # the database is away for a moment: try again next round
                    log.exception("reading job %s failed", job_id)
                    continue
                if job is None or job == seen:
                    continue
                if job.active:
                    self._followed[job_id] = job
                    self._emit(JobEvent(job, "progress"))
                else:
                    del self._followed[job_id]
                    self._finished(job)
