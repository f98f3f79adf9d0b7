"""How a chart reads an indicator Table, and its alt text: pure text, no matplotlib.

The report model needs a chart's alt text and whether the chart can be drawn at
all; render (``kartoitus.render.charts``) needs the same reading of the table to
draw it. Both use these functions, so the text and the picture always agree and a
model can be built without importing matplotlib.
"""

from __future__ import annotations

import math
import re

import numpy as np

from kartoitus.fmt import fi_integer, format_value
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK, Table

#: Value kinds preferred for a single-series chart, in order.
_PREFERENCE = ("percent", "count", "mean", "number")


class ChartError(ValueError):
    """The table has no shape this chart can draw (e.g. no numeric column)."""


# -- reading a table -----------------------------------------------------------

def label_column(table: Table) -> str:
    """The column that names each row: the first label column with a Finnish header
    (key columns have none), else the last label column."""
    labels = table.label_columns
    if not labels:
        raise ChartError(f"table {table.id} has no label column")
    named = [c for c in labels if c in table.columns]
    return named[0] if named else labels[-1]


def row_labels(table: Table) -> list[str]:
    col = label_column(table)
    return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            for v in table.frame[col].tolist()]


def value_column(table: Table, value: str | None = None) -> str:
    """``value`` if given, else the first percent, count, mean or number column."""
    if value is not None:
        if value not in table.kinds:
            raise ChartError(f"table {table.id} has no value column {value!r}")
        return value
    for kind in _PREFERENCE:
        for col in table.value_columns:
            if table.kinds[col] == kind:
                return col
    raise ChartError(f"table {table.id} has no numeric value column")


def _order(values: np.ndarray, hidden: np.ndarray, sort: bool) -> list[int]:
    idx = list(range(len(values)))
    if not sort:
        return idx
    # largest first; suppressed and missing rows last, in table order
    key = [(1, 0.0, i) if hidden[i] or np.isnan(values[i]) else (0, -values[i], i) for i in idx]
    return [k[2] for k in sorted(key)]


def _bar_order(table: Table, value: str | None, sort: bool, max_items: int | None):
    """(value column, values, hidden, drawing order) of a bar chart's rows."""
    col = value_column(table, value)
    values = np.array([np.nan if v is None else float(v) for v in
                       table.frame[col].astype("float64").tolist()])
    hidden = table.mask()[col].to_numpy(dtype=bool)
    order = _order(values, hidden, sort)
    if max_items is not None:
        order = order[:max_items]
    return col, values, hidden, order


def bar_data(table: Table, value: str | None, sort: bool, max_items: int | None):
    """(value column, row labels, values, hidden) of a bar chart, in drawing order."""
    col, values, hidden, order = _bar_order(table, value, sort, max_items)
    labels = row_labels(table)
    return col, [labels[i] for i in order], values[order], hidden[order]


#: What the alt text says of hidden values (read aloud, a mark means nothing).
HIDDEN_NOTE = "Osa luvuista on peitetty tietosuojan vuoksi."


def _spoken(mark: str) -> str:
    return "alle 5" if mark == SMALL_MARK else "peitetty"


def bar_marks(table: Table, value: str | None, sort: bool, max_items: int | None) -> list[str]:
    """The mark of each bar in drawing order (``""`` for a visible bar)."""
    col, _values, hidden, order = _bar_order(table, value, sort, max_items)
    index = table.frame.index
    return [table.mark(index[i], col) if hidden[i] else "" for i in order]


def describe_bars(table: Table, value: str | None = None, *, title: str | None = None,
                  sort: bool = True, max_items: int | None = None) -> str:
    """Alt text of ``bar_chart``: the title, n and every bar with its value."""
    col, labels, values, hidden = bar_data(table, value, sort, max_items)
    marks = bar_marks(table, value, sort, max_items)
    kind = table.kinds[col]
    parts = []
    for lbl, v, h, mk in zip(labels, values, hidden, marks):
        shown = _spoken(mk) if h else ("ei tietoa" if np.isnan(v) else format_value(v, kind))
        parts.append(f"{lbl} {shown}")
    text = (f"Vaakapylväskuvio: {title or table.title}, n = {fi_integer(table.n)}. "
            f"{table.header(col)}: " + "; ".join(parts) + ".")
    if hidden.any():
        text += " " + HIDDEN_NOTE
    return text



def stack_columns(table: Table, columns: list[str] | None) -> list[str]:
    cols = columns if columns is not None else [c for c in table.value_columns
                                                if table.kinds[c] == "percent"]
    if len(cols) < 2:
        raise ChartError(f"table {table.id}: a stacked chart needs at least two percent columns")
    missing = [c for c in cols if c not in table.kinds]
    if missing:
        raise ChartError(f"table {table.id} has no columns {missing}")
    return cols


def legend_label(header: str) -> str:
    """``Täysin eri mieltä, %`` -> ``Täysin eri mieltä`` (the axis already says %)."""
    return re.sub(r",?\s*\(?%\)?$", "", header).strip()


def describe_stacked(table: Table, columns: list[str] | None = None, *,
                     title: str | None = None) -> str:
    """Alt text of ``stacked_chart``: each bar with every segment's share."""
    cols = stack_columns(table, columns)
    labels = row_labels(table)
    data = table.frame[cols].astype("float64").to_numpy()
    hidden = table.mask()[cols].to_numpy(dtype=bool)
    rows = []
    for i, lbl in enumerate(labels):
        segs = []
        for j, col in enumerate(cols):
            v = data[i, j]
            shown = _spoken(PROTECTED_MARK) if hidden[i, j] else (
                "ei tietoa" if np.isnan(v) else format_value(v, "percent"))
            segs.append(f"{legend_label(table.header(col))} {shown}")
        rows.append(f"{lbl}: " + ", ".join(segs))
    text = (f"Pinottu pylväskuvio (100 %): {title or table.title}, n = {fi_integer(table.n)}. "
            + "; ".join(rows) + ".")
    if hidden.any():
        text += " " + HIDDEN_NOTE
    return text
