"""Keeping the garbage collector's full passes short, so they do not stall the event loop.

A full collection walks every container object the process tracks, holding the GIL: with the
modules of a running bot loaded that took 80-300 ms on a busy 2-core machine, long enough to
clip live voice. What exists once start-up is over (modules, classes, configuration) lives as
long as the process, so it is moved out of the collector's view once; later full passes walk
only what was made since.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Collect once, then exempt every object alive now from later passes (once a process)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
