"""Line charts of figures over the waves (trends).

``line_chart(years, series, ...)``: one line per series, one point per wave; a
missing or suppressed value (None / NaN) is a gap, never a zero. Plain data in
(``outputs.trends`` builds it from a trend Table), so the report, the
municipality PDFs and the website draw the same chart.
"""

from __future__ import annotations

import math

from kartoitus.fmt import fi_number, fi_percent
from kartoitus.render.charts.base import MUTED, PALETTE, TEXT, new_figure, number_axis, percent_axis, style, wrap

#: line styles beside the colours, so the lines differ in greyscale too
_STYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def line_chart(years, series, **kwargs):
    """See :func:`_line_chart` (drawn inside the chart style)."""
    with style():
        return _line_chart(years, series, **kwargs)


def _line_chart(years, series, *, title: str = "", unit: str = "%", ymax: float | None = None,
               width: float = 6.6, height: float | None = None, dashed_last: bool = False):
    """A Figure: x = the waves (``years``), one line per ``(label, values)`` in ``series``.

    ``values`` lines up with ``years``; None/NaN leaves a gap. The last value of
    each line is labelled. ``dashed_last``: draw the last series grey and dashed
    (a reference such as the region median).
    """
    years = [int(y) for y in years]
    n = len(series)
    fig = new_figure(height or (2.6 + 0.34 * ((n + 1) // 2)), width)
    ax = fig.add_subplot()
    fmt = (lambda v: fi_percent(v, 0)) if unit == "%" else (lambda v: fi_number(v, 0))
    ends: list[tuple[float, int, str]] = []
    for i, (label, values) in enumerate(series):
        vals = [float("nan") if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                for v in values]
        ref = dashed_last and i == n - 1
        color = MUTED if ref else PALETTE[i % len(PALETTE)]
        ax.plot(years, vals, linestyle="--" if ref else _STYLES[(i // len(PALETTE)) % len(_STYLES)],
                marker=_MARKERS[i % len(_MARKERS)], color=color, linewidth=1.6, markersize=4.5,
                label=wrap(label, 40 if n > 2 else 60))
        shown = [(y, v) for y, v in zip(years, vals) if not math.isnan(v)]
        if shown:
            ends.append((shown[-1][1], shown[-1][0], fmt(shown[-1][1])))
    # end labels, pushed apart so that they do not overlap
    top = ymax if ymax is not None else max([v for v, _, _ in ends] or [1.0]) * 1.1
    gap, last = top * 0.05, None
    dx = ((years[-1] - years[0]) or 1) * 0.04
    for v, y, text in sorted(ends):
        pos = v if last is None else max(v, last + gap)
        ax.annotate(text, (y, v), xytext=(y + dx, pos), textcoords="data", va="center", fontsize=7.5, color=TEXT,
                    annotation_clip=False)
        last = pos
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    if len(years) > 1:
        pad = (years[-1] - years[0]) * 0.12 or 0.5
        ax.set_xlim(years[0] - pad * 0.4, years[-1] + pad)
    ax.set_ylim(0, ymax if ymax is not None else None)
    ax.grid(axis="y")
    if unit == "%":
        percent_axis(ax.yaxis)
    else:
        number_axis(ax.yaxis)
    if title:
        ax.set_title(wrap(title, 70))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2 if n > 2 else n)
    return fig
