"""Short spoken form of replies written for the eye.

Code blocks, JSON, tables and long lists read aloud are noise; say one sentence about them
and point to the text channel instead.
"""

from __future__ import annotations

import json
import re

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.S)
_INLINE_CODE = re.compile(r"`([^`]*)`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_URL = re.compile(r"https?://\S+")
_MARKUP = re.compile(r"[*_~>#|]+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_SPACES = re.compile(r"\s+")
SEE_CHAT = "The details are in the chat."


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


def spoken_text(text: str, max_chars: int = 300) -> str:
    """A sentence or two that sounds right when spoken; '' for nothing sayable."""
    if _is_json(text):
        return SEE_CHAT
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
    prose = _URL.sub("a link", prose)
    prose = _INLINE_CODE.sub(r"\1", prose)
    prose = _SPACES.sub(" ", _MARKUP.sub(" ", prose)).strip()
    extras: list[str] = []
    if items:
        first = _SPACES.sub(" ", _MARKUP.sub(" ", _INLINE_CODE.sub(r"\1", items[0]))).strip()
        if len(items) <= 3 and sum(len(i) for i in items) < 120:
            extras.append(", ".join(_MARKUP.sub("", i).strip() for i in items) + ".")
        else:
            extras.append(f"{len(items)} items, starting with {first}.")
    if table_rows:
        body = [r for r in table_rows if not re.match(r"^\s*\|[\s:|-]+\|\s*$", r)]
        extras.append(f"A table with {max(len(body) - 1, 0)} rows is in the chat.")
    elif had_code:
        extras.append(SEE_CHAT)
    spoken = " ".join(p for p in [prose, *extras] if p)
    return _first_sentence(spoken, max_chars)
