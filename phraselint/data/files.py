"""Writing a file so that it is never seen half-written: the one atomic writer of phraselint (fix --write, the
report, the on-disk cache)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: bytes, *, backup: bool = False) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, flushed to disk, then
    renamed over the target. The file keeps the mode of the one it replaces (a new one gets the umask's);
    ``backup`` first copies the file replaced to ``PATH.bak``. Raises OSError, and then nothing has changed
    (no temporary file is left)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            shutil.copymode(target, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if backup:
            shutil.copy2(target, str(target) + ".bak")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
