"""Generic table shapes: a distribution of one answer, multi-select coverage (overall
and by main sector) and grid statements (overall and by group)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kartoitus.publication.indicators.common import (
    ALL_ROW, COUNT, HEADERS, KEY, OTHER_LABEL, PCT, Built, Context, _answered_multi, _col, _has,
    _multi_matrix, _multi_rows, _not_asked, _num, _pct, _sector_of, _sectors, _table, _text,
)
from kartoitus.publication.suppression import SuppressionPlan, column_equations, row_equations
from kartoitus.settings.codebook import OTHER_SUFFIX, Question

# -- generic table shapes -----------------------------------------------------------

def _distribution(ctx: Context, tid: str, title: str, values: pd.Series, keys: list[str],
                  labels: list[str], label_header: str, source: str, note: str = "") -> Built:
    """One row per option: count and share of those who answered (values NA = no answer).

    Values outside ``keys`` are counted in a final "Muu" row (key ``names.other``).
    """
    v = values.dropna().astype(str)
    counts = v.value_counts()
    extra = int(counts[~counts.index.isin(keys)].sum())
    row_keys, row_labels = list(keys), list(labels)
    row_counts = [float(counts.get(k, 0)) for k in keys]
    if extra:
        other = ctx.names.other
        row_keys.append(other if other not in keys else "_" + other)
        row_labels.append(OTHER_LABEL)
        row_counts.append(float(extra))
    n = float(len(v))
    frame = pd.DataFrame({KEY: row_keys, "vaihtoehto": row_labels, COUNT: row_counts,
                          PCT: _pct(row_counts, n)})
    plan = SuppressionPlan(
        values=pd.DataFrame({COUNT: row_counts, "_n": n}, index=frame.index),
        counts=(COUNT, "_n"), reveals={PCT: (COUNT, "_n")},
        equations=tuple(column_equations(list(frame.index), None, [COUNT])),
    )
    table = _table(tid, title, frame, n, {"vaihtoehto": label_header, **HEADERS},
                   {COUNT: "count", PCT: "percent"}, source, note)
    return table, plan


def _single(tid: str, title: str, assoc: pd.DataFrame, ctx: Context, qid: str,
            label_header: str = "Vastaus", note: str = "") -> Built:
    q = ctx.cb.association.question(qid)
    if not _has(assoc, q, ctx):
        return _not_asked(tid, title, qid, ctx.year, label_header)
    values = _text(assoc[qid])
    if q.allow_other:
        values = values.fillna(_text(_col(assoc, qid + OTHER_SUFFIX)).notna().map({True: ctx.names.other}))
    return _distribution(ctx, tid, title, values, list(q.option_keys()), [o.label for o in q.options],
                         label_header, qid, note)


def _multi(tid: str, title: str, frame: pd.DataFrame, ctx: Context, q: Question,
           label_header: str = "Vaihtoehto", suppress: bool = True, note: str = "") -> Built:
    """Multi-select coverage: per option, how many of those who answered chose it."""
    if not _has(frame, q, ctx):
        return _not_asked(tid, title, q.id, ctx.year, label_header)
    answered = _answered_multi(frame, q, ctx)
    m, keys, labels = _multi_matrix(_multi_rows(frame, answered, q, ctx), q, ctx)
    counts = m.sum().reindex(keys).to_numpy(dtype="float64")
    n = float(answered.sum())
    frame_out = pd.DataFrame({KEY: keys, "vaihtoehto": labels, COUNT: counts, PCT: _pct(counts, n)})
    multi_note = "Vastaaja saattoi valita useita vaihtoehtoja; osuudet vastanneista."
    plan = SuppressionPlan(
        values=pd.DataFrame({COUNT: counts, "_n": n}, index=frame_out.index),
        counts=(COUNT, "_n"), reveals={PCT: (COUNT, "_n")},
    ) if suppress else None
    table = _table(tid, title, frame_out, n, {"vaihtoehto": label_header, **HEADERS},
                   {COUNT: "count", PCT: "percent"}, q.id, " ".join(x for x in (note, multi_note) if x))
    return table, plan


def _multi_by_sector(tid: str, title: str, assoc: pd.DataFrame, ctx: Context, qid: str) -> Built:
    """Wide: sectors as rows, each option's share (%) as a column, n per sector."""
    q = ctx.cb.association.question(qid)
    if not _has(assoc, q, ctx):
        return _not_asked(tid, title, qid, ctx.year, "Päätoimiala")
    skeys, slabels = _sectors(ctx)
    answered = _answered_multi(assoc, q, ctx)
    m, keys, labels = _multi_matrix(_multi_rows(assoc, answered, q, ctx), q, ctx)
    sector = _sector_of(assoc, ctx)
    counts = m.groupby(sector[answered]).sum().reindex(skeys, fill_value=0.0)
    n = answered.groupby(sector).sum().reindex(skeys, fill_value=0).astype("float64")
    frame = pd.DataFrame({KEY: skeys, "toimiala": slabels, "n": n.to_numpy()})
    columns = {"toimiala": "Päätoimiala", "n": "Vastanneita"}
    kinds = {"n": "count"}
    values = pd.DataFrame({"n": n.to_numpy()}, index=frame.index)
    reveals = {}
    for k, label in zip(keys, labels):
        c = counts[k].to_numpy(dtype="float64")
        frame[f"p_{k}"] = _pct(c, n.to_numpy())
        values[f"c_{k}"] = c
        columns[f"p_{k}"] = f"{label}, %"
        kinds[f"p_{k}"] = "percent"
        reveals[f"p_{k}"] = (f"c_{k}", "n")
    # the all-sectors figures (published in the overall table) as a values-only row
    values.loc[ALL_ROW] = [n.sum(), *(counts[k].sum() for k in keys)]
    plan = SuppressionPlan(
        values=values, counts=tuple(values.columns), reveals=reveals,
        equations=tuple(column_equations(list(frame.index), ALL_ROW, list(values.columns))),
    )
    note = ("Osuudet toimialan vastanneista; yhdistys saattoi valita useita vaihtoehtoja. "
            f"Kaikkien vastanneiden luvut ovat taulukossa {qid}.")
    return _table(tid, title, frame, n.sum(), columns, kinds, qid, note), plan


def _grid(tid: str, title: str, frame: pd.DataFrame, ctx: Context, q: Question,
          group: pd.Series | None = None, group_keys: list[str] | None = None,
          group_labels: list[str] | None = None, group_header: str = "",
          suppress: bool = True) -> Built:
    """Per grid row (statement): distribution over the scale (%), share of the top
    two values (%), mean and n; with ``group``, one row per group and statement."""
    scale = [(label, v) for label, v in q.columns if v is not None]
    scale.sort(key=lambda x: x[1])
    rows = list(q.rows)
    present = [r.key for r in rows if r.key in frame.columns]
    vals = pd.DataFrame({r.key: (_num(frame[r.key]) if r.key in frame.columns else np.nan)
                         for r in rows}, index=frame.index)
    if group is None:
        g = pd.Series("_", index=frame.index)
        gkeys, glabels = ["_"], [""]
    else:
        g, gkeys, glabels = group.astype(str), [*group_keys, ALL_ROW], [*group_labels, ""]
    def per_group(frame_, how):
        grouped = how(frame_.groupby(g)).reindex(gkeys)
        if group is not None:
            grouped.loc[ALL_ROW] = how(frame_.groupby(pd.Series(ALL_ROW, index=frame.index))).iloc[0]
        return grouped

    by_value = {v: per_group(vals == v, lambda x: x.sum()).fillna(0) for _, v in scale}
    n = per_group(vals.notna(), lambda x: x.sum()).fillna(0)
    sums = per_group(vals, lambda x: x.sum(min_count=1))

    agree_values = [v for _, v in scale[-2:]] if len(scale) >= 5 else []
    records = []
    for gk, gl in zip(gkeys, glabels):
        for r in rows:
            rec = {"_g": gk, "_gl": gl, "_r": r.key, "_rl": r.label,
                   "n": float(n.at[gk, r.key])}
            for i, (_, v) in enumerate(scale, start=1):
                rec[f"c_{i}"] = float(by_value[v].at[gk, r.key])
            if agree_values:
                rec["c_agree"] = float(sum(by_value[v].at[gk, r.key] for v in agree_values))
            s = sums.at[gk, r.key]
            rec["mean"] = float(s) / rec["n"] if rec["n"] > 0 and pd.notna(s) else np.nan
            records.append(rec)
    rec = pd.DataFrame.from_records(records)
    rec.index = [ALL_ROW + ":" + r if gk == ALL_ROW else i
                 for i, (gk, r) in enumerate(zip(rec["_g"], rec["_r"]))]
    shown = rec[rec["_g"] != ALL_ROW]  # all-groups rows (last) stay in the plan only
    out = pd.DataFrame(index=shown.index)
    columns, kinds = {}, {}
    if group is None:
        out[KEY] = shown["_r"]
    else:
        out[KEY] = shown["_g"] + ":" + shown["_r"]
        out["ryhma"] = shown["_gl"]
        columns["ryhma"] = group_header
    out["vaite"] = shown["_rl"]
    columns["vaite"] = "Väittämä" if q.id == "yhteistyo" else "Kohde"
    reveals, value_cols = {}, ["n"]
    for i, (label, _) in enumerate(scale, start=1):
        out[f"p_{i}"] = _pct(shown[f"c_{i}"], shown["n"])
        columns[f"p_{i}"] = f"{label}, %"
        kinds[f"p_{i}"] = "percent"
        reveals[f"p_{i}"] = (f"c_{i}", "n")
        value_cols.append(f"c_{i}")
    if agree_values:
        out["samaa_mielta"] = _pct(shown["c_agree"], shown["n"])
        columns["samaa_mielta"] = f"{scale[-2][0]} tai {scale[-1][0].lower()}, %"
        kinds["samaa_mielta"] = "percent"
        reveals["samaa_mielta"] = ("c_agree", "n")
        value_cols.append("c_agree")
    out["keskiarvo"] = shown["mean"]
    lo, hi = scale[0][1], scale[-1][1]
    columns["keskiarvo"] = f"Keskiarvo ({lo:g}–{hi:g})"
    kinds["keskiarvo"] = "mean"
    out["n"] = shown["n"]
    columns["n"] = "Vastanneita"
    kinds["n"] = "count"
    plan = None
    if suppress:
        values = rec[value_cols].copy()
        k = len(scale)
        parts = [f"c_{i}" for i in range(1, k + 1)]
        eqs = row_equations(values.index, parts, "n")
        if agree_values:
            eqs += row_equations(values.index, parts[-2:], "c_agree")
            eqs += row_equations(values.index, [*parts[:-2], "c_agree"], "n")
        if group is not None:
            for r in rows:
                idx = list(shown.index[shown["_r"] == r.key])
                eqs += column_equations(idx, ALL_ROW + ":" + r.key, value_cols)
        # the mean times the published n is the weighted sum of the counts 1..k: next to
        # the visible counts it pins down hidden ones, so it is shown only when every
        # count of its row is
        reveals["keskiarvo"] = (*parts, "n")
        plan = SuppressionPlan(values=values, counts=tuple(value_cols), reveals=reveals,
                               bases={"keskiarvo": "n"}, equations=tuple(eqs))
    answered = vals[present].notna().any(axis=1) if present else pd.Series(False, index=frame.index)
    note = "”En osaa sanoa” ei ole mukana osuuksissa eikä keskiarvossa."
    table = _table(tid, title, out, answered.sum(), columns, kinds, q.id, note)
    return table, plan


