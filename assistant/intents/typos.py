"""Whether a typed word stands for a template's word as a typo, or is another word.

The typed gate takes the template sentence nearest a line letter by letter
(assistant/intents/typed.py); these say when that nearness is a typo and when it is a
different word that only looks close.
"""

from __future__ import annotations

import difflib


def replaced_word(text: str, sentence: str) -> bool:
    """Whether the near `sentence` has a word in place of which `text` has another, unlike it
    in letters (both normalized, `matcher.normalize`): a word of each that the other lacks and
    that is like none of the other's words. A typo keeps most letters of the word it stands
    for; a small word more or less replaces nothing; but "make the dataset active" is not "make
    an archive of the dataset"."""
    said, near = text.split(), sentence.split()

    def unlike(word: str, others: list[str], least: int) -> bool:
        return len(word) >= least and not difflib.get_close_matches(word, others, 1, _LIKE)

    extra = [w for w in said if w not in near and unlike(w, near, 5)]
    lost = [w for w in near if w not in said and unlike(w, said, 4)]
    return bool(extra) and bool(lost)


_LIKE = 0.6
"""Letter likeness (difflib's ratio) at which a written word is taken for a typo of another."""
