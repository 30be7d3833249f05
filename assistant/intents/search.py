"""Searches of many sentences that let other threads run: rapidfuzz holds the GIL through one
search, so a search of the whole typed index runs in turns."""

from __future__ import annotations

TURN = 5_000
"""Keys searched in one call: rapidfuzz holds the GIL through a search, and a typed index of
300,000 sentences held it 40 ms at a time (the event loop stood still for it, for hundreds of
ms on a loaded machine); between calls of about a millisecond each, other threads run."""


def extract(
    query: str, keys: list[str], limit: int | None, least: float | None = None
) -> list[tuple[str, float, int]]:
    """`rapidfuzz.process.extract(query, keys, scorer=fuzz.ratio, limit=limit,
    score_cutoff=least)` in turns of `TURN` keys: (key, score, place), nearest first, ties
    in the order of the keys."""
    from rapidfuzz import fuzz, process

    found: list[tuple[str, float, int]] = []
    for start in range(0, len(keys), TURN):
        turn = keys[start : start + TURN]
        best = process.extract(query, turn, scorer=fuzz.ratio, limit=limit, score_cutoff=least)
        found.extend((key, score, start + at) for key, score, at in best)
    found.sort(key=lambda one: (-one[1], one[2]))
    return found if limit is None else found[:limit]
