"""Indicator tables: processed survey frames -> :class:`~kartoitus.tables.Table`.

Every indicator is a pure function of the processed frames of one wave (as
``data/processed/<year>/*.csv`` hold them, see docs/design.md). Each builds the
table *and* a :class:`~kartoitus.publication.suppression.SuppressionPlan` saying which cells
count respondents and which add up to which published total; the public
functions apply disclosure control before returning. ``compute_all`` returns
every table of the wave in report order.

Conventions of the tables built here:

- the first label column ``avain`` holds the row's stable key (option key,
  municipality code, ``yhteensa``) and has no Finnish header, so outputs hide it
  while code can find rows by key; the next label column is the Finnish label;
- distributions have no total row: their counts add up to the table's ``n``
  (published), which is what secondary suppression protects against; tables by
  sector or municipality likewise add up to the overall table;
- percentages are numbers 0-100 of those who answered the question (a
  multi-select left blank is not in the base); numeric value columns are float64
  and NaN means no value (nobody to compute from) or suppressed (see the mask);
- the municipality survey describes municipalities, not people: its tables are
  published without suppression, but personal fields never appear and free
  text only as answered yes/no.

Column names and labels come from the codebook; nothing about a question is
written here twice. Everything is vectorised (group-bys over the data, loops
only over questions, options and table cells).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from kartoitus.settings import default_settings
from kartoitus.publication import disclosure
from kartoitus.publication import suppression
from kartoitus.settings.codebook import (
    OTHER_SUFFIX,
    OUTSIDE_REGION,
    Codebook,
    Question,
    default_codebook,
    municipality_codes,
)
from kartoitus.stages.reference import Reference
from kartoitus.publication.suppression import (
    DEFAULT_THRESHOLD,
    SuppressionPlan,
    column_equations,
    row_equations,
)
from kartoitus.tables import Table

KEY = "avain"
TOTAL_KEY = "yhteensa"
TOTAL_LABEL = "Yhteensä"
OTHER_KEY = "muu"
OTHER_LABEL = "Muu"
UNCLASSIFIED_KEY = "muu"
UNCLASSIFIED_LABEL = "Muu tai luokittelematon"
OUTSIDE_LABEL = "Maakunnan ulkopuolella"
NO_POPULATION = "Väestötietoja ei ole saatavilla."
NO_REGISTRY = "Yhdistysrekisterin tietoja ei ole saatavilla."
NOT_ANSWERED = "ei vastannut"
ANSWERED = "vastasi"
YES, NO = "Kyllä", "Ei"
#: The sote group: the first eight options of ``paatoimiala`` (codebook notes).
SOTE_COUNT = 8
GROUP_LABELS = {"sote": "Sosiaali- ja terveysala", "muut": "Muut toimialat"}
SOURCE_LABELS = {
    "vastaus": "Yhdistyksen oma vastaus",
    "saanto": "Luokittelusääntö",
    "korjaus": "Korjaustiedosto",
    "muu": "Ei luokiteltavissa (muu)",
}
MONTHS = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
          "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")
PEOPLE = (("jasenmaara", "Jäsenet"), ("vapaaehtoiset", "Vapaaehtoiset"),
          ("palkatut_htv", "Palkatut (htv)"))

COUNT, PCT = "lkm", "osuus"
#: Row label of the all-groups figures in a plan's values (not a table row): tables by
#: sector or municipality add up to the overall table, which publishes these.
ALL_ROW = "_kaikki"
HEADERS = {COUNT: "Lukumäärä", PCT: "Osuus, %"}

Built = tuple[Table, SuppressionPlan | None]


@dataclass(frozen=True)
class Context:
    cb: Codebook
    year: int
    reference: Reference | None = None
    threshold: int = DEFAULT_THRESHOLD
    #: :func:`kartoitus.publication.disclosure.home_hidden` of the wave (None: computed when needed)
    home_hidden: frozenset[str] | None = None


def _home_hidden(assoc: pd.DataFrame, ctx: Context) -> frozenset[str]:
    """The respondent counts by home municipality, sub-region, sector, group and
    reach that every output hides (one suppression over the wave, shared with the
    municipality PDFs, workshop packs and infographics)."""
    if ctx.home_hidden is not None:
        return ctx.home_hidden
    return disclosure.home_hidden(assoc, ctx.year, ctx.threshold, ctx.cb)


def _with_hidden(built: Built, prefix: str, hidden: frozenset[str],
                 keys: dict[str, str] | None = None) -> Built:
    """``built`` with the count of each row whose cell ``prefix + key`` is in
    ``hidden`` forced hidden (``keys`` renames row keys to cell names)."""
    table, plan = built
    if plan is None:
        return built
    cells = []
    for i, key in zip(table.frame.index, table.frame[KEY].astype(str)):
        name = (keys or {}).get(key, prefix + key)
        if name in hidden:
            cells.append((i, COUNT))
    return table, replace(plan, hidden=tuple(plan.hidden) + tuple(cells))


# -- small vectorised helpers ---------------------------------------------------------

def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _text(s: pd.Series) -> pd.Series:
    """Non-empty text as str, else NA (the processed-data missing value)."""
    t = s.astype("string").str.strip()
    return t.where(t != "", pd.NA)


def _codes(s: pd.Series) -> pd.Series:
    """Municipality codes as three-digit text (tolerates ints and floats like 77.0)."""
    return municipality_codes(s)


def _pct(count, base):
    count = np.asarray(count, dtype="float64")
    base = np.asarray(base, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, 100.0 * count / base, np.nan)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-missing one when the wave lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _has(frame: pd.DataFrame, q: Question, ctx: Context) -> bool:
    """Was the question asked in this wave (codebook years and columns present)?"""
    if not q.asked_in(ctx.year):
        return False
    cols = q.processed_columns(ctx.cb.municipalities, ctx.year)
    return any(c in frame.columns for c in cols)


def _multi_cols(q: Question, ctx: Context) -> tuple[list[str], list[str], list[str]]:
    """(columns, keys, labels) of a multi question's options (not the other-text)."""
    if q.options_from == "municipalities":
        ms = ctx.cb.municipalities.for_year(ctx.year)
        keys, labels = [m.code for m in ms], [m.name for m in ms]
    else:
        keys, labels = list(q.option_keys()), [o.label for o in q.options]
    return [f"{q.id}__{k}" for k in keys], keys, labels


def _answered_multi(frame: pd.DataFrame, q: Question, ctx: Context) -> pd.Series:
    cols, _, _ = _multi_cols(q, ctx)
    present = [c for c in cols if c in frame.columns]
    answered = frame[present].notna().any(axis=1) if present else pd.Series(False, index=frame.index)
    if q.allow_other:
        answered |= _text(_col(frame, q.id + OTHER_SUFFIX)).notna()
    return answered.astype(bool)


def _multi_rows(frame: pd.DataFrame, rows: pd.Series, q: Question, ctx: Context) -> pd.DataFrame:
    """The rows ``rows`` of only the columns of multi question ``q`` (not a copy of the whole frame)."""
    cols, _, _ = _multi_cols(q, ctx)
    wanted = [c for c in [*cols, q.id + OTHER_SUFFIX] if c in frame.columns]
    return frame.loc[rows, wanted]


def _multi_matrix(frame: pd.DataFrame, q: Question, ctx: Context) -> tuple[pd.DataFrame, list[str], list[str]]:
    """0/1 float matrix of the options (+ ``muu`` for the other-text), keys and labels."""
    cols, keys, labels = _multi_cols(q, ctx)
    # fillna and clip column by column: no further copies of the whole matrix
    m = pd.DataFrame({k: (_num(frame[c]).fillna(0.0).clip(0, 1).to_numpy() if c in frame.columns
                          else np.zeros(len(frame))) for c, k in zip(cols, keys)}, index=frame.index, copy=False)
    if q.allow_other:
        m[OTHER_KEY] = _text(_col(frame, q.id + OTHER_SUFFIX)).notna().astype("float64")
        keys, labels = [*keys, OTHER_KEY], [*labels, OTHER_LABEL]
    return m, keys, labels


def _sectors(ctx: Context) -> tuple[list[str], list[str]]:
    q = ctx.cb.association.question("paatoimiala")
    return ([*q.option_keys(), UNCLASSIFIED_KEY], [*(o.label for o in q.options), UNCLASSIFIED_LABEL])


def _sector_of(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    keys, _ = _sectors(ctx)
    s = _text(_col(frame, "paatoimiala"))
    return s.where(s.isin(keys), UNCLASSIFIED_KEY).astype(str)


def _home(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    """Home municipality code of each row; ``ulkopuolella`` outside the region, NA unknown."""
    codes = _codes(_col(frame, "kotikunta"))
    region = {m.code for m in ctx.cb.municipalities.for_year(ctx.year)}
    known = codes.isin(region)
    return codes.where(known | codes.isna(), OUTSIDE_REGION)


def _table(tid, title, frame, n, columns, kinds, source, note="", asked=True) -> Table:
    return Table(id=tid, title=title, frame=frame.reset_index(drop=True), n=int(n),
                 columns=columns, kinds=kinds, suppressed=None, source=source, note=note,
                 asked=asked)


def _not_asked(tid: str, title: str, source: str, year: int, label: str = "Vaihtoehto") -> Built:
    frame = pd.DataFrame({KEY: pd.Series(dtype=object), "vaihtoehto": pd.Series(dtype=object),
                          COUNT: pd.Series(dtype="float64"), PCT: pd.Series(dtype="float64")})
    note = f"Kysymystä ei esitetty vuoden {year} kyselyssä."
    return _table(tid, title, frame, 0, {"vaihtoehto": label, **HEADERS},
                  {COUNT: "count", PCT: "percent"}, source, note=note, asked=False), None


# -- generic table shapes -----------------------------------------------------------

def _distribution(tid: str, title: str, values: pd.Series, keys: list[str], labels: list[str],
                  label_header: str, source: str, note: str = "") -> Built:
    """One row per option: count and share of those who answered (values NA = no answer).

    Values outside ``keys`` are counted in a final "Muu" row.
    """
    v = values.dropna().astype(str)
    counts = v.value_counts()
    extra = int(counts[~counts.index.isin(keys)].sum())
    row_keys, row_labels = list(keys), list(labels)
    row_counts = [float(counts.get(k, 0)) for k in keys]
    if extra:
        row_keys.append(OTHER_KEY if OTHER_KEY not in keys else "_muu")
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
        values = values.fillna(_text(_col(assoc, qid + OTHER_SUFFIX)).notna().map({True: OTHER_KEY}))
    return _distribution(tid, title, values, list(q.option_keys()), [o.label for o in q.options],
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


# -- respondents -----------------------------------------------------------------------

def _vastaajat_toimiala(assoc, ctx: Context) -> Built:
    """Respondents by main sector (every sector, zero rows included)."""
    keys, labels = _sectors(ctx)
    built = _distribution("vastaajat_toimiala", "Vastaajat päätoimialoittain",
                          _sector_of(assoc, ctx), keys, labels, "Päätoimiala",
                          "paatoimiala,paatoimiala_lahde")
    return _with_hidden(built, "S|", _home_hidden(assoc, ctx))


def _vastaajat_ryhma(assoc, ctx: Context) -> Built:
    """Respondents by sector group: social and health (sote) vs others."""
    skeys, _ = _sectors(ctx)
    from kartoitus.stages.classify import load_classification

    sote = default_settings().classification.sote or tuple(skeys[:SOTE_COUNT])
    derived = _sector_of(assoc, ctx).isin(sote).map({True: "sote", False: "muut"})
    group = _text(_col(assoc, "toimialaryhma")).fillna(derived)
    built = _distribution("vastaajat_ryhma", "Vastaajat toimialaryhmittäin", group,
                          list(GROUP_LABELS), list(GROUP_LABELS.values()), "Toimialaryhmä",
                          "toimialaryhma,paatoimiala")
    return _with_hidden(built, "G|", _home_hidden(assoc, ctx))


def _population_columns(frame: pd.DataFrame, counts: np.ndarray, pop: np.ndarray | None,
                        reg: np.ndarray | None, columns: dict, kinds: dict, reveals: dict,
                        notes: list[str], ctx: Context, pop_years, reg_years) -> None:
    if pop is not None:
        frame["vaesto"] = pop
        frame["per_1000"] = np.where(pop > 0, 1000.0 * counts / np.where(pop > 0, pop, 1), np.nan)
        columns.update(vaesto="Väestö", per_1000="Vastaajia / 1 000 asukasta")
        kinds.update(vaesto="number", per_1000="mean")
        reveals["per_1000"] = (COUNT,)
        notes.append(f"Väestö: vuoden {', '.join(map(str, pop_years))} tieto.")
    else:
        notes.append(NO_POPULATION)
    if reg is not None:
        frame["yhdistyksia"] = reg
        frame["vastausaste"] = _pct(counts, reg)
        columns.update(yhdistyksia="Rekisteröityjä yhdistyksiä", vastausaste="Vastausaste, %")
        kinds.update(yhdistyksia="number", vastausaste="percent")
        reveals["vastausaste"] = (COUNT,)
        notes.append("Vastausaste = vastanneet / yhdistysrekisterin yhdistykset "
                     f"(vuoden {', '.join(map(str, reg_years))} tieto).")
    else:
        notes.append(NO_REGISTRY)


def _reference(ctx: Context):
    ref = ctx.reference
    pop, pop_years = (ref.population_for(ctx.year) if ref and ref.population is not None
                      else (None, []))
    reg, reg_years = (ref.associations_for(ctx.year) if ref and ref.associations is not None
                      else (None, []))
    if pop is not None and pop.empty:
        pop = None
    if reg is not None and reg.empty:
        reg = None
    return pop, pop_years, reg, reg_years


def _vastaajat_kunta(assoc, ctx: Context) -> Built:
    """Respondents by home municipality: every municipality of the year (zeros too),
    with respondents per 1,000 inhabitants and response rate when reference data exists."""
    ms = ctx.cb.municipalities.for_year(ctx.year)
    home = _home(assoc, ctx)
    vc = home.value_counts()
    keys = [m.code for m in ms] + [OUTSIDE_REGION]
    counts = np.array([float(vc.get(k, 0)) for k in keys])
    n = float(home.notna().sum())
    frame = pd.DataFrame({KEY: keys, "kunta": [m.name for m in ms] + [OUTSIDE_LABEL],
                          "seutukunta": [m.subregion for m in ms] + [""],
                          COUNT: counts, PCT: _pct(counts, n)})
    columns = {"kunta": "Kunta", "seutukunta": "Seutukunta", COUNT: "Vastaajia", PCT: "Osuus, %"}
    kinds = {COUNT: "count", PCT: "percent"}
    reveals = {PCT: (COUNT, "_n")}
    notes: list[str] = []
    pop, pop_years, reg, reg_years = _reference(ctx)
    popv = None if pop is None else np.array([pop.get(k, np.nan) for k in keys[:-1]] + [np.nan])
    regv = None if reg is None else np.array([reg.get(k, np.nan) for k in keys[:-1]] + [np.nan])
    _population_columns(frame, counts, popv, regv, columns, kinds, reveals, notes, ctx,
                        pop_years, reg_years)
    plan = SuppressionPlan(values=pd.DataFrame({COUNT: counts, "_n": n}, index=frame.index),
                           counts=(COUNT, "_n"), reveals=reveals,
                           equations=tuple(column_equations(list(frame.index), None, [COUNT])))
    t = _table("vastaajat_kunta", "Vastaajat kotikunnittain", frame, n, columns, kinds,
               "kotikunta", " ".join(notes))
    return _with_hidden((t, plan), "K|", _home_hidden(assoc, ctx))


def _vastaajat_seutukunta(assoc, ctx: Context) -> Built:
    """Respondents by sub-region (and outside the region)."""
    ms = ctx.cb.municipalities.for_year(ctx.year)
    subregions = ctx.cb.municipalities.subregions(ctx.year)
    sub_of = {m.code: m.subregion_code for m in ms}
    home = _home(assoc, ctx)
    derived = home.map(sub_of)
    given = _codes(_col(assoc, "seutukunta_koodi")) if "seutukunta_koodi" in assoc else derived
    sub = given.where(given.isin(list(subregions)), derived)
    sub = sub.where(home != OUTSIDE_REGION, OUTSIDE_REGION).where(home.notna())
    keys = sorted(subregions) + [OUTSIDE_REGION]
    vc = sub.value_counts()
    counts = np.array([float(vc.get(k, 0)) for k in keys])
    n = float(sub.notna().sum())
    frame = pd.DataFrame({KEY: keys, "seutukunta": [subregions[k] for k in keys[:-1]] + [OUTSIDE_LABEL],
                          COUNT: counts, PCT: _pct(counts, n)})
    columns = {"seutukunta": "Seutukunta", COUNT: "Vastaajia", PCT: "Osuus, %"}
    kinds = {COUNT: "count", PCT: "percent"}
    reveals = {PCT: (COUNT, "_n")}
    notes: list[str] = []
    pop, pop_years, reg, reg_years = _reference(ctx)

    def per_subregion(series):
        if series is None:
            return None
        out = []
        for k in keys[:-1]:
            vals = [series.get(m.code, np.nan) for m in ms if m.subregion_code == k]
            out.append(float(np.sum(vals)) if vals and not np.isnan(vals).any() else np.nan)
        return np.array(out + [np.nan])

    _population_columns(frame, counts, per_subregion(pop), per_subregion(reg), columns, kinds,
                        reveals, notes, ctx, pop_years, reg_years)
    plan = SuppressionPlan(values=pd.DataFrame({COUNT: counts, "_n": n}, index=frame.index),
                           counts=(COUNT, "_n"), reveals=reveals,
                           equations=tuple(column_equations(list(frame.index), None, [COUNT])))
    t = _table("vastaajat_seutukunta", "Vastaajat seutukunnittain", frame, n, columns, kinds,
               "kotikunta,seutukunta_koodi", " ".join(notes))
    return _with_hidden((t, plan), "SK|", _home_hidden(assoc, ctx),
                        {OUTSIDE_REGION: f"K|{OUTSIDE_REGION}"})


def _vastausajat(assoc, ctx: Context) -> Built:
    """Responses by calendar month of the submission time."""
    ts = _col(assoc, "aikaleima")
    if pd.api.types.is_datetime64_any_dtype(ts):
        month = ts.dt.strftime("%Y-%m")
    else:
        month = _text(ts).str.slice(0, 7)
        month = month.where(month.str.fullmatch(r"\d{4}-\d{2}").fillna(False).astype(bool))
    keys = sorted(month.dropna().unique())
    labels = [f"{MONTHS[int(k[5:7]) - 1]} {k[:4]}" for k in keys]
    return _distribution("vastausajat", "Vastaukset kuukausittain", month, keys, labels,
                         "Kuukausi", "aikaleima")


def _paatoimiala_lahde(assoc, ctx: Context) -> Built:
    """Where the main sector came from: the answer, a classification rule, a correction."""
    src = _text(_col(assoc, "paatoimiala_lahde"))
    cat = src.where(src.isin(["vastaus", "korjaus", "muu"]) | src.isna(), "saanto")
    return _distribution("paatoimiala_lahde", "Päätoimialan lähde", cat, list(SOURCE_LABELS),
                         list(SOURCE_LABELS.values()), "Lähde", "paatoimiala_lahde,paatoimiala",
                         note="Luokittelusääntö: päätoimiala päätelty nimestä, muu-tekstistä tai "
                              "toimialavastauksista.")


# -- sectors, reach, size ----------------------------------------------------------------

def _toimialat_kattavuus(assoc, ctx):
    return _multi("toimialat_kattavuus", "Toimialat, joille toiminta kohdistuu", assoc, ctx,
                  ctx.cb.association.question("toimialat"), "Toimiala")


def _toiminta_alue(assoc, ctx):
    return _single("toiminta_alue", "Yhdistyksen toiminta-alue", assoc, ctx, "toiminta_alue",
                   "Toiminta-alue")


def _toimintakunnat(assoc, ctx):
    return _multi("toimintakunnat", "Kunnat, joissa yhdistyksillä on toimintaa", assoc, ctx,
                  ctx.cb.association.question("toimintakunnat"), "Kunta")


def _ulottuvuus(assoc, ctx: Context) -> Built:
    """Reach (derived from the operating area and the municipalities ticked)."""
    q = ctx.cb.association.question("toiminta_alue")
    values = _text(_col(assoc, "ulottuvuus"))
    keys, labels = list(q.option_keys()), [o.label for o in q.options]
    for extra in sorted(set(values.dropna().unique()) - set(keys)):
        keys.append(extra)
        labels.append(extra.replace("_", " ").capitalize())
    built = _distribution("ulottuvuus", "Toiminnan ulottuvuus", values, keys, labels,
                          "Ulottuvuus", "ulottuvuus,toiminta_alue,toimintakunnat",
                          note="Toiminta-alueen vastauksesta tai valittujen kuntien määrästä päätelty.")
    return _with_hidden(built, "U|", _home_hidden(assoc, ctx))


def _kokoluokka(assoc, ctx: Context) -> Built:
    """Size class by members (derived column ``kokoluokka``)."""
    from kartoitus.stages.classify import load_classification

    values = _text(_col(assoc, "kokoluokka"))
    classes = default_settings().classification.size_classes  # luokittelu.yaml: the classes classify gives
    keys, labels = [c.key for c in classes], [c.label for c in classes]
    for extra in sorted(set(values.dropna().unique()) - set(keys)):
        keys.append(extra)
        labels.append(extra.replace("_", " ").capitalize())
    return _distribution("kokoluokka", "Yhdistysten kokoluokat", values, keys, labels,
                         "Kokoluokka", "kokoluokka,jasenmaara")


def _henkilot_toimiala(assoc, ctx: Context) -> Built:
    """Members, volunteers and paid staff by sector: total, median, quartiles, n."""
    skeys, slabels = _sectors(ctx)
    sector = _sector_of(assoc, ctx)
    keys = [*skeys, TOTAL_KEY]
    frame = pd.DataFrame({KEY: keys, "toimiala": [*slabels, "Kaikki toimialat"]})
    columns, kinds = {"toimiala": "Päätoimiala"}, {}
    values = pd.DataFrame(index=frame.index)
    bases, eqs, counted = {}, [], []
    for qid, label in PEOPLE:
        v = _num(_col(assoc, qid))
        gv = v.groupby(sector)
        n = np.append(gv.count().reindex(skeys, fill_value=0).to_numpy(dtype="float64"),
                      float(v.notna().sum()))
        total = np.append(gv.sum(min_count=1).reindex(skeys).to_numpy(dtype="float64"),
                          v.sum(min_count=1))
        quart = gv.quantile([0.25, 0.5, 0.75]).unstack() if v.notna().any() else None
        overall = v.quantile([0.25, 0.5, 0.75]) if v.notna().any() else pd.Series(np.nan, [0.25, 0.5, 0.75])
        for qv, suffix, head in ((0.5, "md", "mediaani"), (0.25, "q1", "alakvartiili"),
                                 (0.75, "q3", "yläkvartiili")):
            per = (quart[qv].reindex(skeys).to_numpy(dtype="float64") if quart is not None
                   else np.full(len(skeys), np.nan))
            frame[f"{qid}_{suffix}"] = np.append(per, overall[qv])
            columns[f"{qid}_{suffix}"] = f"{label}: {head}"
            kinds[f"{qid}_{suffix}"] = "number"
            bases[f"{qid}_{suffix}"] = f"{qid}_n"
        frame[f"{qid}_summa"] = total
        frame[f"{qid}_n"] = n
        columns[f"{qid}_summa"] = f"{label}: yhteensä"
        columns[f"{qid}_n"] = f"{label}: vastanneita"
        kinds[f"{qid}_summa"] = "number"
        kinds[f"{qid}_n"] = "count"
        bases[f"{qid}_summa"] = f"{qid}_n"
        values[f"{qid}_summa"] = np.nan_to_num(total)
        values[f"{qid}_n"] = n
        counted.append(f"{qid}_n")
    parts = list(frame.index[:-1])
    eqs = column_equations(parts, frame.index[-1], list(values.columns))
    plan = SuppressionPlan(values=values, counts=tuple(counted), bases=bases, equations=tuple(eqs))
    n_any = float(assoc[[q for q, _ in PEOPLE if q in assoc.columns]].apply(_num).notna()
                  .any(axis=1).sum()) if any(q in assoc.columns for q, _ in PEOPLE) else 0.0
    note = ("Mediaani ja kvartiilit vastanneista yhdistyksistä; palkattu henkilöstö "
            "henkilötyövuosina.")
    return _table("henkilot_toimiala", "Jäsenet, vapaaehtoiset ja palkattu henkilöstö päätoimialoittain",
                  frame, n_any, columns, kinds, ",".join(q for q, _ in PEOPLE), note), plan


# -- economy, premises, activities -------------------------------------------------------

def _budjetti(assoc, ctx):
    return _single("budjetti", "Yhdistyksen vuosibudjetti", assoc, ctx, "budjetti", "Vuosibudjetti")


def _rahoitus(assoc, ctx):
    return _multi("rahoitus", "Yhdistysten rahoituslähteet", assoc, ctx,
                  ctx.cb.association.question("rahoitus"), "Rahoituslähde")


def _kunta_avustus(assoc, ctx):
    return _single("kunta_avustus", "Avustus kotikunnalta", assoc, ctx, "kunta_avustus")


def _kunta_tilat(assoc, ctx):
    return _single("kunta_tilat", "Kunnan tilojen käyttö", assoc, ctx, "kunta_tilat")


def _toimitilat(assoc, ctx):
    return _single("toimitilat", "Yhdistysten toimitilat", assoc, ctx, "toimitilat", "Tilat")


def _hva_avustus(assoc, ctx):
    return _single("hva_avustus", "Avustus tai ostopalvelutulot hyvinvointialueelta", assoc, ctx,
                   "hva_avustus")


def _kohderyhmat(assoc, ctx):
    return _multi("kohderyhmat", "Toiminnan kohderyhmät", assoc, ctx,
                  ctx.cb.association.question("kohderyhmat"), "Kohderyhmä")


def _kohderyhmat_toimiala(assoc, ctx):
    return _multi_by_sector("kohderyhmat_toimiala", "Toiminnan kohderyhmät päätoimialoittain",
                            assoc, ctx, "kohderyhmat")


def _toimintamuodot(assoc, ctx):
    return _multi("toimintamuodot", "Yhdistysten toimintamuodot", assoc, ctx,
                  ctx.cb.association.question("toimintamuodot"), "Toimintamuoto")


def _toimintamuodot_toimiala(assoc, ctx):
    return _multi_by_sector("toimintamuodot_toimiala", "Toimintamuodot päätoimialoittain",
                            assoc, ctx, "toimintamuodot")


def _taidelajit(assoc, ctx):
    return _multi("taidelajit", "Kulttuuriyhdistysten taidelajit", assoc, ctx,
                  ctx.cb.association.question("taidelajit"), "Taidelaji")


def _ammattilaisuus(assoc, ctx):
    return _single("ammattilaisuus", "Ammatti- ja harrastajatoiminta kulttuurissa", assoc, ctx,
                   "ammattilaisuus")


def _kumppanit(assoc, ctx):
    return _multi("kumppanit", "Yhteistyökumppanit", assoc, ctx,
                  ctx.cb.association.question("kumppanit"), "Kumppani")


# -- cooperation with the municipality -----------------------------------------------------

def _yhteistyo(assoc, ctx):
    q = ctx.cb.association.question("yhteistyo")
    if not _has(assoc, q, ctx):
        return _not_asked("yhteistyo", "Yhteistyö kotikunnan kanssa", q.id, ctx.year, "Väittämä")
    return _grid("yhteistyo", "Yhteistyö kotikunnan kanssa", assoc, ctx, q)


def _yhteistyo_toimiala(assoc, ctx):
    q = ctx.cb.association.question("yhteistyo")
    if not _has(assoc, q, ctx):
        return _not_asked("yhteistyo_toimiala", "Yhteistyö kotikunnan kanssa päätoimialoittain",
                          q.id, ctx.year, "Väittämä")
    keys, labels = _sectors(ctx)
    t, plan = _grid("yhteistyo_toimiala", "Yhteistyö kotikunnan kanssa päätoimialoittain", assoc,
                    ctx, q, _sector_of(assoc, ctx), keys, labels, "Päätoimiala")
    return t.with_(note=t.note + " Kaikkien vastanneiden luvut ovat taulukossa yhteistyo."), plan


def _yhteistyo_kunta(assoc, ctx):
    q = ctx.cb.association.question("yhteistyo")
    if not _has(assoc, q, ctx):
        return _not_asked("yhteistyo_kunta", "Yhteistyö kotikunnan kanssa kunnittain", q.id,
                          ctx.year, "Väittämä")
    ms = ctx.cb.municipalities.for_year(ctx.year)
    home = _home(assoc, ctx).fillna("_tuntematon")
    keys = [m.code for m in ms] + [OUTSIDE_REGION]
    labels = [m.name for m in ms] + [OUTSIDE_LABEL]
    t, plan = _grid("yhteistyo_kunta", "Yhteistyö kotikunnan kanssa kunnittain", assoc, ctx, q,
                    home, keys, labels, "Kunta")
    return t.with_(note=t.note + " Kunta = yhdistyksen kotikunta."), plan


def _tulevaisuus(assoc, ctx):
    return _single("tulevaisuus", "Toiminnan arvioitu muutos seuraavan kolmen vuoden aikana",
                   assoc, ctx, "tulevaisuus", "Arvio")


def _haasteet(assoc, ctx):
    return _multi("haasteet", "Yhdistysten suurimmat haasteet", assoc, ctx,
                  ctx.cb.association.question("haasteet"), "Haaste")


def _yhteistyotoiveet(assoc, ctx):
    return _multi("yhteistyotoiveet", "Toiveet yhteistyöstä kunnan kanssa", assoc, ctx,
                  ctx.cb.association.question("yhteistyotoiveet"), "Asia")


def _vapaa_sana(assoc, ctx: Context) -> Built:
    """Free text: only how many wrote something (the texts are never published)."""
    q = ctx.cb.association.question("vapaa_sana")
    if not _has(assoc, q, ctx):
        return _not_asked("vapaa_sana", "Terveiset kunnalle ja maakunnalle", q.id, ctx.year)
    wrote = _text(assoc["vapaa_sana"]).notna().map({True: "kylla", False: "ei"})
    return _distribution("vapaa_sana", "Terveiset kunnalle ja maakunnalle", wrote, ["kylla", "ei"],
                         ["Kirjoitti terveiset", "Ei kirjoittanut"], "Vastaus", "vapaa_sana",
                         note="Vapaamuotoisia vastauksia ei julkaista.")


def _vastauskattavuus(assoc, ctx: Context) -> Built:
    """How many respondents answered each question (item response)."""
    n = float(len(assoc))
    keys, labels, counts = [], [], []
    for q in ctx.cb.association.asked_in(ctx.year):
        if q.personal:
            continue
        cols = [c for c in q.processed_columns(ctx.cb.municipalities, ctx.year) if c in assoc.columns]
        if not cols:
            continue
        if q.type == "multi":
            answered = _answered_multi(assoc, q, ctx)
        elif q.type == "municipality":
            answered = _text(assoc[q.id]).notna() if q.id in assoc else pd.Series(False, index=assoc.index)
        else:
            answered = assoc[cols].apply(lambda s: _text(s).notna()).any(axis=1)
        keys.append(q.id)
        labels.append(q.title)
        counts.append(float(answered.sum()))
    frame = pd.DataFrame({KEY: keys, "kysymys": labels, COUNT: counts, PCT: _pct(counts, n)})
    plan = SuppressionPlan(values=pd.DataFrame({COUNT: counts, "_n": n}, index=frame.index),
                           counts=(COUNT, "_n"), reveals={PCT: (COUNT, "_n")})
    return _table("vastauskattavuus", "Kysymyksiin vastanneet", frame, n,
                  {"kysymys": "Kysymys", COUNT: "Vastanneita", PCT: "Osuus vastaajista, %"},
                  {COUNT: "count", PCT: "percent"},
                  ",".join(keys), "Henkilötietoja ei käsitellä."), plan


# -- municipality survey (published without suppression) -----------------------------------

def _muni_latest(muni: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """One answer per municipality code (the last one if the data still has several)."""
    codes = _codes(_col(muni, "kunta"))
    order = _text(_col(muni, "aikaleima")).fillna("")
    frame = muni.assign(_kunta=codes, _order=order)
    frame = frame[frame["_kunta"].notna()].sort_values("_order", kind="stable")
    return frame.drop_duplicates("_kunta", keep="last").set_index("_kunta")


def _muni_missing(tid: str, title: str, ctx: Context, source: str) -> Built:
    frame = pd.DataFrame({KEY: pd.Series(dtype=object), "kunta": pd.Series(dtype=object)})
    return _table(tid, title, frame, 0, {"kunta": "Kunta"}, {}, source,
                  note=f"Kuntakyselyn aineistoa ei ole vuodelta {ctx.year}.", asked=False), None


def _kunnat_vastaukset(muni, ctx: Context) -> Built:
    """Every answer of every municipality of the year (labels, not keys); municipalities
    that did not answer are shown as "ei vastannut". Personal fields are left out and
    free text shows only whether it was answered."""
    tid, title = "kunnat_vastaukset", "Kuntakyselyn vastaukset kunnittain"
    survey = ctx.cb.municipality
    if muni is None:
        return _muni_missing(tid, title, ctx, ",".join(q.id for q in survey if not q.personal))
    ms = ctx.cb.municipalities.for_year(ctx.year)
    latest = _muni_latest(muni, ctx)
    data = latest.reindex([m.code for m in ms])
    answered = pd.Series(data.index.isin(latest.index), index=data.index)
    frame = pd.DataFrame({KEY: [m.code for m in ms], "kunta": [m.name for m in ms],
                          "seutukunta": [m.subregion for m in ms],
                          "tila": np.where(answered, ANSWERED, NOT_ANSWERED)})
    columns = {"kunta": "Kunta", "seutukunta": "Seutukunta", "tila": "Vastaus"}
    kinds = {"tila": "text"}
    sources = []

    def put(col, values, header, kind):
        vals = pd.Series(values, index=data.index)
        if kind == "text":
            vals = vals.astype(object).where(answered.to_numpy(), None)
        frame[col] = vals.to_numpy()
        columns[col] = header
        kinds[col] = kind

    pop, _, _, _ = _reference(ctx)
    for q in survey.asked_in(ctx.year):
        if q.personal or q.id == survey.key:
            continue
        sources.append(q.id)
        if q.type == "timestamp":
            put("vastauspaiva", _text(_col(data, q.id)).str.slice(0, 10), "Vastauspäivä", "text")
        elif q.type == "text":
            wrote = _text(_col(data, q.id)).notna().map({True: YES, False: NO})
            put(q.id, wrote, f"{q.title} (vastattu)", "text")
        elif q.type == "single":
            labels = dict((o.key, o.label) for o in q.options)
            v = _text(_col(data, q.id))
            lab = v.map(labels).where(v.isna() | v.isin(list(labels)), OTHER_LABEL)
            if q.allow_other:
                lab = lab.fillna(_text(_col(data, q.id + OTHER_SUFFIX)).notna().map({True: OTHER_LABEL}))
            put(q.id, lab, q.title, "text")
        elif q.type == "multi":
            m, keys, labels = _multi_matrix(data, q, ctx)
            chosen = pd.Series([""] * len(data), index=data.index)
            for k, label in zip(keys, labels):
                chosen = chosen + np.where(m[k] > 0, label + "; ", "")
            chosen = chosen.str.rstrip("; ")
            blank = ~_answered_multi(data, q, ctx)
            put(q.id, chosen.where(~blank, None), q.title, "text")
        elif q.type == "grid":
            names = {v: label for label, v in q.columns if v is not None}
            for r in q.rows:
                put(r.key, _num(_col(data, r.key)).map(names), f"{q.title.rstrip('?')}: {r.label}",
                    "text")
        elif q.type in ("number", "scale"):
            put(q.id, _num(_col(data, q.id)), q.title, "number")
            if q.id == "avustukset_eur" and pop is not None:
                popv = np.array([pop.get(m.code, np.nan) for m in ms])
                eur = _num(_col(data, q.id)).to_numpy()
                put("avustukset_per_asukas", np.where(popv > 0, eur / np.where(popv > 0, popv, 1), np.nan),
                    "Avustukset, € / asukas", "mean")
    n = int(answered.sum())
    note = (f"Kyselyyn vastasi {n} kuntaa {len(ms)}:stä. Vapaamuotoisista vastauksista "
            "näytetään vain, vastattiinko kysymykseen.")
    return _table(tid, title, frame, n, columns, kinds, ",".join(sources), note), None


def _kunnat_yhteenveto(muni, ctx: Context) -> Built:
    """Region-level distribution of each single-choice question of the municipality survey."""
    tid, title = "kunnat_yhteenveto", "Kuntakysely: alueen yhteenveto"
    survey = ctx.cb.municipality
    singles = [q for q in survey.asked_in(ctx.year) if q.type == "single"]
    if muni is None:
        return _muni_missing(tid, title, ctx, ",".join(q.id for q in singles))
    data = _muni_latest(muni, ctx)
    parts = []
    for q in singles:
        t, _ = _distribution(tid, title, _text(_col(data, q.id)), list(q.option_keys()),
                             [o.label for o in q.options], "", q.id)
        f = t.frame.assign(**{KEY: q.id + ":" + t.frame[KEY], "kysymys": q.title,
                              "n": float(t.n)})
        parts.append(f[[KEY, "kysymys", "vaihtoehto", COUNT, PCT, "n"]])
    frame = pd.concat(parts, ignore_index=True)
    return _table(tid, title, frame, len(data),
                  {"kysymys": "Kysymys", "vaihtoehto": "Vastaus", COUNT: "Kuntia", PCT: "Osuus, %",
                   "n": "Vastanneita kuntia"},
                  {COUNT: "count", PCT: "percent", "n": "count"}, ",".join(q.id for q in singles),
                  "Osuudet kysymykseen vastanneista kunnista."), None


def _kunnat_luvut(muni, ctx: Context) -> Built:
    """Region-level summary of the numeric answers of the municipality survey."""
    tid, title = "kunnat_luvut", "Kuntakysely: lukumäärät ja arviot"
    survey = ctx.cb.municipality
    qs = [q for q in survey.asked_in(ctx.year) if q.type in ("number", "scale")]
    if muni is None:
        return _muni_missing(tid, title, ctx, ",".join(q.id for q in qs))
    data = _muni_latest(muni, ctx)
    rows = []
    for q in qs:
        v = _num(_col(data, q.id)).dropna()
        rows.append({KEY: q.id, "kysymys": q.title, "n": float(len(v)),
                     "summa": float(v.sum()) if len(v) and q.type == "number" else np.nan,
                     "keskiarvo": v.mean() if len(v) else np.nan,
                     "mediaani": v.median() if len(v) else np.nan,
                     "pienin": v.min() if len(v) else np.nan,
                     "suurin": v.max() if len(v) else np.nan})
    frame = pd.DataFrame(rows, columns=[KEY, "kysymys", "n", "summa", "keskiarvo", "mediaani",
                                        "pienin", "suurin"])
    return _table(tid, title, frame, len(data),
                  {"kysymys": "Kysymys", "n": "Vastanneita kuntia", "summa": "Yhteensä",
                   "keskiarvo": "Keskiarvo", "mediaani": "Mediaani", "pienin": "Pienin",
                   "suurin": "Suurin"},
                  {"n": "count", "summa": "number", "keskiarvo": "mean", "mediaani": "number",
                   "pienin": "number", "suurin": "number"}, ",".join(q.id for q in qs)), None


def _kunnat_toimialayhteistyo(muni, ctx: Context) -> Built:
    tid, title = "kunnat_toimialayhteistyo", "Kunnan toimialojen yhteistyö järjestöjen kanssa"
    q = ctx.cb.municipality.question("yhteistyo_toimialat")
    if muni is None:
        return _muni_missing(tid, title, ctx, q.id)
    data = _muni_latest(muni, ctx)
    scale = sorted([(label, v) for label, v in q.columns if v is not None], key=lambda x: -x[1])
    vals = pd.DataFrame({r.key: _num(_col(data, r.key)) for r in q.rows}, index=data.index)
    n = vals.notna().sum()
    frame = pd.DataFrame({KEY: [r.key for r in q.rows], "toimiala": [r.label for r in q.rows]})
    columns, kinds = {"toimiala": "Kunnan toimiala"}, {}
    for i, (label, v) in enumerate(scale, start=1):
        c = (vals == v).sum().reindex([r.key for r in q.rows]).to_numpy(dtype="float64")
        frame[f"p_{i}"] = _pct(c, n.to_numpy())
        columns[f"p_{i}"] = f"{label}, %"
        kinds[f"p_{i}"] = "percent"
    for i, (label, v) in enumerate(scale, start=1):
        frame[f"c_{i}"] = (vals == v).sum().reindex([r.key for r in q.rows]).to_numpy(dtype="float64")
        columns[f"c_{i}"] = f"{label}, kuntia"
        kinds[f"c_{i}"] = "count"
    frame["n"] = n.to_numpy(dtype="float64")
    columns["n"] = "Vastanneita kuntia"
    kinds["n"] = "count"
    return _table(tid, title, frame, len(data), columns, kinds, q.id,
                  "”En osaa sanoa” ei ole mukana osuuksissa."), None


def _kunnat_tukipalvelut(muni, ctx: Context) -> Built:
    q = ctx.cb.municipality.question("tukipalvelut")
    tid, title = "kunnat_tukipalvelut", "Kuntien järjestöille tarjoama muu tuki"
    if muni is None:
        return _muni_missing(tid, title, ctx, q.id)
    t, _ = _multi(tid, title, _muni_latest(muni, ctx), ctx, q, "Tuki", suppress=False)
    return t.with_(columns={**t.columns, COUNT: "Kuntia"}), None


# -- public API ---------------------------------------------------------------------------

ASSOCIATION_INDICATORS: dict[str, Callable[[pd.DataFrame, Context], Built]] = {
    "vastaajat_toimiala": _vastaajat_toimiala,
    "vastaajat_ryhma": _vastaajat_ryhma,
    "vastaajat_seutukunta": _vastaajat_seutukunta,
    "vastaajat_kunta": _vastaajat_kunta,
    "vastausajat": _vastausajat,
    "paatoimiala_lahde": _paatoimiala_lahde,
    "toimialat_kattavuus": _toimialat_kattavuus,
    "toiminta_alue": _toiminta_alue,
    "toimintakunnat": _toimintakunnat,
    "ulottuvuus": _ulottuvuus,
    "kokoluokka": _kokoluokka,
    "henkilot_toimiala": _henkilot_toimiala,
    "budjetti": _budjetti,
    "rahoitus": _rahoitus,
    "kunta_avustus": _kunta_avustus,
    "kunta_tilat": _kunta_tilat,
    "toimitilat": _toimitilat,
    "hva_avustus": _hva_avustus,
    "kohderyhmat": _kohderyhmat,
    "kohderyhmat_toimiala": _kohderyhmat_toimiala,
    "toimintamuodot": _toimintamuodot,
    "toimintamuodot_toimiala": _toimintamuodot_toimiala,
    "taidelajit": _taidelajit,
    "ammattilaisuus": _ammattilaisuus,
    "kumppanit": _kumppanit,
    "yhteistyo": _yhteistyo,
    "yhteistyo_toimiala": _yhteistyo_toimiala,
    "yhteistyo_kunta": _yhteistyo_kunta,
    "tulevaisuus": _tulevaisuus,
    "haasteet": _haasteet,
    "yhteistyotoiveet": _yhteistyotoiveet,
    "vapaa_sana": _vapaa_sana,
    "vastauskattavuus": _vastauskattavuus,
}

MUNICIPALITY_INDICATORS: dict[str, Callable[[pd.DataFrame | None, Context], Built]] = {
    "kunnat_vastaukset": _kunnat_vastaukset,
    "kunnat_yhteenveto": _kunnat_yhteenveto,
    "kunnat_luvut": _kunnat_luvut,
    "kunnat_toimialayhteistyo": _kunnat_toimialayhteistyo,
    "kunnat_tukipalvelut": _kunnat_tukipalvelut,
}


def _context(year: int, codebook: Codebook | None, reference: Reference | None,
             threshold: int = DEFAULT_THRESHOLD) -> Context:
    return Context(cb=codebook or default_codebook(), year=int(year), reference=reference,
                   threshold=int(threshold))


def _finish(built: Built, threshold: int) -> Table:
    table, plan = built
    return suppression.apply(table, plan, threshold)


def _public(tid: str, builder, municipal: bool = False):
    def indicator(data: pd.DataFrame | None, year: int, codebook: Codebook | None = None,
                  reference: Reference | None = None,
                  threshold: int = DEFAULT_THRESHOLD) -> Table:
        return _finish(builder(data, _context(year, codebook, reference, threshold)), threshold)

    indicator.__name__ = indicator.__qualname__ = tid
    indicator.__doc__ = (builder.__doc__ or "") + (
        "\n\nPublished without suppression (describes municipalities)." if municipal else
        "\n\nReturns the table with disclosure control applied (``threshold``).")
    return indicator


for _tid, _builder in ASSOCIATION_INDICATORS.items():
    globals()[_tid] = _public(_tid, _builder)
for _tid, _builder in MUNICIPALITY_INDICATORS.items():
    globals()[_tid] = _public(_tid, _builder, municipal=True)


def compute_all(assoc: pd.DataFrame, muni: pd.DataFrame | None, year: int, codebook=None,
                reference: Reference | None = None,
                threshold: int = DEFAULT_THRESHOLD) -> dict[str, Table]:
    """Every indicator table of a wave, in report order, suppression applied."""
    ctx = _context(year, codebook, reference, threshold)
    ctx = replace(ctx, home_hidden=disclosure.home_hidden(assoc, ctx.year, ctx.threshold, ctx.cb))
    out: dict[str, Table] = {}
    for tid, builder in ASSOCIATION_INDICATORS.items():
        out[tid] = _finish(builder(assoc, ctx), threshold)
    for tid, builder in MUNICIPALITY_INDICATORS.items():
        out[tid] = _finish(builder(muni, ctx), threshold)
    return out


__all__ = ["compute_all", "Context", "ASSOCIATION_INDICATORS", "MUNICIPALITY_INDICATORS",
           *ASSOCIATION_INDICATORS, *MUNICIPALITY_INDICATORS]
