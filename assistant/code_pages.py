"""Text saved in a Windows code page rather than UTF-8: Excel's "CSV (comma delimited)" and
Notepad's "ANSI" write Windows-1251 on a Russian Windows and Windows-1252 (Latin-1's
superset) on a Western European one. Any byte decodes in either, so each reading is taken only
when what it gives reads as that language's text; anything else stays unreadable (a binary
file, another code page, UTF-8 with damage in it), never learnt as mojibake.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

TYPOGRAPHY = "«»„“”‘’‚—–…•·№°±§€£¥¢¿¡\xa0"
"""The marks besides letters that such text holds: quotes, dashes, the ellipsis, the numero
sign, currencies, Spanish's inverted marks, a no-break space."""
CYRILLIC = frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяІіЇїЄєҐґЎў")
"""The Cyrillic letters of Russian, Ukrainian and Belarusian: Windows-1251's other letters
(Serbian Ђ, Macedonian Ѓ) are also the bytes of a damaged UTF-8 Russian text, which must not
read as Windows-1251."""
WORD = re.compile(r"[^\W\d_]+")
MAX_ACCENTED_SHARE = 0.25
"""At most this share of a Western European text's letters are accented (French has about 4%);
Russian read as Windows-1252 is nearly all accented Latin letters (`îòëè÷íûé`)."""

CODE_PAGES = ("cp1251", "koi8_r", "cp1252")
"""Russian Windows first, then the older Russian KOI8-R (Linux, old mail), then Western Europe."""


def from_code_page(data: bytes) -> tuple[str, str] | None:
    """`data` (no UTF-8, no UTF-16) read in the code page it reads as: the text and the code
    page's codec (`cp1251`); None when it reads as neither (bytes of no text, another code
    page)."""
    for codec in CODE_PAGES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue  # a byte the code page leaves undefined
        if _controls(text):
            return None  # the same controls in either reading: a binary file
        fits = _western(text) if codec == "cp1252" else _russian(text)
        if fits:
            return text, codec
    return None


def mostly_utf8(data: bytes) -> bool:
    """More whole UTF-8 characters than broken bytes: a UTF-8 file with a stray byte, which
    read in a code page would turn every one of its own characters into two wrong ones."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    whole = sum(1 for c in text if ord(c) > 0x7F) - broken
    return whole > broken


def _controls(text: str) -> bool:
    return any(c not in "\t\n\r" and unicodedata.category(c) == "Cc" for c in text)


def _russian(text: str) -> bool:
    """Cyrillic words, written as words are: more lower case letters than capitals, and no
    capital after a small letter in a word (KOI8-R read as Windows-1251 turns the case of every
    letter, `ПФМЙЮОЩК`; Greek gives `КблЮ`); no word of Cyrillic and Latin letters together
    (Western European text read as Windows-1251: `cafй`); nothing else outside ASCII but
    typography."""
    lower = upper = 0
    for char in text:
        if char in CYRILLIC:
            lower += char.islower()
            upper += char.isupper()
        elif ord(char) > 0x7F and char not in TYPOGRAPHY:
            return False
    if lower == 0 or upper > lower:
        return False
    for word in WORD.findall(text):
        if any(c in CYRILLIC for c in word) and (
            any(c.isascii() for c in word) or _capital_inside(word)
        ):
            return False
    return True


def _capital_inside(word: str) -> bool:
    return any(a.islower() and b.isupper() for a, b in pairwise(word))


def _western(text: str) -> bool:
    """Latin letters, few of them accented, and nothing else outside ASCII but typography."""
    letters = accented = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if not char.isascii():
                accented += 1
                if not unicodedata.name(char, "").startswith("LATIN"):
                    return False
        elif ord(char) > 0x7F and char not in TYPOGRAPHY:
            return False
    return letters > 0 and accented <= letters * MAX_ACCENTED_SHARE
