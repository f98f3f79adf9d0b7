"""CSV exports: text encoding, delimiter, and the reader of the cells.

``sniff_csv`` decides a file's encoding and delimiter; ``read_csv_cells`` reads a
CSV export into its header titles and a body of raw cells (index = the row number
a spreadsheet shows). The cell checks shared with ``.xlsx`` files live here too.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from kartoitus.errors import InputError, KartoitusError
from kartoitus.stages.ingest.encoding import UnsureEncoding, choose_legacy_encoding

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
    if _is_utf8(data):
        return "utf-8"
    return choose_legacy_encoding(data)   # by content; may refuse (UnsureEncoding)


def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        step = 1 << 20
        for start in range(0, len(data), step):
            decoder.decode(data[start:start + step])
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


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
    by its zero bytes; else strict UTF-8; else the 8-bit code page whose reading
    looks most Finnish (``encoding.choose_legacy_encoding``: cp1252 from Excel for
    Windows, Mac Roman from Excel for Mac, ...; :class:`UnsureEncoding` when it
    cannot tell).
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


def empty_error(path: Path, name: str | None = None) -> InputError:
    return InputError(
        path, "tiedosto on tyhjä: siinä ei ole otsikkoriviä eikä vastauksia. Lataa "
              "vastaukset lomakkeelta uudelleen (esim. Google Forms: Vastaukset → Lataa "
              "vastaukset .csv) ja korvaa tämä tiedosto sillä.", name=name)


#: The most characters a spreadsheet cell can hold (Google Sheets 50,000; Excel 32,767).
#: A longer cell cannot come from a form export: the file is broken (typically an
#: unmatched quote that swallowed the rest of the file into one cell).
MAX_CELL_CHARS = 50_000
#: UTF-8 encodings of the Finnish letters (ä ö å Ä Ö Å, é): in a file that is not
#: valid UTF-8 they mean that part of the file is UTF-8 and part is something else.
_UTF8_FINNISH = re.compile(rb"\xc3[\x84\x85\x96\xa4\xa5\xb6\xa9]")


def _mixed_encoding_error(path: Path, data: bytes, name: str | None = None) -> InputError | None:
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
              "korjaa rivin ääkköset ja tallenna koko tiedosto CSV UTF-8 -muodossa.", name=name)


def check_cell_lengths(path: Path, titles: list[str], body: pd.DataFrame, name: str | None = None) -> None:
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
        title = titles[pos] if pos < len(titles) and str(titles[pos]).strip() else untitled_name(pos)
        raise InputError(
            path, f"solussa on {grouped(length)} merkkiä, mutta taulukkolaskennan solussa voi olla "
                  f"enintään {grouped(MAX_CELL_CHARS)}: tiedosto on todennäköisesti rikki (esimerkiksi "
                  "pariton lainausmerkki on koonnut loput rivit yhteen soluun). Tarkista rivi "
                  "taulukkolaskennassa tai lataa vastaukset lomakkeelta uudelleen.",
            row=int(row), column=title, name=name)


def untitled_name(position: int) -> str:
    from openpyxl.utils import get_column_letter
    return f"(nimetön sarake {get_column_letter(position + 1)})"


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


def read_csv_cells(path: Path, data: bytes | None = None, *, codebook=None,
                   name: str | None = None) -> tuple[list[str], pd.DataFrame, str, str]:
    """Header titles, body (positional columns, index = row number), encoding, delimiter.

    NUL characters are not text (no spreadsheet cell can hold one): outside UTF-16,
    where zero bytes are half of every ASCII character, they are dropped.
    ``data`` is the file's bytes; without it a big plain UTF-8 file is read by pandas
    straight from the disk (never whole in memory), anything else as bytes. With the
    ``codebook`` the header is looked for among the first rows (a title row above
    it, a header on two rows: ``header.locate_header``); without it the first
    non-empty row is the header. ``name`` is the file as the wave names it (errors).
    """
    label = name or path.name
    probe = _probe_large_csv(path) if data is None else None
    if probe is None:
        if data is None:
            data = path.read_bytes()
        if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE):
            raise empty_error(path, label)
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if b"\x00" in data and not utf16:
            try:
                utf16 = _detect_encoding(data[:4096]).startswith("utf-16")
            except UnsureEncoding:
                utf16 = False
            if not utf16:
                data = data.replace(b"\x00", b"")
        if not utf16 and not data.startswith(codecs.BOM_UTF8) and not _is_utf8(data):
            mixed = _mixed_encoding_error(path, data, label)
            if mixed is not None:
                raise mixed
        try:
            encoding, delimiter = sniff_csv(data)
        except UnsureEncoding as e:
            raise InputError(path, str(e), name=label) from None
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
        raise empty_error(path, label) from None
    except pd.errors.ParserError as e:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
        if m:
            raise InputError(
                path, f"rivillä on {m.group(3)} kenttää, kun otsikkorivillä on {m.group(1)} "
                      "(erotin tai lainausmerkit rikki, tai rivillä on arvo otsikottoman "
                      "sarakkeen kohdalla). Avaa tiedosto taulukkolaskennassa, korjaa rivi "
                      "tai lisää sarakkeelle otsikko, ja tallenna CSV-muodossa uudelleen.",
                row=int(m.group(2)) + skip, name=label) from None
        raise InputError(path, f"CSV-tiedostoa ei voi lukea ({e}). Avaa se "
                               "taulukkolaskennassa ja tallenna CSV-muodossa uudelleen.",
                         name=label) from None
    except UnicodeDecodeError as e:
        raise InputError(path, f"merkistöä {encoding} ei voi lukea ({e.reason}). Tallenna "
                               "tiedosto uudelleen UTF-8-muodossa.", name=label) from None
    blank = _trailing_blank_lines(tail, encoding)
    if blank:
        tail = df.iloc[len(df) - blank:]
        if bool(tail.isna().all(axis=None)):
            df = df.iloc[:len(df) - blank]
    filled = df.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise empty_error(path, label)
    header_pos, header_rows, titles = _header(df, filled, skip, codebook, path, label)
    # one copy of the cells, missing -> None in place (not a second frame)
    start = header_pos + header_rows
    cells = df.to_numpy(dtype=object, copy=True)[start:]
    del df
    cells[pd.isna(cells)] = None
    width = max(cells.shape[1], len(titles))
    if cells.shape[1] < width:
        cells = np.hstack([cells, np.full((len(cells), width - cells.shape[1]), None, dtype=object)])
    titles = titles + [""] * (width - len(titles))
    body = pd.DataFrame(cells, columns=range(width), dtype=object, copy=False,
                        index=pd.RangeIndex(start + 1 + skip, start + 1 + skip + len(cells)))
    if size > MAX_CELL_CHARS:
        check_cell_lengths(path, titles, body, label)
    return titles, body, encoding, delimiter


def _header(df: pd.DataFrame, filled: np.ndarray, skip: int, codebook, path: Path,
            label: str) -> tuple[int, int, list[str]]:
    """(position of the first header row in ``df``, number of header rows, titles)."""
    positions = np.flatnonzero(filled)
    if codebook is None:
        pos = int(positions[0])
        return pos, 1, ["" if pd.isna(v) else str(v) for v in df.iloc[pos]]
    from kartoitus.stages.ingest.header import HEADER_SEARCH_ROWS, locate_header

    first = positions[:HEADER_SEARCH_ROWS + 1]
    rows = [[None if pd.isna(v) else v for v in df.iloc[int(i)]] for i in first]
    numbers = [int(i) + 1 + skip for i in first]
    try:
        header = locate_header(rows, numbers, codebook)
    except KartoitusError as e:
        raise InputError(path, str(e), name=label) from None
    return int(first[header.row]), header.rows, header.titles
