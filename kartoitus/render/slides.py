"""A plain deck model -> a PowerPoint deck (.pptx, python-pptx), reproducibly.

The model (built by ``kartoitus.outputs``; everything in it is plain data)::

    {"title": str,                 # the deck's title (document properties)
     "year": int,                  # the wave year: fixes the dates written in the file
     "lang": "fi",                 # language of the text ("fi" -> fi-FI)
     "theme": {"colors": ["#1b4f72", ...],   # series / accent colours, first = main
               "font": "DejaVu Sans" | None, # None: the template's font
               "logo": bytes | None,         # PNG, shown on every slide
               "footer": str},               # footer text on every slide
     "slides": [slide, ...]}

and each slide is one of (``notes``, the speaker notes, is required and non-empty on
every slide; ``caption`` is optional and shown small under the content)::

    {"layout": "title",   "title", "subtitle", "notes"}
    {"layout": "bullets", "title", "bullets": [str], "notes"}
    {"layout": "chart",   "title", "chart": CHART, "caption", "notes"}
    {"layout": "image",   "title", "image": ChartSpec | bytes (PNG), "alt": str, "caption", "notes"}
    {"layout": "table",   "title", "columns": [str], "rows": [[str]], "caption", "notes"}
    {"layout": "figures", "title", "figures": [{"value": str, "label": str}], "notes"}  # 2-4

    CHART = {"type": "bar" | "column" | "stacked_bar" | "line",
             "categories": [str],
             "series": [{"name": str, "values": [float | None]}],  # one value per category
             "number_format": '0 "%"',   # Excel number format of labels and axis
             "axis_title": str,          # value axis title ("" for none)
             "max": float | None}        # value axis end (None: automatic)

What the deck looks like:

- 16:9 slides; the template's master and layouts are widened to 16:9 too, so a
  slide that staff add later is laid out right;
- charts are native PowerPoint charts (clustered bar, column, stacked bar, line)
  that staff can restyle: data labels in the model's number format, series in the
  theme colours, a legend only when there are several series, ``None`` values left
  as gaps (not zeros); the theme's colours and font are also written into the
  deck's theme, so new charts and tables get them;
- an ``image`` slide embeds a PNG (a :class:`kartoitus.models.ChartSpec` is drawn
  with :func:`kartoitus.render.charts.draw_png`) with its alt text (``descr``);
- every slide has its speaker notes, the footer text, the logo and a slide number
  field;
- text is sized to fit: font sizes are chosen from the wrapped lines measured with
  DejaVu Sans metrics (titles wrap and shrink, bullets shrink, key figures stay on
  one line); a table with many rows gets a smaller font, and one of up to four
  columns is set in two blocks side by side; a table that does not fit even at 9 pt
  is refused (:class:`KartoitusError`: split it over several slides);
- every run is tagged with the language (fi-FI), so spelling and hyphenation are
  Finnish.

Reproducible: the document properties (title, language, author, created and
modified = 1 January of the year after ``year``, no "last modified by") and the
zip entries (fixed order and date, also inside the charts' embedded workbooks)
carry no clock time, so the same model gives the same bytes. Written atomically.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.parts.image import Image
from pptx.util import Emu, Inches, Pt

from kartoitus.atomic import atomic_write_bytes
from kartoitus.errors import KartoitusError
from kartoitus.models import ChartSpec
from kartoitus.render.slides_chart import CHART_TYPES, DARK, GREY, add_chart
from kartoitus.render.slides_text import INSET_X, fit as _fit, lines as _lines, luminance as _luminance
from kartoitus.render.slides_text import on_color as _on, rgb as _rgb, text_width, tint as _tint

__all__ = ["AUTHOR", "LAYOUTS", "CHART_TYPES", "deck_bytes", "write_deck", "render_job"]

AUTHOR = "Keski-Suomen järjestökartoitus"
LAYOUTS = ("title", "bullets", "chart", "image", "table", "figures")
LANGUAGES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
DEFAULT_COLORS = ("#1b4f72", "#d35400", "#117a65", "#7d3c98", "#b7950b", "#5d6d7e")

# geometry (16:9, 13.333 x 7.5 in)
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)
MARGIN = Inches(0.6)
TITLE_TOP, TITLE_H = Inches(0.25), Inches(1.15)
RULE_TOP, BODY_TOP, BODY_BOTTOM = Inches(1.47), Inches(1.7), Inches(6.75)
FOOTER_TOP, FOOTER_H = Inches(6.95), Inches(0.4)
CAPTION_H = Inches(0.5)
BODY_W = WIDTH - 2 * MARGIN
SLIDENUM_FIELD_ID = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"   # fixed: same bytes every time
NBSP = "\u00a0"
_HEX = re.compile(r"^#?[0-9a-fA-F]{6}$")
_NUMERIC = re.compile(r"^[\s\u00a0\u2212+\-0-9,.%]*[0-9][\s\u00a0\u2212+\-0-9,.%]*(\w{0,4})$")


# -- checking the model ---------------------------------------------------------------------

def _fail(where: str, message: str) -> None:
    raise KartoitusError(f"diaesitys, {where}: {message}")


def _check(model: dict) -> None:
    for key in ("title", "year", "slides"):
        if key not in model:
            _fail("malli", f"avain {key!r} puuttuu")
    if not model["slides"]:
        _fail("malli", "ei yhtään diaa")
    for hexcolor in (model.get("theme") or {}).get("colors") or ():
        if not _HEX.match(str(hexcolor)):
            _fail("teema", f"väri {hexcolor!r} ei ole muotoa #rrggbb")
    for i, slide in enumerate(model["slides"], start=1):
        where = f"dia {i}"
        layout = slide.get("layout")
        if layout not in LAYOUTS:
            _fail(where, f"tuntematon asettelu {layout!r}; tunnetut: {', '.join(LAYOUTS)}")
        if not str(slide.get("notes") or "").strip():
            _fail(where, "puhujan muistiinpanot (notes) puuttuvat")
        if layout == "chart":
            _check_chart(slide.get("chart") or {}, where)
        elif layout == "image":
            if not isinstance(slide.get("image"), (ChartSpec, bytes)):
                _fail(where, "kuva (image) pitää olla ChartSpec tai PNG-tavut")
            if not str(slide.get("alt") or "").strip():
                _fail(where, "kuvalta puuttuu vaihtoehtoinen teksti (alt)")
        elif layout == "table":
            ncol = len(slide.get("columns") or ())
            if not ncol or any(len(r) != ncol for r in slide.get("rows") or ()):
                _fail(where, f"taulukon riveillä pitää olla {ncol} saraketta kuten otsikkorivillä")
        elif layout == "figures" and not 2 <= len(slide.get("figures") or ()) <= 4:
            _fail(where, "tunnuslukuja (figures) pitää olla 2-4")


def _check_chart(chart: dict, where: str) -> None:
    if chart.get("type") not in CHART_TYPES:
        _fail(where, f"tuntematon kaaviotyyppi {chart.get('type')!r}; tunnetut: {', '.join(CHART_TYPES)}")
    ncat = len(chart.get("categories") or ())
    if not ncat or not chart.get("series"):
        _fail(where, "kaaviosta puuttuvat luokat tai sarjat")
    for s in chart["series"]:
        if len(s.get("values") or ()) != ncat:
            _fail(where, f"sarjassa {s.get('name')!r} pitää olla {ncat} arvoa, yksi kullekin luokalle")


# -- text ----------------------------------------------------------------------------------

class _Style:
    def __init__(self, model: dict):
        theme = model.get("theme") or {}
        self.colors = [_rgb(c) for c in (theme.get("colors") or DEFAULT_COLORS)]
        self.font = theme.get("font")
        self.logo = theme.get("logo")
        self.footer = str(theme.get("footer") or "")
        self.lang = LANGUAGES.get(str(model.get("lang") or "fi"), str(model.get("lang")))

    def color(self, i: int) -> RGBColor:
        return self.colors[i % len(self.colors)]

    def run(self, run, size: float | None = None, *, bold: bool | None = None,
            color: RGBColor | None = None) -> None:
        font = run.font
        if size is not None:
            font.size = Pt(size)
        if bold is not None:
            font.bold = bold
        if self.font:
            font.name = self.font
        if color is not None:
            font.color.rgb = color
        run._r.get_or_add_rPr().set("lang", self.lang)

    def text(self, frame, paragraphs, size: float, *, bold: bool | None = None,
             color: RGBColor | None = None, align=None, anchor=MSO_ANCHOR.TOP) -> None:
        """Replace the text of ``frame`` with ``paragraphs`` (one run each)."""
        frame.word_wrap = True
        frame.vertical_anchor = anchor
        for i, text in enumerate(paragraphs):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            if i == 0:
                for r in list(p.runs):
                    r._r.getparent().remove(r._r)
            run = p.add_run()
            run.text = str(text)
            self.run(run, size, bold=bold, color=color)
            if align is not None:
                p.alignment = align

    def textbox(self, slide, x, y, w, h, paragraphs, size, **kw):
        box = slide.shapes.add_textbox(x, y, w, h)
        self.text(box.text_frame, paragraphs, size, **kw)
        return box


# -- the parts of every slide -------------------------------------------------------------

def _title(slide, style: _Style, text: str, *, top=TITLE_TOP, height=TITLE_H, sizes=(34, 30, 26, 22, 20),
           color: RGBColor = DARK, align=PP_ALIGN.LEFT) -> None:
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, top, BODY_W, height
    size = _fit([text], BODY_W, height, sizes, bold=True)
    style.text(shape.text_frame, [text], size, bold=True, color=color, align=align,
               anchor=MSO_ANCHOR.BOTTOM if align == PP_ALIGN.LEFT else MSO_ANCHOR.MIDDLE)


def _rule(slide, style: _Style) -> None:
    """The accent line under a content slide's title."""
    line = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN + INSET_X, RULE_TOP, Inches(1.6), Inches(0.06))
    line.fill.solid()
    line.fill.fore_color.rgb = style.color(0)
    line.line.fill.background()


def _footer(slide, style: _Style, number: int) -> None:
    x = MARGIN
    if style.logo:
        pic = _picture(slide, style.logo, x, FOOTER_TOP, Inches(1.6), FOOTER_H, "Logo", center=False)
        x = pic.left + pic.width + Inches(0.2)
    if style.footer:
        style.textbox(slide, x, FOOTER_TOP, WIDTH - MARGIN - Inches(1.0) - x, FOOTER_H, [style.footer], 11,
                      color=GREY, anchor=MSO_ANCHOR.MIDDLE)
    box = slide.shapes.add_textbox(WIDTH - MARGIN - Inches(1.0), FOOTER_TOP, Inches(1.0), FOOTER_H)
    style.text(box.text_frame, [str(number)], 11, color=GREY, align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)
    r = box.text_frame.paragraphs[0].runs[0]._r     # the run becomes a slide-number field
    fld = etree.SubElement(r.getparent(), qn("a:fld"), id=SLIDENUM_FIELD_ID, type="slidenum")
    r.addprevious(fld)
    for child in list(r):
        fld.append(child)
    r.getparent().remove(r)


def _notes(slide, style: _Style, notes: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    frame.text = str(notes).strip()
    for p in frame.paragraphs:
        for r in p.runs:
            r._r.get_or_add_rPr().set("lang", style.lang)


def _caption(slide, style: _Style, text: str | None, bottom: int) -> int:
    """Write the caption above ``bottom``; return the new bottom of the content area."""
    if not text:
        return bottom
    size = _fit([text], BODY_W, CAPTION_H, (14, 12, 11, 10))
    style.textbox(slide, MARGIN, bottom - CAPTION_H, BODY_W, CAPTION_H, [text], size, color=GREY,
                  anchor=MSO_ANCHOR.TOP)
    return bottom - CAPTION_H - Inches(0.05)


def _picture(slide, png: bytes, x, y, w, h, alt: str, *, center: bool = True):
    """``png`` scaled to fit the box (kept in proportion), with alt text ``alt``."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise KartoitusError("diaesitys: kuva ei ole PNG-kuva")
    pw, ph = Image.from_blob(png).size
    scale = min(w / pw, h / ph)
    cx, cy = int(pw * scale), int(ph * scale)
    left, top = (x + (w - cx) // 2, y + (h - cy) // 2) if center else (x, y + (h - cy) // 2)
    pic = slide.shapes.add_picture(io.BytesIO(png), left, top, cx, cy)
    pic._element.nvPicPr.cNvPr.set("descr", alt)
    return pic


# -- layouts -------------------------------------------------------------------------------

def _title_slide(prs, slide_model: dict, style: _Style):
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.0), WIDTH, Inches(2.9))
    band.fill.solid()
    band.fill.fore_color.rgb = style.color(0)
    band.line.fill.background()
    band._element.getparent().remove(band._element)         # behind the placeholders
    slide.shapes._spTree.insert(2, band._element)
    _title(slide, style, slide_model.get("title", ""), top=Inches(2.15), height=Inches(2.6),
           sizes=(44, 40, 36, 32, 28, 24), color=_on(style.color(0)), align=PP_ALIGN.LEFT)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = MARGIN, Inches(5.1), BODY_W, Inches(1.5)
    text = str(slide_model.get("subtitle") or "")
    style.text(sub.text_frame, text.split("\n"), _fit(text.split("\n"), BODY_W, Inches(1.5), (24, 20, 18, 16)),
               color=GREY, align=PP_ALIGN.LEFT)
    if style.logo:
        _picture(slide, style.logo, MARGIN, Inches(0.5), Inches(3.0), Inches(1.1), "Logo", center=False)
    return slide


def _content_slide(prs, slide_model: dict, style: _Style, layout: int = 5):
    slide = prs.slides.add_slide(prs.slide_layouts[layout])
    _title(slide, style, slide_model.get("title", ""))
    _rule(slide, style)
    return slide


def _bullets_slide(prs, slide_model: dict, style: _Style):
    slide = _content_slide(prs, slide_model, style, layout=1)
    body = slide.placeholders[1]
    bottom = _caption(slide, style, slide_model.get("caption"), BODY_BOTTOM)
    body.left, body.top, body.width, body.height = MARGIN, BODY_TOP, BODY_W, bottom - BODY_TOP
    bullets = [str(b) for b in slide_model.get("bullets") or ()]
    size = _fit(bullets, BODY_W - Inches(0.45), body.height, (28, 26, 24, 22, 20, 18, 16, 14), gap=0.4)
    style.text(body.text_frame, bullets, size, color=DARK)
    for p in body.text_frame.paragraphs:
        p.space_before = Pt(size * 0.4)
    return slide


def _image_slide(prs, slide_model: dict, style: _Style):
    slide = _content_slide(prs, slide_model, style)
    bottom = _caption(slide, style, slide_model.get("caption"), BODY_BOTTOM)
    image = slide_model["image"]
    if isinstance(image, ChartSpec):
        from kartoitus.render.charts import draw_png     # matplotlib: only when needed
        image = draw_png(image)
    _picture(slide, image, MARGIN, BODY_TOP, BODY_W, bottom - BODY_TOP, str(slide_model["alt"]))
    return slide


def _figures_slide(prs, slide_model: dict, style: _Style):
    slide = _content_slide(prs, slide_model, style)
    figures = [{"value": str(f["value"]).replace(" ", NBSP), "label": str(f["label"])}
               for f in slide_model["figures"]]
    n, gap = len(figures), Inches(0.35)
    w = (BODY_W - gap * (n - 1)) // n
    top, h = BODY_TOP + Inches(0.5), Inches(3.9)
    value_h = Inches(1.6)
    value_size = min(_fit([f["value"]], w - Inches(0.3), value_h, (66, 60, 54, 48, 44, 40, 36, 32, 28), bold=True, spacing=1.1,
                          max_lines=1)
                     for f in figures)
    label_size = min(_fit([f["label"]], w - Inches(0.3), h - value_h - Inches(0.5), (24, 22, 20, 18, 16, 14))
                     for f in figures)
    # no word of a label may break in the middle: the longest word fits the box's width
    room = (w - Inches(0.3) - 2 * INSET_X) / 12700
    words = [wd for f in figures for wd in f["label"].split()]
    while label_size > 12 and words and max(text_width(wd, label_size, False) for wd in words) > room:
        label_size -= 2
    for i, fig in enumerate(figures):
        x = MARGIN + i * (w + gap)
        box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, top, w, h)
        box.fill.solid()
        box.fill.fore_color.rgb = _tint(style.color(i), 0.88)
        box.line.fill.background()
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, top, w, Inches(0.1))
        bar.fill.solid()
        bar.fill.fore_color.rgb = style.color(i)
        bar.line.fill.background()
        value_color = style.color(i) if _luminance(style.color(i)) < 0.3 else DARK
        style.textbox(slide, x + Inches(0.15), top + Inches(0.3), w - Inches(0.3), value_h, [fig["value"]],
                      value_size, bold=True, color=value_color, align=PP_ALIGN.CENTER,
                      anchor=MSO_ANCHOR.MIDDLE)
        style.textbox(slide, x + Inches(0.15), top + Inches(0.3) + value_h, w - Inches(0.3),
                      h - value_h - Inches(0.5), [fig["label"]], label_size, color=DARK,
                      align=PP_ALIGN.CENTER)
    return slide


TABLE_SIZES = (18, 16, 14, 13, 12, 11, 10, 9)
_MARKS = {"", "×", "–", "-", ".", ".."}      # suppressed / missing marks in a number column


def _is_number(text: str) -> bool:
    return text.strip() in _MARKS or bool(_NUMERIC.match(text))


def _table_plan(columns: list[str], rows: list[list[str]], width: int, room: int):
    """(blocks side by side, font size, column widths, row heights of the longest block) for
    the largest text that fits: one block down to 12 pt, then (up to four columns) the rows
    in two blocks side by side, then one block down to 9 pt. None when nothing fits."""
    ncol = len(columns)
    # a header word is bold and must not break: it counts wider than body text
    longest = [max([len(max(columns[j].split() or [""], key=len)) * 1.2 + 2, len(columns[j]) * 0.6]
                   + [len(r[j]) for r in rows]) for j in range(ncol)]
    weights = [min(max(k, 4), 45) for k in longest]
    tries = [(1, size) for size in TABLE_SIZES if size >= 12]
    if ncol <= 4 and len(rows) > 1:
        tries += [(2, size) for size in TABLE_SIZES]
    tries += [(1, size) for size in TABLE_SIZES if size < 12]
    for blocks, size in tries:
        block_w = (width - (blocks - 1) * Inches(0.3)) // blocks
        widths = [int(block_w * wgt / sum(weights)) for wgt in weights]
        part = rows[: -(-len(rows) // blocks)]
        heights = _row_heights(columns, part, widths, size)
        if sum(heights) <= room:
            natural = _natural_widths(columns, rows, size, block_w)
            if natural and sum(h := _row_heights(columns, part, natural, size)) <= room:
                widths, heights = natural, h
            return blocks, size, widths, heights
    return None


def _row_heights(columns, rows, widths, size) -> list[int]:
    line = Pt(size * 1.2)
    return [max(_lines(t, wd, size, r is columns) for t, wd in zip(r, widths)) * line + 2 * TABLE_MARGIN_Y
            for r in [columns, *rows]]


def _natural_widths(columns, rows, size, block_w) -> list[int] | None:
    """Narrower columns for a table whose cells fit on one line with room to spare (a
    short table spread over the whole slide is hard to read across); None otherwise."""
    pad = 2 * INSET_X + Pt(size)
    need = [int(max([text_width(max(columns[j].split() or [""], key=len), size, True)]
                    + [text_width(r[j], size, False) for r in rows]) * 12700) + pad
            for j in range(len(columns))]
    total = max(sum(need) * 1.3, block_w * 0.5)
    if total >= block_w:
        return None
    return [int(n * total / sum(need)) for n in need]


TABLE_MARGIN_Y = Inches(0.04)


def _table_slide(prs, slide_model: dict, style: _Style):
    slide = _content_slide(prs, slide_model, style)
    bottom = _caption(slide, style, slide_model.get("caption"), BODY_BOTTOM)
    columns = [str(c) for c in slide_model["columns"]]
    rows = [[str(v) for v in r] for r in slide_model["rows"]]
    plan = _table_plan(columns, rows, BODY_W, bottom - BODY_TOP)
    if plan is None:
        raise KartoitusError(f"diaesitys, dia {slide_model.get('title')!r}: taulukko ({len(rows)} riviä) ei mahdu "
                             "diaan pienimmälläkään fonttikoolla; jaa se useammalle dialle")
    blocks, size, widths, heights = plan
    per_block = -(-len(rows) // blocks)
    numbers = [j > 0 and all(_is_number(r[j]) for r in rows) for j in range(len(columns))]
    for b in range(blocks):
        part = rows[b * per_block:(b + 1) * per_block]
        x = MARGIN + b * (sum(widths) + Inches(0.3))
        _table(slide, style, columns, part, (x, BODY_TOP), widths, heights, size, numbers)
    return slide


def _table(slide, style: _Style, columns, rows, at, widths, heights, size, numbers) -> None:
    frame = slide.shapes.add_table(len(rows) + 1, len(columns), *at, sum(widths),
                                   sum(heights[: len(rows) + 1]))
    table = frame.table
    for j, wd in enumerate(widths):
        table.columns[j].width = wd
    for i in range(len(rows) + 1):
        table.rows[i].height = heights[i]
    head, light = style.color(0), _tint(style.color(0), 0.9)
    for i, row in enumerate([columns, *rows]):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.margin_top = cell.margin_bottom = TABLE_MARGIN_Y
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.fill.solid()
            cell.fill.fore_color.rgb = head if i == 0 else (light if i % 2 == 0 else RGBColor(0xFF, 0xFF, 0xFF))
            style.text(cell.text_frame, [text], size, bold=i == 0, color=_on(head) if i == 0 else DARK,
                       align=PP_ALIGN.RIGHT if numbers[j] else PP_ALIGN.LEFT,
                       anchor=MSO_ANCHOR.BOTTOM if i == 0 else MSO_ANCHOR.MIDDLE)


def _chart_slide(prs, slide_model: dict, style: _Style):
    slide = _content_slide(prs, slide_model, style)
    bottom = _caption(slide, style, slide_model.get("caption"), BODY_BOTTOM)
    frame = add_chart(slide, slide_model["chart"], (MARGIN, BODY_TOP, BODY_W, bottom - BODY_TOP), style)
    frame._element.nvGraphicFramePr.cNvPr.set("descr", str(slide_model.get("title", "")))
    return slide


BUILDERS = {"title": _title_slide, "bullets": _bullets_slide, "chart": _chart_slide,
            "image": _image_slide, "table": _table_slide, "figures": _figures_slide}


# -- the deck --------------------------------------------------------------------------

def _fixed_date(year: int) -> datetime:
    """1 January of the year after the wave: a wave is reported the following year."""
    return datetime(int(year) + 1, 1, 1)


def _widen(prs) -> None:
    """16:9 slides; the template's master and layouts (made for 4:3) widened to match."""
    factor = WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    for part in [prs.slide_master, *prs.slide_layouts]:
        for tag, attr in ((qn("a:off"), "x"), (qn("a:ext"), "cx")):
            for el in part.shapes._spTree.iter(tag):
                el.set(attr, str(round(int(el.get(attr)) * factor)))


def _theme(prs, style: _Style) -> None:
    """The theme's accent colours and fonts, so that what staff add later matches."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    scheme = root.find(f".//{qn('a:clrScheme')}")
    for i in range(6):
        slot = scheme.find(qn(f"a:accent{i + 1}"))
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, qn("a:srgbClr"), val=str(style.color(i)))
    if style.font:
        for which in ("a:majorFont", "a:minorFont"):
            root.find(f".//{qn(which)}").find(qn("a:latin")).set("typeface", style.font)
    part.blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(prs, model: dict, style: _Style) -> None:
    props = prs.core_properties
    fixed = _fixed_date(model["year"])
    props.title = str(model["title"])
    props.author = AUTHOR
    props.language = style.lang
    props.subject = props.keywords = props.category = ""
    props.comments = ""
    props.revision = 1
    props.created = props.modified = fixed
    for el in props._element.findall(qn("cp:lastModifiedBy")):
        props._element.remove(el)
    package = prs.part.package       # the template's thumbnail shows an empty 4:3 slide
    for rel in list(package.iter_rels()):
        if rel.reltype == RT.THUMBNAIL:
            package.drop_rel(rel.rId)


def deck_bytes(model: dict) -> bytes:
    """The .pptx file as bytes (the same bytes for the same model)."""
    _check(model)
    style = _Style(model)
    prs = Presentation()
    _widen(prs)
    _theme(prs, style)
    _properties(prs, model, style)
    for number, slide_model in enumerate(model["slides"], start=1):
        slide = BUILDERS[slide_model["layout"]](prs, slide_model, style)
        _footer(slide, style, number)
        _notes(slide, style, slide_model["notes"])
    raw = io.BytesIO()
    prs.save(raw)
    return _normalise_zip(raw.getvalue(), _fixed_date(model["year"]))


_XLSX_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _normalise_zip(data: bytes, fixed: datetime) -> bytes:
    """Same entries, fixed order ([Content_Types].xml first, then by name) and dates; the
    charts' embedded workbooks (xlsx, written with the clock time) normalised the same way."""
    date_time = fixed.replace(tzinfo=timezone.utc).timetuple()[:6]
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            content = src.read(name)
            if name.endswith(".xlsx"):
                content = _normalise_zip(content, fixed)
            elif name == "docProps/core.xml":
                content = _XLSX_DATES.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()


def write_deck(model: dict, path: Path) -> Path:
    """Write the deck ``model`` describes to ``path`` (.pptx) atomically; return the path."""
    path = Path(path)
    if path.suffix.lower() != ".pptx":
        raise KartoitusError(f"{path}: diaesityksen tiedostopäätteen pitää olla .pptx")
    return atomic_write_bytes(path, deck_bytes(model))


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.slides:render_job``): {"model", "path"} -> [path]."""
    return [write_deck(payload["model"], payload["path"])]
