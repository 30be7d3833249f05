"""Progress reports of a running job, throttled so that a chatty backend does not flood the
store and the subscribers."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from ..i18n import Field, deferred
from .job_events import JobEvent

if TYPE_CHECKING:
    from .jobs import JobManager

PROGRESS_INTERVAL = 0.25
"""Least seconds between two progress writes/events of one job (so at most ~4 per second)."""


class Progress:
    """The `progress` callable handed to a backend (`ProgressFn`): throttles store writes and
    events. The row's `message` is the report's key and fields (`i18n.deferred`), rendered by
    whoever shows it in the job's guild's language.

    A report that arrives too soon is kept and written when the interval is over, so the last
    stage shown is never stale for long even if the next report takes a while.
    """

    def __init__(self, manager: JobManager, job_id: int) -> None:
        self._manager = manager
        self._job_id = job_id
        self._last = 0.0
        self._pending: tuple[float, str] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False

    def __call__(self, fraction: float, key: str, /, **fields: Field) -> None:
        if self._stopped:
            return
        self._pending = (min(max(fraction, 0.0), 1.0), deferred(key, **fields))
        wait = self._last + PROGRESS_INTERVAL - time.monotonic()
        if wait <= 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(wait, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending is None or self._stopped:
            return
        fraction, message = self._pending
        self._pending = None
        self._last = time.monotonic()
        job = self._manager.store.update_job(self._job_id, progress=fraction, message=message)
        self._manager._emit(JobEvent(job, "progress"))

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
