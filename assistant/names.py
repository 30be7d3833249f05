"""What a new dataset may be called: letters of one alphabet, Latin or Cyrillic, digits, `_`
and `-`, at most 40 characters, starting with a letter or digit (`movies-2`, `отзывы_2024`).

One alphabet, because Latin and Cyrillic share look-alike letters: `pаbota` with a Cyrillic
`а` and `pabota` with a Latin one look the same and would be two datasets, and a name typed
again later would find neither. A name is kept in Unicode's composed form (NFC), so that `й`
typed as `и` and a combining breve is the `й` of every keyboard. Nothing here makes a path: a
created dataset is a name in the database, and these characters cannot climb out of the data
root (`/`, `\\` and `.` are none of them)."""

from __future__ import annotations

import unicodedata

from . import i18n
from .errors import BadInput
from .i18n import tr
from .markup import code

MAX_NAME_CHARS = 40
ALPHABETS = ("LATIN", "CYRILLIC")
"""The alphabets a name may be written in, as Unicode's character names begin."""
MARKS = frozenset("0123456789_-")
"""What a name may hold besides letters (ASCII digits only: no other script's digits)."""


def alphabet(char: str) -> str | None:
    """The alphabet of a letter a name may hold ("LATIN", "CYRILLIC"), else None: a digit or
    mark, a letter of another script, a modifier or a fullwidth form."""
    if not unicodedata.category(char).startswith("L"):
        return None
    script = unicodedata.name(char, "").split(" ")[0]
    return script if script in ALPHABETS else None


def is_name(word: str) -> bool:
    """Whether `word` (composed) is made of what a name may hold, of any alphabets."""
    if not 1 <= len(word) <= MAX_NAME_CHARS or word[0] in "_-":
        return False
    return all(c in MARKS or alphabet(c) for c in word)


def dataset_name(word: str) -> str:
    """`word` composed (NFC) when it is a dataset's name, else the refusal: what a name holds
    (`create.bad_name`), or, for letters of both alphabets, which letters are the odd ones."""
    name = unicodedata.normalize("NFC", word)
    if not is_name(name):
        raise BadInput(tr("create.bad_name"))
    letters: dict[str, list[str]] = {}
    for char in name:
        if (script := alphabet(char)) is not None:
            letters.setdefault(script, []).append(char)
    if len(letters) < 2:
        return name
    # the fewer letters are the odd ones (a Latin `a` in a Cyrillic word); on a tie, those of
    # the alphabet the name turns to
    odd, usual = sorted(letters, key=lambda s: (len(letters[s]), -name.index(letters[s][0])))
    raise BadInput(
        tr(
            "create.mixed",
            name=name,
            letters=", ".join(code(c) for c in dict.fromkeys(letters[odd])),
            alphabet=tr(f"alphabet.{odd.lower()}"),
            other=tr(f"alphabet.{usual.lower()}"),
        )
    )


def look_alike(typed: str, meant: str, language: str | None = None) -> str:
    """A note for "Did you mean `meant`?" when `typed` is `meant` with look-alike letters of
    the other alphabet (`rеviews` with a Cyrillic `е`): the two look the same, and the member
    could not see why one was not found. Empty when they differ otherwise."""
    if len(typed) != len(meant) or typed == meant:
        return ""
    odd: list[str] = []
    pairs: set[tuple[str, str]] = set()
    for mine, theirs in zip(typed, meant, strict=True):
        if mine == theirs:
            continue
        pair = (alphabet(mine), alphabet(theirs))
        if pair[0] is None or pair[1] is None or pair[0] == pair[1]:
            return ""
        odd.append(mine)
        pairs.add((pair[0], pair[1]))
    if len(pairs) != 1:
        return ""
    [(yours, its)] = pairs
    language = language or i18n.current()
    return i18n.message(
        language,
        "names.look_alike",
        letters=", ".join(code(c) for c in dict.fromkeys(odd)),
        alphabet=i18n.message(language, f"alphabet.{yours.lower()}"),
        other=i18n.message(language, f"alphabet.{its.lower()}"),
    )
