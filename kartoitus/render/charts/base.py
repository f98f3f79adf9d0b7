"""Chart style, palette, Finnish axis formatting and figure export.

Style: DejaVu Sans (the report's font), light grid on the value axis only, no top
or right spines. Palette: Okabe & Ito (2008), distinguishable with the common
colour-vision deficiencies; the 5-point agreement scale uses ColorBrewer's RdBu
(colour-blind safe) with a grey middle. Exports are reproducible: PNG without a
``Software`` text chunk or any time stamp, SVG with a fixed ``svg.hashsalt`` and
no date.
"""

from __future__ import annotations

import base64
import io
import re
import textwrap
from contextlib import contextmanager

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kartoitus.fmt import fi_number, fi_percent

#: Okabe-Ito: blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
#: The colour of single-series bars.
MAIN = PALETTE[0]
#: 1 (disagree) ... 5 (agree): RdBu with a neutral grey middle.
DIVERGING = ("#CA0020", "#F4A582", "#BDBDBD", "#92C5DE", "#0571B0")
#: Colours on which labels are written in white.
DARK = {"#0072B2", "#D55E00", "#CA0020", "#0571B0", "#000000", "#009E73", "#CC79A7"}
TEXT = "#222222"
MUTED = "#666666"

#: Resolution of PNGs embedded in HTML/PDF.
DPI = 170
#: Width of a chart on an A4 page with 2 cm margins (inches).
WIDTH = 6.6
FONT = ["DejaVu Sans", "Liberation Sans", "Arial", "sans-serif"]

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT,
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8.5,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.dpi": 100,
    "svg.hashsalt": "kartoitus",
    "svg.fonttype": "path",
    "path.simplify": True,
}


@contextmanager
def style():
    """Apply the chart style for the duration of building or saving a figure."""
    with matplotlib.rc_context(RC):
        yield


#: Width of a chart drawn for screens (inches): narrow, so that on a 390 px phone the
#: chart is scaled little and its smallest text stays at least 9 px.
SCREEN_WIDTH = 4.0
_WIDTH = [WIDTH]


@contextmanager
def chart_width(width: float):
    """Draw the charts made inside at ``width`` inches (the screen's narrower charts)."""
    _WIDTH.append(width)
    try:
        yield
    finally:
        _WIDTH.pop()


def new_figure(height: float, width: float | None = None) -> Figure:
    """A Figure with constrained layout (no pyplot); ``width`` defaults to the current
    chart width (:func:`chart_width`, else ``WIDTH``)."""
    with style():
        return Figure(figsize=(width or _WIDTH[-1], height), layout="constrained")


def wrap(label: str, width: int = 34) -> str:
    """Break a long category label into lines of at most ``width`` characters."""
    text = re.sub(r"[ \t\r\n]+", " ", str(label)).strip()   # keeps NBSP (1 234) unbroken
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def percent_axis(axis, decimals: int = 0) -> None:
    """Tick labels ``0 %``, ``25 %`` ... in Finnish format."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fi_percent(v, decimals)))


def number_axis(axis, decimals: int = 0, integer: bool = True) -> None:
    """Tick labels ``1 000`` with NBSP thousands and decimal commas."""
    if integer:
        axis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fi_number(v, decimals)))


def figure_to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes, identical for identical figures (no time or software metadata)."""
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None},
                    facecolor="white")
    return buf.getvalue()


def figure_to_svg(fig: Figure, text: bool = False) -> bytes:
    """SVG bytes without a date and with fixed element ids; ``text=True`` keeps the
    words as text (selectable, sharp at any zoom) instead of glyph outlines."""
    buf = io.BytesIO()
    with style(), matplotlib.rc_context({"svg.fonttype": "none"} if text else {}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                    facecolor="white")
    return buf.getvalue()


def svg_data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
