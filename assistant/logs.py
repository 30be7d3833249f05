"""Logging set-up: a file in the state folder, and secrets scrubbed from every record."""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler

from .config import Config

SECRET_VARIABLES = ("DISCORD_TOKEN", "OPENAI_API_KEY")


class RedactSecrets(logging.Filter):
    """Replace the values of secret environment variables wherever they appear in a record."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets = [v for name in SECRET_VARIABLES if len(v := os.environ.get(name, "")) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
                if record.exc_text:
                    record.exc_text = record.exc_text.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def setup_logging(config: Config, *, quiet_console: bool) -> None:
    """Full detail (tracebacks included) goes to state/trainer.log; the terminal gets warnings
    only when a console user is typing, so log lines do not mix with replies."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    redact = RedactSecrets()
    file_handler = RotatingFileHandler(
        config.state_dir / "trainer.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING if quiet_console else logging.INFO)
    terminal.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers.clear()
    for handler in (file_handler, terminal):
        handler.addFilter(redact)
        root.addHandler(handler)
    root.setLevel(config.log_level.upper())
