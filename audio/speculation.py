"""When the hearer starts the neural second opinion beside the grammar recognizer.

Started beside the grammar recognizer, the second opinion is ready about when the grammar is;
that pays when it is needed, which with `verify_wake` on (the default) is every command. Where
the grammar mostly decides alone, the early start is wasted work, and on two cores it takes a
share of the CPU from the grammar recognizer and from the reply's synthesis: end of speech to
the first reply audio p50 417 ms with the neural stage beside the grammar, 366 ms with it
after (bench/results/pause_hearing.md, 2 December 2026, quiet machine; 473-504 ms against
420-444 ms with this rule, interleaved under load). So it starts beside
the grammar only while most recent utterances needed it; otherwise after the grammar, where
needed. Nothing heard yet counts as needed (the default config needs it for every command).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

WINDOW = 10
"""How many recent utterances the choice looks at."""


@dataclass
class Speculation:
    """The hearer's recent need for the second opinion."""

    share: float = 0.5
    """Start beside the grammar while at least this share of recent utterances needed the
    second opinion (0: always)."""
    needed: deque[bool] = field(default_factory=lambda: deque(maxlen=WINDOW))
    """Whether each of the last `WINDOW` utterances needed it, oldest first."""

    def start_beside(self) -> bool:
        """Whether the next utterance's neural stage starts beside the grammar recognizer."""
        return not self.needed or sum(self.needed) >= self.share * len(self.needed)

    def record(self, needed: bool) -> None:
        """What the grammar's decision on an utterance turned out to need."""
        self.needed.append(needed)
