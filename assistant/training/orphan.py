"""A worker process must not outlive the bot: it stops itself once its parent is gone.

A clean shutdown (SIGTERM, Ctrl-C, `quit`) terminates the worker; this covers the rest, kill -9
and crashes, where nobody is left to do it. The worker also ignores Ctrl-C: the terminal sends
SIGINT to the whole process group, and the bot decides what a Ctrl-C means (it may ask first).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

POLL_SECONDS = 0.5
"""How often the worker checks for its parent: a worker stops at most this long after it."""


def stop_when_orphaned() -> None:
    """Call first thing in a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's pid as multiprocessing recorded it when it started us: by the time this
    # runs (imports take seconds on a loaded machine) the parent may already be gone.
    known = multiprocessing.parent_process()
    parent = known.pid if known is not None and known.pid else os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(3)  # the parent died: nothing is waiting for the result

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
