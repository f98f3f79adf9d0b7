"""The workbook model (``kartoitus.outputs.workbook.workbook_model``) -> one Excel
workbook (openpyxl), reproducibly and safely.

- a contents sheet ``Sisällys`` first, with a hyperlink, title and n for every table;
- one sheet per table (sheet name = table id): title row, n and source, a bold
  frozen header row, the values formatted by kind (counts ``#,##0`` which Excel
  shows with the locale's thousands separator, percents ``0.0`` under a header with
  "%", means ``0.00``), notes under the table;
- hidden cells show their mark (``Table.mark``: ``<5`` for a count of 1-4, ``..``
  otherwise; the values are already blanked in the Table), explained under the table;
- print setup: fit to page width, landscape for wide sheets, the header rows repeated
  on every printed page; the contents sheet prints on portrait pages;
- dates and months in the data are Excel dates (``d.m.yyyy``, ``m/yyyy``), not text;
- text never becomes a formula: every string is written as an inline string
  cell, and one that starts with ``=``, ``+``, ``-``, ``@``, tab or CR also gets
  the quotePrefix style, so Excel keeps it text when the cell is edited;
- reproducible: document properties carry a fixed date (``meta["created"]``,
  else ``epoch``, which build gives: :func:`kartoitus.build.repro.build_epoch` —
  ``SOURCE_DATE_EPOCH`` or the year after the wave) and the zip entries a fixed date
  in a fixed order, so the same model gives the same bytes;
- written atomically (temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import io
import math
import re
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from kartoitus.atomic import atomic_write_bytes
from kartoitus.errors import KartoitusError
from kartoitus.tables import Table, marks_note

CONTENTS = "Sisällys"
FORMATS = {"count": "#,##0", "percent": "0.0", "mean": "0.00"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
HEADER_ROW = 4  # title, n/source, blank, header
MIN_WIDTH, MAX_WIDTH = 8, 60
#: the range of dates a zip entry can record
_ZIP_MIN = (1980, 1, 1, 0, 0, 0)
_ZIP_MAX = (2107, 12, 31, 23, 59, 58)


def _zip_date(epoch: int) -> tuple[int, int, int, int, int, int]:
    stamp = tuple(time.gmtime(epoch)[:6])
    return min(max(stamp, _ZIP_MIN), _ZIP_MAX)  # type: ignore[return-value]


def _is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _set_text(cell, text: str) -> None:
    """Write ``text`` as a string cell that can never be read as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _as_date(value):
    """An ISO date, timestamp or month in text as (datetime, Excel format), else None."""
    if isinstance(value, str):
        m = _MONTH.match(value)
        if m and 1 <= int(m.group(2)) <= 12:
            return datetime(int(m.group(1)), int(m.group(2)), 1), "m/yyyy"
        m = _DATE.match(value)
        if m:
            try:
                return datetime(*(int(g) for g in m.groups()[:3])), "d.m.yyyy"
            except ValueError:
                return None
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime(), "d.m.yyyy"
    return None


def _set_value(cell, value, kind: str | None) -> None:
    if _is_missing(value):
        return
    date = _as_date(value)
    if date is not None:
        cell.value, cell.number_format = date
        return
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if kind in (None, "text") or isinstance(value, str):
        _set_text(cell, value)
        return
    if isinstance(value, bool):
        _set_text(cell, "Kyllä" if value else "Ei")
        return
    cell.value = value
    cell.number_format = _number_format(kind, value)


def _number_format(kind: str, value) -> str:
    if kind in FORMATS:
        return FORMATS[kind]
    return "#,##0" if float(value).is_integer() else "#,##0.0#"


def _header(table: Table, col: str) -> str:
    text = table.header(col)
    if table.kinds.get(col) == "percent" and "%" not in text:
        text += " (%)"
    return text


def _shown_columns(table: Table) -> list[str]:
    """Label columns with a header (internal key columns are left out) and every value column."""
    labels = [c for c in table.label_columns if c in table.columns] or table.label_columns[-1:]
    return [*labels, *table.value_columns]


def _fixed_date(meta: dict, epoch: int) -> datetime:
    created = meta.get("created")
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    if isinstance(created, datetime):
        if created.tzinfo is not None:
            created = created.astimezone(timezone.utc)
        return created.replace(tzinfo=None, microsecond=0)
    return datetime.fromtimestamp(epoch, tz=timezone.utc).replace(tzinfo=None)


def _check_names(tables: dict[str, Table]) -> None:
    for tid in tables:
        if not tid or len(tid) > 31 or _BAD_SHEET.search(tid) or tid.casefold() == CONTENTS.casefold():
            raise KartoitusError(f"taulukon tunnus {tid!r} ei kelpaa välilehden nimeksi "
                                 "(enintään 31 merkkiä, ei merkkejä []:*?/\\)")


def _contents_sheet(ws, tables: dict[str, Table], title: str, year: int, meta: dict) -> None:
    bold = Font(bold=True)
    _set_text(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    _set_text(ws.cell(2, 1), f"Vuosi {year}")
    row = 3
    for key, value in meta.items():
        if key == "created":
            continue
        if key == "created" or _is_missing(value) or isinstance(value, (dict, list, tuple)):
            continue
        _set_text(ws.cell(row, 1), str(key))
        _set_value(ws.cell(row, 2), value, None if isinstance(value, str) else "number")
        row += 1
    row += 1
    header = row
    for j, text in enumerate(("Välilehti", "Taulukko", "n"), start=1):
        _set_text(ws.cell(row, j), text)
        ws.cell(row, j).font = bold
    ws.freeze_panes = ws.cell(row + 1, 1)
    for tid, table in tables.items():
        row += 1
        link = ws.cell(row, 1)
        _set_text(link, tid)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{tid}'!A1", display=tid)
        link.style = "Hyperlink"
        _set_text(ws.cell(row, 2), table.title if table.asked else
                  f"{table.title} ({'vastaukset puuttuvat aineistosta' if table.missing else 'ei kysytty'})")
        if table.asked:
            _set_value(ws.cell(row, 3), table.n, "count")
    ws.column_dimensions["A"].width = max(12, min(28, max(len(t) for t in tables) + 2)) if tables else 12
    ws.column_dimensions["B"].width = 62
    ws.column_dimensions["C"].width = 8
    for r in range(1, row + 1):
        ws.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(ws, header, landscape=False)


def _print_setup(ws, header_row: int, landscape: bool) -> None:
    """Fit to the page width (as many pages down as needed), the header rows on every page."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_row}"
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&P / &N"


def _table_sheet(ws, table: Table, source: str = "") -> None:
    bold = Font(bold=True)
    _set_text(ws.cell(1, 1), table.title)
    ws.cell(1, 1).font = Font(bold=True, size=12)
    _set_text(ws.cell(2, 1), f"n = {table.n}" + (f"; kysymys: {source}" if source else ""))
    cols = _shown_columns(table)
    widths = [len(_header(table, c)) for c in cols]
    row = HEADER_ROW
    if not table.asked:
        _set_text(ws.cell(row, 1), table.note or "Kysymystä ei esitetty tässä kyselyssä.")
        ws.column_dimensions["A"].width = MAX_WIDTH
        return
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row, j)
        _set_text(cell, _header(table, c))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    ws.freeze_panes = ws.cell(row + 1, 1)
    mask = table.mask()
    frame = table.frame
    right = Alignment(horizontal="right")
    for i, idx in enumerate(frame.index, start=row + 1):
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(i, j)
            kind = table.kinds.get(c)
            if bool(mask.at[idx, c]):
                text = table.mark(idx, c)
                _set_text(cell, text)
                cell.alignment = right
            else:
                value = frame.at[idx, c]
                _set_value(cell, value, kind)
                text = "" if _is_missing(value) else (
                    f"{value:,.2f}" if isinstance(value, (float, np.floating)) else str(value))
            widths[j - 1] = max(widths[j - 1], len(text))
    row = HEADER_ROW + len(frame) + 2
    notes = [f"n = {table.n}"]
    if table.note:
        notes.append(table.note)
    if bool(mask.to_numpy().any()):
        notes.append(marks_note(table.marks()))
    for k, text in enumerate(notes):
        _set_text(ws.cell(row + k, 1), text)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(MIN_WIDTH, min(MAX_WIDTH, w + 2))
    total = sum(max(MIN_WIDTH, min(MAX_WIDTH, w + 2)) for w in widths)
    # long texts (title, source, notes) wrap inside the table's width instead of widening the
    # printed page: merged across the table's columns, and the print area is the table
    span = max(len(cols), 3)
    for r in [1, 2] + list(range(row, row + len(notes))):
        text = str(ws.cell(r, 1).value or "")
        if not text:
            continue
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        lines = max(1, math.ceil(len(text) * (1.3 if r == 1 else 1.0) / max(total, 30)))
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines
    ws.print_area = f"A1:{get_column_letter(span)}{row + len(notes)}"
    _print_setup(ws, HEADER_ROW, landscape=total > 95 or len(cols) > 7)


def workbook_bytes(model: dict, epoch: int) -> bytes:
    """The xlsx file of a workbook model as bytes (deterministic for the same arguments).
    ``epoch``: the build time in seconds (used unless ``meta["created"]`` is given)."""
    tables, title, year = model["tables"], model["title"], model["year"]
    meta = dict(model.get("meta") or {})
    _check_names(tables)
    wb = Workbook()
    contents = wb.active
    contents.title = CONTENTS
    _contents_sheet(contents, tables, title, year, meta)
    sources = model.get("sources") or {}
    for tid, table in tables.items():
        _table_sheet(wb.create_sheet(tid), table, sources.get(tid, ""))
    fixed = _fixed_date(meta, epoch)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.title = title
    wb.properties.creator = "kartoitus"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter directly: openpyxl's save_workbook would stamp "modified" with now
        ExcelWriter(wb, archive).save()
    return _normalise_zip(raw.getvalue(), fixed)


def _normalise_zip(data: bytes, fixed: datetime) -> bytes:
    """Same entries, fixed order ([Content_Types].xml first, then by name) and dates."""
    epoch = int(fixed.replace(tzinfo=timezone.utc).timestamp())
    date_time = _zip_date(epoch)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def write_workbook(model: dict, path: Path, epoch: int) -> Path:
    """Write the workbook model to ``path`` (.xlsx) atomically; return the path."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise KartoitusError(f"{path}: työkirjan tiedostopäätteen pitää olla .xlsx")
    return atomic_write_bytes(path, workbook_bytes(model, epoch))


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.workbook:render_job``):
    ``{"model": workbook model, "path": Path, "epoch": build time in seconds}``."""
    return [write_workbook(payload["model"], payload["path"], payload["epoch"])]
