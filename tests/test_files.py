"""data/files: the one atomic writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phraselint.data import files
from phraselint.data.files import write_atomic


def test_write_atomic_replaces_keeps_the_mode_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new", backup=True)
    assert path.read_bytes() == b"new" and (tmp_path / "t.txt.bak").read_bytes() == b"old"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt", "t.txt.bak"]


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640


def test_a_failure_changes_nothing_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, b"new", backup=True)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]
