"""Settings of the voice pipeline: VAD, wake phrases, recognition, speech output."""

from __future__ import annotations

from .core import Section


class VoiceSettings(Section):
    wake_phrases: list[str] = ["hey trainer", "okay trainer"]
    """Any of these starts a command, or opens a short follow-up window on its own."""
