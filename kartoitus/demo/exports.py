"""The export writers: answers as the files a researcher gets from the field.

- Google Forms CSV, English locale (``forms_en``: UTF-8, ``,``, ``2025/10/15 12:34:56 PM GMT+3``);
- Google Forms CSV, Finnish locale (``forms_fi``: UTF-8 with BOM; the municipality survey);
- the paper forms re-saved by Excel in Finland (``excel_fi``: ``;``, cp1252, no seconds,
  columns rearranged, drifted titles, hand-added columns);
- Google Sheets' ``.xlsx`` download (date cells, number-like text as numbers);
- ``kysely.toml``, the survey window.

Every writer is byte-for-byte reproducible for the same frame.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from kartoitus.demo.arrays import format_unique, int_text
from kartoitus.demo.config import (
    DEMO_FILE, FILE_WINDOW, STYLE_EXCEL_FI, STYLE_FORMS_EN, STYLE_FORMS_FI, STYLES, TZ, survey_window,
)
from kartoitus.errors import KartoitusError
from kartoitus.settings import Settings
from kartoitus.settings.codebook import ASSOCIATION_SURVEY, Survey
from kartoitus.settings.names import Names


@lru_cache(maxsize=8)
def _clock_table(style: str) -> np.ndarray:
    """Time-of-day text for every second of a day, in the style's format."""
    out = []
    for s in range(86400):
        h, rest = divmod(s, 3600)
        mi, se = divmod(rest, 60)
        if style == STYLE_FORMS_EN:
            h12 = h % 12 or 12
            out.append(f"{h12}:{mi:02d}:{se:02d} {'AM' if h < 12 else 'PM'}")
        elif style == STYLE_FORMS_FI:
            out.append(f"{h}.{mi:02d}.{se:02d}")
        else:
            out.append(f"{h}:{mi:02d}")
    return np.array(out, dtype=object)


def format_timestamps(values: pd.Series, style: str) -> np.ndarray:
    """Timestamps as the export of ``style`` writes them (vectorised via lookups).

    ``forms_en``: ``2025/10/15 12:34:56 PM GMT+3``; ``forms_fi``:
    ``15.10.2025 12.34.56``; ``excel_fi``: ``15.10.2025 12:34``.
    """
    if style not in STYLES:
        raise KartoitusError(f"unknown export style {style!r}; use one of {', '.join(STYLES)}")
    ts = pd.Series(values, copy=False)
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts.where(ts != "", None))
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="shift_forward")
    ts = ts.dt.tz_convert(TZ)
    missing = ts.isna().to_numpy()
    wall = ts.dt.tz_localize(None)
    offset = (wall - ts.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    offset = (offset.fillna(0).to_numpy() // 3600).astype(np.int64)
    local = wall.to_numpy().astype("datetime64[s]")
    local = np.where(missing, np.datetime64("2000-01-01T00:00:00", "s"), local)
    days = local.astype("datetime64[D]")
    sod = (local - days).astype(np.int64)
    if style == STYLE_FORMS_EN:
        date = format_unique(days, lambda d: d.strftime("%Y/%m/%d"))
        text = date + " " + _clock_table(style)[sod] + " GMT+" + int_text(offset)
    else:
        date = format_unique(days, lambda d: f"{d.day}.{d.month}.{d.year}")
        text = date + " " + _clock_table(style)[sod]
    return np.where(missing, "", text).astype(object)


def _export_titles(survey: Survey, cfg: Mapping, style: str) -> dict[str, str]:
    """Renames of the form's titles in ``style`` (locale and drift)."""
    renames: dict[str, str] = {}
    if style == STYLE_FORMS_EN:
        for qid, title in cfg["englanti"].items():
            q = survey.question(qid)
            if title not in q.titles():
                raise KartoitusError(f"{DEMO_FILE}: englanti.{qid} {title!r} is not a title or alias "
                                     f"of {qid} in the codebook; add it there first")
            renames[q.title] = title
    if style == STYLE_EXCEL_FI and survey.id == ASSOCIATION_SURVEY:
        for qid, title in cfg["paperi"]["otsikot"].items():
            renames[survey.question(qid).title] = title
    return renames


def _excel_order(survey: Survey, names: Names, columns: list[str], columns_all: Iterable[str]) -> list[str]:
    """Columns as someone rearranged them in Excel: home municipality before the name,
    contact details next to it, the "handled" mark right after the timestamp."""
    def title(qid: str) -> str:
        return survey.question(qid).title

    cols = [c for c in columns]
    moved = [title(names.q_home), title("yhteyshenkilo"), title("puhelin"), title("sahkoposti")]
    cols = [c for c in cols if c not in moved]
    at = cols.index(title(names.q_name))
    cols[at:at] = [title(names.q_home)]
    at = cols.index(title(names.q_name)) + 1
    cols[at:at] = [title("yhteyshenkilo"), title("puhelin"), title("sahkoposti")]
    if "_kasitelty" in columns_all:
        cols.insert(1, "_kasitelty")
    if "_huom" in columns_all:
        cols.append("_huom")
    return cols


def export_frame(frame: pd.DataFrame, style: str, survey: Survey, names: Names,
                 config: Mapping) -> pd.DataFrame:
    """The cells of ``frame`` exactly as an export of ``style`` holds them (all text).

    ``config`` is the demo's ``demo.yaml`` (:func:`kartoitus.demo.config.load_demo_config`)."""
    ts_title = survey.question("aikaleima").title
    out = frame.copy()
    if ts_title in out.columns:
        out[ts_title] = format_timestamps(out[ts_title], style)
    if style == STYLE_EXCEL_FI:
        numbers = [q.title for q in survey.of_type("number") if q.title in out.columns]
        for c in numbers:  # Excel shows decimals with a comma
            out[c] = out[c].astype(object).str.replace(r"^(\d+)\.(\d+)$", r"\1,\2", regex=True)
        out = out[_excel_order(survey, names, [c for c in out.columns if not c.startswith("_")], out.columns)]
        out = out.rename(columns={"_kasitelty": config["paperi"]["kasitelty"], "_huom": config["paperi"]["huom"]})
    else:
        out = out[[c for c in out.columns if not c.startswith("_")]]
    out = out.rename(columns=_export_titles(survey, config, style))
    return out.fillna("")


_CSV_FORMAT = {
    STYLE_FORMS_EN: (",", "utf-8"),
    STYLE_FORMS_FI: (",", "utf-8-sig"),
    STYLE_EXCEL_FI: (";", "cp1252"),
}


def write_csv(frame: pd.DataFrame, path: Path, style: str, survey: Survey, names: Names,
              config: Mapping, chunk_rows: int = 100_000) -> Path:
    """Write answers as a CSV export of ``style``, ``chunk_rows`` rows at a time."""
    if style not in _CSV_FORMAT:
        raise KartoitusError(f"unknown export style {style!r}; use one of {', '.join(_CSV_FORMAT)}")
    sep, encoding = _CSV_FORMAT[style]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, errors="strict", newline="") as fh:
        for start in range(0, max(len(frame), 1), chunk_rows):
            chunk = export_frame(frame.iloc[start:start + chunk_rows], style, survey, names, config)
            chunk.to_csv(fh, sep=sep, index=False, header=start == 0, lineterminator="\r\n")
    return path


def write_association_csv(frame: pd.DataFrame, path: Path, settings: Settings, config: Mapping,
                          style: str = STYLE_FORMS_EN, chunk_rows: int = 100_000) -> Path:
    """Association answers (``make_answers(...)["jarjestokysely"]``) as one CSV export."""
    return write_csv(frame, path, style, settings.codebook.association, settings.names, config, chunk_rows)


def write_municipality_csv(frame: pd.DataFrame, path: Path, settings: Settings, config: Mapping) -> Path:
    """Municipality answers as a Finnish-locale Google Forms export (UTF-8 with BOM)."""
    return write_csv(frame, path, STYLE_FORMS_FI, settings.codebook.municipality, settings.names, config)


_INT_RE = re.compile(r"^-?\d+$")
_FLOAT_RE = re.compile(r"^-?\d+\.\d+$")


def _sheet_cell(value: object) -> object:
    """A cell as Google Sheets stores typed text: numbers become numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    if isinstance(value, str):
        if _INT_RE.match(value) and len(value) < 16:
            return int(value)
        if _FLOAT_RE.match(value):
            return float(value)
    return value


def write_association_xlsx(frame: pd.DataFrame, path: Path, settings: Settings,
                           sheet: str = "Lomakevastaukset 1") -> Path:
    """Association answers as Google Sheets' ``.xlsx`` download: date cells, number
    cells for number-like text (``105.230`` -> 105.23), Finnish titles. The file is
    byte-for-byte reproducible (fixed zip and document times)."""
    from openpyxl import Workbook

    ts_title = settings.codebook.association.question("aikaleima").title
    cols = [c for c in frame.columns if not c.startswith("_")]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(cols)
    ts = pd.to_datetime(frame[ts_title]).dt.tz_convert(TZ).dt.tz_localize(None) \
        if ts_title in frame.columns else None
    data = frame[cols].astype(object).to_numpy()
    ts_at = cols.index(ts_title) if ts is not None else -1
    stamps = [t.to_pydatetime() for t in ts] if ts is not None else None
    for i, row in enumerate(data):
        cells = [_sheet_cell(v) for v in row]
        if ts_at >= 0:
            cells[ts_at] = stamps[i]
        ws.append(cells)
    fixed = dt.datetime(2000, 1, 1)
    if ts is not None and len(ts):
        fixed = ts.max().to_pydatetime().replace(microsecond=0)
    wb.properties.creator = "kartoitus demo-data"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_reproducible_zip(buf.getvalue(), fixed))
    return path


def _reproducible_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with fixed entry times and document dates."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms)",
                                 rb"\g<1>" + stamp + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def write_survey_window(out_dir: Path, year: int, config: Mapping) -> Path:
    """``kysely.toml``: the survey window of the wave."""
    opened, closed = survey_window(year, config)
    path = Path(out_dir) / FILE_WINDOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Kyselyn vastausaika (demoaineisto). Tämän ulkopuolella annetut vastaukset\n"
        "# merkitään auditissa, mutta niitä ei hylätä.\n"
        f"avautui = {opened.isoformat()}\n"
        f"sulkeutui = {closed.isoformat()}\n",
        encoding="utf-8",
    )
    return path
