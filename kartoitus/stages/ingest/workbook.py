"""Workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``): every sheet that holds a survey.

``python-calamine`` reads all four formats (fast, in Rust). Each sheet's header
is located like a CSV's (``header.locate_header``: a title row above it, a header
on two rows, merged title cells); every sheet whose header fits a survey is read,
and the others are listed with the reason they were not (``SkippedSheet``).
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kartoitus.errors import InputError, KartoitusError
from kartoitus.settings.codebook import Codebook
from kartoitus.stages.ingest.header import HEADER_SEARCH_ROWS, locate_header
from kartoitus.stages.ingest.sniff import check_cell_lengths, empty_error
from kartoitus.stages.ingest.titles import detect_survey, exact_questions

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"   # an OLE compound file (old Excel, encrypted Office)
_ZIP_MAGIC = b"PK"


@dataclass
class SheetCells:
    sheet: str
    titles: list[str]
    body: pd.DataFrame          # positional columns, index = sheet row number
    survey: str
    header_rows: tuple[int, ...]


@dataclass(frozen=True)
class SkippedSheet:
    sheet: str
    reason: str


def _error(path: Path, what: str, name: str | None) -> InputError:
    return InputError(
        path, f"{what}: avaa tiedosto Excelissä, LibreOfficessa tai Google Sheetsissä ja tallenna se "
              "uudelleen .xlsx-muodossa (tai vie CSV-muodossa), ja korvaa tämä tiedosto sillä.", name=name)


def _password_error(path: Path, name: str | None) -> InputError:
    return InputError(
        path, "tiedosto ei ole tavallinen .xlsx-tiedosto vaan salasanalla suojattu tai "
              "vanhassa Excel-muodossa tallennettu: poista salasanasuojaus (Excel: "
              "Tiedosto → Tiedot → Suojaa työkirja → Salaa salasanalla, tyhjennä "
              "salasana) ja tallenna .xlsx- tai CSV-muodossa.", name=name)


def _open(path: Path, data: bytes | None, name: str | None):
    import python_calamine as pc

    suffix = path.suffix.lower()
    head = data[:8] if data is not None else path.open("rb").read(8)
    if not head:
        raise empty_error(path, name)
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if head.startswith(_OLE_MAGIC):
            raise _password_error(path, name)
        if not head.startswith(_ZIP_MAGIC):
            kind = "LibreOffice-laskentataulukko (.ods)" if suffix == ".ods" else "Excel-työkirja"
            raise _error(path, f"tiedosto ei ole {suffix}-muodossa (sisältö ei ole {kind})", name)
    elif suffix == ".xls" and not head.startswith(_OLE_MAGIC):
        raise _error(path, "tiedosto ei ole vanhaa Excel-muotoa (.xls), vaikka nimi niin sanoo", name)
    try:
        if data is not None:
            return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise _password_error(path, name) from None
    except Exception as e:   # noqa: BLE001 - calamine raises its own and std errors for broken files
        raise _error(path, f"tiedosto on vioittunut tai keskeneräinen ({type(e).__name__})", name) from None


def _cell(v):
    """A calamine cell as ingest keeps it: text, int, float, datetime/date; missing = None."""
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if v != v:
            return None
        return int(v) if v.is_integer() and abs(v) < 2 ** 53 else v
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v
    if isinstance(v, _dt.time):
        return v
    if isinstance(v, _dt.timedelta):
        return (_dt.datetime(1899, 12, 30) + v)   # a duration cell: its serial date
    return v


def _rows(sheet) -> list[list]:
    return [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]


def _filled(row) -> bool:
    return any(v is not None and (not isinstance(v, str) or v.strip()) for v in row)


def _read_sheet(path: Path, name: str | None, sheet_name: str, rows: list[list], merged,
                codebook: Codebook) -> SheetCells | SkippedSheet:
    filled = [i for i, r in enumerate(rows) if _filled(r)]
    if not filled:
        return SkippedSheet(sheet_name, "tyhjä välilehti")
    first = filled[:HEADER_SEARCH_ROWS + 1]
    try:
        header = locate_header([rows[i] for i in first], [i + 1 for i in first], codebook, merged or ())
    except KartoitusError as e:
        raise InputError(path, f"välilehti {sheet_name!r}: {e}", name=name) from None
    titles = list(header.titles)
    while titles and not titles[-1].strip():
        titles.pop()
    try:
        survey_id = detect_survey(titles, codebook)
    except KartoitusError as e:
        return SkippedSheet(sheet_name, str(e))
    start = first[header.row] + header.rows
    records = rows[start:]
    while records and not _filled(records[-1]):
        records.pop()   # unused formatted rows at the end of the sheet
    width = max([len(titles), *(len(r) for r in records)])
    cells = np.full((len(records), width), None, dtype=object)
    for i, r in enumerate(records):
        cells[i, :len(r)] = r
    # object cells throughout: an int column with gaps stays int, no NaN floats
    body = pd.DataFrame(cells, columns=range(width), dtype=object)
    body.index = pd.RangeIndex(start + 1, start + 1 + len(body))
    titles = titles + [""] * (width - len(titles))
    check_cell_lengths(path, titles, body, name)
    header_rows = tuple(range(first[header.row] + 1, first[header.row] + 1 + header.rows))
    return SheetCells(sheet_name, titles, body, survey_id, header_rows)


def read_workbook(path: Path, codebook: Codebook, *, data: bytes | None = None,
                  name: str | None = None) -> tuple[list[SheetCells], list[SkippedSheet]]:
    """Every sheet of a workbook whose header fits a survey, and the sheets left out.

    Raises :class:`InputError` for a workbook that cannot be opened, one without
    any content, and one in which no sheet fits a survey (the first sheet's reason).
    """
    wb = _open(path, data, name)
    read: list[SheetCells] = []
    skipped: list[SkippedSheet] = []
    try:
        for sheet_name in wb.sheet_names:
            try:
                sheet = wb.get_sheet_by_name(sheet_name)
                rows = _rows(sheet)
                merged = getattr(sheet, "merged_cell_ranges", None)
            except Exception as e:   # noqa: BLE001 - a broken sheet inside a readable workbook
                raise _error(path, f"välilehteä {sheet_name!r} ei voi lukea ({type(e).__name__})", name) \
                    from None
            got = _read_sheet(path, name, sheet_name, rows, merged, codebook)
            (read if isinstance(got, SheetCells) else skipped).append(got)
    finally:
        try:
            wb.close()
        except Exception:   # noqa: BLE001
            pass
    if not read:
        contentful = [s for s in skipped if s.reason != "tyhjä välilehti"]
        if not contentful:
            raise empty_error(path, name)
        raise InputError(path, contentful[0].reason, name=name)
    read, side = _side_sheets(read, codebook)
    return read, skipped + side


def _side_sheets(read: list[SheetCells], codebook: Codebook) -> tuple[list[SheetCells], list[SkippedSheet]]:
    """Sheets a researcher added beside the answers (a summary, a pivot table): they
    carry a few of the survey's titles but not its required questions. A sheet with
    under a third of the question titles of the workbook's fullest sheet of the same
    survey, and without all of the survey's required questions, is listed, not read.
    A sheet alone in its workbook is always read (a broken export must stop the build)."""
    hits = [exact_questions(s.titles, codebook.survey(s.survey)) for s in read]
    top: dict[str, int] = {}   # survey -> position of its fullest sheet (the first on ties)
    for i, s in enumerate(read):
        if s.survey not in top or len(hits[i]) > len(hits[top[s.survey]]):
            top[s.survey] = i
    keep, side = [], []
    for i, s in enumerate(read):
        best = top[s.survey]
        required = {q.id for q in codebook.survey(s.survey).required()}
        n, most = len(hits[i]), len(hits[best])
        if i != best and 3 * n < most and not required <= hits[i]:
            side.append(SkippedSheet(s.sheet, f"vain {n} kyselyn kysymystä (välilehdellä {read[best].sheet!r} {most}) "
                                              "eikä kaikkia pakollisia: ei vastauksia (esim. yhteenveto); "
                                              "ei luettu"))
        else:
            keep.append(s)
    return keep, side
