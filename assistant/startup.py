"""Checks made once before Trainer starts serving, each failing with one clear `CannotStart`.

The state folder is locked for the life of the process (`lock_state`), so a second Trainer on
the same folder is refused instead of marking the first one's job interrupted and training the
same guild at the same time. The lock is `fcntl.flock` on `state/trainer.lock`: the kernel drops
it when the process ends, however it ends (kill -9 included), so it never needs cleaning up.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import CannotStart

LOCK_NAME = "trainer.lock"
SOCKET_PATH_MAX = 107
"""Bytes a Unix socket's path may hold on Linux (`sun_path` is 108, one for the NUL)."""
FORKSERVER_SUFFIX = len("/pymp-xxxxxxxx/listener-xxxxxxxx")
"""What multiprocessing's forkserver adds to the temporary folder for its socket's path."""


@dataclass
class StateLock:
    """The held lock on the state folder; `release` (or the process ending) frees it."""

    path: Path
    """The lock file, state/trainer.lock (it holds the owner's pid, for the message)."""
    fd: int
    """Open descriptor holding the lock; never inherited by child processes."""

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def lock_state(config: Config) -> StateLock:
    """Lock the state folder, or raise `CannotStart` naming the process that holds it."""
    folder = make_folder(config.state_dir, "state_dir")
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise CannotStart(f"cannot create the lock file {path} ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise CannotStart(
            f"another Trainer (pid {owner}) is already running with the state folder {folder}; "
            "stop it first, or give this one its own state_dir in its config file"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return StateLock(path, fd)


def make_folder(path: Path, key: str, *, writable: bool = True) -> Path:
    """Create a configured folder if it is missing; a clear refusal if that is impossible. A
    read-only data root is fine (only `archive` writes there, and it says why it cannot)."""
    if path.exists() and not path.is_dir():
        raise CannotStart(
            f"{key} {path} is a file, not a folder; move the file away or point {key} in the "
            "config file at a folder"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotStart(
            f"{key} {path} does not exist and cannot be created ({exc.strerror}); create it "
            f"or point {key} in the config file somewhere writable"
        ) from None
    if writable and not os.access(path, os.W_OK | os.X_OK):
        raise CannotStart(f"{key} {path} is not writable; fix its permissions or move it")
    return path


def check_database_file(config: Config) -> None:
    """A database file of 0 bytes while model folders exist was truncated (SQLite would start
    on it as on a new, empty database and orphan every model): refuse, keep everything."""
    url = config.database_url
    if not url.startswith("sqlite:///"):
        return
    database = Path(url.removeprefix("sqlite:///"))
    models = config.state_dir / "models"
    if not database.is_file() or database.stat().st_size > 0 or not models.is_dir():
        return
    saved = [p for p in models.glob("*/*") if p.is_dir() and not p.name.startswith(".")]
    if saved:
        raise CannotStart(
            f"the database {database} is empty (0 bytes) but {models} holds {len(saved)} "
            "models of an earlier database, so it was probably truncated. Restore it from a "
            f"backup; or, to start afresh, move {models} aside and delete the empty {database}"
        )


def check_temp_folder() -> None:
    """The recognizer's worker processes are started by multiprocessing's forkserver, which
    listens on a Unix socket inside the temporary folder: under a TMPDIR longer than 75 bytes
    its path no longer fits, and voice would fail at the first utterance ("AF_UNIX path too
    long"). Refused at start-up instead, saying what to change."""
    folder = tempfile.gettempdir()
    room = SOCKET_PATH_MAX - FORKSERVER_SUFFIX
    if len(os.fsencode(folder)) > room:
        raise CannotStart(
            f"the temporary folder {folder} is {len(os.fsencode(folder))} bytes long; the "
            f"voice recognizer's worker processes need one of {room} bytes or fewer (a Unix "
            "socket's path is limited): set TMPDIR to a shorter folder, such as /tmp"
        )


def check_start(config: Config) -> StateLock:
    """Every start-up check, in order; returns the held state-folder lock."""
    check_temp_folder()
    make_folder(config.data_root, "data_root", writable=False)
    lock = lock_state(config)
    try:
        check_database_file(config)
    except BaseException:
        lock.release()
        raise
    return lock
