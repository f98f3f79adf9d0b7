"""Native PowerPoint charts for :mod:`kartoitus.render.slides` (python-pptx chart API).

One chart of a deck model (``{"type", "categories", "series", "number_format",
"axis_title", "max"}``, see :mod:`kartoitus.render.slides`) -> a chart on a slide that
staff can restyle in PowerPoint or LibreOffice:

- clustered bar / column / stacked bar / line with markers;
- data labels in the model's number format; in a Finnish deck the format gets the
  Finnish locale tag ``[$-40B]``, so the labels show a decimal comma (``24,5 %``)
  whatever the viewer's locale; the value axis shows the same format without
  decimals;
- series in the theme colours; a legend only when there are several series;
- ``None`` values are gaps (no bar, a break in the line), never zeros;
- horizontal bars list the first category at the top, with the value axis at the
  bottom; a stacked bar's segments too small to hold a label get none;
- text sizes follow the number of bars; long category labels wrap (both
  PowerPoint and LibreOffice wrap axis labels in a text frame that is too narrow).
"""

from __future__ import annotations

import math
import re

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.oxml.ns import qn
from pptx.util import Pt

from kartoitus.render.slides_text import DARK, on_color

__all__ = ["CHART_TYPES", "LOCALE_TAGS", "chart_format", "add_chart"]

CHART_TYPES = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
               "stacked_bar": XL_CHART_TYPE.BAR_STACKED, "line": XL_CHART_TYPE.LINE_MARKERS}
#: number-format locale tags (Windows LCID) per language of the deck
LOCALE_TAGS = {"fi-FI": "[$-40B]", "sv-FI": "[$-81D]"}
GREY, GRID = RGBColor(0x55, 0x55, 0x55), RGBColor(0xD9, 0xD9, 0xD9)
_STEPS = (1, 2, 2.5, 5)
_DECIMALS = re.compile(r"0[.,]0+")


def chart_format(number_format: str | None, lang: str) -> str:
    """The model's number format with the language's locale tag (``General`` unchanged)."""
    fmt = number_format or "General"
    tag = LOCALE_TAGS.get(lang, "")
    if fmt == "General" or not tag or fmt.startswith("[$"):
        return fmt
    return tag + fmt


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round axis step giving at most ``ticks`` steps up to ``top``."""
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for step in _STEPS:
        if step * power >= raw:
            return step * power
    return 10 * power


def _text_size(kind: str, ncat: int, nser: int) -> int:
    bars = ncat * (nser if kind in ("bar", "column") else 1)
    return 14 if bars <= 8 else 12 if bars <= 16 else 10


def add_chart(slide, spec: dict, box: tuple, style):
    """Add the chart ``spec`` describes to ``slide`` in ``box`` (x, y, w, h EMU);
    return the graphic frame. ``style`` gives ``color(i)``, ``font``, ``lang``, ``run``."""
    kind = spec["type"]
    fmt = chart_format(spec.get("number_format"), style.lang)
    data = CategoryChartData(number_format=fmt)
    data.categories = [str(c) for c in spec["categories"]]
    for s in spec["series"]:
        data.add_series(str(s["name"]), [None if v is None else float(v) for v in s["values"]], fmt)
    frame = slide.shapes.add_chart(CHART_TYPES[kind], *box, data)
    chart = frame.chart
    ncat, nser = len(spec["categories"]), len(spec["series"])
    size = _text_size(kind, ncat, nser)
    chart.font.size = Pt(size)
    if style.font:
        chart.font.name = style.font
    chart.font.color.rgb = DARK
    _language(chart, style.lang)
    chart.has_title = False
    chart.has_legend = nser > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(size)
    _plot(chart, kind, fmt, size, style, spec)
    _axes(chart, kind, fmt, size, style, spec)
    return frame


def _language(chart, lang: str) -> None:
    space = chart._chartSpace
    el = space.find(qn("c:lang"))
    if el is None:
        el = etree.Element(qn("c:lang"))
        space.insert(0, el)
    el.set("val", lang)
    for rpr in space.iter(qn("a:defRPr"), qn("a:endParaRPr")):
        rpr.set("lang", lang)


def _plot(chart, kind: str, fmt: str, size: int, style, spec: dict) -> None:
    plot = chart.plots[0]
    if kind != "line":
        plot.gap_width = 50 if kind == "stacked_bar" else 60
        plot.vary_by_categories = False
        if kind in ("bar", "column") and len(spec["series"]) > 1:
            plot.overlap = -5
    plot.has_data_labels = True
    position = {"bar": XL_LABEL_POSITION.OUTSIDE_END, "column": XL_LABEL_POSITION.OUTSIDE_END,
                "stacked_bar": XL_LABEL_POSITION.CENTER, "line": XL_LABEL_POSITION.ABOVE}[kind]
    labels = [plot.data_labels]
    if kind == "stacked_bar":           # per-series labels: text colour on the segment's colour
        labels += [s.data_labels for s in plot.series]
    for i, dl in enumerate(labels):
        dl.number_format = fmt
        dl.number_format_is_linked = False
        dl.show_value = True
        dl.show_series_name = dl.show_category_name = dl.show_legend_key = False
        dl.position = position
        dl.font.size = Pt(size - 1 if kind == "stacked_bar" else size)
        if i > 0:
            color = style.color(i - 1)
            dl.font.color.rgb = on_color(color)
    for i, series in enumerate(plot.series):
        color = style.color(i)
        if kind == "line":
            series.format.line.color.rgb = color
            series.format.line.width = Pt(2.75)
            series.smooth = False
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 8
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = color
            series.marker.format.line.color.rgb = color
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = color
            series.format.line.fill.background()
    if kind == "stacked_bar":
        _hide_small_labels(plot, spec)


def _hide_small_labels(plot, spec: dict) -> None:
    """No label on a stacked segment under 6 % of the longest bar (it would not fit)."""
    totals = [sum(v or 0 for v in col) for col in zip(*(s["values"] for s in spec["series"]))]
    limit = 0.06 * float(spec.get("max") or max(totals, default=0) or 1)
    for series, s in zip(plot.series, spec["series"]):
        dlbls = series._element.find(qn("c:dLbls"))
        small = [j for j, v in enumerate(s["values"]) if v is not None and abs(v) < limit]
        for j in reversed(small):
            dlbl = etree.Element(qn("c:dLbl"))
            etree.SubElement(dlbl, qn("c:idx"), val=str(j))
            etree.SubElement(dlbl, qn("c:delete"), val="1")
            dlbls.insert(0, dlbl)


def _axes(chart, kind: str, fmt: str, size: int, style, spec: dict) -> None:
    values = chart.value_axis
    top = spec.get("max")
    if top is not None:
        values.maximum_scale = float(top)
        values.major_unit = _nice_step(float(top))
    if kind != "line":
        values.minimum_scale = 0
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = GRID
    values.format.line.fill.background()
    values.tick_labels.number_format = _DECIMALS.sub("0", fmt)
    values.tick_labels.number_format_is_linked = False
    values.tick_labels.font.size = Pt(size - 2)
    values.tick_labels.font.color.rgb = GREY
    if spec.get("axis_title"):
        values.has_title = True
        values.axis_title.text_frame.text = str(spec["axis_title"])
        for p in values.axis_title.text_frame.paragraphs:
            for r in p.runs:
                style.run(r, size - 2, bold=False, color=GREY)
    cats = chart.category_axis
    cats.tick_labels.font.size = Pt(size)
    cats.has_major_gridlines = False
    cats.format.line.color.rgb = GRID
    if kind in ("bar", "stacked_bar"):
        # first category at the top; the value axis then crosses at the last one (the bottom)
        cats.reverse_order = True
        values._element.find(qn("c:crosses")).set("val", "max")
