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
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import NotFound, UserError
from ..i18n import tr
from ..storage import Store
from ..storage.database import Database, PostgresDatabase, is_postgres, open_database
from ..storage.records import Job, ModelRecord
from .base import Backend, Classifier, Example
from .jobs import BACKENDS, JobEvent, JobManager, busy
from .registry import ModelRegistry

log = logging.getLogger(__name__)

TASK = "trainer.train"
"""Name of the queued task (the payload: our job id and the examples)."""
QUEUE = "training"
"""procrastinate queue the workers listen on."""
HEARTBEAT_S = 1.0
"""How often a worker tells the database it is alive."""
STALLED_S = 6.0
"""A worker silent this long is dead: its job is marked interrupted."""
POLL_S = 0.3
"""How often a bot reads the rows of the jobs it follows (progress is written ~4 times a second)."""
INTERRUPTED = "interrupted: the training worker stopped; run train again"

_FILES_TABLE = """
CREATE TABLE IF NOT EXISTS trainer_model_files (
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (version, name)
)
"""


_SCHEMA_LOCK = 0x7072_6F63
"""Advisory lock under which processes starting together create the queue's tables."""


def make_job_manager(store: Store, config: Config) -> JobManager:
    """The queue with PostgreSQL, today's in-process jobs with SQLite."""
    if is_postgres(config.database_url):
        return QueuedJobManager(store, config)
    return JobManager(store, config)


class ModelFiles:
    """Model folders stored in PostgreSQL, so any machine can load any model."""

    def __init__(self, database: Database) -> None:
        self.db = database
        with database.transaction():
            # CREATE ... IF NOT EXISTS is not safe against a second process doing the same at
            # the same moment (a fresh database, bots and workers started together): take turns.
            database.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            database.execute(_FILES_TABLE)

    def upload(self, version: str, folder: Path) -> None:
        with self.db.transaction():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                self.db.execute(
                    "INSERT INTO trainer_model_files (version, name, content) VALUES (?, ?, ?)"
                    " ON CONFLICT (version, name) DO UPDATE SET content = excluded.content",
                    (version, path.relative_to(folder).as_posix(), path.read_bytes()),
                )

    def download(self, version: str, folder: Path) -> Path:
        """The model's folder on this machine, fetched once (a finished folder is never edited)."""
        if folder.is_dir():
            return folder
        rows = self.db.execute(
            "SELECT name, content FROM trainer_model_files WHERE version = ?", (version,)
        )
        if not rows:
            raise NotFound(tr("model.files_missing", model=version))
        partial = folder.with_name(f".download-{version}-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        for row in rows:
            target = partial / row["name"]
            if partial.resolve() not in target.resolve().parents:
                raise ValueError(f"model {version} has a file outside its folder: {row['name']}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bytes(row["content"]))
        try:
            partial.rename(folder)
        except OSError:  # another process of this machine fetched it at the same moment
            shutil.rmtree(partial, ignore_errors=True)
        return folder


class UploadingStore(Store):
    """The worker's store: a model's files reach the database before its row does."""

    def __init__(self, database: Database, files: ModelFiles) -> None:
        super().__init__(database)
        self.files = files

    def add_model(self, model: ModelRecord) -> None:
        if model.path:
            self.files.upload(model.version, Path(model.path))
        super().add_model(model)


def _queue_app(url: str) -> Any:
    import procrastinate

    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))


def _lock(job_id: int) -> str:
    """The procrastinate lock naming our job, so any process can find the queued job."""
    return f"trainer-job-{job_id}"


def ensure_queue_schema(database: Database) -> None:
    """Install procrastinate's tables once (processes starting together take turns)."""
    from procrastinate.schema import SchemaManager

    assert isinstance(database, PostgresDatabase), "the job queue lives in PostgreSQL"
    with database.transaction():
        database.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
        if database.execute("SELECT to_regclass('procrastinate_jobs')")[0][0] is None:
            database.run_script(SchemaManager.get_schema())


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
                queue = _queue_app(self.config.database_url)
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
            await queue.configure_task(TASK, queue=QUEUE, lock=_lock(job.id)).defer_async(
                job_id=job.id, examples=[[e.text, e.label] for e in examples]
            )
        except BaseException:
            self.store.update_job(job.id, status="failed", message="failed", error="not queued")
            raise
        self._follow(job)

    def check_idle(self, guild_id: str) -> None:
        """A guild's job may be queued or running on any worker: the store knows."""
        self._check_not_starting(guild_id)
        active = self.store.jobs(guild_id, active_only=True, limit=1)
        if active:
            raise busy(active[0].id, active[0].status)

    async def cancel(self, job_id: int | None = None, *, guild_id: str) -> Job:
        job = self._active_job(job_id, guild_id)
        queue = await self._open()
        for queued in await queue.job_manager.list_jobs_async(lock=_lock(job.id)):
            # A job not started yet is simply dropped; a running one is asked to stop.
            if await queue.job_manager.cancel_job_by_id_async(
                queued.id, abort=False, delete_job=True
            ):
                return self.store.update_job(job.id, status="cancelled", message="cancelled")
            await queue.job_manager.cancel_job_by_id_async(queued.id, abort=True)
        return await self.wait(job.id, timeout=self.config.trainer.openai.timeout_seconds + 10)

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


# -- the worker ------------------------------------------------------------------------------


async def interrupt_stalled_jobs(queue: Any, store: Store) -> list[int]:
    """Jobs of workers that stopped sending heartbeats: interrupted for the user, failed in the
    queue (so nobody runs half of them again behind the user's back)."""
    from procrastinate.jobs import Status

    interrupted = []
    stalled = await queue.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=STALLED_S
    )
    for stale in stalled:
        job_id = int(stale.task_kwargs.get("job_id", 0))
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
    database = open_database(config.database_url)
    store = UploadingStore(database, ModelFiles(database))
    ensure_queue_schema(database)
    manager = WorkerJobManager(store, config)
    manager.registry.clean_staging()
    queue = _queue_app(config.database_url)

    @queue.task(name=TASK, queue=QUEUE, pass_context=True)
    async def train(context: JobContext, job_id: int, examples: list[list[str]]) -> None:
        job = store.job(job_id)
        if job is None or job.status != "queued":
            return  # cancelled or interrupted while it waited
        cancelled = asyncio.Event()
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
                await interrupt_stalled_jobs(queue, store)
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
