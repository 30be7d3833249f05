"""Learned command classifiers kept on disk between runs.

Learning the classifier of `guess.py` takes about four seconds of CPU (5,000 template
sentences, word and character n-grams), at every start, beside the first utterances. The same
sentences and library versions always learn the same model, so it is learned once and kept in
the user's cache folder (`$TRAINER_CACHE_DIR`, else `$XDG_CACHE_HOME/trainer`, else
`~/.cache/trainer`; `TRAINER_CACHE_DIR=` empty turns the cache off), named by a hash of what it
was learned from (the templates: their sentences, 5 s to enumerate, are sampled only when it
is not kept). Loading takes about 20 ms.

The file is a pickle, so it is loaded only from a folder and file that this user owns and no
one else can write; anything else, or a file that does not load, is learned again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = "1"
"""Bumped when what is learned changes in a way the sentences do not show (the features)."""


def cache_dir() -> Path | None:
    """Where learned models are kept, or None when the cache is off."""
    chosen = os.environ.get("TRAINER_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trainer"


def key(learned_from: str) -> str:
    """A model's name: what it was learned from (`learned_from`: the templates and how they
    were sampled, `guess._described`) and the libraries' versions."""
    import numpy
    import scipy
    import sklearn

    # hassil's: which sentences a sample of the templates gives
    versions = [FORMAT, sklearn.__version__, numpy.__version__, scipy.__version__]
    versions.append(metadata.version("hassil"))
    digest = hashlib.sha256()
    for part in (*versions, learned_from):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:32]


def load(name: str) -> Any | None:
    """The model kept under `name`, or None (not kept, not ours, or unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"guesser-{name}.pickle"
    try:
        if not (_private(folder) and _private(path)):
            return None
        with path.open("rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception:  # a cut or foreign file: learned again and written anew
        log.warning("the kept command classifier %s did not load; learning it again", path)
        return None


def store(name: str, model: Any) -> None:
    """Keep `model` under `name`; a folder that cannot be written only costs the next start."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        # Written aside and renamed: two processes learning at once never read half a file.
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as file:
            pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, folder / f"guesser-{name}.pickle")
    except OSError as exc:
        log.info("could not keep the command classifier in %s: %s", folder, exc)


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (a pickle runs code when loaded)."""
    info = path.lstat()
    return (
        not stat.S_ISLNK(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )
