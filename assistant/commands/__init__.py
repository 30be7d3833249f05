"""The commands, grouped by domain the way discord.py groups them in cogs."""

from .registry import REGISTRY, Command, CommandRegistry, Param, command

__all__ = ["REGISTRY", "Command", "CommandRegistry", "Param", "command", "load_all"]


def load_all() -> None:
    """Import the command modules; each registers its commands on import, once."""
    from . import basic, data, examples, files, measure, model, notes, versions  # noqa: F401
