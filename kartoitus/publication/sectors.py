"""The figures of the sector infographics, computed once per wave.

For each main sector (``paatoimiala``) that gets an infographic page: how many
associations have it as their main sector (and how many more name it among
others in ``toimialat``), where they are (by sub-region of the home
municipality), members and volunteers (totals and medians), target groups,
activity forms, challenges and cooperation with the home municipality (share
agreeing with each statement), each beside the same figure for every
responding association of the region. The page itself is formatted by
:mod:`kartoitus.outputs.infographic`.

Which sectors get a page (:func:`sector_keys`): every sector of the sote group
(``settings.sote``, from ``luokittelu.yaml``) always, every other sector when at
least ``threshold`` associations have it as their main sector. A sote sector
under the threshold gets a page without numbers.

Privacy: only counts, sums, medians and shares, never an association's name or
free text. Every cell describing fewer than ``threshold`` associations is hidden
(:mod:`kartoitus.publication.suppression`); a share reveals its count. A figure
another output prints as well is hidden exactly where that output hides it
(:func:`infographic_masks`, solved once over the whole wave): the sub-region
counts follow :func:`kartoitus.publication.disclosure.home_hidden`, the option,
cooperation and people panels the report's tables by sector and the region
column the report's region tables. A sector whose count the report hides gets
a page without numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

from kartoitus.errors import ConfigError, KartoitusError
from kartoitus.publication import disclosure, indicators
from kartoitus.publication import suppression as sup
from kartoitus.settings import Settings
from kartoitus.settings.codebook import Codebook
from kartoitus.tables import Table

if TYPE_CHECKING:
    from kartoitus.publication import WaveInput

#: Title of the sub-region table (and caption of its panel).
WHERE_TITLE = "Yhdistyksiä kotipaikan seutukunnan mukaan"
OUTSIDE_LABEL = "Keski-Suomen ulkopuolella"
UNKNOWN_LABEL = "Ei tiedossa"

#: Why a sector's page shows no numbers.
UNDER_THRESHOLD = "alle_kynnyksen"     # fewer than ``threshold`` main-sector associations
REPORT_HIDES = "raportti_peittaa"      # the report hides the sector's count (a complement)


@dataclass(frozen=True)
class SectorFigures:
    """Everything one sector page prints.

    ``withheld`` (:data:`UNDER_THRESHOLD` or :data:`REPORT_HIDES`) when the page
    shows no numbers; then ``n_main`` and ``tables`` are None. Otherwise ``n_main``
    is the number of main-sector associations and ``tables`` the suppressed
    Tables: ``headline``, ``where``, ``people`` and one per question asked
    (``kohderyhmat``, ``toimintamuodot``, ``haasteet``, ``yhteistyo``)."""
    key: str
    withheld: str | None = None
    n_main: int | None = None
    tables: dict[str, Table] | None = None


# -- sectors -------------------------------------------------------------------------

def sector_options(settings: Settings) -> dict[str, str]:
    """Sector key -> Finnish label, in codebook order (the main-sector options)."""
    q = settings.codebook.association.question(settings.names.q_sector)
    return {o.key: o.label for o in q.options}


def sote_sectors(settings: Settings) -> tuple[str, ...]:
    """The sote group (``settings.sote``) in codebook order."""
    sectors = sector_options(settings)
    bad = [k for k in settings.sote if k not in sectors]
    if not settings.sote or bad:
        raise ConfigError(
            f"luokittelu.yaml: avaimen 'sote' pitää luetella päätoimialojen avaimia; "
            f"tuntemattomat: {', '.join(bad) or '(tyhjä lista)'}; sallitut: {', '.join(sectors)}"
        )
    wanted = set(settings.sote)
    return tuple(k for k in sectors if k in wanted)


def _main_sector(assoc: pd.DataFrame, settings: Settings) -> pd.Series:
    column = settings.names.q_sector
    if column not in assoc.columns:
        raise KartoitusError(f"järjestökyselyn datasta puuttuu sarake {column!r}; anna "
                             "käsitelty jarjestokysely-data (kartoitus build-data)")
    return assoc[column].astype("string")


def sector_counts(assoc: pd.DataFrame, settings: Settings) -> pd.Series:
    """Associations per main sector (every codebook sector, zeros included)."""
    keys = list(sector_options(settings))
    return _main_sector(assoc, settings).value_counts().reindex(keys, fill_value=0).astype("int64")


def sector_keys(assoc: pd.DataFrame, settings: Settings, threshold: int = sup.DEFAULT_THRESHOLD) -> list[str]:
    """Sectors that get an infographic: the sote group always (codebook order),
    then every other sector with at least ``threshold`` associations."""
    sote = sote_sectors(settings)
    counts = sector_counts(assoc, settings)
    others = [k for k in counts.index if k not in sote and counts[k] >= threshold]
    return [*sote, *others]


# -- small helpers ---------------------------------------------------------------------

def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _option_columns(q_id: str, codebook: Codebook) -> dict[str, str]:
    """Option key -> processed column of a multi question (free-text column excluded)."""
    q = codebook.association.question(q_id)
    return {o.key: f"{q_id}__{o.key}" for o in q.options}


def _answered(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rows that answered a multi question (any option cell not blank)."""
    if not columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[columns].notna().any(axis=1).to_numpy()


def _ticked(frame: pd.DataFrame, columns: list[str], answered: np.ndarray) -> pd.Series:
    """Per option column: how many answering rows ticked it."""
    block = frame.loc[answered, columns].apply(pd.to_numeric, errors="coerce")
    return (block == 1).sum(axis=0).astype("int64")


def _agree_from(codebook: Codebook, q_id: str) -> float:
    """The lowest grid value that counts as agreeing: the second highest scale point (4)."""
    values = sorted({v for _, v in codebook.association.question(q_id).columns if v is not None})
    return values[-2] if len(values) >= 2 else values[-1]


def _share(count: float, base: float) -> float:
    return float(count) / float(base) * 100 if base else float("nan")


def option_questions(settings: Settings) -> tuple[str, ...]:
    """The multi questions of the option panels: target groups, activity forms, challenges."""
    n = settings.names
    return (n.q_targets, n.q_forms, n.q_challenges)


# -- what every page hides, solved once over the wave ------------------------------------

def report_tables(settings: Settings) -> tuple[str, ...]:
    """The report tables whose hidden cells the pages follow."""
    n = settings.names
    return (n.q_cooperation, f"{n.q_cooperation}_toimiala", n.q_targets, f"{n.q_targets}_toimiala",
            n.q_forms, f"{n.q_forms}_toimiala", n.q_challenges, "henkilot_toimiala")


def infographic_masks(assoc: pd.DataFrame, year: int, threshold: int, settings: Settings) -> dict:
    """What the pages hide, computed once over the whole wave (``assoc``: every
    association with every column the report reads):
    :func:`kartoitus.publication.indicators.report_masks` of :func:`report_tables`."""
    return indicators.report_masks(assoc, year, threshold, settings, report_tables(settings))


def sector_hidden(masks: dict, sector: str, year: int, settings: Settings) -> dict:
    """One sector's part of :func:`infographic_masks`: ``{"n": bool (the report hides
    the sector's count), "where": [row keys], "people": {question: [columns]},
    "options": {question: [option keys]}, "cooperation": {statement: [columns]}}``."""
    n = settings.names
    home = masks["home"]
    where = [x for x in settings.codebook.municipalities.subregions(year) if f"W|{sector}|{x}" in home]
    where += [key for key, cell in ((n.outside, n.outside), (n.no_answer, n.unknown_home))
              if f"HS|{cell}|{sector}" in home]
    people = {}
    cols = masks.get("henkilot_toimiala", {}).get(sector, [])
    for q in (n.q_members, n.q_volunteers):
        mapped = {f"{q}_n": "vastanneita", f"{q}_summa": "yhteensa", f"{q}_md": "mediaani"}
        people[q] = sorted({mapped[c] for c in cols if c in mapped})
    options = {}
    for q in (n.q_targets, n.q_forms):
        cols = masks.get(f"{q}_toimiala", {}).get(sector, [])
        options[q] = sorted(c[2:] for c in cols if c.startswith("p_"))
    coop = {}
    for key, cols in masks.get(f"{n.q_cooperation}_toimiala", {}).items():
        s, _, statement = key.partition(":")
        if s == sector:
            coop[statement] = sorted(set(cols) & {"n", "samaa_mielta"})
    return {"n": f"S|{sector}" in home, "where": where, "people": people, "options": options,
            "cooperation": coop}


def region_summary(assoc: pd.DataFrame, settings: Settings, threshold: int, masks: dict) -> dict:
    """What each sector page compares against: every responding association of the wave.

    ``{"n": int, "options": {question: {"n": answered, "shares": {option: percent |
    None}, "hidden": [option]}}, "cooperation": {"n": int, "shares": {row: percent |
    None}, "hidden": [row]}}`` (a question not asked: None). A share of fewer than
    ``threshold`` associations (count 1-4, or a base under the threshold), or one
    the report's region table hides (``masks``: :func:`infographic_masks`), is None
    and listed in ``hidden`` (shown ``<5``).
    """
    cb = settings.codebook
    coop_q = settings.names.q_cooperation
    out: dict[str, Any] = {"n": int(len(assoc)), "options": {}, "cooperation": None}
    for q in option_questions(settings):
        cols = {k: c for k, c in _option_columns(q, cb).items() if c in assoc.columns}
        if not cols:
            out["options"][q] = None
            continue
        answered = _answered(assoc, list(cols.values()))
        base = int(answered.sum())
        counts = _ticked(assoc, list(cols.values()), answered)
        shares, hidden_keys = {}, []
        for key, col in cols.items():
            c = int(counts[col])
            hidden = 0 < base < threshold or 0 < c < threshold or bool(masks.get(q, {}).get(key))
            shares[key] = None if hidden or not base else _share(c, base)
            if hidden:
                hidden_keys.append(key)
        out["options"][q] = {"n": base, "shares": shares, "hidden": hidden_keys}
    rows = [r.key for r in cb.association.question(coop_q).rows if r.key in assoc.columns]
    if rows:
        agree_at = _agree_from(cb, coop_q)
        block = assoc[rows].apply(pd.to_numeric, errors="coerce")
        valid = block.notna()
        agree = (block >= agree_at) & valid
        shares, hidden_keys = {}, []
        for r in rows:
            base, c = int(valid[r].sum()), int(agree[r].sum())
            report = masks.get(coop_q, {}).get(r, ())
            hidden = 0 < base < threshold or 0 < c < threshold or "samaa_mielta" in report or "n" in report
            shares[r] = None if hidden or not base else _share(c, base)
            if hidden:
                hidden_keys.append(r)
        out["cooperation"] = {"n": int(valid.any(axis=1).sum()), "shares": shares, "hidden": hidden_keys}
    return out


# -- one sector's tables ----------------------------------------------------------------------

def _hide_region(table: Table, hidden: Iterable[str]) -> Table:
    """Mark the region column ``kaikki`` hidden where the region figure was suppressed."""
    rows = [r for r in hidden if r in table.frame.index]
    if not rows:
        return table
    mask = table.mask().copy()
    mask.loc[rows, "kaikki"] = True
    return table.with_(suppressed=mask)


def subregion_keys(own: pd.DataFrame, year: int, settings: Settings) -> pd.Series:
    """Sub-region code of each association's home municipality (``ulkopuolella``
    outside the region, ``_ei_tietoa`` when unknown)."""
    cb, n = settings.codebook, settings.names
    if cb.home_column in own.columns:
        sub_of = {m.code: m.subregion_code for m in cb.municipalities.for_year(year)}
        sub_of[n.outside] = n.outside
        subs = disclosure.home_keys(own, year, settings).map(sub_of)
    elif n.subregion in own.columns:
        subs = own[n.subregion].astype("string").str.strip()
    else:
        subs = pd.Series(pd.NA, index=own.index, dtype="string")
    return subs.astype("object").where(subs.notna(), n.no_answer)


def where_table(own: pd.DataFrame, year: int, settings: Settings, threshold: int,
                hidden: Iterable[str] | None = None) -> Table:
    """The sector's associations by sub-region of the home municipality: every
    sub-region of the year (zeros too), then outside the region and unknown when
    any. ``hidden``: the rows :func:`kartoitus.publication.disclosure.home_hidden`
    hides (the rows then follow it alone); None: the rows add up to the published
    n, secondary suppression within the table."""
    cb, names = settings.codebook, settings.names
    subregions = cb.municipalities.subregions(year)
    keys = subregion_keys(own, year, settings)
    counts = keys.value_counts()
    forced = set(hidden or ())
    order = list(subregions)
    # a row the shared suppression hides is shown as <5 even when it is 0 here (a missing row says 0)
    order += [k for k in (names.outside, names.no_answer) if counts.get(k, 0) > 0 or k in forced]
    order += sorted(k for k in counts.index if k not in order)      # a code not in kunnat.csv
    labels = {**subregions, names.outside: OUTSIDE_LABEL, names.no_answer: UNKNOWN_LABEL}
    n = int(len(own))
    count = counts.reindex(order, fill_value=0).astype("float64")
    frame = pd.DataFrame({
        "avain": order,
        "seutukunta": [labels.get(k, str(k)) for k in order],
        "yhdistyksia": count.to_numpy(),
        "osuus": count.to_numpy() / n * 100 if n else np.full(len(order), np.nan),
    }, index=pd.Index(order, name="avain"))
    table = Table(id="ig_seutukunnat", title=WHERE_TITLE, frame=frame, n=n,
                  columns={"seutukunta": "Seutukunta", "yhdistyksia": "Yhdistyksiä", "osuus": "Osuus (%)"},
                  kinds={"yhdistyksia": "count", "osuus": "percent"}, source=cb.home_column)
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia"]], counts=("yhdistyksia",), reveals={"osuus": ("yhdistyksia",)},
        equations=(() if hidden is not None else tuple(sup.column_equations(order, None, ["yhdistyksia"]))),
        hidden=tuple((k, "yhdistyksia") for k in order if k in forced),
    )
    return sup.apply(table, plan, threshold)


def option_table(own: pd.DataFrame, q_id: str, codebook: Codebook, threshold: int,
                 region: dict | None, hidden: Iterable[str] = ()) -> Table | None:
    """Share of the sector's answering associations that ticked each option, with
    the region's share beside it; None when the question was not asked. ``hidden``:
    options whose count the report's table by sector hides."""
    cols = {k: c for k, c in _option_columns(q_id, codebook).items() if c in own.columns}
    if not cols:
        return None
    q = codebook.association.question(q_id)
    answered = _answered(own, list(cols.values()))
    base = int(answered.sum())
    counts = _ticked(own, list(cols.values()), answered)
    keys = list(cols)
    reg = ((region or {}).get("options") or {}).get(q_id) or {"shares": {}}
    frame = pd.DataFrame({
        "avain": keys,
        "vaihtoehto": [q.label_of(k) for k in keys],
        "yhdistyksia": [float(counts[cols[k]]) for k in keys],
        "osuus": [_share(counts[cols[k]], base) for k in keys],
        "kaikki": [np.nan if reg["shares"].get(k) is None else float(reg["shares"][k]) for k in keys],
    }, index=pd.Index(keys, name="avain"))
    frame["vastanneita"] = float(base)
    table = Table(id=f"ig_{q_id}"[:31], title=q.title, frame=frame, n=base,
                  columns={"vaihtoehto": "", "yhdistyksia": "Yhdistyksiä", "osuus": "Toimiala (%)",
                           "kaikki": "Kaikki (%)", "vastanneita": "Vastanneita"},
                  kinds={"yhdistyksia": "count", "osuus": "percent", "kaikki": "percent",
                         "vastanneita": "count"}, source=q_id)
    forced = set(hidden)
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia", "vastanneita"]], counts=("yhdistyksia", "vastanneita"),
        reveals={"osuus": ("yhdistyksia",)}, bases={"osuus": "vastanneita"},
        hidden=tuple((k, "yhdistyksia") for k in keys if k in forced),
    )
    return _hide_region(sup.apply(table, plan, threshold), reg.get("hidden", ()))


def cooperation_table(own: pd.DataFrame, settings: Settings, threshold: int,
                      region: dict | None, hidden: dict[str, Iterable[str]] | None = None) -> Table | None:
    """Per cooperation statement: the share of the sector's associations agreeing
    (4-5) of those who took a stand (1-5), with the region's share beside it.
    ``hidden``: statement -> the columns (``n``, ``samaa_mielta``) the report's
    cooperation table by sector hides for the sector."""
    cb, q_id = settings.codebook, settings.names.q_cooperation
    q = cb.association.question(q_id)
    rows = [r for r in q.rows if r.key in own.columns]
    if not rows:
        return None
    agree_at = _agree_from(cb, q_id)
    block = own[[r.key for r in rows]].apply(pd.to_numeric, errors="coerce")
    valid = block.notna()
    agree = (block >= agree_at) & valid
    reg = ((region or {}).get("cooperation") or {"shares": {}})
    keys = [r.key for r in rows]
    frame = pd.DataFrame({
        "avain": keys,
        "vaite": [r.label for r in rows],
        "samaa_mielta": [float(agree[k].sum()) for k in keys],
        "osuus": [_share(agree[k].sum(), valid[k].sum()) for k in keys],
        "kaikki": [np.nan if reg["shares"].get(k) is None else float(reg["shares"][k]) for k in keys],
        "vastanneita": [float(valid[k].sum()) for k in keys],
    }, index=pd.Index(keys, name="avain"))
    table = Table(id=f"ig_{q_id}"[:31], title=q.title, frame=frame, n=int(valid.any(axis=1).sum()),
                  columns={"vaite": "", "samaa_mielta": "Samaa mieltä", "osuus": "Toimiala (%)",
                           "kaikki": "Kaikki (%)", "vastanneita": "Vastanneita"},
                  kinds={"samaa_mielta": "count", "osuus": "percent", "kaikki": "percent",
                         "vastanneita": "count"}, source=q_id)
    report = {k: set(v) for k, v in (hidden or {}).items()}
    forced = [(k, c) for k in keys for c, rc in (("samaa_mielta", "samaa_mielta"), ("vastanneita", "n"))
              if rc in report.get(k, ())]
    plan = sup.SuppressionPlan(
        values=frame[["samaa_mielta", "vastanneita"]], counts=("samaa_mielta", "vastanneita"),
        reveals={"osuus": ("samaa_mielta", "vastanneita")}, bases={"osuus": "vastanneita"},
        hidden=tuple(forced),
    )
    return _hide_region(sup.apply(table, plan, threshold), reg.get("hidden", ()))


def people_table(own: pd.DataFrame, settings: Settings, threshold: int,
                 hidden: dict[str, Iterable[str]] | None = None) -> Table:
    """Members and volunteers: answering associations, total and median; the total
    and median are hidden when fewer than ``threshold`` associations answered.
    ``hidden``: question -> the columns the report's ``henkilot_toimiala`` hides
    for the sector (``vastanneita``, ``yhteensa``, ``mediaani``)."""
    cb = settings.codebook
    qids = [q for q in (settings.names.q_members, settings.names.q_volunteers) if q in cb.association]
    ns, sums, meds, labels = [], [], [], []
    for q in qids:
        v = _num(own[q]).dropna() if q in own.columns else pd.Series(dtype="float64")
        labels.append(cb.association.question(q).title)
        ns.append(float(len(v)))
        sums.append(float(v.sum()) if len(v) else np.nan)
        meds.append(float(v.median()) if len(v) else np.nan)
    frame = pd.DataFrame({"kysymys": labels, "vastanneita": ns, "yhteensa": sums, "mediaani": meds},
                         index=pd.Index(qids, name="avain"))
    table = Table(id="ig_henkilot", title="Jäsenet ja vapaaehtoiset", frame=frame, n=int(len(own)),
                  columns={"kysymys": "", "vastanneita": "Vastanneita", "yhteensa": "Yhteensä",
                           "mediaani": "Mediaani"},
                  kinds={"vastanneita": "count", "yhteensa": "number", "mediaani": "number"},
                  source=",".join(qids))
    plan = sup.SuppressionPlan(values=frame[["vastanneita"]], counts=("vastanneita",),
                               bases={"yhteensa": "vastanneita", "mediaani": "vastanneita"})
    out = sup.apply(table, plan, threshold)
    for q, cols in (hidden or {}).items():
        cols = [c for c in cols if c in out.frame.columns]
        if q in out.frame.index and cols:
            mask = out.mask().copy()
            frame = out.frame.copy()
            for c in cols:
                mask.at[q, c] = True
                frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64").where(~mask[c], np.nan)
            out = out.with_(frame=frame, suppressed=mask)
    return out


def headline_table(n_main: int, n_also: int, n_all: int, threshold: int, settings: Settings) -> Table:
    """How many associations have the sector as their main sector (row ``paatoimiala``),
    how many more name it among others (``muiden_ohella``), and their shares of every
    respondent."""
    frame = pd.DataFrame({
        "kuvaus": ["Päätoimiala", "Lisäksi muiden toimialojen ohella"],
        "yhdistyksia": [float(n_main), float(n_also)],
        "osuus": [_share(n_main, n_all), _share(n_also, n_all)],
    }, index=pd.Index([settings.names.q_sector, "muiden_ohella"], name="avain"))
    table = Table(id="ig_yhdistykset", title="Toimialan yhdistykset", frame=frame, n=n_all,
                  columns={"kuvaus": "", "yhdistyksia": "Yhdistyksiä", "osuus": "Osuus vastanneista (%)"},
                  kinds={"yhdistyksia": "count", "osuus": "percent"},
                  source=f"{settings.names.q_sector},{settings.names.q_sectors}")
    plan = sup.SuppressionPlan(values=frame[["yhdistyksia"]], counts=("yhdistyksia",),
                               reveals={"osuus": ("yhdistyksia",)})
    return sup.apply(table, plan, threshold)


def sector_tables(sector: str, year: int, assoc: pd.DataFrame, settings: Settings, threshold: int, *,
                  region: dict, hidden: dict) -> dict[str, Table]:
    """Every suppressed Table behind one sector page. ``assoc``: every association of
    the wave; ``region``: :func:`region_summary`; ``hidden``: :func:`sector_hidden`."""
    names = settings.names
    is_main = (_main_sector(assoc, settings) == sector).fillna(False).to_numpy(dtype=bool)
    named_col = f"{names.q_sectors}__{sector}"
    named = (_num(assoc[named_col]) == 1).to_numpy() if named_col in assoc.columns \
        else np.zeros(len(assoc), dtype=bool)
    own = assoc.loc[is_main]
    tables = {
        "headline": headline_table(int(is_main.sum()), int((named & ~is_main).sum()), int(region["n"]),
                                   threshold, settings),
        "where": where_table(own, year, settings, threshold, hidden.get("where", ())),
        "people": people_table(own, settings, threshold, hidden.get("people")),
    }
    for q in option_questions(settings):
        t = option_table(own, q, settings.codebook, threshold, region, hidden.get("options", {}).get(q, ()))
        if t is not None:
            tables[q] = t
    coop = cooperation_table(own, settings, threshold, region, hidden.get("cooperation"))
    if coop is not None:
        tables[names.q_cooperation] = coop
    return tables


# -- the publication's part ---------------------------------------------------------------

def sector_figures(data: WaveInput, settings: Settings, threshold: int = sup.DEFAULT_THRESHOLD,
                   only: tuple[str, ...] | None = None) -> dict[str, SectorFigures]:
    """The figures of every sector page of the wave (``data``: a
    :class:`kartoitus.publication.WaveInput`; only its association survey is read),
    in page order. ``only``: the sector keys to compute (None: :func:`sector_keys`).

    The masks (:func:`infographic_masks`) and the region figures
    (:func:`region_summary`) are computed once, and only when a page needs them.
    """
    assoc = data.association
    options = sector_options(settings)
    keys = list(only) if only is not None else sector_keys(assoc, settings, threshold)
    unknown = [k for k in keys if k not in options]
    if unknown:
        valid = "; ".join(f"{k} ({label})" for k, label in options.items())
        raise KartoitusError(f"tuntematon toimiala {unknown[0]!r}; anna toimialan avain tai nimi: {valid}")
    counts = sector_counts(assoc, settings)
    masks = region = None
    out: dict[str, SectorFigures] = {}
    for key in keys:
        if counts[key] < threshold:
            out[key] = SectorFigures(key, withheld=UNDER_THRESHOLD)
            continue
        if masks is None:
            masks = infographic_masks(assoc, data.year, threshold, settings)
        hidden = sector_hidden(masks, key, data.year, settings)
        if hidden["n"]:
            out[key] = SectorFigures(key, withheld=REPORT_HIDES)
            continue
        if region is None:
            region = region_summary(assoc, settings, threshold, masks)
        out[key] = SectorFigures(key, n_main=int(counts[key]),
                                 tables=sector_tables(key, data.year, assoc, settings, threshold,
                                                      region=region, hidden=hidden))
    return out
