"""The neural model's queue: how many utterances wait for it, so the hearer can tell when it is
too busy to check what it need not (audio/hearing.py, `second_opinion.busy_backlog`).

One worker thread runs the model (it uses both cores itself); with many guilds talking at once
their utterances queue there, and a wake check that waits behind them delays every reply by
seconds (bench/conversation_bench.py).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


class ModelQueue:
    """Work submitted to the model's executor, counted until it ends."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._lock = threading.Lock()
        self.pending = 0
        """Submitted and not finished (the one running included)."""

    def submit(self, work: Callable[..., T], *args: object) -> asyncio.Future[T]:
        """`work(*args)` in the executor, awaitable on the running loop. Counted out by the
        worker (or at once when cancelled before it ran), not by the event loop, which may be
        gone before work nobody waited for ends."""
        with self._lock:
            self.pending += 1
        future = self._executor.submit(work, *args)
        future.add_done_callback(self._finished)
        return asyncio.wrap_future(future)

    def _finished(self, _future: Future[Any]) -> None:
        with self._lock:
            self.pending -= 1

    def busy(self, backlog: int, own: asyncio.Future[Any] | None = None) -> bool:
        """More than `backlog` (0: never busy) ahead in the queue, `own` (the asker's own work)
        not counted."""
        ahead = self.pending - (1 if own is not None and not own.done() else 0)
        return bool(backlog) and ahead > backlog
