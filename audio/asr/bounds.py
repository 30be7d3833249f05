"""Log probabilities read from rows of the decoder's output, and upper bounds read from them.

A row holds the log probability of every token at one position of a text the decoder went
through: a text forced as the start of its output (`WhisperModel.score_bounding`), or the
transcript it wrote itself (`WhisperModel.head_bounds`). A text's probability only falls as it
goes on, so the rows of one text bound every other text that begins like it: the log
probability of the beginning they share, plus that of the other's next token. A candidate
whose bound already loses needs no decoding of its own (audio/rescore.py, audio/wake_check.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MISSING_STEP = -20.0
"""Log probability charged for a position the decoder did not return."""


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Logits -> log probabilities over the last axis (one position, or a row a position)."""
    top = logits.max(axis=-1, keepdims=True)
    result: np.ndarray = logits - (top + np.log(np.exp(logits - top).sum(axis=-1, keepdims=True)))
    return result


def rows_of(steps: list[Any]) -> np.ndarray:
    """The decoder's logits at successive positions -> their log probabilities, a row each."""
    if not steps:
        return np.zeros((0, 0), dtype=np.float32)
    return log_softmax(np.stack([np.asarray(step, dtype=np.float32) for step in steps]))


def log_probability(rows: np.ndarray, tokens: list[int]) -> float:
    """Sum of the log probability of each token at its row, over the rows there are, and a
    fixed charge for each token past them."""
    n = min(len(rows), len(tokens))
    total = MISSING_STEP * (len(tokens) - n)
    if n == 0:
        return total
    return total + float(rows[np.arange(n), tokens[:n]].sum())


def upper_bounds(
    decoded: list[tuple[list[int], np.ndarray]], others: list[list[int]], ended: bool
) -> list[float]:
    """For each of `others` an upper bound on its log probability (its end included when
    `ended`), read from `decoded`: texts' tokens with the rows the decoder computed at each of
    them (and, where known, after the last). A decoded text bounds `other` by the log
    probability of the beginning they share plus that of `other`'s next token there, or, when
    `other` is a beginning of it and needs no end, by `other`'s own. The tightest bound counts;
    0 where no decoded text has a row to read one from."""
    result: list[float] = []
    for other in others:
        bound = 0.0
        for own, rows in decoded:
            shared = _shared(own, other)
            if shared >= len(other) and not ended:
                bound = min(bound, log_probability(rows, other))
            elif shared < min(len(other), len(rows)):
                after = float(rows[shared, other[shared]])
                bound = min(bound, log_probability(rows, other[:shared]) + after)
        result.append(bound)
    return result


def _shared(a: list[int], b: list[int]) -> int:
    """How many tokens `a` and `b` begin with in common."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
