"""What a transcript means to the conversation: which event recognition's result raises.

Only the wake phrase, or the partner speaking in (or having begun in) their follow-up window,
addresses the bot. Addressed, the wake phrase alone gets "I'm listening", a command is acted
on, and anything else gets "didn't catch that"; but speech without the wake phrase that cannot
be made out gets silence (after an answer it is as likely meant for someone else in the room)
unless the bot has just said it is listening, and nothing at all (a cough) always does. The
conversation machine (`states/conversation.py`) raises the event this returns; apart from it
because the rule is a decision on one transcript and two facts, with no state of its own.
"""

from __future__ import annotations

from typing import Any, Literal

from audio.asr.base import Transcript

Meaning = Literal["not_addressed", "wake_heard", "intent_found", "no_intent"]


def meaning(transcript: Transcript, intent: Any, *, in_window: bool, prompted: bool) -> Meaning:
    """`in_window`: said by the partner in their follow-up window (no wake phrase needed);
    `prompted`: the window was opened by the wake phrase alone."""
    addressed = transcript.wake or in_window
    unclear = transcript.rejected or not transcript.text
    if not addressed or (not transcript.wake and unclear and not prompted):
        # After an answer, unclear speech from the partner is as likely to be meant for
        # someone else in the room: stay quiet.
        return "not_addressed"
    if not transcript.wake and not transcript.text and not transcript.rejected:
        return "not_addressed"  # nothing said (a cough)
    if transcript.wake and not transcript.text and not transcript.rejected:
        return "wake_heard"
    if intent is not None and not transcript.rejected:
        return "intent_found"
    return "no_intent"
