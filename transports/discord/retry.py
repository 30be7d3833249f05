"""Sending again what Discord refused only for now: a 429 that outlasted discord.py's five
tries (a rate limit shared with another process of the same bot), a 5xx it does not retry
(503) or gave up on (500, 502 five times). A reply, or a job's last progress edit, is tried
again after a pause, a few times; what could not be sent in the end is logged with what it
was. A periodic progress edit is not (the next one shows the same, and more)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

log = logging.getLogger(__name__)

T = TypeVar("T")

TRIES = 4
"""Attempts in all (discord.py's own retries are inside each)."""
PAUSE_S = 2.0
"""The pause before the second attempt, doubled before each further one."""
LONGEST_PAUSE_S = 30.0


def passing(exc: discord.HTTPException) -> bool:
    """True for Discord's refusals that a later attempt may get past (429, 5xx)."""
    return exc.status == 429 or exc.status >= 500


def pause(exc: discord.HTTPException, attempt: int) -> float:
    """Seconds to wait before attempt `attempt + 1`: a 429's Retry-After, or the back-off."""
    backoff = PAUSE_S * 2 ** (attempt - 1)
    headers = getattr(exc.response, "headers", None) or {}
    try:
        told = float(headers.get("Retry-After", "")) if exc.status == 429 else 0.0
    except ValueError:
        told = 0.0
    return min(max(told, backoff), LONGEST_PAUSE_S)


async def again(send: Callable[[], Awaitable[T]], what: str) -> T:
    """`send()`, tried again after a pause while Discord refuses it only for now (`passing`);
    each retry is logged as a warning naming `what`. The last refusal is raised."""
    for attempt in range(1, TRIES + 1):
        try:
            return await send()
        except discord.HTTPException as exc:
            if attempt == TRIES or not passing(exc):
                raise
            wait = pause(exc, attempt)
            log.warning(
                "Discord refused %s (%s %s); trying again in %.0f s (attempt %d of %d)",
                what,
                exc.status,
                exc.text[:80] or type(exc).__name__,
                wait,
                attempt + 1,
                TRIES,
            )
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
