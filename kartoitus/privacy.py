"""Privacy checks on outputs, and removal of personal columns from raw exports.

Personal data (questions with ``personal: true`` in the codebook: e-mail address,
contact person, phone number, respondent's name) never leaves the raw layer. This
module checks that, and removes the data from the raw layer when its retention
period ends:

- :func:`find_in_text`: the pure scanner, text in, ``(kind, match)`` pairs out;
- :func:`scan_path`: every output file under a folder (PDF, HTML/SVG, xlsx, CSV,
  PNG text chunks, JSON/Markdown/text), one :class:`Finding` per hit with where it
  is (``sivu 3``, ``Taulukko!B4``, ``rivi 12``, ``PNG-tekstilohko 'Description'``);
- :func:`personal_values_from_tables`: the actual answers in the personal
  columns of ingested tables, to look for in outputs;
- :func:`purge_personal`: rewrites a wave's raw exports without their personal
  columns (dry run by default) and keeps a record of what it removed.

Detection rules
---------------

``sahkoposti``
    An e-mail address ``local@domain.tld`` (letters incl. å/ä/ö, digits and
    ``._%+-`` before the ``@``; a dotted domain with a 2+ letter top level), also
    obfuscated as ``nimi(at)domain.fi``, ``nimi [at] domain.fi`` or
    ``nimi{at}domain.fi``. ``mailto:`` links are found through their address.
    A "domain" ending in a file type (``logo@2x.png``) is a file name, not an
    address.

``puhelin``
    A Finnish phone number: it starts with a national prefix, or with ``+358`` /
    ``00358`` and the prefix without its ``0`` (optionally ``(0)``). Prefixes:
    mobile ``04x`` and ``050``; area codes ``02 03 05 06 08 09 013-019``; service
    numbers ``010 020 029 030 0800``. The prefix may be in parentheses and followed
    by a space, ``-`` or ``/``; then 5-8 subscriber digits, single spaces or
    hyphens allowed between them. So ``040 123 4567``, ``0401234567``,
    ``040-1234567``, ``+358 40 1234567``, ``(040) 123 4567``, ``014-123 456``,
    ``09 1234 5678`` match.

    Amounts, counts, years, percentages, page numbers and register numbers never
    start with ``0``, so they cannot match. What keeps a *later* digit group of a
    number (``1 040 123 456``, ``12,05 123 456``) from matching: a phone number may
    not follow a letter or digit, nor a digit and ``.``, ``,``, ``-`` or ``/``, nor a
    run of one to three digits and a space (space, NBSP, narrow NBSP, thin space;
    after four or more digits it may: ``040 1234567 050 7654321`` is two numbers).
    The first two subscriber digits must be adjacent (``049 1 234`` is a code and a
    count). A match may not be followed by a letter or digit, by a separator and a
    digit other than ``0``, by ``.``/``,``/``-`` and a digit (decimals), by ``%``,
    ``€``, ``e``, ``eur`` or ``euroa``, nor end in a lone digit after a separator
    (business ids such as ``0145678-9``). Dots are not separators, so dates
    (``02.09.2019``) and register numbers (``123.456``) do not match; municipality
    codes (``077``) and postal codes (``00100``, ``40100``) are too short or have no
    valid prefix. Known limit: a municipality code that is also a mobile prefix
    (``049`` Espoo, ``050`` Eura; none in Keski-Suomi) followed by a count formatted
    like a number (``049 12 345 678``) matches.

``henkilotunnus``
    A Finnish personal identity code ``DDMMYY[-+A-FU-Y]NNNC`` whose check
    character is right (so a random code-like string does not match).

``henkilotieto``
    One of the given personal values (the answers of the personal columns, see
    :func:`personal_values_from_tables`), case-insensitively, as whole words: both
    the text and the value are cut into words (runs of letters and digits) and the
    value's words must appear consecutively. Punctuation and whitespace between
    words, line breaks included, do not matter (PDF text extraction breaks lines
    and puts line breaks inside names), and words hyphenated over a line break
    (``Virta-\\nnen``) are also checked joined. A personal value found inside an
    e-mail or phone match is not reported twice.

In HTML and SVG, text, comments and attribute values (``alt``, ``title``,
``href``, ``content``, ...) are read; coordinates (``d``, ``points``, ...) and
embedded ``data:`` URIs are not.

``allowed`` (keyword argument of :func:`find_in_text` and :func:`scan_path`)
lists addresses and numbers that may appear (the publisher's own contact
details): a hit equal to one of them, ignoring case and spaces, is not reported.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd

from kartoitus.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from kartoitus.errors import InputError, KartoitusError
from kartoitus.stages.ingest import CSV_SUFFIXES, XLSX_SUFFIXES, normalise_title, sniff_csv

__all__ = [
    "KINDS", "SCANNED_SUFFIXES", "RECORD_FILE", "Finding", "PersonalValues",
    "RemovedColumn", "PurgeReport", "find_in_text", "compile_personal_values",
    "scan_path", "personal_values_from_tables", "personal_cells", "personal_values_from_cells",
    "purge_personal",
]

#: Kinds of finding, as written in :attr:`Finding.kind`.
KINDS = ("sahkoposti", "puhelin", "henkilotunnus", "henkilotieto")
#: Finnish name of each kind, for messages.
KIND_LABELS = {
    "sahkoposti": "sähköpostiosoite",
    "puhelin": "puhelinnumero",
    "henkilotunnus": "henkilötunnus",
    "henkilotieto": "henkilötieto vastauksista",
}
#: File types :func:`scan_path` reads; other files are skipped.
SCANNED_SUFFIXES = (".pdf", ".html", ".htm", ".svg", ".xml", ".xlsx", ".xlsm", ".csv",
                    ".tsv", ".png", ".json", ".md", ".txt", ".yaml", ".yml")
#: The record :func:`purge_personal` keeps in the wave folder.
RECORD_FILE = "poistetut_henkilotiedot.json"
#: Folder names (of a wave folder or its root) that purge_personal never touches.
_NOT_RAW = {"processed", "reports", "raportit", "outputs"}
#: Personal values shorter than this are not looked for (too many false hits).
MIN_VALUE_LENGTH = 5

# -- patterns ------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])"
    r"[\w.%+-]*\w"
    r"(?:@|\s?[\(\[\{]\s?(?:at|ät)\s?[\)\]\}]\s?)"
    r"\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)*\.[^\W\d_]{2,}"
    r"(?![\w-])",
    re.IGNORECASE,
)

_WS = r"[ \u00a0\u202f\u2009]"            # spaces, NBSP, narrow NBSP, thin space
_SEP = r"[ \u00a0\u202f\u2009-]"          # between subscriber digits
_PREFIX = r"(?:04\d|050|0[235689]|01[3-9]|0[123]0|029|0800)"
_PREFIX_INTL = r"(?:4\d|50|[235689]|1[3-9]|[123]0|29|800)"
_PHONE = re.compile(
    r"(?<![\w+])"                            # not inside a word or number
    r"(?<!\d[.,/-])"                         # not after 12, 12. 12- 12/
    rf"(?<!(?<!\d)\d{_WS})(?<!(?<!\d)\d\d{_WS})(?<!(?<!\d)\d\d\d{_WS})"
    #                                        ^ not a later 3-digit group of an amount
    r"(?:"
    rf"(?:\+|00)358{_SEP}?(?:\(0\){_SEP}?)?{_PREFIX_INTL}"
    rf"|\({_PREFIX}\)"
    rf"|{_PREFIX}"
    r")"
    rf"(?:{_WS}?[-/]?{_WS}?)"                 # after the prefix
    rf"\d\d(?:{_SEP}?\d){{3,6}}"            # 5-8 subscriber digits, first two together
    r"(?!\w)(?![.,/-]\d)"                    # not decimals or a check digit
    rf"(?!{_SEP}[1-9])"                       # not followed by a further digit group
    r"(?!\s?(?:%|€|e\b|eur|euro))",          # not an amount or a share
    re.IGNORECASE,
)

#: "Top-level domains" that are file types: ``logo@2x.png`` is a file name.
_FILE_TYPES = frozenset("png jpg jpeg gif svg webp css js pdf html htm xlsx csv json "
                        "woff woff2 ttf otf md txt".split())

_LAST_SINGLE = re.compile(r"(?<!\d)\d$")

_HETU = re.compile(
    r"(?<![\w-])(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![\w-])"
)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"

_WORD = re.compile(r"\w+")
# "-", the soft hyphen and the hyphens WeasyPrint draws when it hyphenates (U+2010, U+2011)
_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad\u2010\u2011]\s*\n\s*(\w)")

#: Words that on their own are no personal data: no-answer words and roles typed
#: into a contact-person field. A value made only of these is not looked for.
_NOT_PERSONAL = frozenset("""
ei en eos ole tiedä tieda tiedossa sama kuin yllä ylla edellä edella ks katso
muu null none nan puuttuu tyhjä tyhja vastaaja nimi puhelin sähköposti sahkoposti
puheenjohtaja pj varapuheenjohtaja sihteeri rahastonhoitaja taloudenhoitaja
jäsen jasen jäsenet hallitus hallituksen toiminnanjohtaja johtaja yhdistys ry
toimisto info kunta kaupunki
""".split())


@dataclass(frozen=True)
class Finding:
    path: Path
    where: str   # "sivu 3", "Taulukko!B4", "rivi 12", "PNG-tekstilohko 'Description'", ...
    kind: str    # one of KINDS
    text: str    # the matching text

    def message(self, root: Path | None = None) -> str:
        """One Finnish line for the researcher."""
        name = self.path
        if root is not None:
            try:
                name = self.path.relative_to(root)
            except ValueError:
                pass
        return f"{name}, {self.where}: {KIND_LABELS.get(self.kind, self.kind)} {self.text!r}"


def _norm_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _lookable(words: Sequence[str]) -> bool:
    """Whether a value's words are worth looking for.

    Not when they are only no-answer words and roles, nor when they are only
    such words and digits with fewer than five digits in all (``ei 1``, ``1 234``).
    """
    if not words or all(w in _NOT_PERSONAL for w in words):
        return False
    if all(w in _NOT_PERSONAL or w.isdigit() for w in words):
        return sum(len(w) for w in words if w.isdigit()) >= 5
    return True


class PersonalValues:
    """Personal values prepared for fast whole-word lookup.

    Build once (it may hold many thousands of values) and pass to
    :func:`find_in_text` / :func:`scan_path` instead of the raw values.
    """

    def __init__(self, values: Iterable[str] = ()):
        # first word -> phrase length -> phrases: a lookup costs one set probe per
        # distinct length, however many values share the first word ("Matti ...")
        index: dict[str, dict[int, set[tuple[str, ...]]]] = {}
        for value in values:
            if value is None:
                continue
            value = str(value)
            if len(value.strip()) < MIN_VALUE_LENGTH:
                continue
            words = tuple(_norm_words(value))
            if not _lookable(words):
                continue
            index.setdefault(words[0], {}).setdefault(len(words), set()).add(words)
        self._index = {w: sorted(by_len.items(), reverse=True) for w, by_len in index.items()}

    def __len__(self) -> int:
        return sum(len(p) for by_len in self._index.values() for _, p in by_len)

    def __bool__(self) -> bool:
        return bool(self._index)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` that hold a personal value (longest match first)."""
        if not self._index:
            return []
        tokens = [(m.start(), m.end(), unicodedata.normalize("NFKC", m.group()).casefold())
                  for m in _WORD.finditer(text)]
        words = [t[2] for t in tokens]
        spans = []
        i = 0
        while i < len(tokens):
            found = 0
            for n, phrases in self._index.get(words[i], ()):
                if tuple(words[i:i + n]) in phrases:
                    found = n
                    break
            if found:
                spans.append((tokens[i][0], tokens[i + found - 1][1]))
                i += found
            else:
                i += 1
        return spans


def compile_personal_values(values: Iterable[str] | PersonalValues) -> PersonalValues:
    """Prepare personal values once for many calls of :func:`find_in_text`."""
    return values if isinstance(values, PersonalValues) else PersonalValues(values)


def _hetu_ok(m: re.Match) -> bool:
    day, month, yy, _sep, serial, check = m.groups()
    number = int(day + month + yy + serial)
    return _HETU_CHECK[number % 31] == check.upper()


def _squash(text: str) -> str:
    return re.sub(r"[\s\-()]", "", text).casefold()


def _find_spans(text: str, values: PersonalValues,
                allowed: frozenset[str]) -> list[tuple[int, int, str, str]]:
    hits: list[tuple[int, int, str, str]] = []
    for m in _EMAIL.finditer(text):
        if m.group().rsplit(".", 1)[-1].casefold() not in _FILE_TYPES:  # logo@2x.png
            hits.append((m.start(), m.end(), "sahkoposti", m.group()))
    for m in _PHONE.finditer(text):
        if not _LAST_SINGLE.search(m.group()):  # 0145678-9 is a business id
            hits.append((m.start(), m.end(), "puhelin", m.group()))
    for m in _HETU.finditer(text):
        if _hetu_ok(m):
            hits.append((m.start(), m.end(), "henkilotunnus", m.group()))
    if allowed:
        hits = [h for h in hits if _squash(h[3]) not in allowed]
    taken = [(s, e) for s, e, _, _ in hits]
    if values:
        found = list(values.find(text))
        if "\n" in text and ("-" in text or "\u00ad" in text):
            joined = _HYPHEN_BREAK.sub(r"\1\2", text)
            if joined != text:
                known = {text[s:e] for s, e in found}
                for s, e in values.find(joined):
                    if joined[s:e] not in known:
                        hits.append((len(text), len(text), "henkilotieto", joined[s:e]))
        for s, e in found:
            if any(ts <= s and e <= te for ts, te in taken):
                continue
            hits.append((s, e, "henkilotieto", text[s:e]))
    hits.sort(key=lambda h: (h[0], h[1]))
    return hits


def _allowed_set(allowed: Iterable[str]) -> frozenset[str]:
    return frozenset(_squash(a) for a in allowed)


def find_in_text(text: str, personal_values: Iterable[str] | PersonalValues = (), *,
                 allowed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """E-mail addresses, phone numbers, identity codes and personal values in ``text``.

    Returns ``(kind, match)`` pairs in the order they occur (see the module doc for
    the rules). ``personal_values`` may be a :class:`PersonalValues` built once.
    """
    if not text:
        return []
    values = compile_personal_values(personal_values)
    return [(kind, match) for _, _, kind, match in _find_spans(text, values, _allowed_set(allowed))]


# -- reading outputs -----------------------------------------------------------

def _decode(data: bytes) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _lines(text: str) -> Iterator[tuple[str, str]]:
    for n, line in enumerate(text.splitlines(), start=1):
        yield f"rivi {n}", line


def _pdfium_text(pdf, index: int) -> str:
    """The text of one page through PDFium (fast; pypdf took seconds on a long report).

    PDFium marks a hyphen it found at a line end as U+0002 and may give U+FFFE for a
    soft hyphen: both are written as ``-`` so that a word broken over lines is still
    found joined (see ``_HYPHEN_BREAK``).
    """
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\x02", "-").replace("\ufffe", "-")


def _pdf_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Metadata, the text of every page (``sivu N``) and its link targets.

    Page text is read with pypdfium2; the metadata and the link annotations (cheap:
    no content streams) with pypdf.
    """
    import pypdfium2 as pdfium
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise InputError(path, "PDF on salattu, eikä sitä voi tarkistaa; tee tarkistus "
                                   "salaamattomasta versiosta")
        meta = reader.metadata or {}
        for key in sorted(meta):
            yield f"metatiedot {key.lstrip('/')}", str(meta[key])
        pages = reader.pages
        pdf = pdfium.PdfDocument(str(path))
        try:
            for n in range(1, max(len(pdf), len(pages)) + 1):
                yield f"sivu {n}", _pdfium_text(pdf, n - 1) if n <= len(pdf) else ""
                if n > len(pages):
                    continue
                for annot in pages[n - 1].get("/Annots") or ():
                    obj = annot.get_object()
                    action = obj.get("/A")
                    uri = action.get_object().get("/URI") if action is not None else None
                    if uri:
                        yield f"sivu {n}, linkki", str(uri)
        finally:
            pdf.close()
    except (PdfReadError, pdfium.PdfiumError, OSError, ValueError, KeyError) as exc:
        raise InputError(path, f"PDF:ää ei voi lukea tarkistusta varten ({exc}); "
                               "tee tiedosto uudelleen") from None


class _MarkupText(HTMLParser):
    """Text and attribute values of HTML/SVG/XML, with line numbers."""

    BLOCK = frozenset("""address article aside blockquote br dd div dl dt figcaption figure
        footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td
        tfoot th thead tr ul caption title text tspan desc g svg""".split())
    #: SVG attributes that hold only coordinates
    GEOMETRY = frozenset("d points transform viewbox x y x1 x2 y1 y2 cx cy r width height".split())

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.starts: list[int] = []   # offset of each chunk in the joined text
        self.lines: list[int] = []
        self.length = 0
        self.attributes: list[tuple[str, str]] = []   # (where, value)

    def _add(self, text: str) -> None:
        self.starts.append(self.length)
        self.lines.append(self.getpos()[0])
        self.chunks.append(text)
        self.length += len(text)

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if not value or name.lower() in self.GEOMETRY or value.startswith("data:"):
                continue  # drawing coordinates and embedded binary data
            self.attributes.append((f"rivi {line}, määrite {name}", value))
        if tag.lower() in self.BLOCK:
            self._add("\n")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag.lower() in self.BLOCK:
            self._add("\n")

    def handle_data(self, data):
        self._add(data)

    def handle_comment(self, data):
        self.attributes.append((f"rivi {self.getpos()[0]}, kommentti", data))

    def line_of(self, offset: int) -> int:
        return self.lines[max(bisect_right(self.starts, offset) - 1, 0)]


def _xlsx_texts(path: Path) -> Iterator[tuple[str, str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=False, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(path, f"työkirjaa ei voi lukea tarkistusta varten ({exc})") from None
    props = wb.properties
    for name in ("creator", "lastModifiedBy", "title", "subject", "description",
                 "keywords", "category", "identifier"):
        value = getattr(props, name, None)
        if value:
            yield f"dokumentin ominaisuudet ({name})", str(value)
    for ws in wb.worksheets:
        yield f"taulukon nimi {ws.title!r}", ws.title
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield f"{ws.title}!{cell.coordinate}", str(cell.value)
                if cell.comment is not None:
                    yield f"{ws.title}!{cell.coordinate} (kommentti)", cell.comment.text or ""
                if cell.hyperlink is not None and cell.hyperlink.target:
                    yield f"{ws.title}!{cell.coordinate} (linkki)", cell.hyperlink.target
        for part in (ws.oddHeader, ws.oddFooter):
            for side in (part.left, part.center, part.right):
                if side.text:
                    yield f"{ws.title} (ylä-/alatunniste)", side.text
    wb.close()


def _png_texts(path: Path) -> Iterator[tuple[str, str]]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            chunks = dict(getattr(im, "text", {}) or {})
            for key in ("Description", "Title", "Author", "Comment"):  # info without text
                if key not in chunks and isinstance(im.info.get(key), str):
                    chunks[key] = im.info[key]
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputError(path, f"PNG-kuvaa ei voi lukea tarkistusta varten ({exc})") from None
    for key in sorted(chunks):
        yield f"PNG-tekstilohko {key!r}", f"{key}: {chunks[key]}"


def _file_findings(path: Path, values: PersonalValues,
                   allowed: frozenset[str]) -> list[Finding]:
    suffix = path.suffix.lower()
    out: list[Finding] = []

    def scan(where: str, text: str) -> None:
        for _, _, kind, match in _find_spans(text, values, allowed):
            out.append(Finding(path, where, kind, match))

    if suffix == ".pdf":
        for where, text in _pdf_texts(path):
            scan(where, text)
    elif suffix in (".xlsx", ".xlsm"):
        for where, text in _xlsx_texts(path):
            scan(where, text)
    elif suffix == ".png":
        for where, text in _png_texts(path):
            scan(where, text)
    elif suffix in (".html", ".htm", ".svg", ".xml"):
        parser = _MarkupText()
        parser.feed(_decode(path.read_bytes()))
        parser.close()
        body = "".join(parser.chunks)
        for start, _, kind, match in _find_spans(body, values, allowed):
            out.append(Finding(path, f"rivi {parser.line_of(start)}", kind, match))
        for where, text in parser.attributes:
            scan(where, text)
    else:  # csv, tsv, json, md, txt, yaml
        for where, text in _lines(_decode(path.read_bytes())):
            scan(where, text)
    return out


def scan_path(root: str | Path, personal_values: Iterable[str] | PersonalValues = (), *,
              allowed: Iterable[str] = ()) -> list[Finding]:
    """Findings in every output file under ``root`` (or in the file ``root``).

    Files are read in sorted path order; types not in :data:`SCANNED_SUFFIXES` are
    skipped. A file that cannot be read raises :class:`InputError`: a privacy
    check must not pass because it could not look.
    """
    root = Path(root)
    if not root.exists():
        raise InputError(root, "tarkistettavaa kansiota tai tiedostoa ei ole")
    values = compile_personal_values(personal_values)
    allowed_set = _allowed_set(allowed)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    out: list[Finding] = []
    for path in files:
        if path.suffix.lower() in SCANNED_SUFFIXES:
            out.extend(_file_findings(path, values, allowed_set))
    return out


# -- personal values from ingested tables ----------------------------------------

def _cell_strings(series: pd.Series) -> set[str]:
    """Distinct non-empty cell texts; integral numbers without ``.0``.

    A spreadsheet turns a phone number typed as ``0401234567`` into the number
    401234567: a whole number of six digits or more also gives its ``0``-prefixed
    form.
    """
    out: set[str] = set()
    for value in series.dropna().unique():  # distinct values only
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not text:
            continue
        out.add(text)
        if isinstance(value, int) and not isinstance(value, bool) and len(text) >= 6:
            out.add("0" + text)
    return out


def personal_cells(tables: Iterable, codebook) -> list[pd.Series]:
    """The distinct raw cells of the personal columns of ingested tables, one Series
    per column: all :func:`personal_values_from_cells` needs, without the tables (a
    build keeps these and lets the raw frames go)."""
    out: list[pd.Series] = []
    for table in tables:
        survey = codebook.survey(table.survey)
        for question in survey.personal():
            if question.id in table.frame.columns:
                column = table.frame[question.id]
                out.append(pd.Series(column.dropna().unique(), dtype=object, name=question.id))
    return out


def personal_values_from_cells(cells: Iterable[pd.Series]) -> set[str]:
    """The personal values (5+ characters, not only no-answer words or roles) of the
    cells of personal columns (see :func:`personal_cells`)."""
    out: set[str] = set()
    for column in cells:
        out.update(t for t in _cell_strings(column)
                   if len(t) >= MIN_VALUE_LENGTH and _lookable(_norm_words(t)))
    return out


def personal_values_from_tables(tables: Iterable, codebook) -> set[str]:
    """The answers in the personal columns of ingested tables (5+ characters).

    ``tables`` are :class:`kartoitus.stages.ingest.RawTable`-like objects: ``.survey`` is
    the survey id and ``.frame`` has canonical ids as columns. Values that are
    only no-answer words or roles (``ei ole``, ``puheenjohtaja``) are left out.
    """
    return personal_values_from_cells(personal_cells(tables, codebook))


# -- purging personal columns from raw exports -------------------------------------

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


def _personal_titles(codebook) -> dict[str, str]:
    """Normalised title -> question id, for the personal questions of every survey."""
    out: dict[str, str] = {}
    for survey in codebook.surveys.values():
        for q in survey.personal():
            for title in q.titles():
                out.setdefault(normalise_title(title), q.id)
    return out


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
    while pos < n:
        end = text.find("\n", pos)
        if end == -1:
            line, ending, pos = text[pos:], "", n
        else:
            line, pos = text[pos:end], end + 1
            ending = "\n"
            if line.endswith("\r"):
                line, ending = line[:-1], "\r\n"
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


def _purge_csv(path: Path, titles: dict[str, str], dry_run: bool,
               report: PurgeReport) -> None:
    data = path.read_bytes()
    fmt = _sniff_csv(path, data)
    text = data[len(fmt.bom):].decode(fmt.encoding)
    records = list(_records(text))
    start = 1 if records and _SEP_LINE.match(records[0][0]) else 0  # Excel "sep=;"
    if len(records) <= start:
        return
    header = _split_raw(records[start][0], fmt.delimiter)
    drop = {i: titles[normalise_title(_unquote(h))] for i, h in enumerate(header)
            if normalise_title(_unquote(h)) in titles}
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


def _purge_xlsx(path: Path, titles: dict[str, str], dry_run: bool,
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
        drop = []
        for cell in ws[1]:
            key = normalise_title(cell.value)
            if cell.value is not None and key in titles:
                drop.append((cell.column, str(cell.value), titles[key]))
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


_UNSUPPORTED = (".xls", ".xlsb", ".xlsm", ".ods", ".numbers")


def _wave_files(folder: Path, skip: set[str]) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.name.casefold() not in skip
                  and not p.name.startswith((".", "~$")))


def _settings_files() -> set[str]:
    try:
        from kartoitus.stages.wave import SETTINGS_FILES
    except ImportError:  # pragma: no cover - wave.py is part of the package
        return {"kysely.toml", "korjaukset.csv"}
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


def purge_personal(raw_folder: str | Path, codebook, dry_run: bool = True) -> PurgeReport:
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
    ones :func:`kartoitus.stages.ingest.read_wave` reads: those directly in
    ``raw_folder``, not settings, hidden or lock files. Only the files directly in ``raw_folder`` are read:
    processed data and reports are never touched.

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
            _purge_csv(path, titles, dry_run, report)
        elif suffix in XLSX_SUFFIXES:
            _purge_xlsx(path, titles, dry_run, report)
        elif suffix in _UNSUPPORTED:
            report.skipped.append((path, "tiedostomuotoa ei tueta; tallenna se .xlsx- tai "
                                         ".csv-muodossa ja aja uudelleen"))
    report.warnings = _remaining_warnings(folder, titles, skip)
    if report.removed and not dry_run:
        report.record = _write_record(folder, report.removed)
    return report


def _remaining_warnings(folder: Path, titles: dict[str, str], skip: set[str]) -> list[str]:
    """Columns other than the removed ones that hold e-mail or phone values."""
    out = []
    for path in _wave_files(folder, skip):
        if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
            continue
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                frames = pd.read_excel(path, dtype=object, sheet_name=None)
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
            out.extend(_column_warnings(path, sheet if len(frames) > 1 else "", frame, titles))
    return out


def _column_warnings(path: Path, sheet: str, frame: pd.DataFrame,
                     titles: dict[str, str]) -> list[str]:
    out = []
    where = f"{path.name} ({sheet})" if sheet else path.name
    for column in frame.columns:
        if normalise_title(column) in titles:
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
