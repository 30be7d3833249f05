"""Logging set-up: a file in the state folder, and secrets scrubbed from every record."""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from .config import Config

SECRET_VARIABLES = ("DISCORD_TOKEN", "OPENAI_API_KEY")


class RedactSecrets(logging.Filter):
    """Replace the values of secret environment variables wherever they appear in a record."""

    def __init__(self) -> None:
        super().__init__()
        # Every length counts: a short test key echoed in an error body is still a secret.
        # Longest first, so a secret that contains another is replaced whole.
        raw = [os.environ.get(name, "") for name in SECRET_VARIABLES]
        values = {v for value in raw for v in (value, value.strip()) if v.strip()}
        self.secrets = sorted(values, key=len, reverse=True)

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


class OneLine(logging.Formatter):
    """The terminal's format: the message only. Tracebacks (with host paths) go to the log
    file alone; the line says where to look."""

    def __init__(self, fmt: str, log_file: Path) -> None:
        super().__init__(fmt)
        self.log_file = log_file

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        return line + (f" (details in {self.log_file})" if saved[0] or saved[1] else "")


def setup_logging(config: Config, *, quiet_console: bool) -> None:
    """Full detail (tracebacks included) goes to state/trainer.log; the terminal gets warnings
    only when a console user is typing, so log lines do not mix with replies."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    redact = RedactSecrets()
    log_file = config.state_dir / "trainer.log"
    file_handler = RotatingFileHandler(
        log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING if quiet_console else logging.INFO)
    terminal.setFormatter(OneLine("%(levelname)s %(name)s: %(message)s", log_file))
    root = logging.getLogger()
    root.handlers.clear()
    for handler in (file_handler, terminal):
        handler.addFilter(redact)
        root.addHandler(handler)
    root.setLevel(config.log_level.upper())
