"""The neural stage's work in the model's thread, done before the grammar's answer is in.

The hearer (audio/hearing.py) starts the neural model on an utterance beside the grammar
recognizer, or after it where the grammar mostly decides alone (audio/speculation.py). As soon
as the model has written its transcript, the same thread goes on with what the decision will
need of it (`ScoredGate.work_ahead`, audio/scored_gate.py), so the decision need not wait for
that once the grammar recognizer answers.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.intents.snap import CallHead

from .asr.neural import NeuralResult
from .scored_gate import ScoredGate

HEAD_TOKENS = 12
"""Transcript tokens whose decoding the wake-word check reads (the wake phrase and the
command's first word take 3-6)."""


def transcribe_ahead(
    gate: ScoredGate,
    pcm: bytes,
    check: bool,
    busy: Callable[[], bool],
    head_of: Callable[[NeuralResult], CallHead],
) -> NeuralResult:
    """In the model's thread, beside the grammar: the transcript, and the wake-word check
    of its own words when they are a command after the wake phrase (most of what verifying
    the wake phrase costs, done before the grammar's answer is in). Not when others wait
    for the model (`busy`): then the check is likely skipped anyway (`busy_backlog`).
    `head_of` tells how a transcript begins (wake phrase, another name, or neither)."""
    s = gate.settings
    checked = check and gate.neural.can_score and s.scored and s.verify_wake and not busy()
    # The check reads what the decoder saw at the transcript's first tokens.
    result = gate.neural.transcribe(pcm, keep_head=HEAD_TOKENS if checked else 0)
    if not checked or result.no_speech > s.max_no_speech:
        return result
    return gate.work_ahead(result, head_of(result))
