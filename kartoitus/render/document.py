"""Plain models -> HTML (Jinja2) -> PDF (WeasyPrint).

Templates and the shared stylesheet live in ``kartoitus/templates/`` inside the
package and are loaded from the package path (never the working directory), so
an installed package finds them. The stylesheet is inlined into each page, so a
written ``.html`` file is self-contained (charts are PNG data URIs).

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


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment: package templates, autoescaping, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.filters["breakable"] = breakable
    return env


def render_html(template_name: str, model: dict) -> str:
    """Render ``template_name`` (a file in ``kartoitus/templates``) with ``model``."""
    try:
        template = environment().get_template(template_name)
    except jinja2.TemplateNotFound:
        raise KartoitusError(
            f"template {template_name!r} not found in {TEMPLATES}; reinstall the package"
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
            string=html, base_url=str(base_url if base_url is not None else TEMPLATES)
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
