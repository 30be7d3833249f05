"""Every path a user names stays inside the data root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
