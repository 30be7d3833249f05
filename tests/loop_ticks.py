"""How long the event loop waited while work ran in a thread: a ticker that wakes every
millisecond beside it. Work that holds the GIL stops the ticker for all of its run; work that
lets go of it lets the ticker run (a loaded machine stretches both, so tests compare the
longest wait with the work's own time)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Waited:
    """One piece of work timed beside the ticker."""

    took: float
    """Wall time of the work, in seconds."""
    longest: float
    """The loop's longest wait between two ticks, in seconds."""
    ticks_during: int
    """Ticks while the work ran."""


async def waited_beside(work: Awaitable[T]) -> tuple[T, Waited]:
    """Run `work` (on a thread: `asyncio.to_thread(...)`) with the ticker beside it."""
    ticks: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    result = await work
    took = time.perf_counter() - started
    done.set()
    await ticker
    longest = max(b - a for a, b in itertools.pairwise(ticks))
    during = sum(1 for t in ticks if started <= t <= started + took)
    return result, Waited(took, longest, during)
