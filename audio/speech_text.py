"""Short spoken form of replies written for the eye.

Code blocks, JSON, tables and long lists read aloud are noise; say one sentence about them
and point to the text channel instead.
"""

from __future__ import annotations

import json
import re
from functools import cache

from assistant import i18n

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.S)
_INLINE_CODE = re.compile(r"`([^`]*)`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_URL = re.compile(r"https?://\S+")
_MARKUP = re.compile(r"[*_~>#|]+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_SPACES = re.compile(r"\s+")
_DECIMAL = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d]|[.,]\d)")
"""A decimal number ("84.4"; not a version or an address, "1.2.3")."""
SEE_CHAT = i18n.message(i18n.ENGLISH, "speech.see_chat")


def _is_json(text: str) -> bool:
    text = text.strip()
    if not text or text[0] not in "[{":
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _first_sentence(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end > max_chars // 3:
        return cut[: end + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _size(match: re.Match[str], language: str) -> str:
    count = int(match.group(1))
    if count < 10_000:
        return match.group(0)
    key, said = (
        ("speech.megabytes", round(count / 1_000_000))
        if count >= 1_000_000
        else ("speech.kilobytes", round(count / 1_000))
    )
    # the form for the number said ("около 1 мегабайта"), the number ungrouped for the voice
    return i18n.message(language, i18n.plural_key(language, key, said), count=said)


@cache
def _grouped(group: str) -> re.Pattern[str]:
    """A whole number written with thousands grouped by `group` ("300,000", "300 000")."""
    mark = re.escape(group)
    return re.compile(rf"(?<![\d.,{mark}])\d{{1,3}}(?:{mark}\d{{3}})+(?![\d,{mark}]|[.,]\d)")


def _ungrouped(text: str, group: str) -> str:
    return _grouped(group).sub(lambda m: m.group(0).replace(group, ""), text)


def _numbers(text: str, language: str) -> str:
    """Numbers as a voice of `language` reads them: thousands ungrouped ("300000": in Russian a
    comma is the decimal mark, and "300,000" was said "three hundred point zero zero zero"),
    decimals with the language's own mark ("84,4"), sizes rounded ("12,833,335 bytes" took
    eight seconds to say; "about 13 megabytes"). The decimal mark is the one replies are
    written with (`i18n.number_text`)."""
    text = _ungrouped(text, ",")  # also in Russian: words not written by `number_text`
    # each form the size is written with (`number.bytes`: "байт", "байта")
    unit = "|".join(map(re.escape, i18n.word_list(language, "speech.bytes")))
    text = re.sub(rf"\b(\d+) (?:{unit})\b", lambda m: _size(m, language), text)
    mark = i18n.message(language, "number.decimal_mark")
    return text if mark == "." else _DECIMAL.sub(rf"\1{mark}\2", text)


def spoken_text(text: str, max_chars: int = 300, language: str = i18n.ENGLISH) -> str:
    """A sentence or two that sounds right when spoken, in `language`; '' for nothing
    sayable."""
    # the language's own thousands first (`i18n.number_text`): the spoken form folds the
    # no-break space that groups them in Russian
    own = _ungrouped(text, i18n.message(language, "number.group_mark"))
    return _numbers(_spoken(own, max_chars, language), language)


def _spoken(text: str, max_chars: int, language: str) -> str:
    if _is_json(text):
        return i18n.message(language, "speech.see_chat")
    see_chat = i18n.message(language, "speech.see_chat")
    lines = text.splitlines()
    table_rows = [line for line in lines if _TABLE_ROW.match(line)]
    items = [m.group(1) for line in lines if (m := _LIST_ITEM.match(line))]
    had_code = bool(_CODE_BLOCK.search(text))
    prose_lines = [
        line for line in _CODE_BLOCK.sub("", text).splitlines()
        if not _TABLE_ROW.match(line) and not _LIST_ITEM.match(line)
    ]  # fmt: skip
    prose = " ".join(prose_lines)
    prose = _LINK.sub(r"\1", prose)
    prose = _URL.sub(i18n.message(language, "speech.link"), prose)
    prose = _INLINE_CODE.sub(r"\1", prose)
    prose = _SPACES.sub(" ", _MARKUP.sub(" ", prose)).strip()
    extras: list[str] = []
    if items:
        first = _SPACES.sub(" ", _MARKUP.sub(" ", _INLINE_CODE.sub(r"\1", items[0]))).strip()
        if len(items) <= 3 and sum(len(i) for i in items) < 120:
            # spaces folded as in the prose: a no-break one of a number ("88,0 %") too
            said = (_SPACES.sub(" ", _MARKUP.sub("", i)).strip() for i in items)
            extras.append(", ".join(said) + ".")
        else:
            extras.append(i18n.message(language, "speech.items", count=len(items), first=first))
    if table_rows:
        body = [r for r in table_rows if not re.match(r"^\s*\|[\s:|-]+\|\s*$", r)]
        rows = max(len(body) - 1, 0)
        extras.append(i18n.message(language, "speech.table", rows=rows))
    elif had_code:
        extras.append(see_chat)
    spoken = " ".join(p for p in [prose, *extras] if p)
    return _first_sentence(spoken, max_chars)
