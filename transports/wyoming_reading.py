"""Reading Wyoming events from a client that may not speak Wyoming at all.

Every length is bounded before anything is read, and whatever is not a well-formed event is a
`MalformedEvent` that says what was wrong: wyoming's own reader returns None for some garbage
(the connection just ends) and raises whatever Python raised for the rest, and it reads any
`payload_length` a client announces into memory.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from wyoming.event import Event

MAX_HEADER_BYTES = 1 << 16
"""Longest event header line (asyncio's default stream limit; the server passes it)."""
MAX_DATA_BYTES = 1 << 20
"""Largest JSON data of one event (a request's names travel in it: thousands fit)."""
MAX_PAYLOAD_BYTES = 4 << 20
"""Largest payload of one event (an audio chunk is a few kilobytes; 4 MiB is two minutes of
16 kHz speech)."""


class MalformedEvent(ValueError):
    """The client sent something that is not a Wyoming event; the text says what."""


async def read_event(reader: asyncio.StreamReader) -> Event | None:
    """The client's next event, or None when it closed the connection between events."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise MalformedEvent("the connection ended in the middle of an event header") from None
    except asyncio.LimitOverrunError:
        raise MalformedEvent(f"an event header longer than {MAX_HEADER_BYTES} bytes") from None
    header = _json_object(line, "the event header")
    kind = header.get("type")
    if not isinstance(kind, str) or not kind:
        raise MalformedEvent("an event header without a type")
    data = header.get("data", {})
    if not isinstance(data, dict):
        raise MalformedEvent(f"{kind}: its data is not a JSON object")
    data_length = _length(header, "data_length", MAX_DATA_BYTES, kind)
    if data_length:
        data.update(_json_object(await _exactly(reader, data_length, kind), f"{kind}: its data"))
    payload_length = _length(header, "payload_length", MAX_PAYLOAD_BYTES, kind)
    payload = await _exactly(reader, payload_length, kind) if payload_length else None
    return Event(type=kind, data=data, payload=payload)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:  # not JSON, or not UTF-8
        raise MalformedEvent(f"{what} is not JSON ({_shown(raw)})") from None
    if not isinstance(value, dict):
        raise MalformedEvent(f"{what} is not a JSON object ({_shown(raw)})")
    return value


def _length(header: dict[str, Any], key: str, most: int, kind: str) -> int:
    value = header.get(key) or 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MalformedEvent(f"{kind}: {key} {value!r} is not a byte count")
    if value > most:
        raise MalformedEvent(f"{kind}: {key} {value} is over the limit of {most} bytes")
    return value


async def _exactly(reader: asyncio.StreamReader, count: int, kind: str) -> bytes:
    try:
        return await reader.readexactly(count)
    except asyncio.IncompleteReadError:
        raise MalformedEvent(f"{kind}: the connection ended before its {count} bytes") from None


def _shown(raw: bytes) -> str:
    """The start of what was sent, printable and short, for the log."""
    return repr(raw[:40]) + ("..." if len(raw) > 40 else "")
