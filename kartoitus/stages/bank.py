"""The data bank: processed CSVs per wave and one SQLite database of all waves.

Writing is all-or-nothing: a wave's folder is written beside the old one and
swapped in only when every file is complete, and the database replaces a wave's
tables inside one transaction. Rebuilding one wave never touches another.
"""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kartoitus.errors import KartoitusError
from kartoitus.settings.codebook import Codebook

#: processed files of a wave, by role
SURVEY_FILE = "{survey}.csv"
AUDIT_FILE = "audit.csv"
FLAGS_FILE = "liput.csv"
MAPPING_FILE = "sarakkeet.csv"
EXTRAS_FILE = "ylimaaraiset_sarakkeet.csv"
DECISIONS_FILE = "luokittelu.csv"
CORRECTIONS_LOG_FILE = "korjaukset_sovellettu.csv"
SKIPPED_FILE = "ei_luetut.csv"              # files, sheets and zip members not read, and why
MISSING_FILE = "puuttuvat_kysymykset.csv"   # questions of the wave that no file carries

#: columns that always hold text (codes with leading zeros, file names)
TEXT_COLUMNS = {"tiedosto", "kotikunta", "kunta", "seutukunta_koodi", "rekisterinumero"}

#: processed files the researcher opens in Excel (audit and logs): their text cells are
#: escaped against formula injection (see :func:`escape_formulas`). The data files
#: (``<survey>.csv``) are escaped too (:func:`write_wave` escapes every file): free text
#: may start with ``=``; :func:`read_processed_csv` undoes it and the SQLite data bank
#: keeps the answers exactly as given.
EXCEL_FACING = frozenset({AUDIT_FILE, FLAGS_FILE, MAPPING_FILE, EXTRAS_FILE, DECISIONS_FILE,
                          CORRECTIONS_LOG_FILE, SKIPPED_FILE, MISSING_FILE})
#: what makes a spreadsheet read a cell as a formula (also after leading whitespace)
_FORMULA_START = re.compile(r"^'*(?:[\t\r]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])")
#: a plain number ("-5", "+3,5") or a lone dash is safe as it is, and stays readable
_SAFE_TEXT = re.compile(r"^(?:[+-]?\d+(?:[.,]\d+)?|-)$")


@dataclass(frozen=True)
class ProcessedWave:
    year: int
    association: pd.DataFrame
    municipality: pd.DataFrame
    audit: pd.DataFrame


def _iso_timestamps(values: pd.Series) -> pd.Series:
    """Tz-aware timestamps -> ISO 8601 text with the offset (``2025-09-01T08:00:00+03:00``).

    The same text as ``strftime("%Y-%m-%dT%H:%M:%S%z")`` with a colon put into the
    offset, built with array arithmetic: the wall-clock part from the local
    datetimes (whole seconds, floored), the offset formatted once per distinct
    offset. Missing values stay missing (NaN).
    """
    def slow(part: pd.Series) -> pd.Series:
        text = part.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        return text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)

    n = len(values)
    out = np.full(n, np.nan, dtype=object)
    present = values.notna().to_numpy()
    if not present.any():
        return pd.Series(out, index=values.index, name=values.name)
    local = values.dt.tz_localize(None)
    years = local.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    fast = present & (years >= 1000) & (years <= 9999)
    if fast.any():
        wall = local.to_numpy()
        per_second = np.timedelta64(1, "s") // np.timedelta64(1, np.datetime_data(wall.dtype)[0])
        wall = wall.view("int64")[fast]
        utc = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().view("int64")[fast]
        seconds = np.floor_divide(wall, per_second).astype("datetime64[s]")
        base = np.datetime_as_string(seconds, unit="s").astype(object)
        codes, _ = pd.factorize(wall - utc)
        _, first = np.unique(codes, return_index=True)
        zones = slow(values.iloc[np.flatnonzero(fast)[first]]).str.slice(19).to_numpy(dtype=object)
        out[fast] = base + zones[codes]
    rest = present & ~fast
    if rest.any():
        out[rest] = slow(values[rest]).to_numpy(dtype=object)
    return pd.Series(out, index=values.index, name=values.name)


def format_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Processed-data conventions: ISO timestamps with offset, no internal columns.

    The result shares the untouched columns with ``frame`` (copy-on-write): no
    copy of the whole frame is made.
    """
    internal = [c for c in frame.columns if str(c).startswith("_")]
    out = frame.drop(columns=internal) if internal else frame.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = _iso_timestamps(s)
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.astype("Int64")
    return out


def _to_csv(frame: pd.DataFrame, target) -> None:
    """Comma-delimited UTF-8 (no BOM), '.' decimals, empty cell for missing."""
    format_for_csv(frame).to_csv(target, index=False, lineterminator="\n", float_format="%.10g",
                                 encoding="utf-8")


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Comma-delimited UTF-8 (no BOM), '.' decimals, empty cell for missing."""
    buffer = io.BytesIO()
    _to_csv(frame, buffer)
    return buffer.getvalue()


def write_frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    """:func:`frame_to_csv_bytes` written straight to ``path`` (streamed, never whole in memory)."""
    _to_csv(frame, path)
    return Path(path)


def _escape_text(values: pd.Series, unescape: bool = False) -> pd.Series:
    """Text cells of a column escaped (or unescaped); other cells as they are.

    Decided once per distinct value; the column itself is returned when no cell changes."""
    if not len(values):
        return values
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    is_str = np.fromiter((isinstance(v, str) for v in uniques), dtype=bool, count=len(uniques))
    if not is_str.any():
        return values
    strings = pd.Series(uniques[is_str], dtype=object)
    if unescape:
        rest = strings.str.slice(1)
        hit = strings.str.startswith("'") & rest.str.contains(_FORMULA_START) & ~rest.str.match(_SAFE_TEXT)
        changed = rest[hit]
    else:
        hit = strings.str.contains(_FORMULA_START) & ~strings.str.match(_SAFE_TEXT)
        changed = "'" + strings[hit]
    if not hit.any():
        return values
    new_uniques = uniques.copy()
    new_uniques[np.flatnonzero(is_str)[hit.to_numpy(dtype=bool)]] = changed.to_numpy(dtype=object)
    arr = values.to_numpy(dtype=object, copy=True)
    mask = codes >= 0
    arr[mask] = new_uniques[codes[mask]]
    return pd.Series(arr, index=values.index, name=values.name, dtype=object)


def _map_text_columns(frame: pd.DataFrame, unescape: bool) -> pd.DataFrame:
    changed = {}
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            new = _escape_text(frame[col], unescape=unescape)
            if new is not frame[col]:
                changed[col] = new
    if not changed:
        return frame
    out = frame.copy(deep=False)   # the unchanged columns are shared, not copied
    for col, values in changed.items():
        out[col] = values
    return out


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells a spreadsheet cannot run as formulas.

    A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading
    whitespace; also their full-width forms), or with a tab or carriage return,
    gets an apostrophe in front (the OWASP advice for CSV injection); so does one
    that already starts with apostrophes before such a character, which makes
    :func:`unescape_formulas` an exact inverse. Plain numbers (``-5``, ``+3,5``) and
    a lone ``-`` are left alone. Every processed CSV is written escaped (the data
    files too: a free-text answer may start with ``=``); the SQLite data bank keeps
    the answers exactly as given, and :func:`read_processed_csv` and
    :func:`read_excel_facing_csv` give them back unescaped. The input frame is not
    changed (a new frame is returned when any cell changes).
    """
    return _map_text_columns(frame, unescape=False)


def unescape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`escape_formulas` (for reading a processed file back)."""
    return _map_text_columns(frame, unescape=True)


def read_excel_facing_csv(path: Path) -> pd.DataFrame:
    """An Excel-facing processed file (audit, flags, ...) back as text, escapes undone."""
    return unescape_formulas(pd.read_csv(path, dtype=str, keep_default_na=False))


def write_wave(folder: Path, files: dict[str, pd.DataFrame]) -> list[Path]:
    """Write a wave's processed files all at once: a new folder swapped in whole.

    Every file gets :func:`escape_formulas` first: no free-text answer becomes a
    formula when a CSV is opened in a spreadsheet.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.uusi"
    old = folder.parent / f".{folder.name}.vanha"
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    tmp.mkdir()
    try:
        for name, frame in files.items():
            write_frame_csv(escape_formulas(frame), tmp / name)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
    except BaseException:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not folder.exists():
            old.rename(folder)
        raise
    if old.exists():
        shutil.rmtree(old)
    return [folder / name for name in files]


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series):
        return "REAL"
    return "TEXT"


#: rows per INSERT batch of the data bank (bounds the memory of the Python values)
SQL_BATCH_ROWS = 20_000


def _sql_column(s: pd.Series) -> np.ndarray:
    """One column as Python values for SQLite (object array): None for missing,
    float / int / str otherwise. The missing-value test is done once per column."""
    if pd.api.types.is_float_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        out = arr.astype(object)
        out[np.isnan(arr)] = None
        return out
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s):
        missing = s.isna().to_numpy()
        out = s.to_numpy(dtype="int64", na_value=0).astype(object)
        out[missing] = None
        return out
    arr = s.to_numpy(dtype=object)
    missing = pd.isna(arr)
    if missing.any():
        # None, NaN floats and pd.NA are missing; NaT (and the like) is written as text, as before
        sub = arr[missing]
        texty = np.fromiter((not (v is None or isinstance(v, float) or v is pd.NA) for v in sub),
                            dtype=bool, count=len(sub))
        missing[np.flatnonzero(missing)[texty]] = False
    out = np.full(len(arr), None, dtype=object)
    keep = ~missing
    out[keep] = [v if type(v) is str else str(v) for v in arr[keep]]
    return out


def _sql_values(frame: pd.DataFrame, batch: int = SQL_BATCH_ROWS):
    """Rows of ``frame`` as tuples of Python values, converted ``batch`` rows at a time."""
    for start in range(0, len(frame), batch):
        part = frame.iloc[start:start + batch]
        yield from zip(*(_sql_column(part[c]).tolist() for c in part.columns))


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _quote_plain(name: str) -> str:
    """A column name as it is when it is a plain identifier, else quoted."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else _quote(name)


def write_database(path: Path, year: int, tables: dict[str, pd.DataFrame], wave_info: dict, *,
                   codebook: Codebook | None = None, flags: dict | None = None,
                   classification=None) -> Path:
    """Replace the wave's tables (``<name>_<year>``) in the SQLite data bank.

    All of the wave's tables and its row in ``aallot`` change in one
    transaction; other waves' tables are not touched. ``wave_info`` gives the
    columns of ``aallot`` after ``vuosi``, in order (``<survey>_n`` per survey,
    ``raakarivit``, ``koodikirja``, ``versio``): whole numbers are INTEGER, the
    rest TEXT. With ``codebook`` the bank's description (codebook tables, labelled
    views, :mod:`kartoitus.stages.catalog`) is rewritten in the same transaction.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f"{_quote_plain(k)} {'INTEGER' if isinstance(v, int) else 'TEXT'}"
                        for k, v in wave_info.items())
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute(f"CREATE TABLE IF NOT EXISTS aallot (vuosi INTEGER PRIMARY KEY, {columns})")
        for name, frame in tables.items():
            frame = format_for_csv(frame)
            table = _quote(f"{name}_{year}")
            con.execute(f"DROP TABLE IF EXISTS {table}")
            cols = ", ".join(f"{_quote(c)} {_sql_type(frame[c])}" for c in frame.columns)
            con.execute(f"CREATE TABLE {table} ({cols})")
            marks = ", ".join("?" for _ in frame.columns)
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", _sql_values(frame))
        con.execute(
            f"INSERT OR REPLACE INTO aallot (vuosi, {', '.join(_quote_plain(k) for k in wave_info)}) "
            f"VALUES ({', '.join('?' for _ in range(len(wave_info) + 1))})",
            (year, *wave_info.values()),
        )
        con.execute(f"DROP TABLE IF EXISTS {_quote(f'audit_{year}')}")   # before the audit spoke Finnish
        if codebook is not None:
            from kartoitus.stages import catalog
            catalog.describe(con, codebook, flags or {}, classification)
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return path


def wave_digest(path: Path, year: int) -> str:
    """SHA-256 of a wave's contents in the data bank (tables, columns, rows in order).

    The database file's bytes depend on its history (free pages, earlier waves);
    this digest depends only on what the wave holds, so two builds of the same
    inputs give the same digest.
    """
    import hashlib

    h = hashlib.sha256()
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE ? ORDER BY name", (f"%_{year}",))]
        for name in names:
            h.update(name.encode())
            cur = con.execute(f"SELECT * FROM {_quote(name)} ORDER BY rowid")
            h.update(repr([d[0] for d in cur.description]).encode())
            for row in cur:
                h.update(repr(row).encode())
    finally:
        con.close()
    return h.hexdigest()


def database_waves(path: Path) -> list[int]:
    if not path.exists():
        return []
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT vuosi FROM aallot ORDER BY vuosi")]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


#: a processed file bigger than this is parsed a group of columns at a time: the parser's
#: peak memory is then that of one group, not of the whole file (a 1 000 000-answer wave:
#: 1.5 GB instead of 2.2 GB). pandas reads and types every column on its own, so the frame
#: is the same either way.
_GROUPED_READ_BYTES = 32 << 20
_COLUMNS_PER_READ = 32


def read_processed_csv(path: Path) -> pd.DataFrame:
    """A processed CSV back as a frame: codes as text, numbers as numbers, free text as
    answered (the apostrophe :func:`escape_formulas` put before ``=...`` removed)."""
    if not path.exists():
        raise KartoitusError(f"{path} puuttuu: aja ensin kartoitus build-data")
    header = pd.read_csv(path, nrows=0).columns
    dtype = {c: str for c in header if c in TEXT_COLUMNS or c.endswith("_nimi") or c.endswith("__muu")}
    options = {"keep_default_na": False, "na_values": [""]}
    if path.stat().st_size > _GROUPED_READ_BYTES and len(header) > _COLUMNS_PER_READ and header.is_unique:
        parts = []
        for start in range(0, len(header), _COLUMNS_PER_READ):
            group = list(header[start:start + _COLUMNS_PER_READ])   # contiguous: file order kept
            parts.append(pd.read_csv(path, usecols=group, dtype={c: dtype[c] for c in group if c in dtype},
                                     **options))
        frame = pd.concat(parts, axis=1)
        del parts
    else:
        frame = pd.read_csv(path, dtype=dtype, **options)
    if "aikaleima" in frame.columns:
        frame["aikaleima"] = pd.to_datetime(frame["aikaleima"], utc=True, errors="coerce").dt.tz_convert(
            "Europe/Helsinki")
    return unescape_formulas(frame)   # the answers as given (write_wave escaped formula-like text)


def load_wave(folder: Path, year: int, codebook: Codebook) -> ProcessedWave:
    """Read a processed wave written by :func:`write_wave` (the codebook names its surveys)."""
    from kartoitus.stages.catalog import audit_from_finnish

    return ProcessedWave(
        year=year,
        association=read_processed_csv(folder / SURVEY_FILE.format(survey=codebook.association.id)),
        municipality=read_processed_csv(folder / SURVEY_FILE.format(survey=codebook.municipality.id)),
        audit=audit_from_finnish(read_excel_facing_csv(folder / AUDIT_FILE)),
    )
