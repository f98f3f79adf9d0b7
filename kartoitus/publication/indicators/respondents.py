"""Who answered: respondents by sector, group, sub-region and municipality, when they
answered, where the main sector came from, reach, size and people by sector."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kartoitus.publication.indicators.common import (
    COUNT, KEY, MONTHS, NO_POPULATION, NO_REGISTRY, OUTSIDE_LABEL, PCT, RULE_SOURCE, TOTAL_KEY,
    Built, Context, _codes, _col, _home, _home_hidden, _num, _pct, _reference,
    _sector_of, _sectors, _table, _text, _with_hidden, group_labels, people, source_labels,
)
from kartoitus.publication.indicators.shapes import _distribution, _multi, _single
from kartoitus.publication.suppression import SuppressionPlan, column_equations

# -- respondents -----------------------------------------------------------------------

def _vastaajat_toimiala(assoc, ctx: Context) -> Built:
    """Respondents by main sector (every sector, zero rows included)."""
    keys, labels = _sectors(ctx)
    built = _distribution(ctx, "vastaajat_toimiala", "Vastaajat päätoimialoittain",
                          _sector_of(assoc, ctx), keys, labels, "Päätoimiala",
                          f"{ctx.names.q_sector},{ctx.names.sector_source}")
    return _with_hidden(built, "S|", _home_hidden(assoc, ctx))


def _vastaajat_ryhma(assoc, ctx: Context) -> Built:
    """Respondents by sector group: social and health (sote) vs others."""
    names = ctx.names
    derived = _sector_of(assoc, ctx).isin(ctx.settings.sote).map({True: names.group_sote,
                                                                  False: names.group_other})
    group = _text(_col(assoc, names.group)).fillna(derived)
    labels = group_labels(names)
    built = _distribution(ctx, "vastaajat_ryhma", "Vastaajat toimialaryhmittäin", group,
                          list(labels), list(labels.values()), "Toimialaryhmä",
                          f"{names.group},{names.q_sector}")
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



def _vastaajat_kunta(assoc, ctx: Context) -> Built:
    """Respondents by home municipality: every municipality of the year (zeros too),
    with respondents per 1,000 inhabitants and response rate when reference data exists."""
    ms = ctx.cb.municipalities.for_year(ctx.year)
    home = _home(assoc, ctx)
    vc = home.value_counts()
    keys = [m.code for m in ms] + [ctx.names.outside]
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
               ctx.names.q_home, " ".join(notes))
    return _with_hidden((t, plan), "K|", _home_hidden(assoc, ctx))


def _vastaajat_seutukunta(assoc, ctx: Context) -> Built:
    """Respondents by sub-region (and outside the region)."""
    ms = ctx.cb.municipalities.for_year(ctx.year)
    subregions = ctx.cb.municipalities.subregions(ctx.year)
    sub_of = {m.code: m.subregion_code for m in ms}
    home = _home(assoc, ctx)
    derived = home.map(sub_of)
    outside = ctx.names.outside
    given = _codes(_col(assoc, ctx.names.subregion)) if ctx.names.subregion in assoc else derived
    sub = given.where(given.isin(list(subregions)), derived)
    sub = sub.where(home != outside, outside).where(home.notna())
    keys = sorted(subregions) + [outside]
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
               f"{ctx.names.q_home},{ctx.names.subregion}", " ".join(notes))
    return _with_hidden((t, plan), "SK|", _home_hidden(assoc, ctx), {outside: f"K|{outside}"})


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
    return _distribution(ctx, "vastausajat", "Vastaukset kuukausittain", month, keys, labels,
                         "Kuukausi", "aikaleima")


def _paatoimiala_lahde(assoc, ctx: Context) -> Built:
    """Where the main sector came from: the answer, a classification rule, a correction."""
    names = ctx.names
    src = _text(_col(assoc, names.sector_source))
    labels = source_labels(names)
    cat = src.where(src.isin([names.source_answer, names.source_correction, names.source_none])
                    | src.isna(), RULE_SOURCE)
    return _distribution(ctx, "paatoimiala_lahde", "Päätoimialan lähde", cat, list(labels),
                         list(labels.values()), "Lähde", f"{names.sector_source},{names.q_sector}",
                         note="Luokittelusääntö: päätoimiala päätelty nimestä, muu-tekstistä tai "
                              "toimialavastauksista.")


# -- sectors, reach, size ----------------------------------------------------------------

def _toimialat_kattavuus(assoc, ctx):
    return _multi("toimialat_kattavuus", "Toimialat, joille toiminta kohdistuu", assoc, ctx,
                  ctx.cb.association.question(ctx.names.q_sectors), "Toimiala")


def _toiminta_alue(assoc, ctx):
    return _single("toiminta_alue", "Yhdistyksen toiminta-alue", assoc, ctx, ctx.names.q_reach,
                   "Toiminta-alue")


def _toimintakunnat(assoc, ctx):
    return _multi("toimintakunnat", "Kunnat, joissa yhdistyksillä on toimintaa", assoc, ctx,
                  ctx.cb.association.question(ctx.names.q_reach_municipalities), "Kunta")


def _ulottuvuus(assoc, ctx: Context) -> Built:
    """Reach (derived from the operating area and the municipalities ticked)."""
    names = ctx.names
    q = ctx.cb.association.question(names.q_reach)
    values = _text(_col(assoc, names.reach))
    keys, labels = list(q.option_keys()), [o.label for o in q.options]
    for extra in sorted(set(values.dropna().unique()) - set(keys)):
        keys.append(extra)
        labels.append(extra.replace("_", " ").capitalize())
    built = _distribution(ctx, "ulottuvuus", "Toiminnan ulottuvuus", values, keys, labels,
                          "Ulottuvuus", f"{names.reach},{names.q_reach},{names.q_reach_municipalities}",
                          note="Toiminta-alueen vastauksesta tai valittujen kuntien määrästä päätelty.")
    return _with_hidden(built, "U|", _home_hidden(assoc, ctx))


def _kokoluokka(assoc, ctx: Context) -> Built:
    """Size class by members (derived column ``names.size``)."""
    values = _text(_col(assoc, ctx.names.size))
    classes = ctx.settings.classification.size_classes  # luokittelu.yaml: the classes classify gives
    keys, labels = [c.key for c in classes], [c.label for c in classes]
    for extra in sorted(set(values.dropna().unique()) - set(keys)):
        keys.append(extra)
        labels.append(extra.replace("_", " ").capitalize())
    return _distribution(ctx, "kokoluokka", "Yhdistysten kokoluokat", values, keys, labels,
                         "Kokoluokka", f"{ctx.names.size},{ctx.names.q_members}")


def _henkilot_toimiala(assoc, ctx: Context) -> Built:
    """Members, volunteers and paid staff by sector: total, median, quartiles, n."""
    skeys, slabels = _sectors(ctx)
    sector = _sector_of(assoc, ctx)
    keys = [*skeys, TOTAL_KEY]
    frame = pd.DataFrame({KEY: keys, "toimiala": [*slabels, "Kaikki toimialat"]})
    columns, kinds = {"toimiala": "Päätoimiala"}, {}
    values = pd.DataFrame(index=frame.index)
    bases, eqs, counted = {}, [], []
    counts_of = people(ctx.names)
    for qid, label in counts_of:
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
    n_any = float(assoc[[q for q, _ in counts_of if q in assoc.columns]].apply(_num).notna()
                  .any(axis=1).sum()) if any(q in assoc.columns for q, _ in counts_of) else 0.0
    note = ("Mediaani ja kvartiilit vastanneista yhdistyksistä; palkattu henkilöstö "
            "henkilötyövuosina.")
    return _table("henkilot_toimiala", "Jäsenet, vapaaehtoiset ja palkattu henkilöstö päätoimialoittain",
                  frame, n_any, columns, kinds, ",".join(q for q, _ in counts_of), note), plan


