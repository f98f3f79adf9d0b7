"""Municipality PDFs: a municipality model (:mod:`kartoitus.outputs.municipality`) drawn
and written to ``reports/<year>/kunnat/<kuntanumero>-<nimi>.pdf`` (``179-jyvaskyla.pdf``).

``render_job`` is the worker entry point of :mod:`kartoitus.build.jobs`: its payload
is ``{"model": <model>, "out": <path>}``; the radar (a ``ChartSpec`` in the model) is
drawn here, the page rendered and the PDF written atomically.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from kartoitus.errors import KartoitusError
from kartoitus.models import map_charts

#: Sub-folder of ``reports/<year>/`` for the municipality PDFs.
SUBFOLDER = "kunnat"
TEMPLATE = "municipality.html"

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})


def slugify(text: str) -> str:
    """``Jyväskylä`` -> ``jyvaskyla``; ascii lowercase words joined with ``-``."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug or "nimeton"


def output_path(out_dir: Path | str, code: str, name: str) -> Path:
    """``<out_dir>/kunnat/<code>-<slug>.pdf``; ``out_dir`` is the wave's reports folder
    (``reports/<year>``)."""
    code = str(code).strip()
    if not re.fullmatch(r"\d{3}", code):
        raise KartoitusError(f"kuntanumero {code!r} ei ole kolminumeroinen (esim. 077)")
    return Path(out_dir) / SUBFOLDER / f"{code}-{slugify(name)}.pdf"


def draw(model: dict) -> dict:
    """``model`` with every chart drawn (a ``ChartSpec`` becomes a PNG data URI)."""
    from kartoitus.render.charts import draw_data_uri

    return map_charts(model, draw_data_uri)


def write_document(model: dict, path: Path | str, template: str) -> Path:
    """Draw the charts of ``model``, render ``template`` and write the PDF atomically."""
    from kartoitus.render.document import render_html, write_pdf

    html = render_html(template, draw(model))
    return write_pdf(html, Path(path), title=model["title"], lang=model.get("lang", "fi"))


def write_municipality(model: dict, path: Path | str) -> Path:
    """Write one municipality's PDF at ``path``; returns ``path``."""
    return write_document(model, path, TEMPLATE)


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.municipality:render_job``)."""
    return [write_municipality(payload["model"], payload["out"])]
