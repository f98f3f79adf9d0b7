"""Files -> frames: read survey exports (CSV in any of its real-world shapes, .xlsx).

``read_file`` turns one export into a :class:`RawTable`: the raw cells under
canonical column ids (see the codebook), the column mapping that says how every
title of the file was understood, the hand-added columns (``extras``), and the
encoding and delimiter of a CSV so that a later step can write it back the same
way. Nothing here interprets answers; that is ``clean``'s job. What this module
does decide:

- the file format, text encoding and delimiter (``sniff_csv``);
- which survey the file is (``detect_survey``), from its header row;
- which column is which question (``match_columns``): exact title, known alias,
  then a fuzzy match for titles that drifted between years;
- that every required question is there.

Every problem with a file is an :class:`~kartoitus.errors.InputError` naming the
file and saying, in Finnish, what to do.

``parse_timestamps`` is the shared parser of the form's submission times.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import ParseError as _XMLParseError

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz import utils as _fuzz_utils

from kartoitus.settings.codebook import Codebook, Question, Survey, default_codebook
from kartoitus.errors import InputError, KartoitusError

__all__ = [
    "ColumnMatch",
    "RawTable",
    "read_file",
    "read_wave",
    "sniff_csv",
    "match_columns",
    "detect_survey",
    "parse_timestamps",
    "normalise_title",
    "CSV_SUFFIXES",
    "XLSX_SUFFIXES",
    "TIMEZONE",
]

#: Local time of every timestamp without a zone.
TIMEZONE = "Europe/Helsinki"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
#: Spreadsheet formats we recognise but cannot read: the user is told to re-save.
_UNSUPPORTED_SUFFIXES = (".xls", ".ods", ".numbers", ".xlsb")
#: Files of a wave folder that are not exports.
_WAVE_IGNORED = {"kysely.toml", "korjaukset.csv"}

#: Column-match methods.
EXACT, ALIAS, FUZZY, EXTRA, DUPLICATE = "exact", "alias", "fuzzy", "extra", "duplicate"


# -- the contract with clean ---------------------------------------------------


@dataclass
class ColumnMatch:
    source: str          # column title as in the file
    column: str | None   # canonical id (grid: the row id); None = extra column
    question: str | None  # question id
    method: str          # "exact" | "alias" | "fuzzy" | "extra" | "duplicate"
    score: float         # 100 for exact/alias


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


# -- titles ----------------------------------------------------------------------

_CHAR_MAP = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4`"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'),
    **dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None),
}
_TRAILING_PUNCT = re.compile(r"[\s?:.]+$")
_GRID_TITLE = re.compile(r"^(?P<title>.*?)\s*\[(?P<row>[^\[\]]*)\]$", re.S)


def normalise_title(s: str) -> str:
    """A column title reduced to what identifies it.

    NFC, dashes and quotes unified, invisible characters dropped, whitespace
    collapsed, case folded, trailing ``?``, ``:`` and ``.`` stripped.
    """
    if s is None:
        return ""
    text = unicodedata.normalize("NFC", str(s)).translate(_CHAR_MAP)
    text = " ".join(text.split()).casefold()
    return _TRAILING_PUNCT.sub("", text)


def _split_grid_title(title: str) -> tuple[str, str] | None:
    m = _GRID_TITLE.match(title.strip())
    if not m or not m.group("title").strip():
        return None
    return m.group("title"), m.group("row")


def _fuzzy(a: str, b: str) -> float:
    """Similarity of two normalised titles, 0-100.

    The better of plain ``ratio`` (a word changed or split: "yhdistysrekisterinumero"
    vs "yhdistyksen rekisterinumero") and ``token_sort_ratio`` (words reordered),
    over alphanumeric tokens. Partial and set ratios are avoided on purpose: they
    call a short hand-added title such as "Nimi" a match for every long title that
    contains it.
    """
    p = _fuzz_utils.default_process
    return max(fuzz.ratio(a, b, processor=p), fuzz.token_sort_ratio(a, b, processor=p))


@dataclass(frozen=True)
class _Target:
    """Something a column can be: a question, or one row of a grid."""

    question: str
    column: str


@dataclass(frozen=True)
class _SurveyTitles:
    order: tuple[_Target, ...]                      # canonical column order
    exact: dict                                     # norm title -> (target, method)
    plain: tuple[tuple[str, _Target], ...]          # non-grid: (norm title, target)
    grids: tuple[tuple[Question, tuple[str, ...], tuple[tuple[str, _Target], ...]], ...]
    # grid question, its norm titles, (norm row label, target) per row


@lru_cache(maxsize=16)
def _survey_titles(survey: Survey) -> _SurveyTitles:
    order: list[_Target] = []
    exact: dict[str, tuple[_Target, str]] = {}
    plain: list[tuple[str, _Target]] = []
    grids = []
    for q in survey:
        if q.type == "grid":
            row_targets = tuple(
                (normalise_title(r.label), _Target(q.id, r.key)) for r in q.rows)
            order.extend(t for _, t in row_targets)
            titles = tuple(normalise_title(t) for t in q.titles())
            for i, t in enumerate(q.titles()):
                for r in q.rows:
                    exact.setdefault(normalise_title(f"{t} [{r.label}]"),
                                     (_Target(q.id, r.key), EXACT if i == 0 else ALIAS))
            grids.append((q, titles, row_targets))
        else:
            target = _Target(q.id, q.id)
            order.append(target)
            for i, t in enumerate(q.titles()):
                n = normalise_title(t)
                exact.setdefault(n, (target, EXACT if i == 0 else ALIAS))
                plain.append((n, target))
    return _SurveyTitles(tuple(order), exact, tuple(plain), tuple(grids))


# -- column matching ------------------------------------------------------------------


def match_columns(titles: list[str], survey: Survey, threshold: float = 88) -> list[ColumnMatch]:
    """How each title of a header row maps to the survey's questions.

    One :class:`ColumnMatch` per title, in the file's order. Exact normalised
    titles win over aliases, aliases over fuzzy matches; a question (a grid row)
    is matched at most once: a second exact/alias title for it is listed as
    ``duplicate``, and fuzzy candidates are assigned best score first. Grid
    columns (``Title [Row]``) are matched title part and row part separately.
    Titles that match nothing are ``extra``.
    """
    st = _survey_titles(survey)
    n = len(titles)
    result: list[ColumnMatch | None] = [None] * n
    taken: dict[_Target, int] = {}
    norm = [normalise_title(t) for t in titles]

    # 1-2: exact titles first, then aliases; the first title of a target wins.
    for tier in (EXACT, ALIAS):
        for i, t in enumerate(norm):
            if result[i] is not None or not t:
                continue
            hit = st.exact.get(t)
            if hit is None or hit[1] != tier:
                continue
            target = hit[0]
            if target in taken:
                result[i] = ColumnMatch(titles[i], None, None, DUPLICATE, 100.0)
            else:
                taken[target] = i
                result[i] = ColumnMatch(titles[i], target.column, target.question, tier, 100.0)

    # 3: fuzzy, globally best score first.
    candidates: list[tuple[float, int, _Target]] = []
    for i, title in enumerate(titles):
        if result[i] is not None or not norm[i]:
            continue
        for ref, target in st.plain:
            if target in taken:
                continue
            score = _fuzzy(norm[i], ref)
            if score >= threshold:
                candidates.append((score, i, target))
        parts = _split_grid_title(title)
        if parts is None:
            continue
        t_part, r_part = normalise_title(parts[0]), normalise_title(parts[1])
        for q, q_titles, rows in st.grids:
            t_score = max(_fuzzy(t_part, ref) if t_part != ref else 100.0 for ref in q_titles)
            if t_score < threshold:
                continue
            for ref, target in rows:
                if target in taken:
                    continue
                r_score = 100.0 if r_part == ref else _fuzzy(r_part, ref)
                if r_score >= threshold:
                    candidates.append((min(t_score, r_score), i, target))
    # best score first; ties: file order, then codebook order
    rank = {t: k for k, t in enumerate(st.order)}
    candidates.sort(key=lambda c: (-c[0], c[1], rank.get(c[2], 0)))
    for score, i, target in candidates:
        if result[i] is not None or target in taken:
            continue
        taken[target] = i
        result[i] = ColumnMatch(titles[i], target.column, target.question, FUZZY, round(float(score), 1))

    return [m if m is not None else ColumnMatch(titles[i], None, None, EXTRA, 0.0)
            for i, m in enumerate(result)]


# -- survey detection ---------------------------------------------------------------------


def _survey_word(codebook: Codebook) -> str:
    return "kummaltakaan kyselyltä" if len(codebook.surveys) == 2 else "miltään kyselyltä"


def detect_survey(titles: list[str], codebook: Codebook | None = None) -> str:
    """The id of the survey whose titles the header row has most of.

    Titles that several surveys share (``Aikaleima``, the e-mail column) do not
    count. Exact normalised titles (incl. aliases and grid titles) decide; when
    they tie, the number of fuzzily matched columns does. Raises
    :class:`KartoitusError` (without a file name: ``read_file`` adds it) when no
    survey or more than one fits equally well.
    """
    codebook = codebook or default_codebook()
    norm = [normalise_title(t) for t in titles]
    exact_sets = {sid: set(_survey_titles(s).exact) for sid, s in codebook.surveys.items()}
    counts: dict[str, int] = {}
    for sid in exact_sets:
        others = set().union(*(v for k, v in exact_sets.items() if k != sid))
        own = exact_sets[sid] - others
        counts[sid] = sum(1 for t in norm if t in own)
    best = _unique_best(counts)
    if best is None:
        # Drifted titles: count fuzzily matched columns of questions unique to a survey.
        shared_q = _shared_questions(codebook)
        counts = {}
        for sid, s in codebook.surveys.items():
            counts[sid] = sum(
                1 for m in match_columns(list(titles), s)
                if m.question is not None and (sid, m.question) not in shared_q)
        best = _unique_best(counts)
    if best is not None:
        return best
    top = max(counts.values(), default=0)
    shown = ", ".join(repr(t) for t in list(titles)[:4] if str(t).strip()) or "(tyhjä otsikkorivi)"
    if top == 0:
        raise KartoitusError(
            f"tiedosto ei näytä {_survey_word(codebook)}: otsikkorivillä ei ole "
            f"yhdenkään kyselyn ({', '.join(codebook.surveys)}) kysymyksiä "
            f"(ensimmäiset otsikot: {shown}). Tarkista, että tiedosto on lomakkeen "
            "vastausvienti ja että kysymysten otsikot ovat ensimmäisellä rivillä.")
    tied = [sid for sid, c in counts.items() if c == top]
    raise KartoitusError(
        f"otsikkorivi sopii yhtä hyvin kyselyihin {' ja '.join(tied)}: ei voi päätellä, "
        "kumman kyselyn vastauksia tiedosto sisältää. Tallenna kunkin kyselyn vastaukset "
        "omaan tiedostoonsa lomakkeen alkuperäisin otsikoin.")


def _unique_best(counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    top = max(counts.values())
    winners = [k for k, v in counts.items() if v == top]
    return winners[0] if top > 0 and len(winners) == 1 else None


def _shared_questions(codebook: Codebook) -> set[tuple[str, str]]:
    """(survey, question) pairs whose titles also belong to another survey."""
    out = set()
    for sid, s in codebook.surveys.items():
        other_titles = {
            normalise_title(t)
            for oid, o in codebook.surveys.items() if oid != sid
            for q in o for t in q.titles()}
        for q in s:
            if any(normalise_title(t) in other_titles for t in q.titles()):
                out.add((sid, q.id))
    return out


# -- CSV: encoding and delimiter ----------------------------------------------------------

_DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 1 << 16
_SNIFF_RECORDS = 50
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.I)


def _detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"   # the codec reads either byte order from the BOM
    head = data[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        # UTF-16 without a BOM: ASCII characters have a zero high byte.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 2 * even:
            return "utf-16-le"
        if even > 2 * odd:
            return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        step = 1 << 20
        for start in range(0, len(data), step):
            decoder.decode(data[start:start + step])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"   # cp1252 leaves five bytes undefined; latin-1 reads anything


def _sample_text(data: bytes, encoding: str) -> tuple[str, bool]:
    """The start of the file as text, and whether it was cut short."""
    cut = len(data) > _SNIFF_BYTES
    chunk = data[:_SNIFF_BYTES]
    if encoding.startswith("utf-16") and len(chunk) % 2:
        chunk = chunk[:-1]
    text = chunk.decode(encoding, errors="ignore" if cut else "replace")
    return text.lstrip("\ufeff"), cut


def _records(text: str, delimiter: str, cut: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        doublequote=True, strict=False)
    out: list[list[str]] = []
    try:
        for rec in reader:
            out.append(rec)
            if len(out) > _SNIFF_RECORDS:
                cut = False   # we stopped early: the last record read is whole
                break
    except csv.Error:
        pass
    if cut and out:
        out.pop()   # the sample ended inside the last record
    return [r for r in out if r]   # blank lines say nothing about the delimiter


def _sniff_delimiter(text: str, cut: bool) -> str:
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    m = _SEP_LINE.match(first)
    if m:
        return m.group(1)
    best, best_key = ",", None
    for d in _DELIMITERS:
        recs = _records(text, d, cut)
        if not recs:
            continue
        width = len(recs[0])
        if width <= 1:
            continue
        body = recs[1:]
        consistent = (sum(len(r) == width for r in body) / len(body)) if body else 1.0
        key = (round(consistent, 1), width)
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def sniff_csv(data: bytes) -> tuple[str, str]:
    """(encoding, delimiter) of CSV bytes.

    Encoding: a BOM decides (``utf-8-sig``, ``utf-16``); else UTF-16 without BOM
    by its zero bytes; else strict UTF-8; else ``cp1252`` (Excel in Finland).
    The encoding is a Python codec name that decodes the whole file (BOM
    removed) and writes it back with the same kind of BOM.

    Delimiter: ``,``, ``;`` or tab, judged on the header and the first records
    with a quote-aware reader (quoted fields may hold delimiters and newlines):
    the delimiter that splits the records into the same number of fields as the
    header wins, more fields breaking ties. An Excel ``sep=;`` first line is
    honoured.
    """
    encoding = _detect_encoding(data)
    text, cut = _sample_text(data, encoding)
    return encoding, _sniff_delimiter(text, cut)


def _trailing_blank_lines(data: bytes, encoding: str) -> int:
    """Number of wholly blank lines (not even delimiters) at the end of the file."""
    tail = data[-4096:]
    if encoding.startswith("utf-16"):
        if len(data) % 2 == 0 and len(tail) % 2:
            tail = tail[1:]
        codec = encoding
        if encoding == "utf-16":
            codec = "utf-16-be" if data.startswith(codecs.BOM_UTF16_BE) else "utf-16-le"
        text = tail.decode(codec, errors="ignore")
    else:
        text = tail.decode("latin-1")  # only line breaks matter; ASCII-compatible
    end = text[len(text.rstrip("\r\n")):]
    breaks = end.count("\n") + end.replace("\r\n", "").count("\r")
    return max(0, breaks - 1)


# -- readers ----------------------------------------------------------------------------


def _empty_error(path: Path) -> InputError:
    return InputError(
        path, "tiedosto on tyhjä: siinä ei ole otsikkoriviä eikä vastauksia. Lataa "
              "vastaukset lomakkeelta uudelleen (esim. Google Forms: Vastaukset → Lataa "
              "vastaukset .csv) ja korvaa tämä tiedosto sillä.")


#: The most characters a spreadsheet cell can hold (Google Sheets 50,000; Excel 32,767).
#: A longer cell cannot come from a form export: the file is broken (typically an
#: unmatched quote that swallowed the rest of the file into one cell).
MAX_CELL_CHARS = 50_000
#: UTF-8 encodings of the Finnish letters (ä ö å Ä Ö Å, é): in a file that is not
#: valid UTF-8 they mean that part of the file is UTF-8 and part is something else.
_UTF8_FINNISH = re.compile(rb"\xc3[\x84\x85\x96\xa4\xa5\xb6\xa9]")


def _mixed_encoding_error(path: Path, data: bytes) -> InputError | None:
    """An error when a file that is not UTF-8 still holds UTF-8 text (lines saved by
    different programs), else None. Reading it as one 8-bit encoding would turn the
    UTF-8 part (often the header row) into mojibake."""
    if not _UTF8_FINNISH.search(data):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
    return InputError(
        path, f"tiedostossa on sekaisin kahta merkistöä: osa on UTF-8-muodossa, mutta tiedoston "
              f"{line}. rivillä on merkkejä toisessa merkistössä (todennäköisesti Windows-1252; rivi "
              "on lisätty tai muokattu toisella ohjelmalla). Avaa tiedosto taulukkolaskennassa, "
              "korjaa rivin ääkköset ja tallenna koko tiedosto CSV UTF-8 -muodossa.")


def _check_cell_lengths(path: Path, titles: list[str], body: pd.DataFrame) -> None:
    """Raise :class:`InputError` for the first cell longer than :data:`MAX_CELL_CHARS`."""
    def grouped(n: int) -> str:
        return f"{n:,}".replace(",", "\u00a0")

    for pos in body.columns:
        try:
            too_long = (body[pos].str.len() > MAX_CELL_CHARS).to_numpy()
        except AttributeError:   # no text cells in the column (xlsx numbers, dates)
            continue
        if not too_long.any():
            continue
        row = body.index[np.argmax(too_long)]
        length = len(body.at[row, pos])
        title = titles[pos] if pos < len(titles) and str(titles[pos]).strip() else _untitled_name(pos)
        raise InputError(
            path, f"solussa on {grouped(length)} merkkiä, mutta taulukkolaskennan solussa voi olla "
                  f"enintään {grouped(MAX_CELL_CHARS)}: tiedosto on todennäköisesti rikki (esimerkiksi "
                  "pariton lainausmerkki on koonnut loput rivit yhteen soluun). Tarkista rivi "
                  "taulukkolaskennassa tai lataa vastaukset lomakkeelta uudelleen.",
            row=int(row), column=title)


#: A CSV at least this big is not read into memory whole when it is plain UTF-8 without
#: NUL characters (checked a block at a time): pandas reads the file itself.
_STREAM_BYTES = 1 << 24
_BLOCK = 1 << 20


def _probe_large_csv(path: Path) -> tuple[str, bytes, bytes, int] | None:
    """``(encoding, head, tail, size)`` of a big UTF-8 CSV (BOM or not) without NUL
    characters, read a block at a time; None when the file needs the in-memory path
    (smaller, UTF-16, another encoding, NUL characters, blank start)."""
    size = path.stat().st_size
    if size < _STREAM_BYTES:
        return None
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES + 1)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or \
                not head.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE):
            return None
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        fh.seek(0)
        try:
            for block in iter(lambda: fh.read(_BLOCK), b""):
                if b"\x00" in block:
                    return None
                if encoding == "utf-8":
                    decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
        fh.seek(max(size - 4096, 0))
        tail = fh.read()
    return encoding, head, tail, size


def _read_csv(path: Path, data: bytes | None = None) -> tuple[list[str], pd.DataFrame, str, str]:
    """Header titles, body (positional columns, index = row number), encoding, delimiter.

    NUL characters are not text (no spreadsheet cell can hold one): outside UTF-16,
    where zero bytes are half of every ASCII character, they are dropped.
    ``data`` is the file's bytes; without it a big plain UTF-8 file is read by pandas
    straight from the disk (never whole in memory), anything else as bytes.
    """
    probe = _probe_large_csv(path) if data is None else None
    if probe is None:
        if data is None:
            data = path.read_bytes()
        if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE):
            raise _empty_error(path)
        if b"\x00" in data and not _detect_encoding(data).startswith("utf-16"):
            data = data.replace(b"\x00", b"")
        encoding, delimiter = sniff_csv(data)
        if encoding in ("cp1252", "latin-1"):
            mixed = _mixed_encoding_error(path, data)
            if mixed is not None:
                raise mixed
        head, tail, size, source = data, data, len(data), io.BytesIO(data)
    else:
        encoding, head, tail, size = probe
        delimiter = _sniff_delimiter(*_sample_text(head, encoding))
        source = path
    text, _ = _sample_text(head, encoding)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    skip = 0
    if _SEP_LINE.match(first):
        skip = text.splitlines().index(first) + 1
    try:
        df = pd.read_csv(
            source, sep=delimiter, header=None, dtype=object, engine="c",
            encoding=encoding, encoding_errors="strict", keep_default_na=False,
            na_values=[""], skip_blank_lines=False, quotechar='"', doublequote=True,
            skiprows=skip)
    except pd.errors.EmptyDataError:
        raise _empty_error(path) from None
    except pd.errors.ParserError as e:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
        if m:
            raise InputError(
                path, f"rivillä on {m.group(3)} kenttää, kun otsikkorivillä on {m.group(1)} "
                      "(erotin tai lainausmerkit rikki, tai rivillä on arvo otsikottoman "
                      "sarakkeen kohdalla). Avaa tiedosto taulukkolaskennassa, korjaa rivi "
                      "tai lisää sarakkeelle otsikko, ja tallenna CSV-muodossa uudelleen.",
                row=int(m.group(2)) + skip) from None
        raise InputError(path, f"CSV-tiedostoa ei voi lukea ({e}). Avaa se "
                               "taulukkolaskennassa ja tallenna CSV-muodossa uudelleen.") from None
    except UnicodeDecodeError as e:
        raise InputError(path, f"merkistöä {encoding} ei voi lukea ({e.reason}). Tallenna "
                               "tiedosto uudelleen UTF-8-muodossa.") from None
    blank = _trailing_blank_lines(tail, encoding)
    if blank:
        tail = df.iloc[len(df) - blank:]
        if bool(tail.isna().all(axis=None)):
            df = df.iloc[:len(df) - blank]
    filled = df.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise _empty_error(path)
    header_pos = int(np.argmax(filled))
    titles = ["" if pd.isna(v) else str(v) for v in df.iloc[header_pos]]
    # one copy of the cells, missing -> None in place (not a second frame)
    cells = df.to_numpy(dtype=object, copy=True)[header_pos + 1:]
    del df
    cells[pd.isna(cells)] = None
    body = pd.DataFrame(cells, columns=range(cells.shape[1]), dtype=object, copy=False,
                        index=pd.RangeIndex(header_pos + 2 + skip, header_pos + 2 + skip + len(cells)))
    if size > MAX_CELL_CHARS:
        _check_cell_lengths(path, titles, body)
    return titles, body, encoding, delimiter


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
        raise _empty_error(path)
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


def _read_xlsx(path: Path, codebook: Codebook) -> tuple[list[str], pd.DataFrame, str | None]:
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
            _check_cell_lengths(path, titles, body)
            return titles, body, survey_id
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError,
            _XMLParseError) as e:
        raise _xlsx_error(path, f"tiedosto on vioittunut tai keskeneräinen ({type(e).__name__})") \
            from None
    finally:
        wb.close()
    if not any_content:
        raise _empty_error(path)
    raise InputError(path, str(first_error))


def _untitled_name(position: int) -> str:
    from openpyxl.utils import get_column_letter
    return f"(nimetön sarake {get_column_letter(position + 1)})"


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
        name = m.source if m.source.strip() else _untitled_name(pos)
        base, k = name, 2
        while name in extra_cols:
            name, k = f"{base} ({k})", k + 1
        extra_cols[name] = body[pos] if pos < body.shape[1] else pd.Series(None, index=body.index, dtype=object)
    extras = pd.DataFrame(extra_cols, index=index) if extra_cols else pd.DataFrame(index=index)
    frame = frame.astype(object)
    extras = extras.astype(object)
    return RawTable(path=path, survey=survey_id, frame=frame, mapping=mapping, extras=extras,
                    encoding=encoding, delimiter=delimiter)


def read_file(path: Path, codebook: Codebook | None = None, year: int | None = None) -> RawTable:
    """Read one survey export (``.csv``/``.tsv``/``.txt`` or ``.xlsx``).

    ``year`` (the wave) limits the required-question check to questions asked
    that year. Raises :class:`InputError` naming the file for anything that
    stops the file from being read; a header row without data rows is fine (an
    empty frame).
    """
    path = Path(path)
    codebook = codebook or default_codebook()
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
        titles, body, survey_id = _read_xlsx(path, codebook)
        return _assemble(path, titles, body, codebook, survey_id, year, None, None)
    titles, body, encoding, delimiter = _read_csv(path)
    return _assemble(path, titles, body, codebook, None, year, encoding, delimiter)


def _is_export(p: Path) -> bool:
    name = p.name
    if name.startswith((".", "~$")) or name.casefold() in _WAVE_IGNORED:
        return False
    return p.suffix.lower() in CSV_SUFFIXES + XLSX_SUFFIXES + _UNSUPPORTED_SUFFIXES


def read_wave(folder: Path, codebook: Codebook | None = None, year: int | None = None) -> list[RawTable]:
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
    codebook = codebook or default_codebook()
    files = sorted((p for p in folder.iterdir() if p.is_file() and _is_export(p)),
                   key=lambda p: p.name)
    return [read_file(p, codebook, year) for p in files]


# -- timestamps --------------------------------------------------------------------------
#
# A timestamp string is parsed as DATE, whitespace, TIME (+ AM/PM, zone). A column of a
# million submission times has a million distinct values but only a few dozen distinct
# dates and at most 86,400 distinct times of day per zone: each part is parsed once per
# distinct value and the parts are combined with array arithmetic.

_RX_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")          # 15.10.2019 (Finnish)
_RX_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")      # 2019/10/15, 2019-10-15
_RX_SLASH_YEAR_LAST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # 10/15/2019 (US sheets)
_RX_TIME = re.compile(
    r"^(?:klo\s*)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?:\s*(?P<ap>[AaPp])\.?\s?[Mm]\.?)?"
    r"\s*(?:(?P<z>GMT|UTC|Z)\s*)?(?P<off>[+-]\d{1,2}(?::?\d{2})?)?$")
_RX_ISO_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_RX_SERIAL = re.compile(r"^\d{4,6}(?:[.,]\d+)?$")
_OFFSET = re.compile(r"^([+-])(\d{1,2})(?::?(\d{2}))?$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 1.0, 109_574.0   # 1900-01-01 .. 2199-12-31
_NAT_US = np.datetime64("NaT", "us")


def _localize(naive: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Helsinki wall-clock times -> UTC. An hour that occurs twice (autumn) is read
    as summer time; one that does not exist (spring) moves forward."""
    local = naive.tz_localize(TIMEZONE, ambiguous=np.ones(len(naive), dtype=bool),
                              nonexistent="shift_forward")
    return local.tz_convert("UTC")


def _utc_values(stamps: pd.DatetimeIndex) -> np.ndarray:
    return stamps.tz_convert("UTC").tz_localize(None).as_unit("us").to_numpy()


def _offset_minutes(text: str) -> float:
    """"+3", "+03:00", "-0230" -> minutes east of UTC (NaN if not an offset)."""
    m = _OFFSET.match(text)
    if not m:
        return float("nan")
    value = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return float(-value if m.group(1) == "-" else value)


def _parse_dates(uniques: np.ndarray) -> np.ndarray:
    """Distinct date texts -> datetime64[D] (NaT where not a date)."""
    out = np.full(len(uniques), np.datetime64("NaT", "D"))
    slash_year_last = [(i, m) for i, u in enumerate(uniques) if (m := _RX_SLASH_YEAR_LAST.match(u))]
    # US sheet locale is month first, unless some value only makes sense day first.
    day_first = any(int(m.group(1)) > 12 for _, m in slash_year_last)
    for i, u in enumerate(uniques):
        if m := _RX_DMY.match(u):
            d, mo, y = m.groups()
        elif m := _RX_YMD.match(u):
            y, mo, d = m.groups()
        elif m := _RX_SLASH_YEAR_LAST.match(u):
            a, b, y = m.groups()
            d, mo = (a, b) if day_first else (b, a)
        else:
            continue
        try:
            out[i] = np.datetime64(_dt.date(int(y), int(mo), int(d)), "D")
        except ValueError:
            pass
    return out


def _parse_times(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct time-of-day texts -> (microseconds since midnight, zone offset in
    minutes, parsed mask). The offset is NaN for local (zoneless) times."""
    n = len(uniques)
    micros = np.zeros(n, dtype="int64")
    offset = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    for i, u in enumerate(uniques):
        u = u.strip()
        if u == "":              # a date without a time: midnight
            ok[i] = True
            continue
        m = _RX_TIME.match(u)
        if not m:
            continue
        h, mi, s = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
        if m["ap"]:
            if not 1 <= h <= 12:
                continue
            h = h % 12 + (12 if m["ap"] in "Pp" else 0)
        if h > 23 or mi > 59 or s > 59:
            continue
        frac = int((m["f"] or "0").ljust(6, "0")[:6])
        micros[i] = ((h * 60 + mi) * 60 + s) * 1_000_000 + frac
        if m["off"]:
            offset[i] = _offset_minutes(m["off"])
            if np.isnan(offset[i]):
                continue
        elif m["z"]:
            offset[i] = 0.0
        ok[i] = True
    return micros, offset, ok


def _from_serials(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel serial day numbers (Helsinki wall-clock) -> (UTC datetime64[us], parsed mask)."""
    good = np.isfinite(values) & (values >= _SERIAL_MIN) & (values <= _SERIAL_MAX)
    ms = np.round(np.where(good, values, 0.0) * 86_400_000).astype("int64")
    naive = pd.DatetimeIndex(_EXCEL_EPOCH + pd.to_timedelta(ms, unit="ms")).as_unit("us")
    out = _utc_values(_localize(naive)).copy()
    out[~good] = _NAT_US
    return out, good


def _parse_strings(strings: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Stripped non-blank strings -> (UTC datetime64[us], parsed mask)."""
    n = len(strings)
    out = np.full(n, _NAT_US)
    ok = np.zeros(n, dtype=bool)
    if n == 0:
        return out, ok

    # ISO 8601 with a "T": pandas' C parser, zoned and local apart.
    arr = strings.to_numpy(dtype=object)
    iso = np.fromiter((len(u) > 10 and u[10] == "T" and u[4] == "-" for u in arr), dtype=bool, count=n)
    if iso.any():
        sub = strings[iso].str.replace(",", ".", regex=False)
        zoned = sub.str.contains(_RX_ISO_ZONE, regex=True).to_numpy(dtype=bool)
        vals = np.full(len(sub), _NAT_US)
        if zoned.any():
            z = pd.DatetimeIndex(pd.to_datetime(sub[zoned], format="ISO8601", utc=True, errors="coerce"))
            vals[zoned] = z.tz_localize(None).as_unit("us").to_numpy()
        if (~zoned).any():
            local = pd.DatetimeIndex(pd.to_datetime(sub[~zoned], format="ISO8601", errors="coerce"))
            vals[~zoned] = _utc_values(_localize(local.as_unit("us")))
        out[iso] = vals
        ok[iso] = ~np.isnat(vals)

    # DATE [TIME]: each part parsed once per distinct value.
    rest = ~iso
    if rest.any():
        split = [u.partition(" ") for u in arr[rest]]
        d_codes, d_uniques = pd.factorize(np.array([p[0] for p in split], dtype=object))
        t_codes, t_uniques = pd.factorize(np.array([p[2] for p in split], dtype=object))
        dates = _parse_dates(np.asarray(d_uniques, dtype=object))[d_codes]
        micros, offset, t_ok = _parse_times(np.asarray(t_uniques, dtype=object))
        micros, offset, t_ok = micros[t_codes], offset[t_codes], t_ok[t_codes]
        good = ~np.isnat(dates) & t_ok
        naive = dates.astype("datetime64[us]") + micros.astype("timedelta64[us]")
        vals = np.full(len(naive), _NAT_US)
        zoned = good & ~np.isnan(offset)
        local = good & np.isnan(offset)
        if zoned.any():
            vals[zoned] = naive[zoned] - (offset[zoned] * 60_000_000).astype("int64").astype("timedelta64[us]")
        if local.any():
            vals[local] = _utc_values(_localize(pd.DatetimeIndex(naive[local])))
        idx = np.flatnonzero(rest)
        out[idx] = vals
        ok[idx] = good

    # What is left may be an Excel serial number typed or converted to text.
    left = np.flatnonzero(~ok)
    if len(left):
        serial_like = strings.iloc[left].str.match(_RX_SERIAL).to_numpy(dtype=bool)
        if serial_like.any():
            idx = left[serial_like]
            numbers = pd.to_numeric(strings.iloc[idx].str.replace(",", ".", regex=False),
                                    errors="coerce").to_numpy(dtype=float)
            vals, good = _from_serials(numbers)
            out[idx[good]] = vals[good]
            ok[idx[good]] = True
    return out, ok


def parse_timestamps(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Submission times -> (tz-aware datetimes in Europe/Helsinki, unparseable mask).

    Understands ``2019/10/15 12:34:56 PM GMT+3`` (English Google Forms, with or
    without AM/PM and zone), ``10/15/2019 12:34:56`` (US sheets; day first if a
    value needs it), ``15.10.2019 12.34.56`` / ``15.10.2019 12:34[:56]``
    (Finnish Forms, Excel re-save), ISO 8601, datetime cells and Excel serial
    numbers. Times without a zone are Helsinki local time. Blank cells are
    missing (NaT, not in the mask); the mask is True for non-blank values that
    could not be read. Strings are parsed once per distinct value.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(s)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    bad = np.zeros(n, dtype=bool)
    obj = s.astype(object)
    missing = obj.isna().to_numpy()
    kinds = obj.map(type).to_numpy()
    is_str = np.fromiter((k is str for k in kinds), dtype=bool, count=n) if n else np.zeros(0, bool)

    if is_str.any():
        text = pd.Series(obj[is_str].to_numpy(), dtype=object).str.strip()
        blank = (text == "").to_numpy()
        codes, uniques = pd.factorize(text)
        u_out, u_ok = _parse_strings(pd.Series(uniques, dtype=object))
        idx = np.flatnonzero(is_str)
        out[idx] = u_out[codes]
        bad[idx] = ~u_ok[codes] & ~blank

    other = ~is_str & ~missing
    if other.any():
        idx = np.flatnonzero(other)
        items = obj.to_numpy()[idx]
        is_dt = np.array([isinstance(v, (_dt.datetime, np.datetime64)) for v in items], dtype=bool)
        is_date = np.array([isinstance(v, _dt.date) and not isinstance(v, _dt.datetime)
                            for v in items], dtype=bool)
        is_num = np.array([isinstance(v, (int, float, np.integer, np.floating))
                           and not isinstance(v, (bool, np.bool_)) for v in items], dtype=bool)
        handled = np.zeros(len(idx), dtype=bool)
        if is_dt.any():
            sub = [pd.Timestamp(v) for v in items[is_dt]]
            aware = np.array([t.tzinfo is not None for t in sub], dtype=bool)
            vals = np.full(len(sub), np.datetime64("NaT"), dtype="datetime64[us]")
            if aware.any():
                vals[aware] = pd.DatetimeIndex([t.tz_convert("UTC") for t, a in zip(sub, aware) if a]) \
                    .tz_localize(None).as_unit("us").to_numpy()
            if (~aware).any():
                naive = pd.DatetimeIndex([t for t, a in zip(sub, aware) if not a]).as_unit("us")
                vals[~aware] = _utc_values(_localize(naive))
            out[idx[is_dt]] = vals
            handled[is_dt] = True
        if is_date.any():
            naive = pd.DatetimeIndex([pd.Timestamp(v) for v in items[is_date]]).as_unit("us")
            out[idx[is_date]] = _utc_values(_localize(naive))
            handled[is_date] = True
        if is_num.any():
            vals, good = _from_serials(np.array(items[is_num], dtype=float))
            out[idx[is_num]] = vals
            handled[is_num] = good
        bad[idx[~handled]] = True
        # NaT objects etc. counted as missing above; bools, times, others are unreadable

    stamps = pd.DatetimeIndex(out).tz_localize("UTC").tz_convert(TIMEZONE)
    return (pd.Series(stamps, index=s.index, name=s.name),
            pd.Series(bad, index=s.index, name=s.name))
