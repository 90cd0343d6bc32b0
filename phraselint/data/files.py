"""Writing a file so that it is never seen half-written: the one atomic writer of phraselint (fix --write, the
report, the on-disk cache)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: a unique temporary name each time
    fcntl = None  # type: ignore[assignment]

_TEMPORARY = ".phraselint-tmp"  # ``.NAME.phraselint-tmp`` beside the file: one per file, reused if left over


def write_atomic(
    path: str | Path, data: bytes | Callable[[BinaryIO], object], *, backup: bool = False
) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, flushed to disk, then
    renamed over the target. A symbolic link is followed (the file it points to is written, the link stays);
    a file without write permission is refused (PermissionError), as an editor would. The file keeps the mode
    of the one it replaces (a new one gets the umask's); ``backup`` first writes a copy of the file replaced
    to ``PATH.bak``, atomically too, so that a ``.bak`` is either the old one or a whole copy.

    The temporary file has a fixed name (``.NAME.phraselint-tmp``): one left by a run that was killed is
    reused and renamed away by the next, never piled up. Raises OSError, and then the target and its backup
    are as they were and no temporary file is left. ``data`` may be a function that writes to the open
    file (a large value written as it is made, never held whole as bytes)."""
    import shutil  # (here, not at the top: with bz2, lzma and random it cost some 10 ms of every start)

    target = Path(os.path.realpath(path))
    exists = target.exists()
    if exists:
        _check_writable(target)
    with _temporary(target) as (fh, tmp):
        if callable(data):
            data(fh)
        else:
            fh.write(data)
        _flush(fh)
        if exists:
            shutil.copymode(target, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if backup and exists:
            copy = target.with_name(target.name + ".bak")
            with _temporary(copy) as (copy_fh, copy_tmp), target.open("rb") as original:
                shutil.copyfileobj(original, copy_fh, 1024 * 1024)
                _flush(copy_fh)
                shutil.copystat(target, copy_tmp)
                os.replace(copy_tmp, copy)
        os.replace(tmp, target)
    _sync_directory(target.parent)


def _check_writable(target: Path) -> None:
    """PermissionError for a file its owner may not write (even for root, who could: a read-only file says
    'do not change me')."""
    mode = target.stat().st_mode
    if not os.access(target, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(errno.EACCES, "the file is read-only", str(target))


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """An empty temporary file beside ``target``, open for writing, locked while in use: the fixed
    ``.NAME.phraselint-tmp`` (a leftover of a killed run is reused), or, while another process holds that one,
    a unique name. Removed on an error unless renamed away by then."""
    fd, tmp = _open_temporary(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _open_temporary(target: Path) -> tuple[int, Path]:
    fixed = target.with_name(f".{target.name}{_TEMPORARY}")
    if fcntl is not None:
        try:
            fd = os.open(fixed, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(fd).st_ino != os.stat(fixed, follow_symlinks=False).st_ino:
                    raise BlockingIOError  # renamed away by its last user before the lock was ours
                os.ftruncate(fd, 0)
                return fd, fixed
            except OSError:
                os.close(fd)
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    return fd, Path(name)


def _flush(fh: BinaryIO) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _sync_directory(directory: Path) -> None:
    """Flush a rename to disk (where the platform lets a directory be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
