"""Plain models -> HTML (Jinja2) -> PDF (WeasyPrint).

Templates and the shared stylesheet live in ``kartoitus/templates/`` inside the
package and are loaded from the package path (never the working directory), so
an installed package finds them. The organisation's own ``templates/`` folder
(``settings.templates`` lists it first) overrides any of them file by file: a build
puts the folders into every job's payload (``"templates"``) and the job runs inside
:func:`template_folders`, so every output renders from the same search path. There
is one copy of each template: the package's is the default, the organisation's the
override. The stylesheet is inlined into each page, so a written ``.html`` file is
self-contained (charts are data URIs).

WeasyPrint is imported inside the functions that need it: importing it is slow,
and ``kartoitus --help`` must not pay for it.

PDF output:

- tagged PDF/UA-1 (``pdf_variant="pdf/ua-1"``, which turns on ``pdf_tags``), with
  the document title and language (``/Lang``) in the catalogue and XMP metadata;
- reproducible: no creation or modification date unless ``SOURCE_DATE_EPOCH`` is
  set or a ``date`` is passed, and then exactly that date. WeasyPrint's file
  ``/ID`` is a hash of the content (pydyf), so equal input gives equal bytes;
- every WeasyPrint warning (bad CSS, missing font, unreachable image) is
  collected: ``render_pdf`` returns them, ``write_pdf`` logs them on the
  ``kartoitus.render.document`` logger and raises with ``strict=True``;
- written atomically (temporary file in the target folder, then ``os.replace``).
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import jinja2

from kartoitus.atomic import atomic_write_bytes
from kartoitus.errors import KartoitusError
from kartoitus.fmt import FILTERS

#: The package's template folder (also the PDF base URL).
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LOG = logging.getLogger("kartoitus.render.document")


#: a run of non-space characters too long for a table column (no real word is this long)
_LONG_RUN = re.compile(r"\S{41,}")
ZWSP = "\u200b"


def breakable(text, every: int = 20) -> str:
    """``text`` with a zero-width space every ``every`` characters inside runs of over 40
    non-space characters, so that a table cell can wrap them (a 2,000-character string
    would otherwise widen its table past the page). Ordinary text is returned as it is."""
    text = "" if text is None else str(text)
    if not _LONG_RUN.search(text):
        return text
    return _LONG_RUN.sub(lambda m: ZWSP.join(m.group(0)[i:i + every]
                                             for i in range(0, len(m.group(0)), every)), text)


_VOWELS = set("aeiouyäöåAEIOUYÄÖÅ")
SHY = "\u00ad"
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]{6,}")


def _syllables(word: str) -> str:
    """Finnish syllable breaks as soft hyphens: a break before a consonant that is
    followed by a vowel (vir-kis-tys-toi-min-ta), at least two letters before and
    three after each break."""
    out, last = [], 0
    for i in range(2, len(word) - 2):
        if (word[i] not in _VOWELS and word[i + 1] in _VOWELS and word[i - 1].isalpha()
                and i - last >= 2 and len(word) - i >= 3):
            out.append(word[last:i])
            last = i
    out.append(word[last:])
    return SHY.join(out)


def hyphenate(text) -> str:
    """``text`` with soft hyphens at the Finnish syllable breaks of its long words
    (six letters or more), so a narrow table header breaks as ``virkistys-|toiminta``,
    never mid-syllable without a hyphen. WeasyPrint has no Finnish dictionary for
    ``hyphens: auto``; a soft hyphen works everywhere and is invisible unless used."""
    text = "" if text is None else str(text)
    return _WORD.sub(lambda m: _syllables(m.group(0)), text)


#: the template folders searched, in order (the organisation's first); set per job
_FOLDERS: tuple[Path, ...] = (TEMPLATES,)


@contextmanager
def template_folders(folders):
    """Render with ``folders`` (e.g. ``settings.templates``) as the template search path."""
    global _FOLDERS
    old = _FOLDERS
    _FOLDERS = tuple(Path(f) for f in folders or ()) or (TEMPLATES,)
    try:
        yield _FOLDERS
    finally:
        _FOLDERS = old


def base_url() -> Path:
    """The base URL of a PDF: the first template folder (the organisation's, if any)."""
    return _FOLDERS[0]


def environment() -> jinja2.Environment:
    """The Jinja environment of the current template folders."""
    return _environment(tuple(str(f) for f in _FOLDERS))


@lru_cache(maxsize=4)
def _environment(folders: tuple[str, ...]) -> jinja2.Environment:
    """The Jinja environment: the template folders in order, autoescaping, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.filters["breakable"] = breakable
    env.filters["hyphenate"] = hyphenate
    return env


def render_html(template_name: str, model: dict) -> str:
    """Render ``template_name`` (the first found in the template folders) with ``model``."""
    try:
        template = environment().get_template(template_name)
    except jinja2.TemplateNotFound as exc:
        raise KartoitusError(
            f"pohjaa {exc.name!r} ei löydy kansioista {', '.join(str(f) for f in _FOLDERS)}; "
            "asenna paketti uudelleen tai poista viallinen oma pohja"
        ) from None
    return template.render(**model)


def pdf_date(date: _dt.date | _dt.datetime | None = None) -> str | None:
    """The PDF date as W3C text: ``date`` if given, else ``SOURCE_DATE_EPOCH``, else None."""
    if date is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if not epoch:
            return None
        try:
            date = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except ValueError:
            raise KartoitusError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds; "
                "unset it or give seconds since 1970-01-01 UTC"
            ) from None
    if not isinstance(date, _dt.datetime):
        date = _dt.datetime(date.year, date.month, date.day, tzinfo=_dt.timezone.utc)
    if date.tzinfo is None:
        date = date.replace(tzinfo=_dt.timezone.utc)
    return date.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = f"{record.levelname}: {record.getMessage()}"
        if message not in self.messages:       # the same font warning comes once per subset
            self.messages.append(message)


def render_pdf(html: str, *, title: str, lang: str = "fi", base_url: Path | str | None = None,
               date: _dt.date | _dt.datetime | None = None,
               variant: str | None = "pdf/ua-1") -> tuple[bytes, list[str]]:
    """PDF bytes of ``html`` and the warnings WeasyPrint logged while making them."""
    import weasyprint  # lazy: slow to import

    collector = _Collect()
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(collector)
    try:
        document = weasyprint.HTML(
            string=html, base_url=str(base_url if base_url is not None else _FOLDERS[0])
        ).render()
        meta = document.metadata
        meta.title = title
        meta.lang = lang
        meta.generator = "kartoitus"
        stamp = pdf_date(date)
        meta.created = stamp
        meta.modified = stamp
        options = {"pdf_variant": variant} if variant else {"pdf_tags": True}
        data = document.write_pdf(**options)
    finally:
        wlog.removeHandler(collector)
    return data, collector.messages


def write_pdf(html: str, path: Path, *, title: str, lang: str = "fi",
              base_url: Path | str | None = None,
              date: _dt.date | _dt.datetime | None = None, strict: bool = False) -> Path:
    """Render ``html`` to a PDF file at ``path`` (atomically); returns ``path``.

    WeasyPrint warnings are logged on ``kartoitus.render.document``; with ``strict=True``
    they are an error (nothing is written).
    """
    data, warnings = render_pdf(html, title=title, lang=lang, base_url=base_url, date=date)
    for message in warnings:
        LOG.warning("%s: %s", Path(path).name, message)
    if strict and warnings:
        raise KartoitusError(
            f"{Path(path).name}: WeasyPrint reported {len(warnings)} problem(s): "
            + "; ".join(warnings[:5])
        )
    return atomic_write_bytes(path, data)
