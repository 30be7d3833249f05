"""What a user may call by name, in speech or in a sentence: folders and files of the data root.

These lists become the slot lists of the intents (and so the words of the voice grammar), so
they hold what people ask for by name, not everything there is: every folder at the top of the
data root, and the files someone would ask `getfile` for (the archives `archive` made and the
files at the top of the root). A dataset's examples ("reviews/positive/0000.txt") are reached
by typing their path.
"""

from __future__ import annotations

import stat
from pathlib import Path

from .datasets import ARCHIVE_FOLDER
from .sandbox import DataRoot

MAX_FILES = 40
"""Files the voice grammar holds, newest first: each is a grammar alternative, and old ones
are rarely asked for."""
MAX_TYPED_FILES = 2000
"""Files typed lines may name: a typed name is one mark in the typed index whatever it names,
so only the listing costs (a stat each); 40 hid `report.txt` once 40 archives were newer."""


def folder_names(root: DataRoot) -> list[str]:
    """Folders at the top of the data root (not symlinks, not the archives), sorted."""
    return sorted(p.name for p in _entries(root.root) if p.is_dir() and p.name != ARCHIVE_FOLDER)


def file_names(root: DataRoot, limit: int = MAX_FILES) -> list[str]:
    """Files at the top of the data root and in its archives folder, newest first, as paths
    relative to the root ("archives/movie_reviews-20261203-154400.zip", "report.csv"): the
    `limit` newest (the voice grammar's; typed lines name any)."""
    found: list[tuple[float, str]] = []
    for folder, prefix in ((root.root, ""), (root.root / ARCHIVE_FOLDER, f"{ARCHIVE_FOLDER}/")):
        for path in _entries(folder):
            if path.name.startswith("."):
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append((info.st_mtime, prefix + path.name))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [name for _, name in found[:limit]]


def _entries(folder: Path) -> list[Path]:
    """The entries of `folder` that are not symlinks ([] when it cannot be read): a link may
    leave the root, and the commands refuse what it points to anyway."""
    try:
        return [p for p in folder.iterdir() if not p.is_symlink()]
    except OSError:
        return []
