"""Files -> frames: read survey exports (CSV in any of its real-world shapes, workbooks).

``read_export`` turns one export into :class:`RawTable` objects (one per sheet of
a workbook that holds a survey): the raw cells under canonical column ids (see
the codebook), the column mapping that says how every title of the file was
understood, the hand-added columns (``extras``), the form tool's personal columns
(``personal``), what the reader itself noticed (``notes``: two columns of one
question that disagree), and the encoding and delimiter of a CSV so that a later
step can write it back the same way. Nothing here interprets answers; that is
``clean``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kartoitus.errors import InputError, KartoitusError
from kartoitus.settings.codebook import Codebook, Survey
from kartoitus.settings.exports import IGNORE, PERSONAL, TIMESTAMP, ExportTool
from kartoitus.stages.ingest.sniff import read_csv_cells, untitled_name
from kartoitus.stages.ingest.titles import (
    DUPLICATE,
    PERSONAL as PERSONAL_METHOD,
    TOOL,
    ColumnMatch,
    _survey_titles,
    detect_survey,
    match_columns,
)
from kartoitus.stages.ingest.workbook import WORKBOOK_SUFFIXES, SkippedSheet, read_workbook

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = WORKBOOK_SUFFIXES
#: Spreadsheet formats we recognise but cannot read: the user is told to re-save.
UNSUPPORTED_SUFFIXES = (".numbers", ".xlsb")
#: Columns of :attr:`RawTable.notes` (the same as clean's flags).
NOTE_COLUMNS = ["tiedosto", "rivi", "sarake", "arvo", "lippu", "selite"]
#: Flag of two columns of one question that hold different answers in a row.
CONFLICT_FLAG = "sarake_ristiriita"


@dataclass
class RawTable:
    path: Path
    survey: str                 # "jarjestokysely" | "kuntakysely"
    frame: pd.DataFrame         # canonical ids as columns (grid: row ids), raw cell values
                                # (str; from workbooks also int/float/datetime), missing = None;
                                # index = spreadsheet row number (header row is 1, first answer 2)
    mapping: list[ColumnMatch]
    extras: pd.DataFrame        # the unmapped columns, same index
    encoding: str | None        # None for workbooks
    delimiter: str | None
    name: str = ""              # the table in the wave: "vastaukset.csv", "alikansio/x.csv",
                                # "lataus.zip/x.csv", "tyokirja.xlsx/Välilehti" (default: file name)
    tool: str = ""              # the form tool that wrote it (viennit.yaml), "" = not known
    multi_separator: str = ", "  # what the tool writes between the options of a multi-select
    personal: pd.DataFrame | None = None   # the tool's personal columns (Email, Name), same index
    notes: pd.DataFrame | None = None      # the reader's flags (NOTE_COLUMNS)
    sheet: str | None = None
    header_rows: tuple[int, ...] = field(default=(1,))

    def __post_init__(self):
        self.name = self.name or self.path.name
        if self.personal is None:
            self.personal = pd.DataFrame(index=self.frame.index)
        if self.notes is None:
            self.notes = pd.DataFrame(columns=NOTE_COLUMNS)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return " ".join(str(v).split())


def _merge_duplicates(primary: pd.Series, others: list[tuple[str, pd.Series]], *, name: str,
                      column: str, first_title: str, personal: bool) -> tuple[pd.Series, list[dict]]:
    """One column of a question from its several columns: the first non-blank cell of
    each row; rows whose columns hold different answers are noted (never dropped)."""
    merged = primary.copy()
    notes: list[dict] = []
    for title, other in others:
        a = merged.map(_text)
        b = other.map(_text)
        fill = (a == "") & (b != "")
        merged[fill] = other[fill]
        clash = (a != "") & (b != "") & (a.str.casefold() != b.str.casefold())
        for row in merged.index[clash.to_numpy()]:
            first, second = a[row], b[row]
            if personal:
                text = (f"Kysymyksen sarakkeissa {first_title!r} ja {title!r} on eri vastaukset; "
                        "käytetty ensimmäistä (henkilötietoa ei näytetä).")
                first = second = ""
            else:
                text = (f"Kysymyksellä on kaksi saraketta ({first_title!r} ja {title!r}), ja niissä on eri "
                        f"vastaukset: {first!r} ja {second!r}. Käytetty ensimmäistä; korjaa tarvittaessa "
                        "korjauksella.")
            notes.append({"tiedosto": name, "rivi": int(row), "sarake": column,
                          "arvo": f"{first} | {second}" if first or second else "",
                          "lippu": CONFLICT_FLAG, "selite": text})
    return merged, notes


def _timestamp_question(survey: Survey) -> str | None:
    qs = survey.of_type("timestamp")
    return qs[0].id if qs else None


def _tool_matches(tool: ExportTool, titles: list[str], survey: Survey, codebook: Codebook) -> list:
    """ColumnMatch (or None) per title for the form tool's own leading columns."""
    roles = codebook.exports.leading_roles(tool, titles)
    ts = _timestamp_question(survey)
    out: list[ColumnMatch | None] = []
    for title, role in zip(titles, roles):
        if role == TIMESTAMP and ts is not None:
            out.append(ColumnMatch(title, ts, ts, TOOL, 100.0))
        elif role == PERSONAL:
            out.append(ColumnMatch(title, None, None, PERSONAL_METHOD, 100.0))
        elif role in (IGNORE, TIMESTAMP):
            out.append(ColumnMatch(title, None, None, TOOL, 100.0))
        else:
            out.append(None)
    return out


def assemble(path: Path, titles: list[str], body: pd.DataFrame, codebook: Codebook,
             survey_id: str | None, year: int | None, encoding: str | None,
             delimiter: str | None, *, name: str | None = None, sheet: str | None = None,
             header_rows: tuple[int, ...] = (1,)) -> RawTable:
    """Header titles and raw body of one table -> :class:`RawTable`."""
    label = name or path.name
    # Untitled columns without any data (a trailing delimiter on every line) are noise.
    keep = [i for i, t in enumerate(titles)
            if t.strip() or (i < body.shape[1] and body[i].notna().any())]
    kept_titles = [titles[i] for i in keep]
    if survey_id is None:
        try:
            survey_id = detect_survey(kept_titles, codebook)
        except KartoitusError as e:
            raise InputError(path, str(e), name=label) from None
    survey = codebook.survey(survey_id)
    tool = codebook.exports.detect(kept_titles)
    own = _tool_matches(tool, kept_titles, survey, codebook)
    rest = [t for t, m in zip(kept_titles, own) if m is None]
    if any(m is not None and m.column is not None for m in own):
        # the tool's timestamp column stands for the timestamp question
        taken = {m.column for m in own if m is not None and m.column is not None}
        matched = iter(m if m.column not in taken or m.method == DUPLICATE else
                       ColumnMatch(m.source, m.column, m.question, DUPLICATE, m.score)
                       for m in match_columns(rest, survey))
    else:
        matched = iter(match_columns(rest, survey))
    mapping = [m if m is not None else next(matched) for m in own]

    got = {m.question for m in mapping if m.column is not None}
    missing = [q for q in survey.required()
               if (year is None or q.asked_in(year)) and q.id not in got]
    if missing:
        listed = "; ".join(f"\u201d{q.title}\u201d ({q.id})" for q in missing)
        word = "pakollinen kysymys puuttuu" if len(missing) == 1 else "pakollisia kysymyksiä puuttuu"
        raise InputError(
            path, f"{word}: {listed}. Tarkista, ettei sarakkeen otsikkoa ole muutettu tai "
                  "saraketta poistettu: palauta otsikko lomakkeen mukaiseksi tai lataa "
                  "vastaukset lomakkeelta uudelleen.", name=label)

    def column(pos: int) -> pd.Series:
        if pos < body.shape[1]:
            return body[pos]
        return pd.Series(None, index=body.index, dtype=object)

    index = body.index.rename("rivi")
    rank = {t.column: k for k, t in enumerate(_survey_titles(survey).order)}
    firsts: dict[str, tuple[int, ColumnMatch]] = {}
    seconds: dict[str, list[tuple[int, ColumnMatch]]] = {}
    for m, pos in zip(mapping, keep):
        if m.column is None:
            continue
        if m.method == DUPLICATE and m.column in firsts:
            seconds.setdefault(m.column, []).append((pos, m))
        elif m.column not in firsts:
            firsts[m.column] = (pos, m)
        else:
            seconds.setdefault(m.column, []).append((pos, m))
    notes: list[dict] = []
    columns: dict[str, pd.Series] = {}
    for col in sorted(firsts, key=lambda c: rank.get(c, len(rank))):
        pos, m = firsts[col]
        series = column(pos)
        if col in seconds:
            q = survey.question(m.question) if m.question in survey else None
            series, found = _merge_duplicates(
                series, [(mm.source, column(p)) for p, mm in seconds[col]], name=label, column=col,
                first_title=m.source, personal=bool(q is not None and q.personal))
            notes += found
        columns[col] = series.set_axis(index)
    frame = pd.DataFrame(columns, index=index) if columns else pd.DataFrame(index=index)

    extra_cols: dict[str, pd.Series] = {}
    personal_cols: dict[str, pd.Series] = {}
    for m, pos in zip(mapping, keep):
        if m.column is not None or m.method == TOOL:
            continue
        target = personal_cols if m.method == PERSONAL_METHOD else extra_cols
        title = m.source if m.source.strip() else untitled_name(pos)
        base, k = title, 2
        while title in target:
            title, k = f"{base} ({k})", k + 1
        target[title] = column(pos).set_axis(index)
    extras = pd.DataFrame(extra_cols, index=index) if extra_cols else pd.DataFrame(index=index)
    personal = pd.DataFrame(personal_cols, index=index) if personal_cols else pd.DataFrame(index=index)
    return RawTable(path=path, survey=survey_id, frame=frame.astype(object), mapping=mapping,
                    extras=extras.astype(object), encoding=encoding, delimiter=delimiter, name=label,
                    tool=tool.id, multi_separator=tool.multi_separator, personal=personal.astype(object),
                    notes=pd.DataFrame(notes, columns=NOTE_COLUMNS), sheet=sheet, header_rows=header_rows)


def _check_suffix(path: Path, label: str) -> str:
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_SUFFIXES:
        raise InputError(path, f"tiedostomuotoa {suffix} ei voi lukea: tallenna tiedosto .xlsx- tai "
                               "CSV-muodossa.", name=label)
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise InputError(path, f"tuntematon tiedostomuoto {suffix or '(ei päätettä)'}: "
                               "anna vastaukset .csv-, .xlsx-, .xls- tai .ods-tiedostona.", name=label)
    return suffix


def read_export(path: Path, codebook: Codebook, year: int | None = None, *, data: bytes | None = None,
                name: str | None = None) -> tuple[list[RawTable], list[SkippedSheet]]:
    """Every table of one export, and the sheets of a workbook that were not read.

    A CSV is one table; a workbook gives one table per sheet whose header fits a
    survey (named ``<file>/<sheet>`` when more than one sheet is read). ``data``:
    the file's bytes (a member of a zip archive); ``name``: the file as the wave
    names it. ``year`` (the wave) limits the required-question check to questions
    asked that year. Raises :class:`InputError` naming the file for anything that
    stops it from being read; a header row without data rows is fine.
    """
    path = Path(path)
    label = name or path.name
    suffix = _check_suffix(path, label)
    if data is None and not path.is_file():
        raise InputError(path, "tiedostoa ei löydy: tarkista polku.", name=label)
    if suffix in XLSX_SUFFIXES:
        sheets, skipped = read_workbook(path, codebook, data=data, name=label)
        several = len(sheets) > 1
        tables = [assemble(path, s.titles, s.body, codebook, s.survey, year, None, None,
                           name=f"{label}/{s.sheet}" if several else label, sheet=s.sheet,
                           header_rows=s.header_rows)
                  for s in sheets]
        return tables, skipped
    titles, body, encoding, delimiter = read_csv_cells(path, data, codebook=codebook, name=label)
    return [assemble(path, titles, body, codebook, None, year, encoding, delimiter, name=label,
                     header_rows=())], []


def read_file(path: Path, codebook: Codebook, year: int | None = None) -> RawTable:
    """Read one export that holds one table (a CSV, a workbook with one survey sheet).

    For a workbook with several survey sheets use :func:`read_export` (every sheet)
    or :func:`kartoitus.stages.ingest.read_wave`; this raises :class:`InputError`
    rather than leave sheets out.
    """
    tables, _ = read_export(path, codebook, year)
    if len(tables) > 1:
        names = ", ".join(repr(t.sheet) for t in tables)
        raise InputError(path, f"työkirjassa on {len(tables)} vastausvälilehteä ({names}); lue ne "
                               "kaikki (read_export tai koko aalto).")
    return tables[0]


def same_content(a: RawTable, b: RawTable) -> bool:
    """Two tables of one survey holding the same cells under the same columns."""
    if a.survey != b.survey or a.frame.shape != b.frame.shape or list(a.frame.columns) != list(b.frame.columns):
        return False
    left = np.asarray(a.frame.map(_text).to_numpy(dtype=object))
    right = np.asarray(b.frame.map(_text).to_numpy(dtype=object))
    return bool((left == right).all())
