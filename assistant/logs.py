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

    def __init__(self, fmt: str, log_file: Path | None) -> None:
        super().__init__(fmt)
        self.log_file = log_file
        """None: there is no log file (a dry run with no state folder), so no "details in"."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        if not (saved[0] or saved[1]) or self.log_file is None:
            return line
        return line + f" (details in {self.log_file})"


def setup_logging(config: Config, *, quiet_console: bool, make_folder: bool = True) -> None:
    """Full detail (tracebacks included) goes to state/trainer.log; the terminal gets warnings
    only when a console user is typing, so log lines do not mix with replies. Without
    `make_folder` (a dry run, which creates nothing) the log file is made only in a state
    folder that is already there, and only when there is a warning or an error to log."""
    if make_folder:
        config.state_dir.mkdir(parents=True, exist_ok=True)
    redact = RedactSecrets()
    log_file = config.state_dir / "trainer.log" if config.state_dir.is_dir() else None
    handlers: list[logging.Handler] = []
    if log_file is not None:
        file_handler = RotatingFileHandler(
            log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8", delay=not make_folder
        )
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        if not make_folder:
            # A dry run keeps only what went wrong: its news (a cache made beside it) would
            # change the state folder it promised to leave as it was.
            file_handler.setLevel(logging.WARNING)
        handlers.append(file_handler)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING if quiet_console else logging.INFO)
    terminal.setFormatter(OneLine("%(levelname)s %(name)s: %(message)s", log_file))
    handlers.append(terminal)
    root = logging.getLogger()
    root.handlers.clear()
    for handler in handlers:
        handler.addFilter(redact)
        root.addHandler(handler)
    root.setLevel(config.log_level.upper())
