"""Removing the personal columns from a wave's raw exports when their retention ends.

:func:`purge_personal` rewrites the wave's ``.csv`` and ``.xlsx`` exports without
the columns of personal questions (dry run by default) and keeps a record of what
it removed (``poistetut_henkilotiedot.json``; never the values).
"""

from __future__ import annotations

import codecs
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator, Sequence

import pandas as pd

from kartoitus.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from kartoitus.errors import InputError, KartoitusError
from kartoitus.privacy.patterns import find_in_text
from kartoitus.settings.codebook import Codebook
from kartoitus.settings.exports import PERSONAL
from kartoitus.stages.ingest import CSV_SUFFIXES, XLSX_SUFFIXES, normalise_title, sniff_csv
from kartoitus.stages.wave import SETTINGS_FILES

#: The record :func:`purge_personal` keeps in the wave folder.
RECORD_FILE = "poistetut_henkilotiedot.json"
#: Folder names (of a wave folder or its root) that purge_personal never touches.
_NOT_RAW = {"processed", "reports", "raportit", "outputs"}

@dataclass(frozen=True)
class RemovedColumn:
    file: Path
    column: str        # the column title as in the file (xlsx: "Sheet: title")
    question: str      # canonical question id
    non_empty: int     # cells with an answer


@dataclass
class PurgeReport:
    folder: Path
    dry_run: bool
    removed: list[RemovedColumn] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)   # (file, reason)
    warnings: list[str] = field(default_factory=list)
    record: Path | None = None

    @property
    def files(self) -> list[Path]:
        return sorted({r.file for r in self.removed})

    def lines(self) -> list[str]:
        """The report in Finnish, one line per removed column, skip and warning."""
        verb = "poistettaisiin" if self.dry_run else "poistettiin"
        out = [f"{r.file.name}: {verb} sarake {r.column!r} ({r.question}), "
               f"{r.non_empty} vastausta" for r in self.removed]
        out += [f"{p.name}: ohitettiin ({why})" for p, why in self.skipped]
        out += self.warnings
        if not self.removed:
            out.insert(0, f"{self.folder}: ei poistettavia henkilötietosarakkeita")
        if self.record is not None:
            out.append(f"kirjattu tiedostoon {self.record}")
        return out


def _personal_titles(codebook: Codebook) -> dict[str, str]:
    """Normalised title -> question id, for the personal questions of every survey."""
    out: dict[str, str] = {}
    for survey in codebook.surveys.values():
        for q in survey.personal():
            for title in q.titles():
                out.setdefault(normalise_title(title), q.id)
    return out


#: what a form tool's personal column (Microsoft Forms' Email, Name) is recorded as
TOOL_PERSONAL = "henkilotieto"


def _drop_columns(header: Sequence, titles: dict[str, str], codebook: Codebook) -> dict[int, str]:
    """Position -> question id (or ``henkilotieto``) of the personal columns of a header
    row: the personal questions' titles anywhere, and the leading personal columns of
    the form tool that wrote the file (``viennit.yaml``)."""
    texts = ["" if h is None else str(h) for h in header]
    drop = {i: titles[normalise_title(t)] for i, t in enumerate(texts) if normalise_title(t) in titles}
    tool = codebook.exports.detect(texts)
    for i, role in enumerate(codebook.exports.leading_roles(tool, texts)):
        if role == PERSONAL:
            drop.setdefault(i, TOOL_PERSONAL)
    return drop


@dataclass(frozen=True)
class _CsvFormat:
    bom: bytes        # the byte-order mark as in the file (kept as it is)
    encoding: str     # codec of the text after the mark
    delimiter: str


def _sniff_csv(path: Path, data: bytes) -> _CsvFormat:
    """Encoding (with the BOM kept apart, byte for byte) and delimiter of a CSV.

    Uses :func:`kartoitus.stages.ingest.sniff_csv`, so purge reads a file exactly as
    ingest does.
    """
    encoding, delimiter = sniff_csv(data)
    bom = b""
    if encoding == "utf-8-sig":
        bom, encoding = codecs.BOM_UTF8, "utf-8"
    elif encoding == "utf-16":
        bom = data[:2]
        encoding = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    try:
        data[len(bom):].decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"merkistöä {encoding} ei voi lukea ({exc.reason}); tallenna "
                               "tiedosto uudelleen UTF-8-muodossa") from None
    return _CsvFormat(bom, encoding, delimiter)


_SEP_LINE = re.compile(r"^\s*sep=.\s*$", re.I)


def _records(text: str) -> Iterator[tuple[str, str]]:
    """Raw CSV records as (body, line ending); quoted fields may span lines."""
    pos, n = 0, len(text)
    pending = ""
    breaks = re.compile(r"\r\n|\n|\r")   # Excel for Mac ends lines with a lone CR
    while pos < n:
        m = breaks.search(text, pos)
        if m is None:
            line, ending, pos = text[pos:], "", n
        else:
            line, ending, pos = text[pos:m.start()], m.group(0), m.end()
        pending += line
        if pending.count('"') % 2:  # inside a quoted field: the record goes on
            pending += ending
            continue
        yield pending, ending
        pending = ""
    if pending:
        yield pending, ""


def _split_raw(body: str, delim: str) -> list[str]:
    """Split one record into raw fields, quotes and all (so they can be put back)."""
    if '"' not in body:
        return body.split(delim)
    fields, current, inside = [], [], False
    for part in re.split(f'("|{re.escape(delim)})', body):
        if part == '"':
            inside = not inside
            current.append(part)
        elif part == delim and not inside:
            fields.append("".join(current))
            current = []
        else:
            current.append(part)
    fields.append("".join(current))
    return fields


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace('""', '"')
    return raw


def _purge_csv(path: Path, titles: dict[str, str], codebook: Codebook, dry_run: bool,
               report: PurgeReport) -> None:
    data = path.read_bytes()
    fmt = _sniff_csv(path, data)
    text = data[len(fmt.bom):].decode(fmt.encoding)
    records = list(_records(text))
    start = 1 if records and _SEP_LINE.match(records[0][0]) else 0  # Excel "sep=;"
    if len(records) <= start:
        return
    header = _split_raw(records[start][0], fmt.delimiter)
    drop = _drop_columns([_unquote(h) for h in header], titles, codebook)
    if not drop:
        return
    counts = dict.fromkeys(drop, 0)
    out_parts: list[str] = []
    # One pass over the records: the other fields are copied byte for byte, so a
    # vectorised parse-and-rewrite (which would requote them) is not an option.
    for n, (body, ending) in enumerate(records):
        if n < start:
            out_parts += [body, ending]
            continue
        fields = _split_raw(body, fmt.delimiter)
        if n > start:
            for i in drop:
                if i < len(fields) and _unquote(fields[i]).strip():
                    counts[i] += 1
        out_parts.append(fmt.delimiter.join(f for i, f in enumerate(fields) if i not in drop))
        out_parts.append(ending)
    for i, qid in drop.items():
        report.removed.append(RemovedColumn(path, _unquote(header[i]), qid, counts[i]))
    if not dry_run:
        atomic_write_bytes(path, fmt.bom + "".join(out_parts).encode(fmt.encoding))


def _purge_xlsx(path: Path, titles: dict[str, str], codebook: Codebook, dry_run: bool,
                report: PurgeReport) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(path, f"työkirjaa ei voi lukea ({exc}); avaa ja tallenna se "
                               "Excelissä tai vie tiedot CSV-muodossa") from None
    changed = False
    for ws in wb.worksheets:
        if ws.max_row < 1:
            continue
        cells = list(ws[1])
        found = _drop_columns([c.value for c in cells], titles, codebook)
        drop = [(cells[i].column, str(cells[i].value), qid) for i, qid in sorted(found.items())]
        for col, title, qid in drop:
            non_empty = sum(
                1 for (value,) in ws.iter_rows(min_row=2, min_col=col, max_col=col,
                                               values_only=True)
                if value is not None and str(value).strip())
            label = title if len(wb.worksheets) == 1 else f"{ws.title}: {title}"
            report.removed.append(RemovedColumn(path, label, qid, non_empty))
        for col, _, _ in sorted(drop, reverse=True):
            ws.delete_cols(col)
            changed = True
    if changed and not dry_run:
        with atomic_path(path) as tmp:
            wb.save(tmp)
    wb.close()


#: Formats read by ingest that purge cannot rewrite: listed for the user to re-save.
_UNSUPPORTED = (".xls", ".xlsb", ".ods", ".numbers", ".zip")
_REWRITABLE_BOOKS = (".xlsx", ".xlsm")


def _wave_files(folder: Path, skip: set[str]) -> list[Path]:
    """The files of the wave folder and its subfolders (as ingest reads them), not
    settings, hidden or lock files."""
    out = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.startswith((".", "~$")):
            continue
        if p.is_dir():
            out.extend(_wave_files(p, skip))
        elif p.is_file() and p.name.casefold() not in skip:
            out.append(p)
    return out


def _settings_files() -> set[str]:
    return {name.casefold() for name in SETTINGS_FILES}


def _write_record(folder: Path, removed: Sequence[RemovedColumn]) -> Path:
    """Append what was removed to the wave's record (JSON: ingest never reads it)."""
    record = folder / RECORD_FILE
    entries: list = []
    if record.exists():
        try:
            entries = json.loads(record.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(record, f"poistokirjaa ei voi lukea ({exc}); korjaa tai siirrä "
                                     "tiedosto talteen ja aja uudelleen") from None
        if not isinstance(entries, list):
            raise InputError(record, "poistokirjan pitää olla JSON-lista; siirrä tiedosto "
                                     "talteen ja aja uudelleen")
    today = date.today().isoformat()
    entries += [{"tiedosto": r.file.relative_to(folder).as_posix(), "sarake": r.column,
                 "kysymys": r.question, "vastauksia": r.non_empty, "poistettu": today}
                for r in removed]
    atomic_write_text(record, json.dumps(entries, ensure_ascii=False, indent=2,
                                         sort_keys=True) + "\n")
    return record


def purge_personal(raw_folder: str | Path, codebook: Codebook, dry_run: bool = True) -> PurgeReport:
    """Remove the personal columns from a wave's raw exports (``.csv``, ``.xlsx``).

    Columns are found by their title: a header equal (after normalising case,
    whitespace and end punctuation) to a title or alias of a personal question.
    CSV files keep their encoding, byte-order mark, delimiter, quoting and line
    endings; every other field is copied byte for byte. Workbooks lose the
    columns through openpyxl (formatting is kept; charts and images in a raw
    export are not). With ``dry_run`` (the default) nothing is written; otherwise
    the files are replaced atomically and ``poistetut_henkilotiedot.json`` in the
    folder records what was removed (file, column, question, number of answers,
    date; never the values; appended to on later runs). The files read are the
    ones :func:`kartoitus.stages.ingest.read_wave` reads: those in ``raw_folder``
    and its subfolders, not settings, hidden or lock files; processed data and
    reports are never touched. Besides the personal questions' columns, the form
    tool's own personal columns are removed (Microsoft Forms' ``Email`` and
    ``Name``, ``viennit.yaml``). Workbooks that cannot be rewritten (``.xls``,
    ``.ods``) and zip archives are listed for the user to re-save or unpack.

    Columns that still look like they hold e-mail addresses or phone numbers are
    listed in :attr:`PurgeReport.warnings` (a hand-added "Puhelin" column, say).
    """
    folder = Path(raw_folder)
    if not folder.is_dir():
        raise InputError(folder, "raakadatan kansiota ei ole; anna aallon raakakansio "
                                 "(esim. data/raw/2024)")
    resolved = folder.resolve()
    if {resolved.name.casefold(), resolved.parent.name.casefold()} & _NOT_RAW:
        raise KartoitusError(f"{folder}: henkilötietoja poistetaan vain raakadatasta; "
                             "anna raakakansio (data/raw/<vuosi>), ei käsiteltyä dataa tai raportteja")
    titles = _personal_titles(codebook)
    report = PurgeReport(folder=folder, dry_run=dry_run)
    skip = _settings_files() | {RECORD_FILE}
    for path in _wave_files(folder, skip):
        suffix = path.suffix.lower()
        if suffix in CSV_SUFFIXES:
            _purge_csv(path, titles, codebook, dry_run, report)
        elif suffix in _REWRITABLE_BOOKS:
            _purge_xlsx(path, titles, codebook, dry_run, report)
        elif suffix == ".zip":
            report.skipped.append((path, "pakattua tiedostoa ei muokata; pura zip aallon kansioon, "
                                         "poista zip ja aja uudelleen"))
        elif suffix in _UNSUPPORTED or suffix in XLSX_SUFFIXES:
            report.skipped.append((path, "tiedostomuotoa ei tueta; tallenna se .xlsx- tai "
                                         ".csv-muodossa ja aja uudelleen"))
    report.warnings = _remaining_warnings(folder, titles, skip, codebook)
    if report.removed and not dry_run:
        report.record = _write_record(folder, report.removed)
    return report


def _remaining_warnings(folder: Path, titles: dict[str, str], skip: set[str], codebook: Codebook) -> list[str]:
    """Columns other than the removed ones that hold e-mail or phone values."""
    out = []
    for path in _wave_files(folder, skip):
        if path.suffix.lower() not in CSV_SUFFIXES + _REWRITABLE_BOOKS:
            continue
        try:
            if path.suffix.lower() in _REWRITABLE_BOOKS:
                frames = pd.read_excel(path, dtype=object, sheet_name=None, engine="openpyxl")
            else:
                data = path.read_bytes()
                fmt = _sniff_csv(path, data)
                text = data[len(fmt.bom):].decode(fmt.encoding)
                skiprows = 1 if _SEP_LINE.match(text.split("\n", 1)[0]) else 0
                frames = {"": pd.read_csv(io.StringIO(text), sep=fmt.delimiter, dtype=str,
                                          keep_default_na=False, skiprows=skiprows)}
        except Exception as exc:  # noqa: BLE001 - a warning pass must not stop the purge
            out.append(f"{path.name}: jäljelle jääviä sarakkeita ei voitu tarkistaa ({exc})")
            continue
        for sheet, frame in frames.items():
            out.extend(_column_warnings(path, sheet if len(frames) > 1 else "", frame, titles, codebook))
    return out


def _column_warnings(path: Path, sheet: str, frame: pd.DataFrame,
                     titles: dict[str, str], codebook: Codebook) -> list[str]:
    out = []
    where = f"{path.name} ({sheet})" if sheet else path.name
    dropped = _drop_columns(list(frame.columns), titles, codebook)
    for i, column in enumerate(frame.columns):
        if i in dropped:
            continue  # removed (or would be)
        distinct = pd.Series(frame[column].dropna().astype(str).unique(), dtype=object)
        # cheap pre-filter (a digit or an "@" at all), then the exact rules
        maybe = distinct[distinct.str.contains(r"[@\d]|\(at\)|\[at\]", regex=True)]
        hits = maybe[maybe.map(lambda v: any(k in ("sahkoposti", "puhelin")
                                             for k, _ in find_in_text(v)))]
        if len(hits):
            n = int(frame[column].astype(str).isin(set(hits)).sum())
            out.append(f"{where}: sarakkeessa {column!r} on {n} solua, joissa näyttää "
                       "olevan sähköpostiosoite tai puhelinnumero; tarkista ja poista käsin")
    return out
