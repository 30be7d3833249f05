"""Every path a user names stays inside the data root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import speakable
from assistant.errors import NotFound, PathRefused
from assistant.sandbox import DataRoot


@pytest.fixture
def root(tmp_path: Path) -> DataRoot:
    data = tmp_path / "data"
    (data / "reviews").mkdir(parents=True)
    (data / "reviews" / "a.txt").write_text("fine")
    (tmp_path / "secret.txt").write_text("do not leak")
    return DataRoot(data)


def test_inside_paths_resolve(root: DataRoot) -> None:
    assert root.file("reviews/a.txt").read_text() == "fine"
    assert root.file("./reviews/../reviews/a.txt").name == "a.txt"
    assert root.folder("reviews").name == "reviews"


@pytest.mark.parametrize(
    "bad", ["../secret.txt", "reviews/../../secret.txt", "/etc/passwd", "C:\\Windows", "a\x00b", ""]
)
def test_escapes_are_refused(root: DataRoot, bad: str) -> None:
    with pytest.raises(PathRefused):
        root.resolve(bad)


def test_symlink_leaving_the_root_is_refused(root: DataRoot, tmp_path: Path) -> None:
    (root.root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root.root / "linkdir").symlink_to(tmp_path)
    with pytest.raises(PathRefused):
        root.file("link.txt")
    with pytest.raises(PathRefused):
        root.file("linkdir/secret.txt")


def test_symlinked_files_are_skipped_when_walking(root: DataRoot, tmp_path: Path) -> None:
    (root.root / "reviews" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    names = [p.name for p in root.walk_files(root.folder("reviews"))]
    assert names == ["a.txt"]


def test_device_files_and_fifos_are_refused(root: DataRoot) -> None:
    os.mkfifo(root.root / "pipe")
    with pytest.raises(PathRefused, match="not a regular file"):
        root.resolve("pipe")


def test_missing_path_is_not_found(root: DataRoot) -> None:
    with pytest.raises(NotFound):
        root.file("reviews/missing.txt")


def test_only_files_people_ask_for_by_name_are_speakable(root: DataRoot, tmp_path: Path) -> None:
    """The voice grammar's file names: archives and the files at the top, newest first; not a
    dataset's examples, hidden files or links (one could point outside the root)."""
    (root.root / "reviews" / "positive").mkdir(parents=True)
    (root.root / "reviews" / "positive" / "0000.txt").write_text("x")
    (root.root / "archives").mkdir()
    (root.root / "archives" / "reviews-20261203-154400.zip").write_bytes(b"PK")
    (root.root / "summary.csv").write_text("a")
    os.utime(root.root / "summary.csv", (1, 1))
    (root.root / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("host")
    (root.root / "link.txt").symlink_to(tmp_path / "outside.txt")
    assert speakable.file_names(root) == ["archives/reviews-20261203-154400.zip", "summary.csv"]
    assert speakable.folder_names(root) == ["reviews"]
