"""Settings of the Discord transport (the token comes from DISCORD_TOKEN, never from here)."""

from __future__ import annotations

from .core import Section


class DiscordSettings(Section):
    api_base: str | None = None
    """REST base URL, e.g. a nirn-proxy; None means Discord's own."""
    gateway_url: str | None = None
    """Gateway websocket URL; None means Discord's own."""
    ca_cert: str | None = None
    """Extra CA certificate (PEM path) to trust for the two URLs above."""
