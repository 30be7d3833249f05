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
from multiprocessing.context import BaseContext
from typing import ParamSpec, TypeVar

from .training.orphan import ctrl_c_blocked, stop_when_orphaned

P = ParamSpec("P")
T = TypeVar("T")


PRELOAD = ("__main__", "states.recognition_preload")
"""What the forkserver imports once for every child it starts (what the recognition workers
read alike: states/recognition_preload.py; a learner gains the parsed templates too)."""


def forkserver() -> BaseContext:
    """The context every child process of the bot is started from. Forkserver: the bot has
    threads, which forking would copy half-way, and spawning a child from the bot's process
    held the GIL for its fork, 100-440 ms (the forkserver is forked once, small, at its start).
    A process has one forkserver and the first start fixes what it preloads, so every caller
    asks for the same (a learner that came first started it without, and every recognition
    worker after it read the dictionary and templates itself)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def in_child(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in a fresh process, its result returned here; blocks the calling
    thread (never call it on the event loop). `work` and its arguments must pickle. The child
    ignores Ctrl-C (the bot decides what one means) and ends if the bot dies."""
    context = forkserver()
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
