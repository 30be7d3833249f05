"""Discord mentions in a member's words: `@everyone`, `@here`, a member's `<@123>` (`<@!123>`),
a role's `<@&123>` and a channel's `<#123>`. Discord sends them so in a message's text and in
a slash option's value alike."""

from __future__ import annotations

import re

PINGS = r"@everyone|@here|<@[!&]?\d+>"
"""A mention of people: it addresses them, as "everyone" or "guys" does."""
_ONLY = re.compile(rf"[\s,.!]*(?:(?:{PINGS}|<#\d+>)[\s,.!]*)+")


def only_mentions(text: str) -> bool:
    """Whether `text` is mentions alone (commas and stops between them aside): no example to
    learn and no feedback, whoever or whatever it names."""
    return _ONLY.fullmatch(text) is not None
