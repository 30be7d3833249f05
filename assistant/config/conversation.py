"""Settings of the per-guild conversation machine: windows and timeouts."""

from __future__ import annotations

from .core import Section


class ConversationSettings(Section):
    follow_up_seconds: float = 6.0
    """After a wake phrase alone, or after an answer, a command needs no wake phrase this long."""
