"""Said to the bot, but no command followed: an answer instead of silence.

Whisper writes "Hey trainer, is there anything running right now?" for a sentence the grammar
does not hold. The gate rightly refuses to act on it, but refused as speech not meant for the
bot it was met with silence, and the speaker could not tell whether the bot had heard them at
all. When the model's transcript begins with the wake phrase (no other name) and the learned
check confirms the wake word (audio/wake_verifier.py), the decision stays a refusal, so nothing
acts and the benches count nothing more, but it is marked as addressed: the session answers
"Sorry, I didn't catch that", shows the words it heard, suggests the command they most likely
meant, and opens a follow-up window to say it again (states/addressing.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.config.voice import SecondOpinionSettings
from assistant.intents.matcher import normalize
from assistant.intents.snap import CallHead

from .asr.neural import NeuralResult, WhisperModel
from .decision import Hearing
from .wake_verifier import check_wake_word

NOT_TO_ME = ("addressed to", "said to someone else")
"""Refusals that found another name: those stay silent."""


def addressed_refusal(
    hearing: Hearing,
    head: CallHead,
    model: WhisperModel,
    result: NeuralResult,
    settings: SecondOpinionSettings,
    wake_phrases: Sequence[str],
) -> Hearing | None:
    """`hearing` (a refusal) marked as said to the bot, with the words after the wake phrase;
    None when it was not plainly said to the bot."""
    if not hearing.rejected or hearing.wake or not settings.wake_verifier:
        return None
    if not head.wake or head.other_name is not None or not normalize(head.rest):
        return None
    if any(s.verdict == "rejected" and s.why.startswith(NOT_TO_ME) for s in hearing.stages):
        return None
    # Checked as the wake phrase alone would be: that is what it was, for all we understood.
    alone = replace(hearing, text="", wake=True, intent=None, rejected=False)
    checked = check_wake_word(alone, model, result, settings, wake_phrases)
    last = checked.stages[-1] if checked.stages else None
    if not checked.wake or last is None or last.stage != "wake":
        return None  # refused as said to someone else, or no verifier for this wake word
    said = replace(last, why=f"{last.why}: said to me, but no command I know followed")
    words = head.rest.strip(" ,.!?")
    return replace(hearing, text=words, wake=True, stages=[*checked.stages[:-1], said])


__all__ = ["addressed_refusal"]
