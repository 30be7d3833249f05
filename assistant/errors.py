"""Errors whose message is safe and useful to show to a user.

Anything else that escapes a command is logged with its traceback and the user sees a short
apology with a reference, never the traceback.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Self

from .i18n import Field, deferred, render


class UserError(Exception):
    """A problem the user can fix; `str(error)` is shown to them as is.

    Made with `said`, it also keeps its message key and fields: a training job's error is
    stored that way (`i18n.deferred`), so `status` shows it in the language of whoever reads
    it, not in the one of the moment it failed."""

    def __init__(self, text: str, stored: str | None = None) -> None:
        super().__init__(text)
        self.stored = stored or text
        """What a job's row keeps: the key and fields, or (made from text) the text."""

    @classmethod
    def said(cls, key: str, **fields: Field) -> Self:
        """The error of message `key` in the language of the moment, its key kept."""
        stored = deferred(key, **fields)
        return cls(render(stored), stored)


class NotFound(UserError):
    """A dataset, file, job or message that the user named does not exist."""


class PathRefused(UserError):
    """A path that leaves the data root, or is not a regular file or folder (or not the folder
    it must be: `simulate --speak-to` naming a file)."""


class PermissionDenied(UserError):
    """The user lacks a role that the command needs."""


class LimitExceeded(UserError):
    """An attachment, archive or request is larger than config.yaml allows."""


class BadInput(UserError):
    """Arguments that cannot be parsed (malformed JSON, wrong type, unknown option)."""


class DatabaseUnreachable(Exception):
    """The PostgreSQL server of `storage_url` took no connection or dropped it (restarted, down,
    a failover): the command did not happen, and the next one connects again."""


class CannotStart(Exception):
    """A problem found at start-up (damaged database, another instance, unusable folders);
    bot.py prints it as one line, "Trainer cannot start: ...", and exits with status 2."""


def environment_problem(exc: BaseException) -> str | None:
    """The message key for failures of the machine rather than of the code (a full disk, a
    read-only file system), which the user or the operator can fix; None for anything else."""
    if isinstance(exc, sqlite3.OperationalError):
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return "error.full_disk"
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY:
            return "error.readonly_database"
    if isinstance(exc, DatabaseUnreachable):
        return "error.database_unreachable"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "error.full_disk"
        if exc.errno == errno.EROFS:
            return "error.readonly_files"
    return None
