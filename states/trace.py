"""The trace of a guild's voice conversation: what a person there could observe, with its time.

The session (`states/session.py`) records what was heard, said, cut off and posted, and every
transition of the machine, so the console and the tests see what a user would see and hear.
Apart from the session because those readers need the entries, not the session that writes
them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

TRACE_MAX = 4000
"""Trace entries kept per guild (the older half is dropped past this)."""


@dataclass
class TraceEntry:
    """Something a person in the guild could observe, or a transition, with its clock time."""

    at: float
    kind: str
    """transition, heard, said, interrupted, posted, ignored, barge_in, reply, error."""
    text: str = ""
    speaker: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def record(
    trace: list[TraceEntry],
    kind: str,
    text: str = "",
    speaker: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append an entry stamped now; past TRACE_MAX the older half goes (a guild can stay in
    voice for days)."""
    trace.append(TraceEntry(time.monotonic(), kind, text, speaker, data or {}))
    if len(trace) > TRACE_MAX:
        del trace[: TRACE_MAX // 2]
