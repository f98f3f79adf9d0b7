"""Text and colour helpers for :mod:`kartoitus.render.slides`: how many lines a text
takes in a box at a font size (measured with DejaVu Sans), the largest size that fits,
and readable text colours on a fill."""

from __future__ import annotations

import functools
import math
import os

from pptx.dml.color import RGBColor
from pptx.util import Inches

__all__ = ["INSET_X", "INSET_Y", "rgb", "luminance", "on_color", "tint", "lines", "fit", "text_width"]

INSET_X, INSET_Y = Inches(0.1), Inches(0.05)   # text frame insets (the template's)
DARK = RGBColor(0x22, 0x22, 0x22)


def rgb(hexcolor: str) -> RGBColor:
    return RGBColor.from_string(hexcolor.lstrip("#").upper())


def luminance(color: RGBColor) -> float:
    def ch(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * ch(color[0]) + 0.7152 * ch(color[1]) + 0.0722 * ch(color[2])


def on_color(color: RGBColor) -> RGBColor:
    """White or near-black text, whichever reads better on ``color``."""
    return RGBColor(0xFF, 0xFF, 0xFF) if luminance(color) < 0.35 else DARK


def tint(color: RGBColor, amount: float) -> RGBColor:
    """``color`` mixed with white (amount 1 = white)."""
    return RGBColor(*(round(c + (255 - c) * amount) for c in color))


@functools.lru_cache(maxsize=2)
def _metrics(bold: bool):
    """DejaVu Sans as matplotlib ships it: the same metrics on every machine (so the same
    model gives the same sizes everywhere), and wider than the template's Calibri, so text
    sized for it fits in either font."""
    import matplotlib
    from PIL import ImageFont
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name), 1000)


def text_width(text: str, size: float, bold: bool) -> float:
    """Width of ``text`` in points at ``size`` pt (3 % spare for the renderers' differences)."""
    return _metrics(bold).getlength(text) / 1000 * size * 1.03


def lines(text: str, width: int, size: float, bold: bool = False) -> int:
    """Lines ``text`` takes in a text frame ``width`` EMU wide at ``size`` pt: words wrap at
    spaces (not at no-break spaces); a word wider than the line breaks where it must."""
    room = (width - 2 * INSET_X) / 12700
    space = text_width(" ", size, bold)
    total = 0
    for part in str(text).split("\n"):
        lines, used = 1, 0.0
        for word in part.split(" "):
            w = text_width(word, size, bold)
            if used and used + space + w > room:
                lines, used = lines + 1, 0.0
            if w > room:
                extra = math.ceil(w / room) - 1
                lines, used = lines + extra, w - extra * room
            else:
                used = used + space + w if used else w
        total += lines
    return total


def fit(texts: list[str], width: int, height: int, sizes, *, bold: bool = False,
        spacing: float = 1.2, gap: float = 0.0, max_lines: int | None = None) -> int:
    """The largest size in ``sizes`` at which the paragraphs ``texts`` fit the box
    (``gap``: space between paragraphs, in lines; ``max_lines``: at most so many lines);
    else the smallest."""
    room = (height - 2 * INSET_Y) / 12700
    for size in sizes:
        count = sum(lines(t, width, size, bold) for t in texts)
        if max_lines is not None and count > max_lines:
            continue
        if (count + gap * (len(texts) - 1)) * size * spacing <= room:
            return size
    return sizes[-1]
