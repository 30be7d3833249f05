"""Text saved in a Windows code page rather than UTF-8: Excel's "CSV (comma delimited)" and
Notepad's "ANSI" write Windows-1251 on a Russian Windows (older Linux and mail, KOI8-R) and
Windows-1252 (Latin-1's superset) on a Western European one. Any byte decodes in each, so a
reading is taken only
when what it gives reads as that language's text; anything else stays unreadable (a binary
file, another code page, UTF-8 with damage in it), never learnt as mojibake.
"""

from __future__ import annotations

import re
import unicodedata

TYPOGRAPHY = "«»„“”‘’‚—–…•·№°±§€£¥¢¿¡\xa0"
"""The marks besides letters that such text holds: quotes, dashes, the ellipsis, the numero
sign, currencies, Spanish's inverted marks, a no-break space."""
CYRILLIC = frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяІіЇїЄєҐґЎў")
"""The Cyrillic letters of Russian, Ukrainian and Belarusian: Windows-1251's other letters
(Serbian Ђ, Macedonian Ѓ) are also the bytes of a damaged UTF-8 Russian text, which must not
read as Windows-1251."""
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
    return _count_non_ascii(text) - broken > broken


# Each check runs at C speed (regular expressions, `str.count`, a set of the characters) and
# counts letters in the first megabyte only: an 8 MB file is read in about a second, not the
# ten a loop over its characters took.
SAMPLE_CHARS = 1_000_000
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CYRILLIC = "".join(sorted(CYRILLIC))
_SMALL = "".join(c for c in _CYRILLIC if c.islower())
_CAPITAL = "".join(c for c in _CYRILLIC if c.isupper())
NOT_WRITTEN_SO = re.compile(f"[A-Za-z][{_CYRILLIC}]|[{_CYRILLIC}][A-Za-z]|[{_SMALL}][{_CAPITAL}]")
"""A word of Latin and Cyrillic letters together, or a capital after a small letter."""
NOT_ASCII_LETTERS = re.compile(r"[^A-Za-z]+")
_VOWELS = "аеёиоуыэюяіїє"
NOT_SPELT_SO = re.compile(
    rf"\b[ьъы]|[{_VOWELS}][ьъы]|ъ[^еёюя]|ь[аэуыьъ]|[бвгджзклмнпрстфхцчшщ]{{6}}"
)
"""What Russian (Ukrainian, Belarusian) spelling does not write, in lower case: a word that
starts with `ь`, `ъ` or `ы`, either sign or `ы` after a vowel, `ъ` before anything but `е`,
`ё`, `ю`, `я`, `ь` before `а`, `э`, `у`, `ы` or a sign, six consonants in a row. Bytes of no
text read as letters (0xFF, 0xFE, 0xFD… read `яюэьыъщш…`) hold several in a few words; real
text hardly any (a plural's `(ы)`, a typo)."""
ODD_SPELLING_SHARE = 200
"""One odd spelling (`NOT_SPELT_SO`) is allowed per this many letters, and one more."""


def _count_non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _controls(text: str) -> bool:
    return CONTROLS.search(text) is not None


def _non_ascii_chars(text: str) -> set[str]:
    return {c for c in set(text) if not c.isascii()}


def _count(text: str, chars: set[str]) -> int:
    return sum(text.count(c) for c in chars)


def _russian(text: str) -> bool:
    """Cyrillic words, written as words are: more lower case letters than capitals, and no
    capital after a small letter in a word (KOI8-R read as Windows-1251 turns the case of every
    letter, `ПФМЙЮОЩК`; Greek gives `КблЮ`); no word of Cyrillic and Latin letters together
    (Western European text read as Windows-1251: `cafй`); nothing else outside ASCII but
    typography; no more than a stray spelling Russian does not write (`NOT_SPELT_SO`)."""
    found = _non_ascii_chars(text)
    if not found <= CYRILLIC | set(TYPOGRAPHY):
        return False
    sample = text[:SAMPLE_CHARS]
    lower = _count(sample, {c for c in found if c in CYRILLIC and c.islower()})
    upper = _count(sample, {c for c in found if c in CYRILLIC and c.isupper()})
    if lower == 0 or upper > lower:
        return False
    odd = len(NOT_SPELT_SO.findall(sample.lower()))
    if odd * ODD_SPELLING_SHARE > lower + upper + ODD_SPELLING_SHARE:
        return False  # letters of no words: bytes that are no text
    return NOT_WRITTEN_SO.search(text) is None


def _western(text: str) -> bool:
    """Latin letters, few of them accented, and nothing else outside ASCII but typography."""
    found = _non_ascii_chars(text)
    accented_letters = {c for c in found if c.isalpha()}
    if any(not unicodedata.name(c, "").startswith("LATIN") for c in accented_letters):
        return False
    if not found - accented_letters <= set(TYPOGRAPHY):
        return False
    sample = text[:SAMPLE_CHARS]
    accented = _count(sample, accented_letters)
    letters = accented + len(NOT_ASCII_LETTERS.sub("", sample))
    return letters > 0 and accented <= letters * MAX_ACCENTED_SHARE
