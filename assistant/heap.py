"""Keeping the garbage collector's full passes short, so they do not stall the event loop.

A full collection walks every container object the process tracks, holding the GIL: with the
modules of a running bot loaded that took 80-300 ms on a busy 2-core machine, long enough to
clip live voice. What exists once start-up is over (modules, classes, configuration) lives as
long as the process, so it is moved out of the collector's view once; later full passes walk
only what was made since.

The voice parts and what they learn in threads beside the first utterances (the command
guessers, the words' vote) are built after start-up and live as long too: about 80,000 objects,
which a full pass then walked, 25-100 ms at a time, on whichever thread allocated when it came,
the event loop's included. They are frozen the same way once the last of those builds ends.
While they are built, only the young generations are collected: a full pass then walked every
object built so far (85-614 ms on a busy machine), and all of them outlive it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_frozen = False
_building = 0
_refrozen = False
_lock = threading.Lock()
_idle = threading.Condition(_lock)
"""Notified when the last build ends (`wait_for_builds`)."""
_thresholds: tuple[int, int, int] | None = None
"""The collector's thresholds before the first build, restored when the last one ends."""
NO_FULL_PASS = 1_000_000
"""The oldest generation's threshold while builds run: no full pass comes in seconds."""
_lasting = False
"""A `lasting_build` ended since the last freeze: the next time no build runs, freeze again."""
_holding = 0
_held_from = 0
"""The oldest generation's threshold before the first `no_full_passes` still open."""


def freeze_startup_objects() -> None:
    """Collect once, then exempt every object alive now from later passes (once a process)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()


def build_in_background(build: Callable[[], None], name: str) -> None:
    """Run `build` in a thread of its own; when it is the last such build still running, freeze
    what exists then, as start-up's objects were (once a process, after start-up's freeze).
    Not a daemon thread: see `assistant.intents.guess.learn_in_background`."""

    def run() -> None:
        try:
            build()
        finally:
            _built()

    _begin()
    threading.Thread(target=run, name=name).start()


@contextmanager
def lasting_build() -> Iterator[None]:
    """A build, in the block (awaits included), of what lives as long as the process: the
    voice parts at the first `join` (its matcher, recognizers' grammar, neural model: tens of
    thousands of objects). No full pass while it runs (one walked 58,000-69,000 objects then,
    on a busy machine), and what exists when the last build ends is frozen, even when the
    learners' builds ended and froze theirs before (25,000 objects were left for every full
    pass)."""
    global _lasting
    _begin(lasting=True)
    try:
        yield
    finally:
        with _lock:
            _lasting = True
        _built()


def _begin(lasting: bool = False) -> None:
    global _building, _thresholds
    with _lock:
        _building += 1
        if _thresholds is None and _frozen and (lasting or not _refrozen):
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], NO_FULL_PASS)


def _built() -> None:
    global _building, _refrozen, _thresholds, _lasting
    with _lock:
        _building -= 1
        refreeze = not _building and _frozen and (not _refrozen or _lasting)
        if refreeze:
            _refrozen = True
            _lasting = False
            if _thresholds is not None:
                first, second, oldest = _thresholds
                gc.set_threshold(first, second, NO_FULL_PASS if _holding else oldest)
                _thresholds = None
    if refreeze:
        # Only the young generations: what they hold that is garbage goes now, in a few ms; a
        # full collection here would be the very pause this avoids.
        gc.collect(1)
        gc.freeze()
    with _lock:
        if not _building:  # after the freeze: a waiter sees what it left
            _idle.notify_all()


@contextmanager
def no_full_passes() -> Iterator[None]:
    """No full pass while the block runs: a training job holds its examples and their features
    (100,000 of them: a few hundred thousand objects) in a worker thread, and a full pass that
    came meanwhile walked them all on whichever thread allocated, the event loop's included
    (87 ms once, on a busy machine). They are freed when the job ends; the young generations
    are collected as ever."""
    global _holding, _held_from
    with _lock:
        _holding += 1
        if _holding == 1:
            _held_from = (_thresholds or gc.get_threshold())[2]
            first, second, _ = gc.get_threshold()
            gc.set_threshold(first, second, NO_FULL_PASS)
    try:
        yield
    finally:
        with _lock:
            _holding -= 1
            if not _holding:
                first, second, _ = gc.get_threshold()
                gc.set_threshold(first, second, NO_FULL_PASS if _thresholds else _held_from)


def wait_for_builds(timeout: float) -> bool:
    """Wait until no build runs (at most `timeout` seconds); whether none does. What they
    learn reads the store: closing it under them made the learner fail ("learning the
    commands' words ... failed" after a short `simulate`)."""
    with _lock:
        return _idle.wait_for(lambda: not _building, timeout)
