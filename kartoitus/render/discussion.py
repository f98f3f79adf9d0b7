"""Discussion sheets: a discussion model (:mod:`kartoitus.outputs.discussion`) written to
``reports/<year>/kehityskeskustelu/<kuntanumero>-<nimi>.pdf`` (A4, printable, with room
to write the agreed actions). The same sheet is a part of the workshop pack
(``templates/kehityskeskustelu_macros.html``)."""

from __future__ import annotations

from pathlib import Path

from kartoitus.render.municipality import output_path as _municipality_path

SUBFOLDER = "kehityskeskustelu"
TEMPLATE = "kehityskeskustelu.html"


def output_path(out_dir: Path | str, code: str, name: str) -> Path:
    """``<out_dir>/kehityskeskustelu/<code>-<slug>.pdf``; ``out_dir`` is ``reports/<year>``."""
    return Path(out_dir) / SUBFOLDER / _municipality_path(out_dir, code, name).name


def write_discussion(model: dict, path: Path | str) -> Path:
    """Write one municipality's discussion sheet at ``path``; returns ``path``."""
    from kartoitus.render.document import render_html, write_pdf

    html = render_html(TEMPLATE, {"lang": model.get("lang", "fi"), "title": model["title"], "sheet": model})
    return write_pdf(html, Path(path), title=model["title"], lang=model.get("lang", "fi"))


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.discussion:render_job``): ``{"model", "out"}``."""
    return [write_discussion(payload["model"], payload["out"])]
