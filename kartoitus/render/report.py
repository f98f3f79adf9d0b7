"""The main report's model (``kartoitus.outputs.report.report_model``) -> HTML and PDF files.

``write_report(model, out_dir)`` draws every chart of the model
(:class:`~kartoitus.models.ChartSpec` -> PNG data URI), renders
``templates/report.html`` and writes ``jarjestokartoitus-<year>.html`` and
``.pdf`` atomically. ``render_job`` is the worker pool's entry point.
"""

from __future__ import annotations

from pathlib import Path

from kartoitus.atomic import atomic_write_text
from kartoitus.models import map_charts
from kartoitus.outputs.report import REPORT_TEMPLATE, report_filename
from kartoitus.render.document import base_url, render_html, write_pdf


def drawn(model: dict, screen: bool = False) -> dict:
    """The model with every chart drawn: a PNG data URI for print, an SVG data URI drawn
    narrow for screens (``screen=True``, the ``.html`` file)."""
    from kartoitus.render.charts import draw_data_uri, draw_screen_uri  # lazy: imports matplotlib

    return map_charts(model, draw_screen_uri if screen else draw_data_uri)


def report_html(model: dict, screen: bool = True) -> str:
    """The report's HTML: for screens (the ``.html`` file, with SVG charts) or for print
    (``screen=False``: the PDF's source, PNG charts)."""
    return render_html(REPORT_TEMPLATE, {**drawn(model, screen), "screen": screen})


def write_report(model: dict, out_dir: Path) -> list[Path]:
    """Write ``jarjestokartoitus-<year>.html`` and ``.pdf`` into ``out_dir``; return
    ``[pdf, html]``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = atomic_write_text(out_dir / report_filename(model["year"], ".html"), report_html(model))
    html = report_html(model, screen=False)
    pdf_path = write_pdf(html, out_dir / report_filename(model["year"], ".pdf"),
                         title=model["title"], lang=model.get("lang", "fi"), base_url=base_url())
    return [pdf_path, html_path]


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.report:render_job``):
    ``{"model": report model, "out_dir": Path}`` -> PDF + HTML."""
    return write_report(payload["model"], payload["out_dir"])
