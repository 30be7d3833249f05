"""Errors whose message is safe and useful to show to a user.

Anything else that escapes a command is logged with its traceback and the user sees a short
apology with a reference, never the traceback.
"""

from __future__ import annotations

import errno
import sqlite3

from .i18n import tr


class UserError(Exception):
    """A problem the user can fix; `str(error)` is shown to them as is."""


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


class CannotStart(Exception):
    """A problem found at start-up (damaged database, another instance, unusable folders);
    bot.py prints it as one line, "Trainer cannot start: ...", and exits with status 2."""


def environment_problem(exc: BaseException) -> str | None:
    """A message for failures of the machine rather than of the code (a full disk, a read-only
    file system), which the user or the operator can fix; None for anything else."""
    if isinstance(exc, sqlite3.OperationalError):
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return tr("error.full_disk")
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY:
            return tr("error.readonly_database")
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return tr("error.full_disk")
        if exc.errno == errno.EROFS:
            return tr("error.readonly_files")
    return None
