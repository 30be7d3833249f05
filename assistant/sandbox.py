"""Confine every path a user names to the data root.

A user path is always relative to the data root. Refused: empty paths, NUL bytes, absolute paths,
`..` that climbs out, symlinks whose target leaves the root, and anything that is not a regular file
or folder (devices, sockets, FIFOs). The check resolves the real path, so a symlink inside the root
that points outside is caught wherever it sits in the path.
"""

from __future__ import annotations

import stat
from pathlib import Path, PurePosixPath

from .errors import NotFound, PathRefused

MAX_PATH_CHARS = 1024


class DataRoot:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()

    def relative(self, path: Path) -> str:
        """The user-facing name of a path inside the root, with forward slashes."""
        return path.resolve().relative_to(self.root).as_posix() or "."

    def resolve(self, user_path: str, *, must_exist: bool = True) -> Path:
        """Turn a user's path into an absolute path inside the root, or raise a friendly error."""
        if not user_path or not user_path.strip():
            raise PathRefused("Please name a path inside the data folder.")
        if "\x00" in user_path:
            raise PathRefused("That path contains a NUL byte, which no file name may contain.")
        if len(user_path) > MAX_PATH_CHARS:
            raise PathRefused("That path is too long.")
        cleaned = user_path.strip().replace("\\", "/")
        pure = PurePosixPath(cleaned)
        if pure.is_absolute() or (len(cleaned) > 1 and cleaned[1] == ":"):
            raise PathRefused(
                f"`{user_path}` is an absolute path; name a path inside the data folder instead, "
                "for example `reviews/positive`."
            )
        candidate = (self.root / pure).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            raise PathRefused(
                f"`{user_path}` points outside the data folder, which is not allowed."
            )
        if not candidate.exists():
            if must_exist:
                raise NotFound(f"There is no `{user_path}` in the data folder.")
            return candidate
        mode = candidate.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise PathRefused(f"`{user_path}` is not a regular file or folder.")
        return candidate

    def file(self, user_path: str) -> Path:
        path = self.resolve(user_path)
        if not path.is_file():
            raise PathRefused(f"`{user_path}` is a folder, not a file.")
        return path

    def folder(self, user_path: str) -> Path:
        path = self.resolve(user_path)
        if not path.is_dir():
            raise PathRefused(f"`{user_path}` is a file, not a folder.")
        return path

    def walk_files(self, folder: Path) -> list[Path]:
        """Regular files under a folder, skipping symlinks that leave the root (never following)."""
        found: list[Path] = []
        for path in sorted(folder.rglob("*")):
            real = path.resolve()
            if real != self.root and self.root not in real.parents:
                continue
            if path.is_file() and stat.S_ISREG(real.stat().st_mode):
                found.append(path)
        return found
