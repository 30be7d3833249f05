"""The commands that are social talk rather than work."""

from __future__ import annotations

SOCIAL = frozenset({"hi", "feedback"})
"""A greeting, thanks or an opinion. People add their sentences around a request ("..., thanks",
"and hi"), and they are short enough that some fit whatever follows a name near the wake word
("hey train her" found as "Hey trainer hi")."""
