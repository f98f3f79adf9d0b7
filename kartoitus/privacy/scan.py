"""Reading output files for the scanner: the text of each file type, and where it is.

:func:`scan_path` reads every output file under a folder (PDF pages, metadata and
links; HTML/SVG text, comments and attributes; xlsx cells, comments, links and
headers; PNG text chunks; CSV/JSON/Markdown/text lines) and reports one
:class:`~kartoitus.privacy.patterns.Finding` per hit of the rules in
:mod:`kartoitus.privacy.patterns`, with where it is (``sivu 3``, ``Taulukko!B4``,
``rivi 12``, ``PNG-tekstilohko 'Description'``).
"""

from __future__ import annotations

import codecs
from bisect import bisect_right
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from kartoitus.errors import InputError
from kartoitus.privacy.patterns import (
    Finding, PersonalValues, allowed_set, compile_personal_values, find_spans,
)

#: File types :func:`scan_path` reads; other files are skipped.
SCANNED_SUFFIXES = (".pdf", ".html", ".htm", ".svg", ".xml", ".xlsx", ".xlsm", ".pptx", ".csv",
                    ".tsv", ".png", ".json", ".md", ".txt", ".yaml", ".yml")

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


def _xlsx_texts(path, label: Path | None = None) -> Iterator[tuple[str, str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=False, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(label or path, f"työkirjaa ei voi lukea tarkistusta varten ({exc})") from None
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


def _pptx_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every text of a deck: slides, notes, charts (and the charts' embedded workbooks),
    document properties and the shapes' names and alt texts."""
    import io
    import zipfile

    from lxml import etree

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"diaesitystä ei voi lukea tarkistusta varten ({exc})") from None
    with archive:
        for name in sorted(archive.namelist()):
            data = archive.read(name)
            if name.endswith(".xml"):
                try:
                    root = etree.fromstring(data)
                except etree.XMLSyntaxError as exc:
                    raise InputError(path, f"{name}: XML ei ole luettavissa ({exc})") from None
                for el in root.iter():
                    if isinstance(el.tag, str) and el.text and el.text.strip():
                        yield name, el.text
                    for attr in ("descr", "title", "name"):
                        if el.get(attr):
                            yield f"{name} ({attr})", el.get(attr)
            elif name.endswith(".xlsx"):
                for where, text in _xlsx_texts(io.BytesIO(data), label=path):
                    yield f"{name}: {where}", text


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
        for _, _, kind, match in find_spans(text, values, allowed):
            out.append(Finding(path, where, kind, match))

    if suffix == ".pdf":
        for where, text in _pdf_texts(path):
            scan(where, text)
    elif suffix in (".xlsx", ".xlsm"):
        for where, text in _xlsx_texts(path):
            scan(where, text)
    elif suffix == ".pptx":
        for where, text in _pptx_texts(path):
            scan(where, text)
    elif suffix == ".png":
        for where, text in _png_texts(path):
            scan(where, text)
    elif suffix in (".html", ".htm", ".svg", ".xml"):
        parser = _MarkupText()
        parser.feed(_decode(path.read_bytes()))
        parser.close()
        body = "".join(parser.chunks)
        for start, _, kind, match in find_spans(body, values, allowed):
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
    allowed_keys = allowed_set(allowed)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    out: list[Finding] = []
    for path in files:
        if path.suffix.lower() in SCANNED_SUFFIXES:
            out.extend(_file_findings(path, values, allowed_keys))
    return out
