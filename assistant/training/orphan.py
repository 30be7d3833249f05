"""A worker process must not outlive the bot: it stops itself once its parent is gone.

A clean shutdown (SIGTERM, Ctrl-C, `quit`) terminates the worker; this covers the rest, kill -9
and crashes, where nobody is left to do it. The worker also ignores Ctrl-C: the terminal sends
SIGINT to the whole process group, and the bot decides what a Ctrl-C means (it may ask first).

Ignoring it from the worker's own code is too late for a Ctrl-C in its first second, while the
interpreter starts and imports: that one would print a KeyboardInterrupt traceback and kill the
worker. So workers are started with SIGINT blocked (`ctrl_c_blocked`); a blocked signal
stays blocked across fork and exec, and the worker unblocks it only once it ignores it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker

POLL_SECONDS = 0.5
"""How often the worker checks for its parent: a worker stops at most this long after it."""


def ignore_ctrl_c() -> None:
    """Call first thing in a worker process started inside `ctrl_c_blocked`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def stop_when_orphaned(bot: int | None = None) -> None:
    """Call first thing in a worker process. `bot`: the bot's pid, for a worker that a
    forkserver started (its parent is the forkserver, which outlives a killed bot as long as
    its workers hold its pipe: without this they would all wait forever for work)."""
    ignore_ctrl_c()
    if bot is None:
        # The parent's pid as multiprocessing recorded it when it started us: by the time this
        # runs (imports take seconds on a loaded machine) the parent may already be gone.
        known = multiprocessing.parent_process()
        parent = known.pid if known is not None and known.pid else os.getppid()

        def alive() -> bool:
            return os.getppid() == parent
    else:

        def alive() -> bool:
            return _running(bot)

    def watch() -> None:
        while alive():
            time.sleep(POLL_SECONDS)
        os._exit(3)  # the bot died: nothing is waiting for the result

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@contextmanager
def ctrl_c_blocked() -> Iterator[None]:
    """Processes started inside this block (from this thread) begin with SIGINT blocked.

    A Ctrl-C that arrives meanwhile is not lost: it stays pending and reaches the bot's own
    handler when the block ends (or another thread takes it at once)."""
    # multiprocessing starts its resource tracker with the first worker and unblocks SIGINT
    # in this thread when it is done: start it first, so the block holds for the workers.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _running(pid: int) -> bool:
    """True while process `pid` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
