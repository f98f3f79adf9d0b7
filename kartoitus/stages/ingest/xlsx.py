"""``.xlsx`` exports: the first sheet whose header row fits a survey."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError as _XMLParseError

import numpy as np
import pandas as pd

from kartoitus.errors import InputError, KartoitusError
from kartoitus.settings.codebook import Codebook
from kartoitus.stages.ingest.sniff import check_cell_lengths, empty_error
from kartoitus.stages.ingest.titles import detect_survey

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xlsx_error(path: Path, what: str) -> InputError:
    return InputError(
        path, f"{what}: avaa tiedosto Excelissä tai Google Sheetsissä ja tallenna se "
              "uudelleen .xlsx-muodossa (tai vie CSV-muodossa), ja korvaa tämä tiedosto sillä.")


def _open_xlsx(path: Path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise empty_error(path)
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            path, "tiedosto ei ole tavallinen .xlsx-tiedosto vaan salasanalla suojattu tai "
                  "vanhassa Excel-muodossa tallennettu: poista salasanasuojaus (Excel: "
                  "Tiedosto → Tiedot → Suojaa työkirja → Salaa salasanalla, tyhjennä "
                  "salasana) ja tallenna .xlsx- tai CSV-muodossa.")
    if not head.startswith(b"PK"):
        raise _xlsx_error(path, "tiedosto ei ole .xlsx-muodossa (sisältö ei ole Excel-työkirja)")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError,
            InvalidFileException, _XMLParseError) as e:
        raise _xlsx_error(path, f"tiedosto on vioittunut tai keskeneräinen ({type(e).__name__})") \
            from None


def _clean_cell(v):
    if isinstance(v, str) and v == "":
        return None
    return v


def read_xlsx_cells(path: Path, codebook: Codebook) -> tuple[list[str], pd.DataFrame, str | None]:
    """Header titles, body (index = sheet row number) and survey id of the first
    sheet whose header row fits a survey."""
    wb = _open_xlsx(path)
    first_error: KartoitusError | None = None
    any_content = False
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header_row, header = 0, None
            for number, row in enumerate(rows, start=1):
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                    header_row, header = number, row
                    break
            if header is None:
                continue
            any_content = True
            titles = ["" if v is None else str(v) for v in header]
            while titles and not titles[-1].strip():
                titles.pop()
            try:
                survey_id = detect_survey(titles, codebook)
            except KartoitusError as e:
                first_error = first_error or e
                continue
            records = [tuple(_clean_cell(v) for v in row) for row in rows]
            while records and all(v is None for v in records[-1]):
                records.pop()   # unused formatted rows at the end of the sheet
            width = max([len(titles), *(len(r) for r in records)])
            cells = np.full((len(records), width), None, dtype=object)
            for i, r in enumerate(records):
                cells[i, :len(r)] = r
            # object cells throughout: an int column with gaps stays int, no NaN floats
            body = pd.DataFrame(cells, columns=range(width), dtype=object)
            body.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body))
            titles = titles + [""] * (width - len(titles))
            check_cell_lengths(path, titles, body)
            return titles, body, survey_id
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError,
            _XMLParseError) as e:
        raise _xlsx_error(path, f"tiedosto on vioittunut tai keskeneräinen ({type(e).__name__})") \
            from None
    finally:
        wb.close()
    if not any_content:
        raise empty_error(path)
    raise InputError(path, str(first_error))
