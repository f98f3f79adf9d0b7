"""Reproducible outputs: one fixed build time, and zip files (xlsx) without clock times.

Two builds of the same inputs must give the same bytes, so that the manifest
(:mod:`kartoitus.build.manifest`) can tell a real change from a rebuild. Most output
formats carry the time they were written: zip entries (an ``.xlsx`` is a zip) keep
a modification date per entry, PDF and workbook properties a creation date. The
package writes a *build epoch* there instead of the clock time.

Build epoch (:func:`build_epoch`), first that applies:

1. ``SOURCE_DATE_EPOCH`` from the environment (the reproducible-builds.org
   convention; seconds since 1970-01-01 UTC) when it is set;
2. 1 January, 00:00 UTC, of the year after the wave year (``year=`` or, when not
   given, the latest four-digit year folder among the inputs' paths, as in
   ``data/raw/2024/vastaukset.csv``): a wave is reported in the following year,
   and this date never changes between rebuilds;
3. otherwise 1980-01-01 00:00 UTC, the earliest date a zip entry can hold.

A date made from a hash of the inputs' content was considered and rejected: it
would look like a real date in the document properties while meaning nothing.
The wave year is stable and says something true about the output.
"""

from __future__ import annotations

import calendar
import os
import re
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from kartoitus.atomic import atomic_path
from kartoitus.errors import InputError, KartoitusError

__all__ = ["DEFAULT_EPOCH", "build_epoch", "epoch_datetime", "fixed_zip"]

#: 1980-01-01T00:00:00Z, the earliest time a zip entry can record.
DEFAULT_EPOCH = 315532800
_ZIP_MIN = (1980, 1, 1, 0, 0, 0)
_ZIP_MAX = (2107, 12, 31, 23, 59, 58)
_YEAR_PART = re.compile(r"^(19[89]\d|2\d{3})$")
_FILE_MODE = 0o644 << 16
_DIR_MODE = (0o755 << 16) | 0x10  # 0x10: MS-DOS directory attribute
_UNIX = 3


def _env_epoch() -> int | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise KartoitusError(
            f"SOURCE_DATE_EPOCH={raw!r} ei ole sekuntimäärä vuodesta 1970; "
            "anna kokonaisluku (esim. 1735689600) tai poista muuttuja")
    return value


def _year_of_inputs(inputs: Iterable[Path]) -> int | None:
    years = [int(part) for p in inputs for part in Path(p).parts[:-1] if _YEAR_PART.match(part)]
    return max(years) if years else None


def build_epoch(inputs: list[Path] | None = None, *, year: int | None = None) -> int:
    """The build time to write into outputs, in seconds since 1970 (see module doc)."""
    env = _env_epoch()
    if env is not None:
        return env
    if year is None and inputs:
        year = _year_of_inputs(inputs)
    if year is not None:
        return calendar.timegm((int(year) + 1, 1, 1, 0, 0, 0))
    return DEFAULT_EPOCH


def epoch_datetime(epoch: int) -> datetime:
    """The build epoch as an aware UTC datetime (for PDF and workbook properties)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def _zip_date(epoch: int) -> tuple[int, int, int, int, int, int]:
    stamp = tuple(time.gmtime(epoch)[:6])
    return min(max(stamp, _ZIP_MIN), _ZIP_MAX)  # type: ignore[return-value]


def fixed_zip(path: str | os.PathLike, epoch: int | None = None) -> Path:
    """Rewrite a zip (``.xlsx``) in place with fixed entry dates and attributes.

    Entries keep their order (an xlsx must start with ``[Content_Types].xml``),
    names, contents and compression method; every entry gets the date of
    ``epoch`` (default :func:`build_epoch`), Unix permissions 644 (755 for
    folders), no extra fields and no comments. Written atomically.
    """
    path = Path(path)
    epoch = build_epoch() if epoch is None else epoch
    date_time = _zip_date(epoch)
    if not zipfile.is_zipfile(path):
        raise InputError(path, "ei ole luettava zip- tai xlsx-tiedosto; tarkista, että "
                               "tiedosto on kokonainen")
    with atomic_path(path) as tmp:
        # the source is closed before the temporary file replaces it
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                new = zipfile.ZipInfo(info.filename, date_time=date_time)
                new.compress_type = info.compress_type
                new.create_system = _UNIX
                new.external_attr = _DIR_MODE if info.is_dir() else _FILE_MODE
                dst.writestr(new, src.read(info))
    return path
