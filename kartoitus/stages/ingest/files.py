"""Files -> frames: read survey exports (CSV in any of its real-world shapes, .xlsx).

``read_file`` turns one export into a :class:`RawTable`: the raw cells under
canonical column ids (see the codebook), the column mapping that says how every
title of the file was understood, the hand-added columns (``extras``), and the
encoding and delimiter of a CSV so that a later step can write it back the same
way. ``read_wave`` reads every export of a wave folder. Nothing here interprets
answers; that is ``clean``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kartoitus.errors import InputError, KartoitusError
from kartoitus.settings.codebook import Codebook
from kartoitus.stages.ingest.sniff import read_csv_cells, untitled_name
from kartoitus.stages.ingest.titles import (
    ColumnMatch,
    _survey_titles,
    detect_survey,
    match_columns,
)
from kartoitus.stages.ingest.xlsx import read_xlsx_cells

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
#: Spreadsheet formats we recognise but cannot read: the user is told to re-save.
_UNSUPPORTED_SUFFIXES = (".xls", ".ods", ".numbers", ".xlsb")
#: Files of a wave folder that are not exports.
_WAVE_IGNORED = {"kysely.toml", "korjaukset.csv"}


@dataclass
class RawTable:
    path: Path
    survey: str                 # "jarjestokysely" | "kuntakysely"
    frame: pd.DataFrame         # canonical ids as columns (grid: row ids), raw cell values
                                # (str; from xlsx also int/float/datetime), missing = None;
                                # index = spreadsheet row number (header row is 1, first answer 2)
    mapping: list[ColumnMatch]
    extras: pd.DataFrame        # the unmapped columns, same index
    encoding: str | None        # None for xlsx
    delimiter: str | None


def _assemble(path: Path, titles: list[str], body: pd.DataFrame, codebook: Codebook,
              survey_id: str | None, year: int | None, encoding: str | None,
              delimiter: str | None) -> RawTable:
    # Untitled columns without any data (a trailing delimiter on every line) are noise.
    keep = [i for i, t in enumerate(titles)
            if t.strip() or (i < body.shape[1] and body[i].notna().any())]
    if survey_id is None:
        try:
            survey_id = detect_survey([titles[i] for i in keep], codebook)
        except KartoitusError as e:
            raise InputError(path, str(e)) from None
    survey = codebook.survey(survey_id)
    mapping = match_columns([titles[i] for i in keep], survey)

    got = {m.question for m in mapping if m.column is not None}
    missing = [q for q in survey.required()
               if (year is None or q.asked_in(year)) and q.id not in got]
    if missing:
        listed = "; ".join(f"\u201d{q.title}\u201d ({q.id})" for q in missing)
        word = "pakollinen kysymys puuttuu" if len(missing) == 1 else "pakollisia kysymyksiä puuttuu"
        raise InputError(
            path, f"{word}: {listed}. Tarkista, ettei sarakkeen otsikkoa ole muutettu tai "
                  "saraketta poistettu: palauta otsikko lomakkeen mukaiseksi tai lataa "
                  "vastaukset lomakkeelta uudelleen.")

    rank = {t.column: k for k, t in enumerate(_survey_titles(survey).order)}
    mapped = sorted(((rank[m.column], pos) for m, pos in zip(mapping, keep) if m.column is not None))
    by_pos = dict(zip(keep, mapping))
    index = body.index.rename("rivi")
    frame = pd.DataFrame({by_pos[pos].column: body[pos] for _, pos in mapped}, index=index)
    if not mapped:
        frame = pd.DataFrame(index=index)

    extra_cols: dict[str, pd.Series] = {}
    for m, pos in zip(mapping, keep):
        if m.column is not None:
            continue
        name = m.source if m.source.strip() else untitled_name(pos)
        base, k = name, 2
        while name in extra_cols:
            name, k = f"{base} ({k})", k + 1
        extra_cols[name] = body[pos] if pos < body.shape[1] else pd.Series(None, index=body.index, dtype=object)
    extras = pd.DataFrame(extra_cols, index=index) if extra_cols else pd.DataFrame(index=index)
    frame = frame.astype(object)
    extras = extras.astype(object)
    return RawTable(path=path, survey=survey_id, frame=frame, mapping=mapping, extras=extras,
                    encoding=encoding, delimiter=delimiter)


def read_file(path: Path, codebook: Codebook, year: int | None = None) -> RawTable:
    """Read one survey export (``.csv``/``.tsv``/``.txt`` or ``.xlsx``).

    ``year`` (the wave) limits the required-question check to questions asked
    that year. Raises :class:`InputError` naming the file for anything that
    stops the file from being read; a header row without data rows is fine (an
    empty frame).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED_SUFFIXES:
        if suffix == ".xls":
            msg = ("vanhaa Excel-muotoa (.xls) ei voi lukea: avaa tiedosto Excelissä ja "
                   "tallenna se .xlsx-muodossa (Tallenna nimellä → Excel-työkirja) tai CSV-muodossa.")
        else:
            msg = (f"tiedostomuotoa {suffix} ei voi lukea: tallenna tiedosto .xlsx- tai "
                   "CSV-muodossa.")
        raise InputError(path, msg)
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise InputError(path, f"tuntematon tiedostomuoto {suffix or '(ei päätettä)'}: "
                               "anna vastaukset .csv- tai .xlsx-tiedostona.")
    if not path.is_file():
        raise InputError(path, "tiedostoa ei löydy: tarkista polku.")
    if suffix in XLSX_SUFFIXES:
        titles, body, survey_id = read_xlsx_cells(path, codebook)
        return _assemble(path, titles, body, codebook, survey_id, year, None, None)
    titles, body, encoding, delimiter = read_csv_cells(path)
    return _assemble(path, titles, body, codebook, None, year, encoding, delimiter)


def _is_export(p: Path) -> bool:
    name = p.name
    if name.startswith((".", "~$")) or name.casefold() in _WAVE_IGNORED:
        return False
    return p.suffix.lower() in CSV_SUFFIXES + XLSX_SUFFIXES + _UNSUPPORTED_SUFFIXES


def read_wave(folder: Path, codebook: Codebook, year: int | None = None) -> list[RawTable]:
    """Every export of a wave folder, sorted by file name.

    Reads ``.csv``, ``.tsv``, ``.txt`` and ``.xlsx``; skips ``kysely.toml``,
    ``korjaukset.csv``, hidden files and Office lock files (``~$...``). Old
    spreadsheet formats (``.xls``, ``.ods``) are not skipped: they raise an
    error asking for a re-save, so no answers are silently left out. The first
    bad file raises its :class:`InputError`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "kansiota ei löydy: tarkista aallon kansion polku.")
    files = sorted((p for p in folder.iterdir() if p.is_file() and _is_export(p)),
                   key=lambda p: p.name)
    return [read_file(p, codebook, year) for p in files]
