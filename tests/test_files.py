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


def test_a_writer_function_writes_in_place_and_a_failing_one_leaves_the_file_as_it_was(
    tmp_path: Path,
) -> None:
    """``data`` as a function writing to the open file (the cache pickles into it): the same atomic rename; a
    function that fails half-way leaves the target as it was and no temporary file."""
    import pickle

    path = tmp_path / "value.pickle"
    write_atomic(path, lambda fh: pickle.dump({"a": list(range(1000))}, fh))
    assert pickle.loads(path.read_bytes()) == {"a": list(range(1000))}

    def half(fh: object) -> None:
        fh.write(b"partial")  # type: ignore[attr-defined]
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_atomic(path, half)
    assert pickle.loads(path.read_bytes()) == {"a": list(range(1000))}
    assert [p.name for p in tmp_path.iterdir()] == ["value.pickle"]


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


# --- issue 12, item 5 ------------------------------------------------------------------------------------


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "data" / "t.txt"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, b"new", backup=True)
    assert link.is_symlink() and real.read_bytes() == b"new" and link.read_bytes() == b"new"
    assert (real.parent / "t.txt.bak").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "link.txt"]


def test_a_read_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"old")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        write_atomic(path, b"new", backup=True)
    assert path.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]


def test_a_temporary_left_by_a_killed_run_is_reused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"old")
    (tmp_path / ".t.txt.phraselint-tmp").write_bytes(b"x" * 100_000)  # what kill -9 left
    (tmp_path / ".t.txt.bak.phraselint-tmp").write_bytes(b"half a backup")
    write_atomic(path, b"new", backup=True)
    assert path.read_bytes() == b"new" and (tmp_path / "t.txt.bak").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt", "t.txt.bak"]


KILLED_WRITER = """
import os, signal, sys
from phraselint.data import files
real_fsync = os.fsync
def killed(fd):
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 between writing and renaming
files.os.fsync = killed
files.write_atomic(sys.argv[1], b"new" * 1_000_000, backup=True)
"""


def test_kill_9_leaves_the_file_and_its_backup_whole(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "t.txt"
    path.write_bytes(b"old")
    (tmp_path / "t.txt.bak").write_bytes(b"older")
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], capture_output=True)
    assert done.returncode == -9
    assert path.read_bytes() == b"old" and (tmp_path / "t.txt.bak").read_bytes() == b"older"
    write_atomic(path, b"new", backup=True)  # the next run reuses what was left
    assert (tmp_path / "t.txt.bak").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt", "t.txt.bak"]


FULL_DISK_WRITER = """
import resource, signal, sys
from phraselint.data.files import write_atomic
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))  # no file may grow past 1,000 bytes: a full disk
try:
    write_atomic(sys.argv[1], b"new", backup=True)
except OSError as exc:
    print(exc.errno)
"""


def test_a_full_disk_leaves_no_truncated_backup(tmp_path: Path) -> None:
    import errno
    import subprocess
    import sys

    path = tmp_path / "t.txt"
    path.write_bytes(b"old" * 1000)  # 3,000 bytes: its backup cannot be written
    (tmp_path / "t.txt.bak").write_bytes(b"older")
    done = subprocess.run([sys.executable, "-c", FULL_DISK_WRITER, str(path)], capture_output=True, text=True)
    assert done.stdout.strip() == str(errno.EFBIG), done.stderr
    assert path.read_bytes() == b"old" * 1000 and (tmp_path / "t.txt.bak").read_bytes() == b"older"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt", "t.txt.bak"]
