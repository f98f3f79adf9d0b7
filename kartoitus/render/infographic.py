"""Sector infographic pages to files: HTML -> PDF (WeasyPrint) -> PNG (pypdfium2).

One layout (``templates/infographic.html``) for every page; a page that does not
fit on one A4 is rendered again in the compact layout, and still too long is an
error. The PNG is the PDF's page rasterised at :data:`PNG_DPI` without a time
stamp or software chunk: the same PDF gives the same PNG bytes. Both files are
written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path

from kartoitus.atomic import atomic_write_bytes
from kartoitus.errors import KartoitusError

TEMPLATE = "infographic.html"
#: Resolution of the PNG rendered from the PDF page (A4 at 150 dpi: 1240 x 1754 px).
PNG_DPI = 150


def colors() -> dict[str, str]:
    """Bars in the charts' main colour, the region marker in the palette's black,
    the header band in the report's heading blue."""
    from kartoitus.render.charts.base import MAIN, PALETTE   # the one palette of every chart

    return {"main": MAIN, "region": PALETTE[7], "band": "#0b3c5d"}


def rasterise(pdf: bytes, dpi: int = PNG_DPI) -> tuple[bytes, int]:
    """(PNG bytes of the first page, number of pages). No time or software metadata."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise KartoitusError("PNG-kuvan tekemiseen tarvitaan pypdfium2: asenna se komennolla "
                             "`pip install pypdfium2` (tai asenna kartoitus uudelleen)") from None
    document = pdfium.PdfDocument(pdf)
    try:
        pages = len(document)
        page = document[0]
        bitmap = page.render(scale=dpi / 72, draw_annots=False)
        from PIL import Image

        # 256 colours (no dithering) keep the flat infographic sharp at a quarter of the size
        image = bitmap.to_pil().convert("RGB").quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=9, dpi=(dpi, dpi))
        page.close()
    finally:
        document.close()
    return buf.getvalue(), pages


def render_model(model: dict) -> tuple[bytes, bytes]:
    """``(pdf, png)`` bytes of one page (see the module for the compact retry)."""
    from kartoitus.render.document import LOG, render_html, render_pdf

    context = {**model, "colors": colors()}
    for compact in (False, True):
        html = render_html(TEMPLATE, {**context, "compact": compact})
        pdf, warnings = render_pdf(html, title=model["title"], lang=model.get("lang", "fi"))
        png, pages = rasterise(pdf)
        if pages == 1:
            for message in warnings:
                LOG.warning("%s: %s", model["sector"], message)
            return pdf, png
    raise KartoitusError(f"infografiikka {model['sector']}: sisältö ei mahdu yhdelle A4-sivulle "
                         f"({pages} sivua); lyhennä vaihtoehtojen nimiä koodikirjassa")


def write_infographic(model: dict, pdf_path: Path | str, png_path: Path | str) -> list[Path]:
    """Render the page and write its PDF and PNG atomically; returns both paths."""
    pdf, png = render_model(model)
    return [atomic_write_bytes(Path(pdf_path), pdf), atomic_write_bytes(Path(png_path), png)]


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.infographic:render_job``):
    ``{"model": infographic model, "outputs": [pdf path, png path]}``."""
    pdf_path, png_path = payload["outputs"]
    return write_infographic(payload["model"], pdf_path, png_path)
