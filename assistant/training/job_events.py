"""Job events: what subscribers (the message that started a job, the voice channel) hear of a
job's progress and end, delivered without letting a failing subscriber stop the job."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from ..i18n import ENGLISH, render
from ..storage.records import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobEvent:
    job: Job
    kind: Literal["progress", "finished"]


Subscriber = Callable[[JobEvent], Awaitable[None] | None]


class JobEvents:
    """A base of `JobManager`: its subscribers, and the tasks of their callbacks."""

    _subscribers: list[Subscriber]
    _callback_tasks: set[asyncio.Task[None]]

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(JobEvent)` on progress and when a job finishes; returns unsubscribe."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _finished(self, job: Job) -> None:
        said = render(job.error or job.message, ENGLISH)
        log.info("job %s %s: %s", job.id, job.status, said)
        self._emit(JobEvent(job, "finished"))

    def _emit(self, event: JobEvent) -> None:
        for callback in list(self._subscribers):
            try:
                result = callback(event)
            except Exception:
                log.exception("job event subscriber %r failed", callback)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._callback_tasks.add(task)
                task.add_done_callback(self._callback_done)

    def _callback_done(self, task: asyncio.Future[None]) -> None:
        self._callback_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("job event subscriber failed", exc_info=task.exception())
