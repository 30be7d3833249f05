"""What the product computes the same way at every start, kept on disk between runs.

Two things cost seconds of CPU at every start and depend only on the shipped templates and
the libraries' versions:
- the command classifier of `intents/guess.py` (about 6 s: 5,600 template sentences, word and
  character n-grams; the templates' 2.8 million sentences, about 13 s of CPU to enumerate and
  normalize, are sampled only when it is not kept);
- the typed index of `intents/snap.py` (every template sentence typed lines are snapped to,
  233,000 of them: 2 s, in the first reply to a line no template reads).
Smaller things are kept the same way, as each start that hears speech reads them in two
processes (the bot's and its recognizers' forkserver) and the test suite starts hundreds:
- the pronouncing dictionary, parsed (`audio/asr/pronounce.py`: 126,000 words, 0.2-0.3 s of
  CPU; 0.06 s to load);
- the templates, parsed by hassil (`intents/templates.py`: 0.15-0.25 s; 0.03 s to load).
So each is made once and kept in the user's cache folder (`$TRAINER_CACHE_DIR`, else
`$XDG_CACHE_HOME/trainer`, else `~/.cache/trainer`; `TRAINER_CACHE_DIR=` empty turns the cache
off), named by a hash of what it was made from. Loading takes 20-100 ms; the classifier is kept
as plain numbers (`intents/guess_model.py`), so loading it imports no scikit-learn.

The files are pickles, so one is loaded only from a folder and file that this user owns and no
one else can write; anything else, or a file that does not load, is made again.

One process makes each thing at a time (`load_or_make`): starts that want what another is
making wait for it and load what it kept. Consoles or shards started together on a cold cache each
learned the same classifier (about 20 s of CPU each; dozens at once in the test suite). The
smaller things take no lock (`load_or_keep`): two starts may each make one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = "1"
"""Bumped when what is kept changes in a way its inputs do not show (the features learned)."""


KEEP = 4
"""Files kept per kind (one per language and per version in use: a few), besides those used
in the last `RECENT_S`."""

RECENT_S = 24 * 3600.0
"""A file used this recently is never pruned. A start keeps a classifier per language and per
set of templates (the typed hint's, the words' vote's, each of a custom wake phrase's), and
one run can use more than `KEEP` of a kind: each kept one then pruned one it needed again,
which the next start learned anew (20-30 s of CPU each; the test suite's consoles did, in
turn). Old versions' files, unused since an upgrade, still go."""

MAX_BYTES = 256 << 20
"""The most the kept files of all kinds hold together: past it, the least recently used go,
however recent, but for those used in the last `BUSY_S`. A developer's every checkout and
configuration names a set of its own (about 15 MB), each used within `RECENT_S`: 1.3 GB piled
up. A user's one or two sets are far below it."""

BUSY_S = 3600.0
"""A file used this recently stays even past `MAX_BYTES`: a running console, shard or test
may want it again at once, and would make it anew (seconds of CPU) if it were gone."""

WAIT_S = 300.0
"""Longest wait for another process making the same kind; after it, this one makes its own
(a process stuck while making it never holds up every start)."""


def cache_dir() -> Path | None:
    """Where kept things are, or None when the cache is off."""
    chosen = os.environ.get("TRAINER_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trainer"


def key(made_from: str, libraries: Iterable[str], code: Path) -> str:
    """A kept thing's name: what it was made from (`made_from`), the versions of the
    `libraries` (distribution names) that made it, read without importing them, and the
    source of the modules in `code` (a folder), so a changed checkout never loads what an
    older one made."""
    digest = hashlib.sha256()
    parts = (FORMAT, *(metadata.version(name) for name in libraries), made_from, _source(code))
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:32]


@cache
def _source(code: Path) -> str:
    """A digest of the modules in `code`: read once per process (each learner and the typed
    index ask for the same folder's)."""
    digest = hashlib.sha256()
    for module in sorted(code.glob("*.py")):
        digest.update(module.read_bytes() + b"\0")
    return digest.hexdigest()


def load_or_make(kind: str, name: str, make: Callable[[], Any], fits: Callable[[Any], bool]) -> Any:
    """The `kind` kept under `name` when it `fits`, else made by `make` and kept. While one
    process makes a kind, another that wants it waits and then loads what the first kept."""
    value = load(kind, name)
    if fits(value):
        return value
    with _making(kind, name):
        value = load(kind, name)  # kept by the process this one waited for
        if fits(value):
            return value
        began, cpu = time.monotonic(), time.thread_time()
        value = make()
        log.info(
            "made the kept %s %s in %.1f s (%.2f s of CPU in this thread)",
            kind,
            name,
            time.monotonic() - began,
            time.thread_time() - cpu,
        )
        store(kind, name, value)
    return value


def load_or_keep(kind: str, name: str, make: Callable[[], Any], fits: Callable[[Any], bool]) -> Any:
    """The `kind` kept under `name` when it `fits`, else made by `make` and kept: for what takes
    a fraction of a second to make, which two processes may as well make side by side (no lock
    to take or wait on; each writes it whole, and renames it in place)."""
    value = load(kind, name)
    if fits(value):
        return value
    value = make()
    store(kind, name, value)
    return value


@contextlib.contextmanager
def _making(kind: str, name: str) -> Iterator[None]:
    """Held while this process makes the `kind` of `name` (a lock file beside where it is kept;
    nothing when the folder is off, not ours, or takes no locks)."""
    lock = None
    folder = cache_dir()
    with contextlib.suppress(OSError):
        if folder is not None:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _private(folder):
                flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                lock = os.open(folder / f"{kind}-{name}.lock", flags, 0o600)
    try:
        if lock is not None:
            _wait_for(lock)
        yield
    finally:
        if lock is not None:
            os.close(lock)  # releases the lock


def _wait_for(lock: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.2)
        except OSError:  # a file system without locks
            return
    log.warning("another process has been making a kept thing for %.0f s; making it too", WAIT_S)


def load(kind: str, name: str) -> Any | None:
    """The `kind` kept under `name`, or None (not kept, not ours, or unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{kind}-{name}.pickle"
    try:
        if not (_private(folder) and _private(path)):
            return None
        with path.open("rb") as file:
            value = pickle.load(file)
        os.utime(path)  # in use: the newest are the ones kept (`_prune`)
        return value
    except FileNotFoundError:
        return None
    except Exception:  # a cut or foreign file: made again and written anew
        log.warning("the kept %s %s did not load; making it again", kind, path)
        return None


def store(kind: str, name: str, value: Any) -> None:
    """Keep `value` under `name`; a folder that cannot be written only costs the next start."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        # Written aside and renamed: two processes making it at once never read half a file.
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, folder / f"{kind}-{name}.pickle")
        _prune(folder, kind)
    except OSError as exc:
        log.info("could not keep the %s in %s: %s", kind, folder, exc)


def _prune(folder: Path, kind: str) -> None:
    """Only the `KEEP` last used of a kind stay, and those used in the last `RECENT_S`: every
    upgrade names them anew (12 MB for a typed index), and the old ones would pile up in the
    user's cache. Then all kinds together hold at most `MAX_BYTES` (`_cap`). Run when a thing
    was made and kept, never at a start that loads what is kept."""
    used = {path: info.st_mtime for path, info in _stats(folder, f"{kind}-*.pickle")}
    files = sorted(used, key=used.__getitem__, reverse=True)
    recent = time.time() - RECENT_S
    for old in files[KEEP:]:
        if used[old] < recent:
            _remove(old)
    _cap(folder)


def _cap(folder: Path) -> None:
    """The least recently used kept files go until all hold `MAX_BYTES` at most; those used
    in the last `BUSY_S` stay."""
    files = sorted(_stats(folder, "*.pickle"), key=lambda found: found[1].st_mtime)
    total = sum(info.st_size for _, info in files)
    busy = time.time() - BUSY_S
    for path, info in files:  # the least recently used first
        if total <= MAX_BYTES or info.st_mtime >= busy:
            return
        _remove(path)
        total -= info.st_size


def _stats(folder: Path, pattern: str) -> list[tuple[Path, os.stat_result]]:
    """The files of `folder` that match `pattern`, with their sizes and times; one another
    process removed meanwhile is left out."""
    found = []
    for path in folder.glob(pattern):
        with contextlib.suppress(FileNotFoundError):
            found.append((path, path.stat()))
    return found


def _remove(path: Path) -> None:
    """A kept file, and the lock file of whoever made it."""
    path.unlink(missing_ok=True)
    path.with_suffix(".lock").unlink(missing_ok=True)


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (a pickle runs code when loaded)."""
    info = path.lstat()
    return (
        not stat.S_ISLNK(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )
