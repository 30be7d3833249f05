"""Confine every path a user names to the data root.

A user path is always relative to the data root. Refused: empty paths, NUL bytes, lone surrogates
that are no byte of a name (`\ud800`), absolute paths,
`..` that climbs out, symlinks whose target leaves the root, symlink loops, names longer than the
file system allows, anything that is not a regular file or folder (devices, sockets, FIFOs), and
regular files with more than one hard link. The check resolves the real path, so a symlink inside
the root that points outside is caught wherever it sits in the path.

Why hard links: a hard link to a host file (`ln /etc/hostname data/h.txt`) is the host file
itself, with nothing in its path to show that it came from outside, so only the link count gives
it away. `allow_hard_links` in config.yaml turns the rule off for data roots that rely on them.
The same rules apply to every file inside a folder that `train`, `archive` and `select_dataset`
walk.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import sys
import unicodedata
from pathlib import Path, PurePosixPath

from .errors import NotFound, PathRefused
from .i18n import tr
from .names import look_alike

MAX_PATH_CHARS = 1024
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
"""An invisible character as replies show it in a name (`markup.escape`): `\\u000a`."""


def _unescaped(found: re.Match[str]) -> str:
    """The character an escape stands for; one past Unicode's last (`\\UFFFFFFFF`) as written."""
    point = int(found[1] or found[2], 16)
    return chr(point) if point <= sys.maxunicode else found[0]


class DataRoot:
    def __init__(self, root: Path, *, allow_hard_links: bool = False, create: bool = True) -> None:
        """`create`: make the folder if it is missing (not in a dry run, which makes nothing)."""
        if create:
            root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.allow_hard_links = allow_hard_links
        """Accept regular files with more than one hard link (off: they may be host files)."""
        try:
            self.name_max = os.pathconf(self.root, "PC_NAME_MAX")
        except (OSError, ValueError):
            self.name_max = 255
        """Longest file name (bytes) the data root's file system allows."""

    def relative(self, path: Path) -> str:
        """The user-facing name of a path inside the root, with forward slashes."""
        return path.resolve().relative_to(self.root).as_posix() or "."

    def resolve(self, user_path: str, *, must_exist: bool = True, strip: bool = True) -> Path:
        """Turn a user's path into an absolute path inside the root, or raise a friendly error.
        `strip`: spaces around it are taken off, unless only the name as written is there."""
        if not user_path or not user_path.strip():
            raise PathRefused(tr("path.empty"))
        if "\x00" in user_path:
            raise PathRefused(tr("path.nul"))
        try:
            os.fsencode(user_path)  # a name from a disk that is not UTF-8 (`\udcff`) encodes
        except UnicodeEncodeError:  # "\ud800" names nothing: the file system refused it late
            raise PathRefused(tr("path.surrogate")) from None
        if len(user_path) > MAX_PATH_CHARS:
            raise PathRefused(tr("path.too_long"))
        cleaned = (user_path.strip() if strip else user_path).replace("\\", "/")
        pure = PurePosixPath(cleaned)
        if pure.is_absolute() or (len(cleaned) > 1 and cleaned[1] == ":"):
            raise PathRefused(tr("path.absolute", path=user_path))
        if any(len(part.encode("utf-8", "surrogatepass")) > self.name_max for part in pure.parts):
            raise PathRefused(_unusable(user_path, OSError(errno.ENAMETOOLONG, "")))
        try:
            candidate = (self.root / pure).resolve()
        except (RuntimeError, OSError) as exc:  # RuntimeError: Python 3.11's symlink loop
            raise PathRefused(_unusable(user_path, exc)) from None
        if not self._inside(candidate):
            raise PathRefused(tr("path.outside", path=user_path))
        try:
            info = candidate.stat()
        except FileNotFoundError:
            if not must_exist:
                return candidate
            if strip and user_path != user_path.strip() and self._there(user_path):
                # `"notes. "` in quotes: a name on disk that ends (or starts) with a space
                return self.resolve(user_path, strip=False)
            unescaped = _ESCAPE.sub(_unescaped, user_path)
            if unescaped != user_path and self._there(unescaped.strip()):
                # `new\u000aline.txt`, as a listing shows a name's invisible characters
                return self.resolve(unescaped)
            written = self._as_cased(pure, user_path)
            if written is None:
                raise NotFound(self._missing(user_path, pure)) from None
            return self.resolve(written)
        except OSError as exc:
            raise PathRefused(_unusable(user_path, exc)) from None
        self._check(user_path, info)
        return candidate

    def _there(self, user_path: str) -> bool:
        """Whether `user_path`, spaces and all, names something inside the root (links too)."""
        path = self.root / user_path.replace("\\", "/")
        try:
            return self._inside(path.parent.resolve()) and os.path.lexists(path)
        except (RuntimeError, OSError):  # a link loop on the way: `resolve` says so
            return False

    def _as_cased(self, pure: PurePosixPath, user_path: str) -> str | None:
        """`pure` as the names on disk are written, when each part is one name whatever its
        case ("Kaggle_Tweets" for `kaggle_tweets`, as a phone's keyboard writes it) and
        whichever Unicode form it takes (`café` typed composed, a folder copied from macOS
        decomposed: `cafe` and a combining accent), else None. The result is resolved and
        checked again like any path a user names. A part that is several names but for case
        (`Cap` and `cap` for `CAP`) is refused naming them: none of them is more likely."""
        folder, found = self.root, list[str]()
        for index, part in enumerate(pure.parts):
            if part in (".", ".."):
                return None
            if (folder / part).exists():
                name = part
            else:
                same = [n for n in _names_in(folder) if same_name(n) == same_name(part)]
                if len(same) > 1:
                    names = [f"`{(PurePosixPath(*found) / n).as_posix()}`" for n in same]
                    shown = {"names": ", ".join(names[:-1]), "last": names[-1]}
                    raise NotFound(tr("path.case_twins", path=user_path, **shown))
                if len(same) != 1:
                    return None
                name = same[0]
            if (folder / name).is_symlink() and index < len(pure.parts) - 1:
                # followed only as written: the listing must stay inside the root (the last
                # part is listed in no folder; `resolve` then says where a link out leads)
                return None
            folder, found = folder / name, [*found, name]
        return "/".join(found) if found else None

    def named_alike(self, name: str) -> str | None:
        """The name at the top of the root that is `name` in another case or Unicode form
        (`reviews` for `Reviews`), as `_as_cased` would take it; None when there is none."""
        alike = [n for n in _names_in(self.root) if same_name(n) == same_name(name)]
        return alike[0] if alike else None

    def _missing(self, user_path: str, pure: PurePosixPath) -> str:
        """Why `user_path` is not found, with the name it most likely meant in its folder."""
        parent = self.root / pure.parent
        names = _names_in(parent) if parent.resolve() == parent and parent.is_dir() else []
        near = difflib.get_close_matches(pure.name, names, n=1, cutoff=0.75)
        if not near:
            return tr("path.missing", path=user_path)
        meant = (pure.parent / near[0]).as_posix()
        return tr("path.missing_near", path=user_path, near=meant) + look_alike(pure.name, near[0])

    def _inside(self, real: Path) -> bool:
        """Whether the resolved path `real` is the root or inside it."""
        return real == self.root or self.root in real.parents

    def leads_out(self, path: Path) -> bool:
        """Whether `path` is a symlink to a place outside the root (there or not): a name on
        disk that is no folder of the data root, though it looks like one."""
        if not path.is_symlink():
            return False
        try:
            return not self._inside(path.resolve())
        except (RuntimeError, OSError):  # a loop leads nowhere, not out
            return False

    def _check(self, name: str, info: os.stat_result) -> None:
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise PathRefused(tr("path.special", path=name))
        if stat.S_ISREG(info.st_mode) and info.st_nlink > 1 and not self.allow_hard_links:
            raise PathRefused(tr("path.hard_links", path=name, links=info.st_nlink))

    def file(self, user_path: str) -> Path:
        path = self.resolve(user_path)
        if not path.is_file():
            raise PathRefused(tr("path.not_file", path=user_path))
        return path

    def folder(self, user_path: str) -> Path:
        path = self.resolve(user_path)
        if not path.is_dir():
            raise PathRefused(tr("path.not_folder", path=user_path))
        return path

    def walk_files(self, folder: Path) -> list[Path]:
        """Regular files under a folder, never following symlinks: a symlink inside the root is
        walked where it points (if that is inside), one leaving the root or looping is skipped.
        A hard-linked file is refused (the whole request), since silently dropping it would
        train or archive less than the user asked for."""
        found: list[Path] = []
        for directory, folders, files in os.walk(folder, onerror=_raise):
            base = Path(directory)
            for name in sorted(files):
                path = base / name
                try:
                    real = path.resolve(strict=True)
                    info = real.stat()
                except (RuntimeError, OSError):
                    continue  # a dangling link or a loop: nothing to read
                if not self._inside(real):
                    continue
                if stat.S_ISREG(info.st_mode):
                    self._check(path.relative_to(self.root).as_posix(), info)
                    found.append(path)
            folders.sort()
        return sorted(found)


def same_name(name: str) -> str:
    """What two spellings of one name share: composed (NFC) and case-folded."""
    return unicodedata.normalize("NFC", name).casefold()


def _names_in(folder: Path) -> list[str]:
    """The names in `folder` (none when it cannot be listed)."""
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _raise(error: OSError) -> None:
    raise PathRefused(tr("path.unreadable_folder", reason=error.strerror))


def _unusable(user_path: str, exc: BaseException) -> str:
    shown = user_path if len(user_path) <= 80 else user_path[:77] + "..."
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return tr("path.loop", path=shown)
    if getattr(exc, "errno", None) == errno.ENAMETOOLONG:
        return tr("path.name_too_long", path=shown)
    reason = getattr(exc, "strerror", None) or tr("path.unreadable")
    return tr("path.unusable", path=shown, reason=reason)
