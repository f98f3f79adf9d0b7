"""Realistic PROCESSED survey frames with random valid values, for tests and previews.

``make_processed(year, n, seed)`` returns ``(assoc, muni)``: the association and
municipality frames as ``data/processed/<year>/*.csv`` hold them (docs/design.md)
after reading with pandas: ``tiedosto``, ``rivi``, the codebook's processed
columns for that year, then the derived columns. Everything comes from the
codebook (question ids, option keys, grid values, municipalities of the year),
so a codebook change shows up here by itself. Same arguments -> same frames.

Conventions followed: single = option key (other-text in ``<id>__muu``), multi =
0/1 floats per option with NaN for a respondent who left the whole question
blank, grid = numeric value or NaN (``En osaa sanoa``), numbers as floats with
NaN for no answer, municipality codes as three-digit text, timestamps as ISO 8601
text with the Helsinki offset, missing text as NaN.

Derived association columns come from the real ``classify`` stage run with the
settings: ``paatoimiala_lahde`` (``vastaus``, a rule id, or ``muu``; an answer
``muu`` goes through the rules like a real one), ``toimialaryhma``,
``seutukunta_koodi``, ``kokoluokka``, ``ulottuvuus``; then ``liput`` (random flag
codes). Without ``settings`` the package's settings are loaded once per process.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dataclasses import replace
from functools import lru_cache

from kartoitus.settings import Settings, load_settings
from kartoitus.settings.codebook import NAME_SUFFIX, OTHER_SUFFIX, OUTSIDE_REGION, Codebook
from kartoitus.stages.classify import REACH_NOTE, classify

ASSOC_FILE = "jarjestokysely-{year}.csv"
MUNI_FILE = "kuntakysely-{year}.csv"
FLAG_CODES = ["kunta_sumea", "luku_vali", "luku_yli", "muu_teksti", "luku_tulkitsematon"]
#: Rough weight of each municipality (bigger towns answer more).
_BIG = {"179": 12.0, "992": 3.0, "182": 3.0, "410": 2.5, "729": 2.0, "249": 2.0, "931": 1.5}
_OTHER_TEXTS = ["Veteraanityö", "Metsästys ja kalastus", "Ystävyysseuratoiminta",
                "Kotiseututyö ja perinne", "Ruokaapu"]


@lru_cache(maxsize=1)
def _package_settings() -> Settings:
    return load_settings()


def _settings(settings: Settings | None, codebook: Codebook | None) -> Settings:
    """The settings to generate with: given, or the package's (``codebook`` replaces theirs)."""
    s = settings or _package_settings()
    return replace(s, codebook=codebook) if codebook is not None else s


def _multi(rng, n: int, keys, p_blank: float, probs=None) -> dict[str, np.ndarray]:
    """0/1 columns for a multi question; whole rows blank (NaN) with p_blank."""
    k = len(keys)
    p = np.full(k, 0.3) if probs is None else np.asarray(probs, dtype=float)
    ticks = (rng.random((n, k)) < p).astype("float64")
    none = ticks.sum(axis=1) == 0
    ticks[none, rng.integers(0, k, none.sum())] = 1.0       # answered = at least one tick
    blank = rng.random(n) < p_blank
    ticks[blank, :] = np.nan
    return {key: ticks[:, i] for i, key in enumerate(keys)}


def _timestamps(rng, n: int, year: int) -> np.ndarray:
    start = pd.Timestamp(f"{year}-09-01 08:00", tz="Europe/Helsinki")
    secs = rng.integers(0, 44 * 24 * 3600, n)
    stamps = start + pd.to_timedelta(np.sort(secs), unit="s")
    return np.array([t.isoformat() for t in stamps], dtype=object)


def _choice(rng, keys, n: int, p=None, p_missing: float = 0.0) -> np.ndarray:
    out = rng.choice(np.array(list(keys), dtype=object), size=n, p=p)
    if p_missing:
        out[rng.random(n) < p_missing] = np.nan
    return out


def make_association(year: int = 2023, n: int = 300, seed: int = 0,
                     codebook: Codebook | None = None, settings: Settings | None = None) -> pd.DataFrame:
    settings = _settings(settings, codebook)
    cb = settings.codebook
    names = settings.names
    survey = cb.association
    munis = cb.municipalities.for_year(year)
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {
        "tiedosto": np.full(n, ASSOC_FILE.format(year=year), dtype=object),
        "rivi": np.arange(2, n + 2),
    }
    codes = np.array([m.code for m in munis], dtype=object)
    weights = np.array([_BIG.get(c, 1.0) for c in codes])
    home = rng.choice(codes, size=n, p=weights / weights.sum())
    outside = rng.random(n) < 0.02
    home[outside] = OUTSIDE_REGION
    name_of = {m.code: m.name for m in munis} | {OUTSIDE_REGION: "Muu kunta Keski-Suomen ulkopuolella"}

    sector_q = survey.question(names.q_sector)
    sectors = list(sector_q.option_keys())
    sw = np.array([14, 6, 3, 5, 6, 2, 3, 4, 9, 12, 5, 10, 3, 4, 4, 3], dtype=float)[:len(sectors)]
    main = rng.choice(np.array(sectors, dtype=object), size=n, p=sw / sw.sum())
    other = rng.random(n) < 0.04
    main[other] = names.other
    rng.random(n)   # (drawn as before, so that every later answer stays the same)

    for q in survey.asked_in(year):
        if q.personal:
            continue
        qid = q.id
        if q.type == "timestamp":
            cols[qid] = _timestamps(rng, n, year)
        elif qid == "nimi":
            town = np.array([name_of[c] for c in home], dtype=object)
            cols[qid] = np.array([f"Yhdistys {i + 1} ({t}) ry" for i, t in enumerate(town)],
                                 dtype=object)
        elif qid == "rekisterinumero":
            reg = np.array([f"{a}.{b:03d}" for a, b in zip(rng.integers(100, 230, n),
                                                             rng.integers(0, 999, n))], dtype=object)
            reg[rng.random(n) < 0.4] = np.nan
            cols[qid] = reg
        elif q.type == "municipality":
            cols[qid] = home
            cols[qid + NAME_SUFFIX] = np.array([name_of[c] for c in home], dtype=object)
        elif qid == "paatoimiala":
            cols[qid] = main
            muu = np.full(n, np.nan, dtype=object)
            muu[other] = rng.choice(np.array(_OTHER_TEXTS, dtype=object), size=other.sum())
            cols[qid + OTHER_SUFFIX] = muu
        elif q.type == "multi" and q.options_from == "municipalities":
            ticks = _multi(rng, n, codes, 0.1, probs=np.full(len(codes), 0.06))
            for i, c in enumerate(codes):   # the home municipality is always ticked
                col = ticks[c]
                col[(home == c) & ~np.isnan(col)] = 1.0
                cols[f"{qid}__{c}"] = col
        elif q.type == "multi":
            keys = q.option_keys()
            culture = (main == "kulttuuri")
            ticks = _multi(rng, n, keys, 0.05)
            if qid == "toimialat":
                for i, key in enumerate(keys):
                    col = ticks[key]
                    col[(main == key) & ~np.isnan(col)] = 1.0
            if qid == "taidelajit":
                for key in keys:
                    ticks[key][~culture] = np.nan
            for key in keys:
                cols[f"{qid}__{key}"] = ticks[key]
            if q.allow_other:
                muu = np.full(n, np.nan, dtype=object)
                pick = (rng.random(n) < 0.03) & ~np.isnan(ticks[keys[0]])
                muu[pick] = rng.choice(np.array(_OTHER_TEXTS, dtype=object), size=pick.sum())
                cols[qid + OTHER_SUFFIX] = muu
        elif q.type == "single":
            keys = q.option_keys()
            vals = _choice(rng, keys, n, p_missing=0.04)
            if qid == "ammattilaisuus":
                vals[main != "kulttuuri"] = np.nan
            cols[qid] = vals
            if q.allow_other:
                cols[qid + OTHER_SUFFIX] = np.full(n, np.nan, dtype=object)
        elif q.type == "grid":
            values = [v for _, v in q.columns]
            p = np.array([0.08, 0.15, 0.25, 0.3, 0.14, 0.08])[:len(values)]
            for row in q.rows:
                picked = rng.choice(len(values), size=n, p=p / p.sum())
                cols[row.key] = np.array([np.nan if values[i] is None else values[i]
                                          for i in picked], dtype="float64")
        elif qid == "jasenmaara":
            v = np.round(rng.lognormal(4.0, 1.1, n))
            v[rng.random(n) < 0.05] = np.nan
            cols[qid] = v
        elif qid == "vapaaehtoiset":
            v = np.round(rng.lognormal(2.3, 0.9, n))
            v[rng.random(n) < 0.08] = np.nan
            cols[qid] = v
        elif qid == "palkatut_htv":
            v = np.where(rng.random(n) < 0.8, 0.0, np.round(rng.lognormal(0.3, 1.0, n) * 2) / 2)
            v[rng.random(n) < 0.1] = np.nan
            cols[qid] = v
        elif q.type == "number":
            cols[qid] = rng.integers(0, 100, n).astype("float64")
        elif qid == "vapaa_sana":
            txt = np.full(n, np.nan, dtype=object)
            pick = rng.random(n) < 0.15
            txt[pick] = "Kiitos yhteistyöstä, toivomme lisää tiloja käyttöön."
            cols[qid] = txt
        elif q.type == "text":
            cols[qid] = np.full(n, np.nan, dtype=object)
        elif q.type == "scale":
            cols[qid] = rng.integers(int(q.min or 1), int(q.max or 5) + 1, n).astype("float64")
        else:  # pragma: no cover - a new question type needs a generator here
            raise ValueError(f"no generator for question {qid} of type {q.type}")

    frame = pd.DataFrame(cols)
    frame = frame[["tiedosto", "rivi", *survey.processed_columns(cb.municipalities, year)]]
    # the derived columns as the data stage gives them: the real classification
    frame, _ = classify(frame, survey, settings.classification, names, cb.municipalities)
    frame = frame.drop(columns=[REACH_NOTE])
    for col in (names.q_sector, names.subregion, names.size, names.reach):
        frame[col] = frame[col].where(frame[col].notna(), np.nan)   # missing as read from a CSV
    flags = np.full(n, "", dtype=object)
    flagged = rng.random(n) < 0.12
    flags[flagged] = rng.choice(np.array(FLAG_CODES, dtype=object), size=flagged.sum())
    frame[names.flags] = pd.Series(flags, dtype=object).replace("", np.nan).to_numpy()
    return frame


def make_municipality(year: int = 2023, n: int | None = None, seed: int = 0,
                      codebook: Codebook | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """One answer per municipality: ``n`` of the year's municipalities (default all)."""
    settings = _settings(settings, codebook)
    cb = settings.codebook
    survey = cb.municipality
    munis = cb.municipalities.for_year(year)
    rng = np.random.default_rng(seed + 1)
    if n is None:
        n = len(munis)
    if n > len(munis):
        raise ValueError(f"{year} has {len(munis)} municipalities, asked for {n}")
    picked = sorted(rng.choice(len(munis), size=n, replace=False))
    chosen = [munis[i] for i in picked]
    cols: dict[str, object] = {
        "tiedosto": np.full(n, MUNI_FILE.format(year=year), dtype=object),
        "rivi": np.arange(2, n + 2),
    }
    for q in survey.asked_in(year):
        if q.personal:
            continue
        qid = q.id
        if q.type == "timestamp":
            cols[qid] = _timestamps(rng, n, year)
        elif q.type == "municipality":
            cols[qid] = np.array([m.code for m in chosen], dtype=object)
            cols[qid + NAME_SUFFIX] = np.array([m.name for m in chosen], dtype=object)
        elif q.type == "single":
            cols[qid] = _choice(rng, q.option_keys(), n, p_missing=0.05)
            if q.allow_other:
                cols[qid + OTHER_SUFFIX] = np.full(n, np.nan, dtype=object)
        elif q.type == "multi":
            ticks = _multi(rng, n, q.option_keys(), 0.05, probs=np.full(len(q.options), 0.5))
            for key, col in ticks.items():
                cols[f"{qid}__{key}"] = col
            if q.allow_other:
                cols[qid + OTHER_SUFFIX] = np.full(n, np.nan, dtype=object)
        elif q.type == "grid":
            values = [v for _, v in q.columns]
            for row in q.rows:
                picked_v = rng.choice(len(values), size=n)
                cols[row.key] = np.array([np.nan if values[i] is None else values[i]
                                          for i in picked_v], dtype="float64")
        elif qid == "avustukset_eur":
            cols[qid] = np.round(rng.lognormal(10.5, 1.0, n), -2)
        elif q.type == "number":
            cols[qid] = rng.integers(0, 12, n).astype("float64")
        elif q.type == "scale":
            cols[qid] = rng.integers(int(q.min or 1), int(q.max or 5) + 1, n).astype("float64")
        elif q.type == "text":
            txt = np.full(n, np.nan, dtype=object)
            if qid == "vastaajan_tehtava":
                txt[:] = "Hyvinvointikoordinaattori"
            cols[qid] = txt
        else:  # pragma: no cover
            raise ValueError(f"no generator for question {qid} of type {q.type}")
    frame = pd.DataFrame(cols)
    frame = frame[["tiedosto", "rivi", *survey.processed_columns(cb.municipalities, year)]].copy()
    frame[settings.names.flags] = np.nan
    return frame


def make_processed(year: int = 2023, n: int = 300, seed: int = 0, *,
                   n_municipalities: int | None = None, codebook: Codebook | None = None,
                   settings: Settings | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(assoc, muni)`` processed frames for ``year`` with ``n`` associations."""
    return (make_association(year, n, seed, codebook, settings),
            make_municipality(year, n_municipalities, seed, codebook, settings))
