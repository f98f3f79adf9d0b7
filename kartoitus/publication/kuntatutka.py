"""Kuntatutka: the yearly radar of how association-friendly a municipality is.

Scores the municipality survey (one row per answering municipality, processed
columns as in the codebook) on the dimensions of ``data/kuntatutka.yaml`` and builds
the "järjestöpositiivinen kunta" checklist, the two-views comparison with the
association survey and the change since the previous wave.

Everything here is a pure function from tables to tables. The rules live in the
YAML file; this module only knows the item kinds (``option``, ``number``, ``count``,
``grid_mean``). The central rule: an item that was not answered is left out of the
dimension's maximum (it is not a zero), a dimension with no answered item is NaN
("ei tietoa"), and a municipality that did not answer at all is NaN everywhere
with ``vastannut`` False.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from kartoitus.settings.codebook import (
    OTHER_SUFFIX,
    Codebook,
    Municipalities,
    Question,
    Survey,
    municipality_codes,
)
from kartoitus.errors import KartoitusError
from kartoitus.settings.scoring import (  # noqa: F401  (re-exported for callers)
    CHECK_KINDS,
    ITEM_KINDS,
    SCORING_FILE,
    TOTAL,
    TOTAL_LABEL,
    CheckItem,
    Dimension,
    Item,
    Scoring,
    Threshold,
    TwoViewRules,
    ViewPair,
    ViewPart,
    load_scoring,
)
from kartoitus.publication import Kuntatutka, WaveInput
from kartoitus.settings import Settings
from kartoitus.fmt import fi_number, fi_percent

#: Suffix of the per-dimension "items answered" column.
ANSWERED_SUFFIX = "__vastattu"

#: Checklist states.
MET = "täyttyy"
NOT_MET = "ei täyty"
NO_INFO = "ei tietoa"
NOT_ANSWERED = "ei vastannut"
CHECK_STATES = (MET, NOT_MET, NO_INFO, NOT_ANSWERED)

#: What the municipality says of itself in the two-views comparison.
SAYS_YES = "kyllä"
SAYS_PARTLY = "osittain"
SAYS_NO = "ei"


# -- the scoring rules ------------------------------------------------------------

def dimension_labels(scoring: Scoring, include_total: bool = False) -> dict[str, str]:
    """Dimension id -> Finnish label (for charts and tables)."""
    return scoring.labels(include_total)


# -- helpers ------------------------------------------------------------------------

def normalize_codes(values: pd.Series) -> pd.Series:
    """Municipality codes as three-digit text (``77``, ``77.0``, ``"077"`` -> ``"077"``).

    Object dtype with None for a missing code, so comparisons give plain booleans.
    """
    out = municipality_codes(values)
    return out.astype(object).where(out.notna(), None)


def _fi_number(x: float) -> str:
    return fi_number(x, 1, trim=True)


def _base(year: int, municipalities: Municipalities) -> pd.DataFrame:
    ms = municipalities.for_year(year)
    return pd.DataFrame({
        "kunta": [m.code for m in ms],
        "kunta_nimi": [m.name for m in ms],
        "seutukunta_koodi": [m.subregion_code for m in ms],
    })


def _answers(muni: pd.DataFrame, year: int, municipalities: Municipalities) -> pd.DataFrame:
    """The answering municipalities of the year, indexed by code (rows outside the
    year's municipality list, such as ``ulkopuolella``, cannot be placed and are left out)."""
    if "kunta" not in muni.columns:
        raise KartoitusError("municipality survey data has no 'kunta' column; pass the processed "
                             "kuntakysely data (one row per municipality)")
    codes = normalize_codes(muni["kunta"])
    valid = {m.code for m in municipalities.for_year(year)}
    keep = codes.isin(valid).to_numpy()
    data = muni.loc[keep].copy()
    data.index = pd.Index(codes[keep].to_numpy(), name="kunta")
    dup = data.index[data.index.duplicated()].unique()
    if len(dup):
        raise KartoitusError(
            f"municipality survey {year}: more than one answer for municipality {', '.join(dup)}; "
            "de-duplicate the data (the bank keeps one answer per municipality) before scoring")
    return data


def _blank_text(s: pd.Series) -> pd.Series:
    return s.isna() | s.astype("string").str.strip().fillna("").eq("")


def _column(data: pd.DataFrame, col: str) -> pd.Series:
    if col in data.columns:
        return data[col]
    return pd.Series(np.nan, index=data.index, dtype=object)


def _numeric(data: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(_column(data, col), errors="coerce").astype(float)


def _by_thresholds(values: pd.Series, thresholds: tuple[Threshold, ...]) -> pd.Series:
    v = values.to_numpy(dtype=float)
    conds = [v >= t.min for t in thresholds]  # NaN compares False
    out = np.select(conds, [t.points for t in thresholds], default=np.nan)
    return pd.Series(out, index=values.index, dtype=float)


def _option_keys(data: pd.DataFrame, item_question: str, no_answer: tuple[str, ...]) -> pd.Series:
    """Option key per municipality, NaN where blank or a no-answer key."""
    col = _column(data, item_question)
    keys = col.astype("string").str.strip()
    blank = _blank_text(col) | keys.isin(no_answer).fillna(False)
    return keys.mask(blank)


def _item_points(item: Item, data: pd.DataFrame, population: pd.Series | None,
                 survey: Survey, scoring: Scoring) -> pd.Series:
    """Points of one item per answering municipality; NaN = not answered / not scored."""
    q = survey.question(item.question)
    if item.kind == "option":
        keys = _option_keys(data, q.id, scoring.no_answer_keys)
        pts = keys.map(item.points).astype(float)
        unknown = keys.notna() & pts.isna()
        if unknown.any():
            bad = keys[unknown]
            raise KartoitusError(
                f"{scoring.source}: answer(s) {sorted(set(bad))} of question {q.id!r} "
                f"(municipality {', '.join(bad.index)}) have no points; add them to item "
                f"{item.id!r} or fix the data")
        return pd.Series(pts.to_numpy(dtype=float), index=data.index)
    if item.kind == "number":
        v = _numeric(data, q.id)
        if item.per_inhabitant:
            if population is None:
                return pd.Series(np.nan, index=data.index)
            pop = population.reindex(data.index)
            v = v / pop.where(pop > 0)
        return _by_thresholds(v, item.thresholds)
    if item.kind == "count":
        cols = [f"{q.id}__{k}" for k in q.option_keys()]
        m = pd.DataFrame({c: _numeric(data, c) for c in cols}, index=data.index)
        answered = m.notna().any(axis=1)
        count = m.fillna(0).clip(0, 1).sum(axis=1)
        if item.include_other and q.allow_other:
            other = ~_blank_text(_column(data, q.id + OTHER_SUFFIX))
            count = count + other.astype(float)
            answered = answered | other
        return _by_thresholds(count.where(answered), item.thresholds)
    # grid_mean
    values = [v for _, v in q.columns if v is not None]
    lo, hi = min(values), max(values)
    m = pd.DataFrame({r.key: _numeric(data, r.key) for r in q.rows}, index=data.index)
    mean = m.mean(axis=1, skipna=True)
    return (mean - lo) / (hi - lo) * item.max_points


def _population(population: pd.Series | None) -> pd.Series | None:
    if population is None:
        return None
    pop = pd.to_numeric(pd.Series(population.to_numpy(), index=normalize_codes(pd.Series(population.index)).to_numpy()),
                        errors="coerce")
    return pop[~pop.index.duplicated(keep="last")]


def item_points(muni: pd.DataFrame, year: int, scoring: Scoring, codebook: Codebook,
                population: pd.Series | None = None) -> pd.DataFrame:
    """Points of every item for every answering municipality (long form).

    Columns: kunta, ulottuvuus, kohta, pisteet (NaN = not answered / not scored),
    enimmaispisteet (the item's maximum, NaN when the item is not counted).
    """
    survey, municipalities = codebook.municipality, codebook.municipalities
    data = _answers(muni, year, municipalities)
    pop = _population(population)
    parts = []
    for dim in scoring.dimensions:
        for item in dim.items_in(year, survey):
            pts = _item_points(item, data, pop, survey, scoring)
            parts.append(pd.DataFrame({
                "kunta": data.index, "ulottuvuus": dim.id, "kohta": item.id,
                "pisteet": pts.to_numpy(), "enimmaispisteet": np.where(pts.notna(), item.max_points, np.nan),
            }))
    if not parts:
        return pd.DataFrame(columns=["kunta", "ulottuvuus", "kohta", "pisteet", "enimmaispisteet"])
    return pd.concat(parts, ignore_index=True)


# -- scores -------------------------------------------------------------------------

def score_municipalities(muni: pd.DataFrame, year: int, scoring: Scoring, codebook: Codebook,
                         population: pd.Series | None = None) -> pd.DataFrame:
    """Kuntatutka scores: one row per municipality of the year, answering or not.

    ``population``: inhabitants per municipality code (index), for the grants per
    inhabitant item; without it (or without a municipality's figure) that item is
    left out of the maximum. Columns: kunta, kunta_nimi, seutukunta_koodi, vastannut,
    per dimension ``<id>`` (0-100, NaN = ei tietoa) and ``<id>__vastattu`` (items
    answered; <NA> for a municipality that did not answer), kokonaispisteet.
    """
    survey, municipalities = codebook.municipality, codebook.municipalities
    base = _base(year, municipalities)
    data = _answers(muni, year, municipalities)
    pop = _population(population)
    out = base.copy()
    out["vastannut"] = base["kunta"].isin(data.index).to_numpy()
    for dim in scoring.dimensions:
        items = dim.items_in(year, survey)
        pts = pd.DataFrame({i.id: _item_points(i, data, pop, survey, scoring) for i in items}, index=data.index)
        maxes = pd.DataFrame({i.id: np.where(pts[i.id].notna(), i.max_points, 0.0) for i in items},
                             index=data.index)
        total_max = maxes.sum(axis=1) if items else pd.Series(0.0, index=data.index)
        total = pts.sum(axis=1) if items else pd.Series(0.0, index=data.index)
        score = (total / total_max.where(total_max > 0) * 100).astype(float)
        answered = pts.notna().sum(axis=1) if items else pd.Series(0, index=data.index)
        out[dim.id] = score.reindex(base["kunta"]).to_numpy(dtype=float)
        out[dim.id + ANSWERED_SUFFIX] = pd.array(answered.reindex(base["kunta"]).to_numpy(), dtype="Int64")
    dims = scoring.dimension_ids
    out[TOTAL] = out[dims].mean(axis=1, skipna=True)
    ordered = ["kunta", "kunta_nimi", "seutukunta_koodi", "vastannut", *dims,
               *[d + ANSWERED_SUFFIX for d in dims], TOTAL]
    return out[ordered]


def _dims_of(scores: pd.DataFrame) -> list[str]:
    return [c[: -len(ANSWERED_SUFFIX)] for c in scores.columns
            if c.endswith(ANSWERED_SUFFIX) and c[: -len(ANSWERED_SUFFIX)] in scores.columns]


def region_summary(scores: pd.DataFrame) -> pd.Series:
    """Region median per dimension (and of the total) over the answering municipalities.

    ``attrs["n"]`` holds the number of answering municipalities.
    """
    answered = scores[scores["vastannut"].astype(bool)]
    cols = [*_dims_of(scores), TOTAL]
    med = answered[cols].median(axis=0, skipna=True).astype(float)
    med.name = "maakunnan_mediaani"
    med.attrs["n"] = int(len(answered))
    return med


def change_since(previous_scores: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Change per dimension (and total) from the previous wave's scores to these.

    One row per municipality of ``scores``; a change is NaN where either wave has no
    score (not answered, ei tietoa, or the dimension did not exist). Also gives
    ``vastannut`` and ``vastannut_edellinen`` (False when the municipality is not in
    the previous wave).
    """
    dims = [*_dims_of(scores), TOTAL]
    prev = previous_scores.copy()
    prev.index = pd.Index(normalize_codes(prev["kunta"]).to_numpy())
    prev = prev[~prev.index.duplicated(keep="last")]
    codes = normalize_codes(scores["kunta"]).to_numpy()
    out = pd.DataFrame({"kunta": codes, "kunta_nimi": scores["kunta_nimi"].to_numpy(),
                        "vastannut": scores["vastannut"].astype(bool).to_numpy()})
    if "vastannut" in prev.columns:
        was = prev["vastannut"].map(lambda v: str(v).strip().lower() in ("true", "1", "1.0"))
        out["vastannut_edellinen"] = was.reindex(codes).fillna(False).astype(bool).to_numpy()
    else:
        out["vastannut_edellinen"] = pd.Index(codes).isin(prev.index)
    for d in dims:
        now = pd.to_numeric(scores[d], errors="coerce").to_numpy(dtype=float)
        if d in prev.columns:
            before = pd.to_numeric(prev[d], errors="coerce").reindex(codes).to_numpy(dtype=float)
        else:
            before = np.full(len(codes), np.nan)
        out[d] = now - before
    return out


# -- checklist ----------------------------------------------------------------------

def checklist(muni: pd.DataFrame, year: int, scoring: Scoring, codebook: Codebook) -> pd.DataFrame:
    """The "järjestöpositiivinen kunta" checklist, long form.

    Columns: kunta, kunta_nimi, kohta, kohta_teksti, tila (täyttyy / ei täyty /
    ei tietoa / ei vastannut). A question not asked in the year is "ei tietoa".
    """
    survey, municipalities = codebook.municipality, codebook.municipalities
    base = _base(year, municipalities)
    data = _answers(muni, year, municipalities)
    answered = base["kunta"].isin(data.index).to_numpy()
    parts = []
    for c in scoring.checklist:
        asked = survey.question(c.question).asked_in(year)
        if c.kind == "option":
            keys = _option_keys(data, c.question, scoring.no_answer_keys)
            state = np.where(keys.isna(), NO_INFO, np.where(keys.isin(c.met).fillna(False), MET, NOT_MET))
        else:
            v = _numeric(data, c.question)
            state = np.where(v.isna(), NO_INFO, np.where(v >= c.min, MET, NOT_MET))
        if not asked:
            state = np.full(len(data), NO_INFO, dtype=object)
        st = pd.Series(state, index=data.index, dtype=object).reindex(base["kunta"]).to_numpy()
        st = np.where(answered, st, NOT_ANSWERED)
        parts.append(pd.DataFrame({"kunta": base["kunta"], "kunta_nimi": base["kunta_nimi"],
                                   "kohta": c.id, "kohta_teksti": c.text, "tila": st,
                                   "_order": np.arange(len(base))}))
    if not parts:
        return pd.DataFrame(columns=["kunta", "kunta_nimi", "kohta", "kohta_teksti", "tila"])
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    return out


# -- two views ----------------------------------------------------------------------

def _part_says(part: ViewPart, data: pd.DataFrame, q: Question, scoring: Scoring) -> tuple[pd.Series, pd.Series]:
    """(says, text) per answering municipality for one part of a pair."""
    if q.type == "single":
        keys = _option_keys(data, q.id, scoring.no_answer_keys)
        says = pd.Series(np.where(keys.isin(part.yes).fillna(False), SAYS_YES,
                                  np.where(keys.isin(part.no).fillna(False), SAYS_NO, SAYS_PARTLY)),
                         index=data.index, dtype=object).where(keys.notna())
        raw = _column(data, q.id).astype("string").str.strip()
        labels = raw.map({o.key: o.label for o in q.options}).astype(object)
        text = labels.where(labels.notna(), "ei vastausta")
    else:
        v = _numeric(data, q.id)
        yes = v >= part.yes_min
        no = (v <= part.no_max) if part.no_max is not None else pd.Series(False, index=v.index)
        says = pd.Series(np.where(yes, SAYS_YES, np.where(no, SAYS_NO, SAYS_PARTLY)),
                         index=data.index, dtype=object).where(v.notna())
        uniq = {x: _fi_number(x) for x in v.dropna().unique()}
        text = v.map(uniq).astype(object).where(v.notna(), "ei vastausta")
    return says, part.label + ": " + text.astype(str)


def _combine(states: list[pd.Series], how: str) -> pd.Series:
    frame = pd.concat(states, axis=1)
    any_yes = frame.eq(SAYS_YES).any(axis=1)
    any_no = frame.eq(SAYS_NO).any(axis=1)
    answered = frame.notna()
    n_answered = answered.sum(axis=1)
    all_yes = frame.eq(SAYS_YES).sum(axis=1).eq(n_answered)
    all_no = frame.eq(SAYS_NO).sum(axis=1).eq(n_answered)
    if how == "any":
        out = np.where(any_yes, SAYS_YES, np.where(all_no, SAYS_NO, SAYS_PARTLY))
    else:
        out = np.where(any_no, SAYS_NO, np.where(all_yes, SAYS_YES, SAYS_PARTLY))
    return pd.Series(out, index=frame.index, dtype=object).where(n_answered > 0, NO_INFO)


def two_views(assoc: pd.DataFrame, muni: pd.DataFrame, year: int, scoring: Scoring, codebook: Codebook, *,
              threshold: int = 5, hidden: Mapping[tuple[str, str], Any]) -> pd.DataFrame:
    """Associations' view (by kotikunta) next to the municipality's own answers.

    One row per municipality of the year and statement of the YAML pairs. Columns:
    kunta, kunta_nimi, vaite, vaite_teksti, aihe, n (associations that rated the
    statement), keskiarvo (1-5), samaa_mielta_pct (share rating 4-5), suojattu
    (True when the n is hidden: keskiarvo and samaa_mielta_pct are then NaN too),
    keskiarvo_suojattu, samaa_mielta_suojattu (True when that figure is hidden; it
    is then NaN), kunnan_vastaus (the municipality's answers as text), kunta_sanoo
    (kyllä / osittain / ei / ei tietoa / ei vastannut), ristiriita (bool, judged
    only on a published share), ristiriita_selite.

    The figures are the report's ``yhteistyo_kunta`` figures, so they are hidden
    exactly where that table hides them (``hidden``: ``(code, statement)`` -> the
    table's hidden columns ``n``/``samaa_mielta``/``keskiarvo``, from
    :func:`kartoitus.publication.indicators.cooperation_hidden` over the whole wave).
    A figure of fewer than ``threshold`` associations is hidden in any case.
    """
    cb = codebook
    municipalities = cb.municipalities
    rules = scoring.two_views
    base = _base(year, municipalities)
    codes = base["kunta"]
    data = _answers(muni, year, municipalities)
    answered = codes.isin(data.index).to_numpy()
    home_q = cb.home_column
    if home_q not in assoc.columns:
        raise KartoitusError(f"association survey data has no {home_q!r} column; pass the processed "
                             "jarjestokysely data")
    statements = [p.statement for p in rules.pairs]
    home = normalize_codes(assoc[home_q])
    ratings = pd.DataFrame({s: _numeric(assoc, s) for s in statements}, index=assoc.index)
    grouped = ratings.groupby(home.to_numpy(), sort=False)
    n_all = grouped.count()
    mean_all = grouped.mean()
    agree_all = ratings.ge(rules.agree_from).groupby(home.to_numpy(), sort=False).sum()
    row_labels = {r.key: r.label for q in cb.association.of_type("grid") for r in q.rows}
    survey = cb.municipality
    code_list = [str(c) for c in codes]

    parts = []
    for pair in rules.pairs:
        n = n_all[pair.statement].reindex(codes).fillna(0).astype(int).to_numpy() if len(n_all) else np.zeros(len(codes), int)
        mean = mean_all[pair.statement].reindex(codes).to_numpy(dtype=float) if len(n_all) else np.full(len(codes), np.nan)
        agree = agree_all[pair.statement].reindex(codes).to_numpy(dtype=float) if len(n_all) else np.full(len(codes), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = np.where(n > 0, agree / np.where(n > 0, n, 1) * 100, np.nan)
        cols = [set(hidden.get((c, pair.statement), ())) for c in code_list]
        suppressed = ((n > 0) & (n < threshold)) | np.array(["n" in c for c in cols], dtype=bool)
        mean_hidden = suppressed | np.array(["keskiarvo" in c for c in cols], dtype=bool)
        pct_hidden = suppressed | np.array(["samaa_mielta" in c for c in cols], dtype=bool)
        mean = np.where(mean_hidden | (n == 0), np.nan, mean)
        pct = np.where(pct_hidden | (n == 0), np.nan, pct)

        says_parts, text_parts = [], []
        for part in pair.parts:
            s, t = _part_says(part, data, survey.question(part.question), scoring)
            if not survey.question(part.question).asked_in(year):
                s = pd.Series(np.nan, index=data.index, dtype=object)
            says_parts.append(s)
            text_parts.append(t)
        if len(data):
            says = _combine(says_parts, pair.combine)
            text = pd.concat(text_parts, axis=1).agg("; ".join, axis=1)
        else:
            says = pd.Series([], dtype=object)
            text = pd.Series([], dtype=object)
        says_v = np.where(answered, says.reindex(codes).to_numpy(), NOT_ANSWERED)
        text_v = np.where(answered, text.reindex(codes).to_numpy(), "")

        judged = ~np.isnan(pct)
        c_yes = judged & (says_v == SAYS_YES) & (pct < rules.yes_below_pct)
        c_no = judged & (says_v == SAYS_NO) & (pct >= rules.no_from_pct)
        pct_txt = pd.Series(pct).map(lambda x: fi_percent(x, 0))
        why = np.where(c_yes, "Kunta vastaa kyllä, mutta vain " + pct_txt + " sen yhdistyksistä on samaa mieltä.",
                       np.where(c_no, "Kunta vastaa ei, mutta " + pct_txt + " sen yhdistyksistä on samaa mieltä.", ""))
        parts.append(pd.DataFrame({
            "kunta": codes, "kunta_nimi": base["kunta_nimi"], "vaite": pair.statement,
            "vaite_teksti": row_labels.get(pair.statement, pair.statement), "aihe": pair.topic,
            "n": pd.array(n, dtype="Int64"), "keskiarvo": mean, "samaa_mielta_pct": pct,
            "suojattu": suppressed, "keskiarvo_suojattu": mean_hidden & (n > 0),
            "samaa_mielta_suojattu": pct_hidden & (n > 0), "kunnan_vastaus": text_v, "kunta_sanoo": says_v,
            "ristiriita": c_yes | c_no, "ristiriita_selite": why, "_order": np.arange(len(codes)),
        }))
    cols = ["kunta", "kunta_nimi", "vaite", "vaite_teksti", "aihe", "n", "keskiarvo", "samaa_mielta_pct",
            "suojattu", "keskiarvo_suojattu", "samaa_mielta_suojattu", "kunnan_vastaus", "kunta_sanoo", "ristiriita", "ristiriita_selite"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    return out[cols].reset_index(drop=True)


# -- methods text ---------------------------------------------------------------------

def _threshold_texts(item: Item) -> list[dict]:
    unit = f" {item.unit}" if item.unit else ""
    out = []
    ths = item.thresholds  # highest min first
    for i, t in enumerate(ths):
        if i > 0 and i == len(ths) - 1 and t.min <= 0:
            text = f"alle {_fi_number(ths[i - 1].min)}{unit}"
        elif i > 0:
            text = f"vähintään {_fi_number(t.min)} ja alle {_fi_number(ths[i - 1].min)}{unit}"
        else:
            text = f"vähintään {_fi_number(t.min)}{unit}"
        out.append({"answer": text, "points": t.points})
    return out


def describe_scoring(year: int, scoring: Scoring, codebook: Codebook) -> list[dict]:
    """The scoring rules of a wave, for the report's methods section.

    Per dimension: ``id``, ``label`` (Finnish), ``max_points`` and ``items``; per item
    ``id``, ``label``, ``question``, ``question_title``, ``max_points``, ``note`` and
    ``points`` (a list of ``{"answer": <Finnish text>, "points": <number>}``).
    Items of questions not asked in ``year`` are left out.
    """
    survey = codebook.municipality
    out = []
    for dim in scoring.dimensions:
        items = []
        for item in dim.items_in(year, survey):
            q = survey.question(item.question)
            if item.kind == "option":
                pts = [{"answer": q.label_of(k), "points": p} for k, p in item.points.items()]
                blanks = [o.label for o in q.options if o.key in scoring.no_answer_keys]
                if blanks:
                    pts.append({"answer": f"{', '.join(blanks)} (ei lasketa enimmäispisteisiin)", "points": None})
            elif item.kind in ("number", "count"):
                pts = _threshold_texts(item)
            else:
                scale = ", ".join(f"{label.lower()} = {_fi_number(v)}" for label, v in q.columns if v is not None)
                pts = [{"answer": f"toimialojen keskiarvo ({scale}) suoraan muunnettuna",
                        "points": f"0–{_fi_number(item.max_points)}"}]
            items.append({"id": item.id, "label": item.label, "question": q.id, "question_title": q.title,
                          "kind": item.kind, "max_points": item.max_points, "points": pts, "note": item.note})
        out.append({"id": dim.id, "label": dim.label, "label_en": dim.label_en,
                    "max_points": sum(i["max_points"] for i in items), "items": items})
    return out


# -- the publication's part ---------------------------------------------------------------

def kuntatutka_part(data: WaveInput, settings: Settings) -> Kuntatutka:
    """The kuntatutka of a wave, computed once: the scores (grants per inhabitant from
    ``data.population``), the region median, the checklist, and the scores of the newest
    earlier wave with municipality data (scored without population, as the build did
    before the publication existed)."""
    scoring, cb = settings.scoring, settings.codebook
    scores = score_municipalities(data.municipality, data.year, scoring, cb, data.population)
    previous = next((p for p in data.previous if p.municipality is not None), None)
    previous_scores = (score_municipalities(previous.municipality, previous.year, scoring, cb)
                       if previous is not None else None)
    return Kuntatutka(scores=scores, region_median=region_summary(scores),
                      checklist=checklist(data.municipality, data.year, scoring, cb),
                      previous_year=previous.year if previous is not None else None,
                      previous_scores=previous_scores)
