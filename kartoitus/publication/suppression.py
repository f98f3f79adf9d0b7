"""Disclosure control for indicator tables.

No published cell may describe fewer than ``threshold`` respondents (default 5).

How a table tells the suppressor what its cells mean: the indicator that builds
a :class:`~kartoitus.tables.Table` also builds a :class:`SuppressionPlan`:

- ``values``: a frame with the table's row index holding the *additive*
  quantities behind the table: respondent counts (published or hidden, e.g. the
  counts behind a percentage column) and sums (e.g. total members of a sector);
- ``counts``: which ``values`` columns count respondents. Primary suppression
  hides a count cell ``0 < x < threshold`` (a zero is not disclosive and stays);
- ``bases``: column -> ``values`` count column holding the number of respondents
  the cell was computed from. Primary suppression hides a mean, median, share or
  sum computed from ``0 < base < threshold`` respondents;
- ``reveals``: column -> ``values`` columns the cell gives away when published
  with the rest of the table (a percentage reveals its count and its base): the
  cell is hidden whenever one of them is hidden;
- ``equations``: groups of ``values`` cells that add up to a published total
  (rows of a distribution to its "Yhteensä" row, sectors to the all-sectors row,
  values 1-5 of a statement to its n). If exactly one cell of an equation is
  hidden it could be recovered by subtraction, so the smallest other part is
  hidden too (secondary suppression); this repeats until nothing changes;
- ``hidden``: ``values`` cells hidden whatever their value, because a wider
  suppression that several outputs share hides them (:mod:`kartoitus.publication.disclosure`):
  the same figure must be hidden identically wherever it is printed.

Columns named in ``reveals``/``bases`` may be frame columns or ``values``
columns; a frame column that is also a ``values`` column follows that column.
The result is the table with ``suppressed`` set (True = show
``tables.SUPPRESSED_MARK``) and the hidden values blanked (NaN), so no output can
leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kartoitus.tables import Table

DEFAULT_THRESHOLD = 5

Cell = tuple[Hashable, str]  # (row label of the table frame, values column)


@dataclass(frozen=True)
class Equation:
    """``sum(parts) == total``; ``total`` None means the total is published elsewhere
    (for example as the table's n), so it is always known."""

    parts: tuple[Cell, ...]
    total: Cell | None = None


@dataclass(frozen=True)
class SuppressionPlan:
    values: pd.DataFrame
    counts: tuple[str, ...] = ()
    reveals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bases: Mapping[str, str] = field(default_factory=dict)
    equations: tuple[Equation, ...] = ()
    hidden: tuple[Cell, ...] = ()


# -- building equations ------------------------------------------------------------

def column_equations(parts: Sequence[Hashable], total: Hashable | None,
                     columns: Iterable[str]) -> list[Equation]:
    """For each column: the cells of rows ``parts`` add up to row ``total``."""
    return [
        Equation(tuple((r, c) for r in parts), None if total is None else (total, c))
        for c in columns
    ]


def row_equations(rows: Iterable[Hashable], parts: Sequence[str],
                  total: str | None) -> list[Equation]:
    """For each row: the cells of columns ``parts`` add up to column ``total``."""
    return [
        Equation(tuple((r, c) for c in parts), None if total is None else (r, total))
        for r in rows
    ]


# -- the algorithm -------------------------------------------------------------------

def _small(series: pd.Series, threshold: int) -> pd.Series:
    v = pd.to_numeric(series, errors="coerce")
    return ((v > 0) & (v < threshold)).fillna(False).astype(bool)


def values_mask(plan: SuppressionPlan, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Hidden cells of ``plan.values`` after primary and secondary suppression."""
    values = plan.values
    hidden = pd.DataFrame(False, index=values.index, columns=values.columns)
    for c in plan.counts:
        hidden[c] = _small(values[c], threshold)
    for c, base in plan.bases.items():
        if c in hidden.columns:
            hidden[c] = hidden[c] | _small(values[base], threshold)
    for r, c in plan.hidden:
        if r in hidden.index and c in hidden.columns:
            hidden.loc[r, c] = True

    # Work on numpy arrays keyed by position; equations are few and small (table cells,
    # never data rows), so a plain loop is fine here.
    row_pos = {r: i for i, r in enumerate(values.index)}
    col_pos = {c: j for j, c in enumerate(values.columns)}
    h = hidden.to_numpy(copy=True)
    v = values.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    reveal_pairs = [
        (col_pos[c], [col_pos[d] for d in deps])
        for c, deps in plan.reveals.items() if c in col_pos
    ]
    equations = [
        ([(row_pos[r], col_pos[c]) for r, c in eq.parts],
         None if eq.total is None else (row_pos[eq.total[0]], col_pos[eq.total[1]]))
        for eq in plan.equations
    ]

    changed = True
    while changed:
        changed = False
        for j, deps in reveal_pairs:
            new = h[:, j] | h[:, deps].any(axis=1)
            if (new != h[:, j]).any():
                h[:, j] = new
                changed = True
        # equations with exactly one hidden cell: each needs one more. A visible cell that
        # completes several of them at once is preferred (fewest cells), then the smallest.
        lone = [(parts, total) for parts, total in equations
                if sum(bool(h[i, j]) for i, j in parts + ([total] if total is not None else [])) == 1]
        cover: dict = {}
        for parts, _total in lone:
            for c in parts:
                if not h[c]:
                    cover[c] = cover.get(c, 0) + 1
        for parts, total in lone:
            cells = parts + ([total] if total is not None else [])
            if sum(bool(h[i, j]) for i, j in cells) != 1:
                continue                      # completed by an earlier pick of this pass
            pick = _complement(parts, total, h, v, cover)
            if pick is not None:
                h[pick] = True
                changed = True
    return pd.DataFrame(h, index=values.index, columns=values.columns)


def _complement(parts, total, h, v, cover=None):
    """The cell to hide next to a lone hidden one: the non-zero visible part that
    completes the most such equations at once (``cover``), the smallest of those,
    else a visible zero part, else the total (first in order on ties)."""
    visible = [(i, j) for i, j in parts if not h[i, j]]
    nonzero = [c for c in visible if np.nan_to_num(v[c]) != 0]
    if nonzero:
        cover = cover or {}
        return min(nonzero, key=lambda c: (-cover.get(c, 0), abs(np.nan_to_num(v[c]))))
    if visible:
        return visible[0]
    if total is not None and not h[total]:
        return total
    return None


def frame_mask(table: Table, plan: SuppressionPlan, threshold: int = DEFAULT_THRESHOLD,
               hidden_values: pd.DataFrame | None = None) -> pd.DataFrame:
    """Suppression mask of the table's frame (label columns are never hidden)."""
    if hidden_values is None:
        hidden_values = values_mask(plan, threshold)
    frame = table.frame
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    hv = hidden_values.reindex(frame.index, fill_value=False)
    pv = plan.values.reindex(frame.index)
    for c in table.value_columns:
        m = pd.Series(False, index=frame.index)
        if c in hv.columns:
            m |= hv[c].astype(bool)
        deps = plan.reveals.get(c, ())
        if deps:
            m |= hv[list(deps)].any(axis=1)
        base = plan.bases.get(c)
        if base is not None:
            m |= _small(pv[base], threshold)
        mask[c] = m.to_numpy()
    return mask


def apply(table: Table, plan: SuppressionPlan | None,
          threshold: int = DEFAULT_THRESHOLD) -> Table:
    """The table with hidden cells masked and blanked (a new Table)."""
    if plan is None:
        return table.with_(suppressed=pd.DataFrame(False, index=table.frame.index,
                                                   columns=table.frame.columns))
    mask = frame_mask(table, plan, threshold)
    small = small_mask(table, mask, threshold)
    frame = table.frame.copy()
    for c in mask.columns:
        m = mask[c].to_numpy()
        if not m.any():
            continue
        if table.kinds.get(c) == "text":
            frame[c] = frame[c].astype(object).where(~m, None)
        else:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64").where(~m, np.nan)
    return table.with_(frame=frame, suppressed=mask, small=small)


def small_mask(table: Table, mask: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Hidden count cells whose value (before blanking) is truly 1..threshold-1: the
    cells shown ``<5``. Every other hidden cell shows ``..``."""
    small = pd.DataFrame(False, index=table.frame.index, columns=table.frame.columns)
    for c, kind in table.kinds.items():
        if kind == "count" and c in mask.columns:
            small[c] = (mask[c].to_numpy(dtype=bool) & _small(table.frame[c], threshold).to_numpy())
    return small


def check(table: Table, threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """Plain consistency checks of a suppressed table (used by tests and privacy).

    Returns problems in Finnish: a published count cell between 1 and threshold - 1.
    """
    problems = []
    mask = table.mask()
    for c, kind in table.kinds.items():
        if kind != "count":
            continue
        v = pd.to_numeric(table.frame[c], errors="coerce")
        bad = (v > 0) & (v < threshold) & ~mask[c]
        for r in table.frame.index[bad.fillna(False).to_numpy()]:
            problems.append(f"{table.id}: solu ({r}, {c}) = {v[r]:g} on alle {threshold}")
    return problems
