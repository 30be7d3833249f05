"""Times written with digits after or before a request ("train on kaggle tweets in 5 minutes",
"status in 10 min", "обучи через 5 минут", "archive it at 6pm"): read past like the worded times
among the written politeness ("in ten minutes"). A digit elsewhere in a line still makes its
words a command's arguments (`cancel 7`), so the time is taken out before the line is read.
Each language's words: `typed.time_before` (the word before the number: "in", "через"),
`typed.time_units` ("minutes", "мин") and `typed.time_at` ("at", "в": a clock time with a colon
or am/pm)."""

from __future__ import annotations

import re
from functools import cache

from .. import i18n


@cache
def _times() -> re.Pattern[str]:
    def alternatives(key: str) -> str:
        words = {w for code in i18n.languages() for w in i18n.word_list(code, key)}
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    number = r"\d+(?:[.,]\d+)?"
    before, units = alternatives("typed.time_before"), alternatives("typed.time_units")
    later = rf"(?:{before})\s+{number}\s*(?:{units})"
    clock = (
        rf"(?:{alternatives('typed.time_at')})\s+\d{{1,2}}(?::\d{{2}}\s*(?:am|pm)?|\s*(?:am|pm))"
    )
    return re.compile(rf"(?<![\w/]){later}\.?(?!\w)|(?<![\w/]){clock}(?!\w)", re.IGNORECASE)


def without_clock_times(line: str) -> str:
    """`line` without the times written with digits that it holds; as it came when none."""
    if not any(c.isdigit() for c in line):
        return line
    cut = _times().sub(" ", line)
    if cut == line:
        return line
    return re.sub(r"\s+([,.!?])", r"\1", re.sub(r"\s{2,}", " ", cut)).strip()


__all__ = ["without_clock_times"]
