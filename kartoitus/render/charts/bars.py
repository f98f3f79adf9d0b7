"""Bar charts of indicator Tables.

``bar_chart``: horizontal bars of one value column (categorical shares, counts or
means), one bar per row. ``stacked_chart``: 100 % stacked horizontal bars, one
bar per row and one segment per value column (the 1-5 agreement statements, with
the diverging palette). Both read Finnish labels from ``Table.columns`` and the
table's label column, format values the Finnish way, put the table's n in the
title, wrap long category labels, and never draw a suppressed value: its place is
marked with their mark (``<5`` for a count of 1-4, else ``..``). ``describe_bars`` / ``describe_stacked`` give the alt text of
the same chart (every number it shows); they and the table readers live in
:mod:`kartoitus.outputs.charttext` (no matplotlib), so a model can carry the alt text.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kartoitus.render.charts.base import (
    DARK,
    DIVERGING,
    MAIN,
    MUTED,
    TEXT,
    new_figure,
    number_axis,
    percent_axis,
    style,
    wrap,
)
from kartoitus.fmt import fi_integer, fi_number, format_value
from kartoitus.outputs.charttext import (  # noqa: F401  (re-exported: render.charts' public names)
    ChartError,
    bar_data as _bar_data,
    bar_marks as _bar_marks,
    describe_bars,
    describe_stacked,
    label_column,
    legend_label as _legend_label,
    row_labels,
    stack_columns as _stack_columns,
    value_column,
)
from kartoitus.tables import PROTECTED_MARK, Table
from kartoitus.render.charts import base as _base

#: Axis unit per value kind (the axis label is "<header> (<unit>)").
UNITS = {"percent": "%", "count": "kpl", "mean": "", "number": ""}


# -- drawing -----------------------------------------------------------------------

def _title(table: Table, title: str | None, width: int = 78) -> str:
    text = f"{title or table.title} (n = {fi_integer(table.n)})"
    return wrap(text, width)


def _set_title(fig: Figure, table: Table, title: str | None) -> None:
    """The chart title with n, left-aligned to the figure (room kept by the layout)."""
    fig.suptitle(_title(table, title), x=0.01, ha="left", fontsize=10.5, fontweight="bold",
                 color=TEXT)


def _axis_label(table: Table, col: str, unit: str | None) -> str:
    header = table.header(col)
    unit = UNITS.get(table.kinds[col], "") if unit is None else unit
    if unit and f"({unit})" not in header and not header.endswith(unit):
        return f"{header} ({unit})"
    return header


# -- single series ---------------------------------------------------------------

def bar_chart(table: Table, value: str | None = None, *, title: str | None = None,
              unit: str | None = None, sort: bool = True, max_items: int | None = None,
              xmax: float | None = None, label_width: int | None = None) -> Figure:
    """Horizontal bars of one value column of ``table``, one bar per row.

    ``unit`` overrides the axis unit (``%``, ``kpl``, ``henkilöä``); ``sort``
    orders bars largest first (keep False for ordered scales); ``xmax`` fixes the
    axis end (e.g. 5 for a 1-5 mean).
    """
    col, labels, values, hidden = _bar_data(table, value, sort, max_items)
    marks = _bar_marks(table, value, sort, max_items)
    if not labels:
        raise ChartError(f"table {table.id} has no rows")
    kind = table.kinds[col]
    if label_width is None:
        label_width = 40 if _base._WIDTH[-1] >= 6 else 26     # narrow screen charts wrap sooner
    wrapped = [wrap(lbl, label_width) for lbl in labels]
    lines = sum(max(1, w.count("\n") + 1) for w in wrapped)
    height = 0.95 + 0.16 * lines + 0.1 * len(labels)
    fig = new_figure(height)
    with style():
        ax = fig.add_subplot()
        y = np.arange(len(labels))
        drawn = np.where(hidden | np.isnan(values), 0.0, values)
        bars = ax.barh(y, drawn, color=MAIN, height=0.66)
        for b, h, v in zip(bars, hidden, values):
            if h or np.isnan(v):
                b.set_visible(False)
        top = float(np.nanmax(drawn)) if len(drawn) else 0.0
        end = xmax if xmax is not None else (top * 1.16 if top > 0 else 1.0)
        if kind == "percent" and xmax is None:
            end = min(max(end, 10.0), 116.0)
        ax.set_xlim(0, end)
        pad = end * 0.01
        for yi, v, h, mk in zip(y, values, hidden, marks):
            if h:
                ax.text(pad, yi, mk, va="center", ha="left", color=MUTED,
                        fontstyle="italic", fontsize=8)
            elif np.isnan(v):
                ax.text(pad, yi, "\u2013", va="center", ha="left", color=MUTED, fontsize=8)
            else:
                ax.text(v + pad, yi, format_value(v, kind), va="center", ha="left",
                        color=TEXT, fontsize=8)
        ax.set_yticks(y, wrapped)
        ax.invert_yaxis()
        ax.tick_params(axis="y", length=0)
        ax.xaxis.grid(True)
        if kind == "percent":
            percent_axis(ax.xaxis)
            ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, min(end, 100))
            ax.set_xticks([t for t in ticks if 0 <= t <= min(end, 100)])
        else:
            number_axis(ax.xaxis, 0, integer=kind == "count")
        ax.set_xlabel(_axis_label(table, col, unit))
        _set_title(fig, table, title)
    return fig


# -- 100 % stacked ------------------------------------------------------------------

def _colors(k: int, diverging: bool) -> list:
    if diverging and k == 5:
        return list(DIVERGING)
    cmap = colormaps["RdBu" if diverging else "Blues"]
    if diverging:
        return [cmap(x) for x in np.linspace(0.1, 0.9, k)]
    return [cmap(x) for x in np.linspace(0.3, 0.9, k)]


def stacked_chart(table: Table, columns: list[str] | None = None, *, title: str | None = None,
                  diverging: bool = True, label_width: int | None = None) -> Figure:
    """100 % stacked horizontal bars: one bar per row, one segment per column.

    ``columns`` are percent columns in scale order (default: every percent
    column). Suppressed segments are left out and marked ``..`` after the bar.
    """
    cols = _stack_columns(table, columns)
    labels = row_labels(table)
    if not labels:
        raise ChartError(f"table {table.id} has no rows")
    data = table.frame[cols].astype("float64").to_numpy()
    hidden = table.mask()[cols].to_numpy(dtype=bool)
    colors = _colors(len(cols), diverging)
    narrow = _base._WIDTH[-1] < 6
    if label_width is None:
        label_width = 22 if narrow else 36
    wrapped = [wrap(lbl, label_width) for lbl in labels]
    lines = sum(max(1, w.count("\n") + 1) for w in wrapped)
    legend_rows = (1 if len(cols) <= 5 else 2) + (1 if narrow else 0)
    height = 1.35 + 0.22 * lines + 0.14 * len(labels) + 0.25 * legend_rows
    fig = new_figure(height)
    with style():
        ax = fig.add_subplot()
        y = np.arange(len(labels))
        left = np.zeros(len(labels))
        for j, col in enumerate(cols):
            width = np.where(hidden[:, j] | np.isnan(data[:, j]), 0.0, data[:, j])
            ax.barh(y, width, left=left, color=colors[j], height=0.66,
                    label=wrap(_legend_label(table.header(col)), 16), edgecolor="white", linewidth=0.5)
            for yi, lft, w in zip(y, left, width):
                if w >= 7:
                    dark = colors[j] in DARK if isinstance(colors[j], str) else \
                        (0.299 * colors[j][0] + 0.587 * colors[j][1] + 0.114 * colors[j][2]) < 0.5
                    ax.text(lft + w / 2, yi, fi_number(w, 0),
                            ha="center", va="center", fontsize=7.5,
                            color="white" if dark else TEXT)
            left = left + width
        for yi, row_hidden in zip(y, hidden):
            if row_hidden.any():
                ax.text(101, yi, PROTECTED_MARK, va="center", ha="left", color=MUTED,
                        fontstyle="italic", fontsize=8, clip_on=False)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100])
        percent_axis(ax.xaxis)
        ax.set_yticks(y, wrapped)
        ax.invert_yaxis()
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Osuus vastaajista (%)")
        _set_title(fig, table, title)
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=min(len(cols), 3 if narrow else 5),
                   handlelength=1.2, columnspacing=1.0)
    return fig
