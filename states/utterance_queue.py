"""Utterances that wait for the bot: the queue of the overlap rule.

While the bot listens to, recognizes, acts for or answers one person, anyone else's finished
utterance waits here: the latest one per person (never merged with another), at most
`queue_max` of them, each for `queue_seconds`. When the bot is free the conversation machine
(`states/conversation.py`) takes the oldest and checks it for the wake phrase. Apart from the
machine because this is only the keeping; who is queued, and when, is the machine's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from audio.vad.base import UtteranceEnded


@dataclass(frozen=True)
class QueuedUtterance:
    """A finished utterance of someone the bot was not listening to (overlap rule)."""

    speaker: str
    utterance: UtteranceEnded
    queued_at: float
    partner_began: bool = False
    """Said by the partner while their follow-up window was open: no wake phrase needed."""


class UtteranceQueue:
    """Oldest first; falsy when empty."""

    def __init__(self) -> None:
        self.items: list[QueuedUtterance] = []

    def __len__(self) -> int:
        return len(self.items)

    def put(self, item: QueuedUtterance, keep: int) -> None:
        """Queue `item` in place of its speaker's earlier one; only the latest `keep` stay."""
        self.items = [q for q in self.items if q.speaker != item.speaker]
        self.items.append(item)
        del self.items[:-keep]

    def expire(self, horizon: float) -> None:
        """Drop what was queued before `horizon` (a clock time)."""
        self.items = [q for q in self.items if q.queued_at >= horizon]

    def take_from(self, speaker: str) -> QueuedUtterance | None:
        """`speaker`'s queued utterance, taken out of the queue (None: there is none)."""
        for item in self.items:
            if item.speaker == speaker:
                self.items.remove(item)
                return item
        return None

    def pop(self) -> QueuedUtterance:
        return self.items.pop(0)
