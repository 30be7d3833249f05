"""What the bot is about to say (`Saying`), and the English of the sentences it says in its own
words.

The conversation machine (`states/conversation.py`) decides what is said, and to whom; the speak
stage (`states/stages.py`) says it, reading the bot's own words in the guild's language from the
message catalog, where these English constants are the `en` entries. Apart from the machine
because the stage, the shared engines (`states/parts.py` synthesizes the apology at start-up)
and the tests need the words and not the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SayKind = Literal["answer", "not_understood", "announcement", "apology", "prompt"]

NOT_UNDERSTOOD = "Sorry, I didn't catch that."
APOLOGY = "Sorry, something went wrong. Please try again."
STILL_WORKING = "Still working on it."
LISTENING = "Yes? I'm listening."
"""Said to the wake phrase alone, so the person knows the bot heard and waits for them."""


@dataclass(frozen=True)
class Saying:
    """What the bot is about to say, and why."""

    text: str
    kind: SayKind
    to: str | None = None
    """The person answered; they may interrupt, and get the follow-up window afterwards."""
