"""The event loop's worker threads, all started before the loop serves anyone.

`asyncio.to_thread` starts a new worker thread when none is idle, and `Thread.start` waits, on
the event loop's thread, until the new thread has run. The new thread needs the GIL for that,
and the bot's own Python threads (start-up learning, reading typed lines, the neural model's
bookkeeping) hand the GIL round in 5 ms turns that a newcomer does not always win: with both
cores busy the loop stood still for over a second in one such wait. Started up front, the
pool's threads only ever take work from its queue, and a call never waits for a thread."""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor

WORKERS = min(32, (os.cpu_count() or 1) + 4)
"""As many as Python's default executor would grow to."""
_START_TIMEOUT_S = 60.0


async def start_loop_threads(workers: int = WORKERS) -> None:
    """Give the running loop a default executor whose `workers` threads are all running."""
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(workers, thread_name_prefix="loop-worker")
    # Each thread waits at the barrier until all have started, so each submit finds no idle
    # thread and starts one: the waits on a thread's start happen here, before serving.
    everyone = threading.Barrier(workers)
    started = [executor.submit(everyone.wait, _START_TIMEOUT_S) for _ in range(workers)]
    await asyncio.gather(*(asyncio.wrap_future(f) for f in started))
    loop.set_default_executor(executor)
