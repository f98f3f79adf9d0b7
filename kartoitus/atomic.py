"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every writer in the package (processed data, reports, workbooks, manifests, purged
raw files) writes to a temporary file in the *same folder* as the target and then
``os.replace``-s it over the target. ``os.replace`` is atomic on one file system, so
a crash, a full disk or an exception midway leaves the previous file intact and
no partial target behind. The temporary file is removed when writing fails.

- :func:`atomic_write_bytes` / :func:`atomic_write_text` for data already in memory;
- :func:`atomic_path` for libraries that want a path to write to themselves
  (WeasyPrint's ``write_pdf``, ``openpyxl.Workbook.save``, ``Figure.savefig``).
  The temporary path keeps the target's suffix, so writers that choose the format
  by suffix (matplotlib) still do the right thing.

The new file gets the permissions of the file it replaces, or the ordinary
permissions for a new file (``0o666`` minus the umask) rather than the ``0o600``
that :func:`tempfile.mkstemp` gives.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_path"]


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:  # Linux: reading it through os.umask would race with other threads
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _temp_path(target: Path) -> Path:
    """Reserve a fresh temporary file next to ``target`` (same suffix)."""
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    return Path(name)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; replace ``path`` with it on success.

    The temporary file exists (empty) when the block starts; the block writes it
    (or replaces it). When the block raises, the temporary file is removed, the
    target is left as it was, and the exception propagates.

    >>> with atomic_path(out / "raportti.pdf") as tmp:   # doctest: +SKIP
    ...     html.write_pdf(tmp)
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a folder, cannot write a file over it")
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(target)
    tmp = _temp_path(target)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{tmp}: the writer removed the temporary file")
        _fsync_file(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    target = Path(path)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return target


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; return the path.

    The text's own line endings are written unchanged (no platform translation),
    so the bytes on disk are the same everywhere. The text is encoded before
    anything is written: an unencodable character leaves the old file untouched.
    """
    return atomic_write_bytes(path, text.encode(encoding))
