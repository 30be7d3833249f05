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
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any, ParamSpec, TypeVar

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


class Stopped(Exception):
    """The bot is closing: the child's work was dropped (`children_stopped`). Whoever asked
    learns it again at the next start; nothing was kept."""


_stopping = threading.Event()
POLL_S = 0.2
"""How often a waiting thread looks whether the bot is closing."""


@contextmanager
def children_stopped() -> Iterator[None]:
    """While the bot closes: every running child is ended and none starts (`Stopped` instead).
    A first start learns for about 20 s under load; closing waited up to a minute for it, and
    a learner still running then read a closed store."""
    _stopping.set()
    try:
        yield
    finally:
        _stopping.clear()


def stop_if_closing() -> None:
    """Raise `Stopped` while the bot closes (for work between children that reads the store)."""
    if _stopping.is_set():
        raise Stopped


def in_child(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in a fresh process, its result returned here; blocks the calling
    thread (never call it on the event loop). `work` and its arguments must pickle. The child
    ignores Ctrl-C (the bot decides what one means) and ends if the bot dies; raises `Stopped`
    when the bot closes first."""
    stop_if_closing()
    context = forkserver()
    receiving, sending = context.Pipe(duplex=False)
    with ctrl_c_blocked():  # the child begins with SIGINT blocked (orphan.py says why)
        child = context.Process(  # type: ignore[attr-defined]
            target=_run,
            args=(sending, os.getpid(), work, args, kwargs),
            name=f"child-{getattr(work, '__name__', 'work')}",
            daemon=True,
        )
        child.start()
    sending.close()  # the child holds the other end: its exit ends the pipe
    try:
        while not receiving.poll(POLL_S):
            if _stopping.is_set():
                raise Stopped
        try:
            failed, value = receiving.recv()
        except EOFError:  # it ended without an answer (killed, or out of memory)
            child.join()
            raise RuntimeError(f"{child.name} ended with code {child.exitcode}") from None
    finally:
        receiving.close()
        if child.is_alive() and _stopping.is_set():
            child.terminate()
        child.join()
    if failed:
        raise value
    return value


def _run(
    sending: Connection,
    bot: int,
    work: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    stop_when_orphaned(bot)
    try:
        outcome: tuple[bool, Any] = (False, work(*args, **kwargs))
    except BaseException as error:  # handed to the asking thread, which raises it
        outcome = (True, error)
    sending.send(outcome)
    sending.close()
