"""Work that would hold the GIL for seconds runs in a process of its own.

Learning the command guesser from the templates (about 12 s of sampling them and 6 s of
fitting, idle) and enumerating the typed index (2 s) are Python. In a thread of the bot they
take the GIL in 5 ms turns beside the event loop, and each time the loop lets go of it (every
socket read and write) it waits a turn to get it back: a first start (nothing kept yet,
assistant/kept.py) slowed live voice for a minute on a loaded machine, its callbacks waiting
0.3-0.5 s with no work of their own. In a child process the loop only waits for the result's
unpickling.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import ParamSpec, TypeVar

from .training.orphan import ctrl_c_blocked, stop_when_orphaned

P = ParamSpec("P")
T = TypeVar("T")


def in_child(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in a fresh process, its result returned here; blocks the calling
    thread (never call it on the event loop). `work` and its arguments must pickle. The child
    ignores Ctrl-C (the bot decides what one means) and ends if the bot dies."""
    # forkserver: the bot has threads, which forking would copy half-way; the recognizers'
    # workers come from the same server (states/recognition_processes.py).
    context = multiprocessing.get_context("forkserver")
    with ctrl_c_blocked():  # the child begins with SIGINT blocked (orphan.py says why)
        pool = ProcessPoolExecutor(
            1, mp_context=context, initializer=stop_when_orphaned, initargs=(os.getpid(),)
        )
        try:
            future = pool.submit(work, *args, **kwargs)  # starts the process
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    try:
        return future.result()
    finally:
        pool.shutdown(wait=True)
