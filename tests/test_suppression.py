"""Disclosure control: primary and secondary suppression on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kartoitus.publication import suppression
from kartoitus.publication.suppression import Equation, SuppressionPlan, column_equations, row_equations
from kartoitus.tables import Table


def distribution(counts: list[float]):
    """A one-column distribution whose cells add up to the published n."""
    n = float(sum(counts))
    frame = pd.DataFrame({"avain": [f"k{i}" for i in range(len(counts))],
                          "lkm": counts, "osuus": [100 * c / n for c in counts]})
    table = Table(id="t", title="T", frame=frame, n=int(n), columns={},
                  kinds={"lkm": "count", "osuus": "percent"})
    plan = SuppressionPlan(values=pd.DataFrame({"lkm": counts, "_n": n}), counts=("lkm", "_n"),
                           reveals={"osuus": ("lkm", "_n")},
                           equations=tuple(column_equations(list(frame.index), None, ["lkm"])))
    return table, plan


def hidden(t: Table, column: str) -> list[bool]:
    return t.mask()[column].tolist()


def test_primary_hides_small_counts_but_not_zeros():
    t = suppression.apply(*distribution([20, 3, 0, 4, 9]))
    assert hidden(t, "lkm") == [False, True, False, True, False]
    assert hidden(t, "osuus") == hidden(t, "lkm")          # a share reveals its count
    assert t.frame.lkm.tolist()[2] == 0                    # zero stays
    assert np.isnan(t.frame.lkm[1]) and np.isnan(t.frame.osuus[3])  # values blanked


def test_secondary_when_one_cell_could_be_recovered_from_the_total():
    # n = 34 published: 3 = 34 - 20 - 11 -> hide the next smallest (11) too
    t = suppression.apply(*distribution([20, 3, 11]))
    assert hidden(t, "lkm") == [False, True, True]
    assert t.frame.lkm[0] == 20


def test_secondary_skips_zeros_and_breaks_ties_in_order():
    t = suppression.apply(*distribution([0, 2, 7, 7, 30]))
    assert hidden(t, "lkm") == [False, True, True, False, False]


def test_threshold_configurable():
    t = suppression.apply(*distribution([20, 6, 11]), threshold=10)
    assert hidden(t, "lkm") == [False, True, True]
    t0 = suppression.apply(*distribution([20, 1, 11]), threshold=0)
    assert not t0.mask().to_numpy().any()


def test_mean_hidden_when_computed_from_few_respondents():
    frame = pd.DataFrame({"ryhma": ["a", "b"], "keskiarvo": [3.5, 4.0], "n": [12.0, 3.0]})
    table = Table(id="m", title="M", frame=frame, n=15, kinds={"keskiarvo": "mean", "n": "count"})
    plan = SuppressionPlan(values=frame[["n"]], counts=("n",), bases={"keskiarvo": "n"})
    t = suppression.apply(table, plan)
    assert hidden(t, "keskiarvo") == [False, True] and hidden(t, "n") == [False, True]


def test_two_way_table_iterates_until_stable():
    """Rows: sectors, columns: options; row sums = row n, column sums = the column total.

         x   y   n
    A    3   9  12     3 small -> row A needs one more: 9 (A,y)
    B    8   6  14     column y now has one hidden -> hide the smallest other: 6 (B,y)
    C   10  12  22     row B now has one hidden -> hide (B,x) 8; column x: 3, 8 hidden - stable
    """
    counts = pd.DataFrame({"x": [3.0, 8, 10, 21], "y": [9.0, 6, 12, 27], "n": [12.0, 14, 22, 48]},
                          index=[0, 1, 2, "_total"])
    frame = pd.DataFrame({"g": ["A", "B", "C"], "x": [3.0, 8, 10], "y": [9.0, 6, 12], "n": [12.0, 14, 22]})
    table = Table(id="w", title="W", frame=frame, n=48,
                  kinds={"x": "count", "y": "count", "n": "count"})
    eqs = row_equations([0, 1, 2, "_total"], ["x", "y"], "n") + \
        column_equations([0, 1, 2], "_total", ["x", "y", "n"])
    plan = SuppressionPlan(values=counts, counts=("x", "y", "n"), equations=tuple(eqs))
    m = suppression.apply(table, plan).mask()
    assert m.loc[0, ["x", "y", "n"]].tolist() == [True, True, False]
    assert m.loc[1, ["x", "y", "n"]].tolist() == [True, True, False]
    assert m.loc[2, ["x", "y", "n"]].tolist() == [False, False, False]
    # no equation is left with exactly one hidden cell
    hv = suppression.values_mask(plan)
    for eq in plan.equations:
        cells = list(eq.parts) + ([eq.total] if eq.total else [])
        assert sum(bool(hv.loc[r, c]) for r, c in cells) != 1


def test_hidden_total_with_visible_parts_hides_a_part():
    # no small cell: nothing hidden; a sum over 4 respondents is hidden and so is its complement
    values = pd.DataFrame({"c": [6.0, 0.0, 6.0]}, index=["a", "b", "t"])
    plan = SuppressionPlan(values=values, counts=("c",),
                           equations=(Equation((("a", "c"), ("b", "c")), ("t", "c")),))
    assert not suppression.values_mask(plan).to_numpy().any()
    values2 = pd.DataFrame({"c": [4.0, 7.0, 11.0], "s": [4.0, 7.0, 11.0]}, index=["a", "b", "t"])
    plan2 = SuppressionPlan(values=values2, counts=("c",),
                            equations=(Equation((("a", "s"), ("b", "s")), ("t", "s")),),
                            bases={"s": "c"})
    hv = suppression.values_mask(plan2)
    assert hv["s"].tolist() == [True, True, False]   # sum of 4 respondents, and its complement


def test_text_columns_blanked_with_none_and_no_plan_means_nothing_hidden():
    frame = pd.DataFrame({"k": ["a"], "t": ["x"], "c": [2.0]})
    table = Table(id="x", title="X", frame=frame, n=2, kinds={"t": "text", "c": "count"})
    plan = SuppressionPlan(values=frame[["c"]], counts=("c",), reveals={"t": ("c",)})
    out = suppression.apply(table, plan)
    assert out.frame.t[0] is None and out.mask().loc[0, "t"]
    assert table.frame.t[0] == "x"  # input table untouched
    assert not suppression.apply(table, None).mask().to_numpy().any()


def test_check_reports_published_small_counts():
    table, _ = distribution([20, 3])
    assert suppression.check(table) == ["t: solu (1, lkm) = 3 on alle 5"]
