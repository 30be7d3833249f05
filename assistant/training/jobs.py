"""Training jobs: one asyncio task per job, at most one active job per guild.

The store is the record of every job (so `jobs` and a restart see the truth); this class holds
the running tasks, relays progress to subscribers (throttled), and turns every way a job can end
into one of the final states: succeeded, failed (with a short message for the user; the
traceback goes to the log only), cancelled, or interrupted (the bot shut down or restarted).

Its parts: job_backends.py (backends built on first use), job_events.py (subscribers),
job_progress.py (throttled progress reports) and job_messages.py (what the user reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..config import Config
from ..errors import NotFound, UserError, environment_problem
from ..heap import no_full_passes
from ..i18n import deferred, tr
from ..reports import status
from ..storage import Store
from ..storage.records import FINAL_JOB_STATES, Job, ModelRecord
from .base import Backend, Cancelled, Classifier, Example, Interrupted
from .job_backends import BACKENDS, JobBackends
from .job_events import JobEvent, JobEvents, Subscriber
from .job_messages import busy, summary
from .job_progress import Progress
from .registry import ModelRegistry

__all__ = ["BACKENDS", "JobEvent", "JobManager", "Subscriber", "busy"]

log = logging.getLogger(__name__)


@dataclass
class _Running:
    job_id: int
    guild_id: str
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[Job] | None = None


class JobManager(JobBackends, JobEvents):
    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.registry = ModelRegistry(config.state_dir, store)
        # Backends are built on first use: importing the OpenAI client alone took most of the
        # start-up time of a bot that only trains locally.
        self.backends: dict[str, Backend] = {}
        for name in BACKENDS:
            self.registry.add_loader(name, self._loader(name))
        self._running: dict[int, _Running] = {}
        self._starting: dict[str, asyncio.Event] = {}
        """Guilds whose `train` is being prepared or its job created (its examples read and
        written, in a worker thread); each event is set when that is over (`settled`)."""
        self._subscribers: list[Subscriber] = []
        self._callback_tasks: set[asyncio.Task[None]] = set()

    # -- life cycle ----------------------------------------------------------------------------

    def recover(self) -> list[Job]:
        """At start-up: jobs an earlier process left active become interrupted."""
        removed = self.registry.clean_staging()
        if removed:
            log.info("removed %d unfinished model folders left by an earlier run", removed)
        return self.store.interrupt_unfinished_jobs()

    async def close(self) -> None:
        """Stop every running job; they end as interrupted."""
        running = list(self._running.values())
        tasks = [r.task for r in running if r.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for leftover in running:
            # A task cancelled before its first step never ran its own bookkeeping.
            job = self.store.job(leftover.job_id)
            if job is not None and job.active:
                final = self.store.update_job(
                    job.id, status="interrupted", message=deferred("job.shut_down")
                )
                self._finish(leftover, final)
        await asyncio.gather(*self._callback_tasks, return_exceptions=True)
        for backend in self.backends.values():
            await asyncio.to_thread(backend.close)

    # -- commands ------------------------------------------------------------------------------

    async def start(
        self,
        *,
        guild_id: str,
        channel_id: str,
        dataset: str,
        examples: list[Example],
        requested_by: str | None,
        add_to: int | None = None,
        new_examples: Sequence[tuple[str, str, str]] = (),
        prepared: bool = False,
    ) -> Job:
        """Create the job and start it in the background; returns at once.

        `new_examples` ((text, label, source)) join dataset `add_to` in the transaction that
        creates the job: a refused start (a job is running, too few examples) stores nothing.
        `prepared`: called inside `preparing(guild_id)`, which already holds the guild.
        """
        if prepared:
            self._check_none_active(guild_id)
        else:
            self.check_idle(guild_id)
        backend = self.backend
        # Checking and writing 100,000 examples takes seconds: in a worker thread, with the
        # guild marked as starting so that a second `train` meanwhile waits (`settled`).
        self._starting.setdefault(guild_id, asyncio.Event())
        backend.warm_up()
        try:

            def create() -> Job:
                backend.preflight(examples)
                return self.store.create_job(
                    guild_id=guild_id,
                    channel_id=channel_id,
                    dataset=dataset,
                    backend=backend.name,
                    requested_by=requested_by,
                    n_examples=len(examples),
                    add_to=add_to,
                    new_examples=new_examples,
                )

            job = await asyncio.to_thread(create)
        finally:
            if not prepared:
                self._settle(guild_id)
        await self._launch(job, backend, list(examples))
        return job

    async def _launch(self, job: Job, backend: Backend, examples: list[Example]) -> None:
        """Run the new job: here, as a task of this process (the queue's manager queues it)."""
        self._run_here(job, backend, examples, asyncio.Event())

    def _run_here(
        self, job: Job, backend: Backend, examples: list[Example], cancelled: asyncio.Event
    ) -> asyncio.Task[Job]:
        running = _Running(job.id, job.guild_id, cancelled)
        self._running[job.id] = running
        running.task = asyncio.create_task(
            self._run(job, backend, examples, running), name=f"training-job-{job.id}"
        )
        return running.task

    def check_start(self, guild_id: str, examples: Sequence[Example]) -> None:
        """Raise the `UserError` that `start` would raise (a job is running, too few examples);
        writes nothing, so a command can check before it changes anything."""
        self.check_idle(guild_id)
        self.backend.preflight(examples)

    def check_idle(self, guild_id: str) -> None:
        """Raise the refusal of a command that changes the guild's examples while a job is
        running or being prepared."""
        self._check_not_starting(guild_id)
        self._check_none_active(guild_id)

    def _check_none_active(self, guild_id: str) -> None:
        for running in self._running.values():
            if running.guild_id == guild_id:
                raise busy(running.job_id, "running")

    @contextlib.contextmanager
    def preparing(self, guild_id: str) -> Iterator[None]:
        """Hold the guild from before a `train` reads its examples (seconds for 100,000, in a
        thread) until its job has started (`start(prepared=True)`): an `undo`, `relabel`,
        `remove` or second `train` meanwhile is refused, as while the job runs; it would
        otherwise change examples the job was about to train on."""
        self.check_idle(guild_id)
        self._starting.setdefault(guild_id, asyncio.Event())
        try:
            yield
        finally:
            self._settle(guild_id)

    def _settle(self, guild_id: str) -> None:
        event = self._starting.pop(guild_id, None)
        if event is not None:
            event.set()

    async def settled(self, guild_id: str) -> None:
        """Wait while another `train` of the guild is being prepared (a second or two for
        100,000 examples). Two members who train at once were told "a training job is
        starting; wait for it to finish", and the second one's examples were dropped, though
        the first one often started no job at all (too few examples, one label): after this,
        a job that did start refuses the command by its number, and otherwise it runs."""
        while (event := self._starting.get(guild_id)) is not None:
            await event.wait()

    def _check_not_starting(self, guild_id: str) -> None:
        """A job whose examples are still being written (in a thread) is not in the store yet."""
        if guild_id in self._starting:
            raise UserError(tr("job.busy_starting"))

    def run_queued(
        self, job: Job, examples: list[Example], cancelled: asyncio.Event
    ) -> asyncio.Task[Job]:
        """Run a job that another process created and queued (a queue worker runs it here)."""
        return self._run_here(job, self._backend(job.backend), examples, cancelled)

    async def cancel(self, job_id: int | None = None, *, guild_id: str) -> Job:
        """Cancel the guild's running job (or the one named) and wait until it has stopped."""
        running = self._find(job_id, guild_id)
        if running.cancelled.is_set():  # a second cancel while the first one waits for it
            raise NotFound(tr("cancel.already", job=running.job_id))
        running.cancelled.set()
        if running.task is not None:
            # Cancelling is prompt locally; a remote cancel is one request, bounded by its timeout.
            limit = self.config.trainer.openai.timeout_seconds + 5
            try:
                await asyncio.wait_for(asyncio.shield(running.task), limit)
            except TimeoutError:
                log.warning("job %s did not stop within %.0f s of cancel", running.job_id, limit)
        job = self.store.job(running.job_id)
        assert job is not None
        return job

    async def wait(self, job_id: int) -> Job:
        """The job once it has finished."""
        running = self._running.get(job_id)
        if running is not None and running.task is not None:
            await asyncio.gather(asyncio.shield(running.task), return_exceptions=True)
        job = self.store.job(job_id)
        if job is None:
            raise NotFound(tr("job.missing", job=job_id))
        return job

    def runs_here(self, job_id: int) -> bool:
        """Whether this process is running the job now."""
        return job_id in self._running

    def classifier(self, guild_id: str) -> tuple[ModelRecord, Classifier] | None:
        """The guild's latest model, loaded (and cached), or None before the first training."""
        record = self.store.latest_model(guild_id)
        if record is None:
            return None
        return record, self.registry.load_classifier(record)

    # -- internals -----------------------------------------------------------------------------

    def _find(self, job_id: int | None, guild_id: str) -> _Running:
        for running in self._running.values():
            if running.guild_id == guild_id and job_id in (None, running.job_id):
                return running
        raise self._not_running(job_id, guild_id)

    def _not_running(self, job_id: int | None, guild_id: str) -> NotFound:
        """Why the guild has no running job `job_id` (or none at all)."""
        if job_id is None:
            return NotFound(tr("job.none_running"))
        job = self.store.job(job_id)
        if job is None or job.guild_id != guild_id:
            return NotFound(tr("job.missing", job=job_id))
        return NotFound(tr("job.not_running", job=job_id, status=status(job)))

    async def _run(
        self, job: Job, backend: Backend, examples: list[Example], running: _Running
    ) -> Job:
        reporter = Progress(self, job.id)
        try:
            job = self.store.update_job(job.id, status="running", message=deferred("job.starting"))
            self._emit(JobEvent(job, "progress"))
            with no_full_passes():  # its examples' objects live only while it runs
                trained = await backend.run(job, examples, reporter, running.cancelled)
            try:
                if running.cancelled.is_set():
                    raise Cancelled()
                reporter.stop()  # a report still held back is superseded by the final state
                # writing data.jsonl for a large dataset takes a while: keep it off the loop
                record = await asyncio.to_thread(
                    self.registry.commit,
                    job=job,
                    backend=backend.name,
                    trained=trained,
                    examples=examples,
                )
                try:
                    await asyncio.to_thread(
                        self.registry.prune,
                        job.guild_id,
                        job.dataset,
                        self.config.trainer.keep_models,
                    )
                except Exception:  # the new model is in place; old files can go next time
                    log.exception("could not delete old models of job %s", job.id)
            except BaseException:
                self.registry.discard(trained)
                raise
            final = self.store.update_job(
                job.id,
                status="succeeded",
                progress=1.0,
                model_version=record.version,
                message=summary(record),
            )
            self._preload(record)
        except Cancelled:
            final = self.store.update_job(
                job.id, status="cancelled", message=deferred("job.status.cancelled")
            )
        except Interrupted:  # said in one line of the log, as every job's end (job_events.py)
            final = self.store.update_job(
                job.id, status="interrupted", message=deferred("job.trainer_stopped")
            )
        except asyncio.CancelledError:
            final = self.store.update_job(
                job.id, status="interrupted", message=deferred("job.shut_down")
            )
            self._finish(running, final)
            raise
        except UserError as exc:
            final = self.store.update_job(
                job.id, status="failed", message=deferred("job.status.failed"), error=exc.stored
            )
        except Exception as exc:
            log.exception("training job %s failed", job.id)
            final = self.store.update_job(
                job.id,
                status="failed",
                message=deferred("job.status.failed"),
                error=deferred(environment_problem(exc) or "job.internal_error"),
            )
        finally:
            reporter.stop()
        self._finish(running, final)
        return final

    def _preload(self, record: ModelRecord) -> None:
        """Load the new model now, off the loop, while its announcement is read: loaded on
        demand, the first `test` after training 100,000 texts waited 1.0 s for it. A `test`
        that comes sooner waits for this same load (the registry loads a model once)."""

        def load() -> None:
            try:
                self.registry.load_classifier(record)
            except Exception:  # the first `test` loads it again and reports what is wrong
                log.exception("could not load model %s ahead of its first use", record.version)

        task = asyncio.ensure_future(asyncio.to_thread(load))
        self._callback_tasks.add(task)
        task.add_done_callback(self._callback_done)

    def _finish(self, running: _Running, job: Job) -> None:
        assert job.status in FINAL_JOB_STATES
        self._running.pop(running.job_id, None)
        self._finished(job)
