"""How people say folder and file names: "imdb2026" -> "i m d b twenty twenty six".

Names are split at separators, case changes and letter/digit boundaries. Digits become
number words (years the way people say years, plus the plain cardinal). Short tokens without
vowels, or ones that are not words, are spelled letter by letter; longer non-words are kept
as one word (the grammar recogniser generates a pronunciation for them).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_MAX_VARIANTS = 4
"""Spoken forms kept per name; each is a grammar alternative, so keep the product small."""


NUMBER_WORDS = frozenset([*_ONES, *_TENS[2:], "hundred", "thousand"])


def is_number(word: str) -> bool:
    """A word that is a number ("3", "three"): nobody is called that."""
    return word.isdigit() or word in NUMBER_WORDS


def written_length(words: list[str]) -> int:
    """How many words a transcript writes for these spoken ones: a spelled run of letters
    ("i m d b") or of number words ("twenty twenty six") is written as one ("imdb", "2026")."""
    count, previous = 0, ""
    for word in words:
        kind = "number" if is_number(word) else "letter" if len(word) == 1 else ""
        if not kind or kind != previous:
            count += 1
        previous = kind
    return count


def _below_100(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])


def cardinal(n: int) -> str:
    """0..999999 as words, American style without "and": 2026 -> "two thousand twenty six"."""
    if n < 100:
        return _below_100(n)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + ("" if rest == 0 else " " + _below_100(rest))
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        return f"{cardinal(thousands)} thousand" + ("" if rest == 0 else " " + cardinal(rest))
    return digits(str(n))


def digits(text: str) -> str:
    """Digit by digit: "007" -> "zero zero seven"."""
    return " ".join(_ONES[int(c)] for c in text)


def number_forms(text: str) -> list[str]:
    """Ways to say a run of digits, most likely first."""
    n = int(text)
    if text.startswith("0") and len(text) > 1:
        return [digits(text)]
    forms: list[str] = []
    if len(text) == 4 and 1100 <= n <= 2099 and n % 1000 >= 10:
        high, low = divmod(n, 100)
        if low == 0:
            forms.append(f"{_below_100(high)} hundred")
        elif low < 10:
            forms.append(f"{_below_100(high)} oh {_ONES[low]}")
        else:
            forms.append(f"{_below_100(high)} {_below_100(low)}")
    if len(text) <= 6:
        forms.append(cardinal(n))
    if len(text) >= 3:
        forms.append(digits(text))
    return list(dict.fromkeys(forms))


_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_VOWELS = set("aeiouy")


def tokens(name: str) -> list[str]:
    """Split a name into spoken units: "movieReviews_v2.csv" -> movie Reviews v 2 csv."""
    return _TOKEN.findall(name)


def word_forms(token: str, is_word: Callable[[str], bool]) -> list[str]:
    """Ways to say one alphabetic token."""
    low = token.lower()
    spelled = " ".join(low)
    if is_word(low):
        return [low] if len(low) > 1 or low in ("a", "i") else [spelled]
    if len(low) <= 4 or not (_VOWELS & set(low)):
        # imdb, sst, csv: people spell these; a pronounceable short one may also be said.
        return [spelled] + ([low] if len(low) >= 3 and _VOWELS & set(low[1:-1]) else [])
    return [low, spelled] if len(low) <= 6 else [low]


_ARCHIVE_STAMP = re.compile(r"-\d{8}-\d{6}(?:-\d+)?$")
"""The time `archive` puts after the folder's name ("movie_reviews-20261203-154400-2")."""


def file_words(path: str) -> list[str]:
    """What people call a file, most natural first: its name without folders and extension,
    then with it ("report", "report.csv"); an archive by its folder
    ("archives/movie_reviews-20261203-154400.zip" is "movie_reviews archive"): nobody says the
    time stamp."""
    name = path.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return [name]
    if extension.lower() == "zip" and _ARCHIVE_STAMP.search(stem):
        return [f"{_ARCHIVE_STAMP.sub('', stem)} archive"]
    return [stem, name]


def spoken_forms(name: str, is_word: Callable[[str], bool] = lambda w: False) -> list[str]:
    """Up to a few spoken forms of `name`, most natural first; [] when nothing is sayable."""
    parts: list[list[str]] = []
    for token in tokens(name):
        if token.isdigit():
            parts.append(number_forms(token))
        else:
            parts.append(word_forms(token, is_word))
    if not parts:
        return []
    forms = (" ".join(choice) for choice in itertools.product(*parts))
    return list(itertools.islice(dict.fromkeys(forms), _MAX_VARIANTS))
