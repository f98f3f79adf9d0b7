"""The municipality survey's tables (published without suppression: they describe
municipalities, not people; personal fields never appear, free text only as answered yes/no)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kartoitus.publication.indicators.common import (
    ANSWERED, COUNT, KEY, NO, NOT_ANSWERED, OTHER_LABEL, PCT, YES, Built, Context, _answered_multi,
    _codes, _col, _multi_matrix, _num, _pct, _reference, _table, _text,
)
from kartoitus.publication.indicators.shapes import _distribution, _multi
from kartoitus.settings.codebook import OTHER_SUFFIX

# -- municipality survey (published without suppression) -----------------------------------

def _muni_latest(muni: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """One answer per municipality code (the last one if the data still has several)."""
    codes = _codes(_col(muni, ctx.names.q_municipality))
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
        t, _ = _distribution(ctx, tid, title, _text(_col(data, q.id)), list(q.option_keys()),
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


