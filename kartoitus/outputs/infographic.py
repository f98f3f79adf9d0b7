"""Sector infographics: one A4 page (PDF and PNG) per sector of the wave.

``reports/<year>/infograafit/<sector key>.pdf`` and ``.png``: at a glance, for one
main sector (``paatoimiala``): how many associations (and how many more name the
sector among others in ``toimialat``), where they are (by sub-region of the home
municipality), members and volunteers (totals and medians), target groups,
activity forms, challenges and cooperation with the home municipality (share
agreeing with each statement), each compared with all responding associations of
the region.

Which sectors get a page (:func:`sector_keys`): each of the eight social and
health (sote) sectors always, every other sector when at least ``threshold``
associations have it as their main sector. A sote sector under the threshold
gets a page that says so ("Alle 5 yhdistystä: lukuja ei julkaista") and shows no
numbers. The sote group is read from ``kartoitus/data/luokittelu.yaml`` (key
``sote``) when that file defines it, else it is the first eight options of
``paatoimiala`` in codebook order (the codebook's own note).

Privacy: only counts, sums, medians and shares are printed, never an
association's name or free text. Every cell describing fewer than ``threshold``
associations is hidden (``<5``) by :mod:`kartoitus.publication.suppression`; a share reveals
its count, so a share of 1-4 associations is hidden too. A figure another output
prints as well is hidden exactly where that output hides it
(:func:`infographic_masks`, computed once over the whole wave): the sub-region
counts follow :func:`kartoitus.publication.disclosure.home_hidden` (their parts are the
municipality PDFs' sector counts), the option, cooperation and people panels the
report's tables by sector (``kohderyhmat_toimiala``, ``toimintamuodot_toimiala``,
``yhteistyo_toimiala``, ``henkilot_toimiala``) and the region column the report's
region tables. A sector whose count the report hides gets the page without
numbers. ``kartoitus infographic SECTOR`` computes the same masks, so a single
page equals the page of a full build.

Layering: :func:`build_infographic_model` is pure (a frame in, plain dict out);
:func:`infographic_jobs` cuts one small picklable payload per sector (its own
rows and columns plus the region comparison figures, so the build cache is
precise); :func:`render_job` (run in a worker of :mod:`kartoitus.build.jobs`) renders
the one HTML layout (``templates/infographic.html``) to PDF with WeasyPrint and
rasterises that PDF to PNG with pypdfium2, writing both atomically. The PNG has
no time stamp or software chunk: the same PDF gives the same PNG bytes.

Run ``python -m kartoitus.outputs.infographic --preview OUT_DIR`` to render a few
pages from random processed data (``tests/processed_factory.py``).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import yaml

from kartoitus.publication import disclosure
from kartoitus.publication import suppression as sup
from kartoitus.settings.codebook import (
    NAME_SUFFIX,
    OTHER_SUFFIX,
    OUTSIDE_REGION,
    Codebook,
    data_dir,
    default_codebook,
)
from kartoitus.errors import ConfigError, KartoitusError
from kartoitus.fmt import fi_integer, format_cell
from kartoitus.tables import SUPPRESSED_MARK, Table

#: Sub-folder of ``reports/<year>/`` for the infographics.
SUBFOLDER = "infograafit"
TEMPLATE = "infographic.html"
SOURCE = "Keski-Suomen järjestökartoitus {year}"
TITLE = "{label} \u2013 Keski-Suomen järjestökartoitus {year}"
#: Resolution of the PNG rendered from the PDF page (A4 at 150 dpi: 1240 x 1754 px).
PNG_DPI = 150

#: Association-survey question ids this output reads.
SECTOR_Q = "paatoimiala"          # single: the main sector
SECTORS_Q = "toimialat"           # multi: every sector the association works in
TARGETS_Q = "kohderyhmat"
FORMS_Q = "toimintamuodot"
CHALLENGES_Q = "haasteet"
COOPERATION_Q = "yhteistyo"       # grid 1-5
MEMBERS_Q = "jasenmaara"
VOLUNTEERS_Q = "vapaaehtoiset"
SUBREGION_COLUMN = "seutukunta_koodi"   # derived; used only when the home column is missing
OPTION_QS = (TARGETS_Q, FORMS_Q, CHALLENGES_Q)

#: Where the sote group is defined (classification rules), and its key there.
CLASSIFICATION_FILE = "luokittelu.yaml"
SOTE_KEY = "sote"
#: Fallback: the first eight ``paatoimiala`` options are sote (codebook note).
SOTE_COUNT = 8

SUPPRESSED_MESSAGE = "Alle {threshold} yhdistystä: lukuja ei julkaista"
OUTSIDE_LABEL = "Keski-Suomen ulkopuolella"
UNKNOWN = "_ei_tietoa"


def _settings():
    """TRANSITION: the settings (to be passed in by the caller)."""
    from kartoitus.settings import default_settings
    return default_settings()


UNKNOWN_LABEL = "Ei tiedossa"
NOT_ASKED = "Ei kysytty vuonna {year}."
DASH = "\u2013"

PANEL_TITLES = {
    "where": "Missä yhdistykset ovat",
    TARGETS_Q: "Kohderyhmät",
    FORMS_Q: "Toimintamuodot",
    CHALLENGES_Q: "Suurimmat haasteet",
    COOPERATION_Q: "Yhteistyö kotikunnan kanssa",
}
PANEL_CAPTIONS = {
    "where": "Yhdistyksiä kotipaikan seutukunnan mukaan",
    TARGETS_Q: "Osuus kysymykseen vastanneista",
    FORMS_Q: "Osuus kysymykseen vastanneista",
    CHALLENGES_Q: "Osuus kysymykseen vastanneista",
    COOPERATION_Q: "Samaa mieltä (4\u20135 asteikolla 1\u20135), osuus kantaa ottaneista",
}


# -- sectors -------------------------------------------------------------------------

def sector_options(codebook: Codebook | None = None) -> dict[str, str]:
    """Sector key -> Finnish label, in codebook order (the ``paatoimiala`` options)."""
    cb = codebook or default_codebook()
    return {o.key: o.label for o in cb.association.question(SECTOR_Q).options}


def _classification_sote(path: Path, sectors: dict[str, str]) -> tuple[str, ...] | None:
    """The sote keys defined in ``luokittelu.yaml`` (key ``sote``), or None if it has none."""
    if not path.exists():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: YAML ei ole kelvollista ({exc}); korjaa tiedosto") from None
    value = raw.get(SOTE_KEY) if isinstance(raw, dict) else None
    if value is None:
        return None
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        keys = list(value) if all(k in sectors for k in value) else (lists[0] if lists else [])
    elif isinstance(value, (list, tuple)):
        keys = list(value)
    else:
        keys = []
    keys = [str(k) for k in keys]
    bad = [k for k in keys if k not in sectors]
    if not keys or bad:
        raise ConfigError(
            f"{path.name}: avaimen {SOTE_KEY!r} pitää luetella päätoimialojen avaimia; "
            f"tuntemattomat: {', '.join(bad) or '(tyhjä lista)'}; sallitut: {', '.join(sectors)}"
        )
    return tuple(k for k in sectors if k in set(keys))        # codebook order


def sote_sectors(codebook: Codebook | None = None, folder: Path | None = None) -> tuple[str, ...]:
    """The social and health sector keys, in codebook order.

    Read from ``luokittelu.yaml`` (key ``sote``) in ``folder`` (default: the
    package data) when it defines them, else the first eight ``paatoimiala``
    options (the codebook's note on the question).
    """
    sectors = sector_options(codebook)
    found = _classification_sote(Path(folder or data_dir()) / CLASSIFICATION_FILE, sectors)
    if found is not None:
        return found
    return tuple(list(sectors)[:SOTE_COUNT])


def _main_sector(assoc: pd.DataFrame) -> pd.Series:
    if SECTOR_Q not in assoc.columns:
        raise KartoitusError(f"järjestökyselyn datasta puuttuu sarake {SECTOR_Q!r}; anna "
                             "käsitelty jarjestokysely-data (kartoitus build-data)")
    return assoc[SECTOR_Q].astype("string")


def sector_counts(assoc: pd.DataFrame, codebook: Codebook | None = None) -> pd.Series:
    """Associations per main sector (every codebook sector, zeros included)."""
    keys = list(sector_options(codebook))
    return _main_sector(assoc).value_counts().reindex(keys, fill_value=0).astype("int64")


def sector_keys(year: int, assoc: pd.DataFrame, threshold: int = sup.DEFAULT_THRESHOLD,
                codebook: Codebook | None = None) -> list[str]:
    """Sectors that get an infographic: the eight sote sectors always (codebook
    order), then every other sector with at least ``threshold`` associations."""
    sote = sote_sectors(codebook)
    counts = sector_counts(assoc, codebook)
    others = [k for k in counts.index if k not in sote and counts[k] >= threshold]
    return [*sote, *others]


_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})


def _norm(text: str) -> str:
    """``Eläkeläis-toiminta `` -> ``elakelaistoiminta`` (ascii letters and digits only)."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_FOLD).casefold())
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", ascii_text)


def resolve_sector(text: str, codebook: Codebook | None = None) -> str:
    """A sector key from a key or a Finnish label, tolerantly.

    Case, ä/ö/å, spaces, hyphens and underscores do not matter (``eläkeläiset``,
    ``Eläkeläistoiminta``, ``ELAKELAISET``, ``lapsi-perhe``); a unique beginning of
    a key or label of at least four letters is enough (``päihde``); a small typo is
    forgiven when only one sector is that close. Anything else raises
    :class:`KartoitusError` listing every key and label.
    """
    sectors = sector_options(codebook)
    wanted = _norm(text or "")
    names: list[tuple[str, str]] = []           # (normalised name, key)
    for key, label in sectors.items():
        names.append((_norm(key), key))
        names.append((_norm(label), key))
    if wanted:
        exact = {k for n, k in names if n == wanted}
        if len(exact) == 1:
            return exact.pop()
        if len(wanted) >= 4:
            prefix = {k for n, k in names if n.startswith(wanted)}
            if len(prefix) == 1:
                return prefix.pop()
            if not prefix:
                from rapidfuzz import fuzz

                scored: dict[str, float] = {}
                for n, k in names:
                    score = max(fuzz.ratio(wanted, n), fuzz.ratio(wanted, n[:len(wanted)])
                                if len(n) > len(wanted) + 3 else 0.0)
                    scored[k] = max(scored.get(k, 0.0), score)
                ranked = sorted(scored.items(), key=lambda kv: -kv[1])
                if ranked and ranked[0][1] >= 85 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1] - 5):
                    return ranked[0][0]
    valid = "; ".join(f"{k} ({label})" for k, label in sectors.items())
    raise KartoitusError(f"tuntematon toimiala {text!r}; anna toimialan avain tai nimi: {valid}")


# -- small helpers ---------------------------------------------------------------------

def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def home_column(codebook: Codebook | None = None) -> str:
    return (codebook or default_codebook()).home_column


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


def _agree_from(codebook: Codebook) -> float:
    """The lowest grid value that counts as agreeing: the second highest scale point (4)."""
    values = sorted({v for _, v in codebook.association.question(COOPERATION_Q).columns if v is not None})
    return values[-2] if len(values) >= 2 else values[-1]


def _share(count: float, base: float) -> float:
    return float(count) / float(base) * 100 if base else float("nan")


# -- the comparison figures of the whole region --------------------------------------------

#: The report tables whose hidden cells the pages follow.
REPORT_TABLES = ("yhteistyo", "yhteistyo_toimiala", TARGETS_Q, f"{TARGETS_Q}_toimiala", FORMS_Q,
                 f"{FORMS_Q}_toimiala", CHALLENGES_Q, "henkilot_toimiala")


def infographic_masks(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                      codebook: Codebook | None = None) -> dict:
    """What the pages hide, computed once over the whole wave (``assoc``: every
    association with every column the report reads): :func:`kartoitus.publication.disclosure.report_masks`
    of :data:`REPORT_TABLES` (plain, picklable)."""
    from kartoitus.publication import indicators
    return indicators.report_masks(assoc, year, threshold, _settings(), REPORT_TABLES)


def sector_hidden(masks: dict, sector: str, year: int, codebook: Codebook | None = None) -> dict:
    """One sector's part of :func:`infographic_masks`: ``{"n": bool (the report hides
    the sector's count), "where": [row keys], "people": {question: [columns]},
    "options": {question: [option keys]}, "cooperation": {statement: [columns]}}``."""
    cb = codebook or default_codebook()
    home = masks["home"]
    where = [x for x in cb.municipalities.subregions(year) if f"W|{sector}|{x}" in home]
    where += [key for key, cell in ((OUTSIDE_REGION, OUTSIDE_REGION), (UNKNOWN, _settings().names.unknown_home))
              if f"HS|{cell}|{sector}" in home]
    people = {}
    cols = masks.get("henkilot_toimiala", {}).get(sector, [])
    for q in (MEMBERS_Q, VOLUNTEERS_Q):
        mapped = {f"{q}_n": "vastanneita", f"{q}_summa": "yhteensa", f"{q}_md": "mediaani"}
        people[q] = sorted({mapped[c] for c in cols if c in mapped})
    options = {}
    for q in (TARGETS_Q, FORMS_Q):
        cols = masks.get(f"{q}_toimiala", {}).get(sector, [])
        options[q] = sorted(c[2:] for c in cols if c.startswith("p_"))
    coop = {}
    for key, cols in masks.get("yhteistyo_toimiala", {}).items():
        s, _, statement = key.partition(":")
        if s == sector:
            coop[statement] = sorted(set(cols) & {"n", "samaa_mielta"})
    return {"n": f"S|{sector}" in home, "where": where, "people": people, "options": options,
            "cooperation": coop}


def region_summary(assoc: pd.DataFrame, year: int, codebook: Codebook | None = None,
                   threshold: int = sup.DEFAULT_THRESHOLD, masks: dict | None = None) -> dict:
    """What each sector page compares against: every responding association of the wave.

    Plain picklable data: ``{"n": int, "options": {question: {"n": answered,
    "shares": {option: percent | None}, "hidden": [option]}}, "cooperation":
    {"n": int, "shares": {row: percent | None}, "hidden": [row]}}`` (a question
    not asked: None). A share of fewer than ``threshold`` associations (count 1-4,
    or a base under the threshold), or one the report's region table hides
    (``masks``: :func:`infographic_masks`; None computes it from ``assoc``), is None
    and listed in ``hidden`` (shown ``<5``).
    """
    cb = codebook or default_codebook()
    if masks is None:
        masks = infographic_masks(assoc, year, threshold, cb)
    out: dict[str, Any] = {"n": int(len(assoc)), "options": {}, "cooperation": None}
    for q in OPTION_QS:
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
    rows = [r.key for r in cb.association.question(COOPERATION_Q).rows if r.key in assoc.columns]
    if rows:
        agree_at = _agree_from(cb)
        block = assoc[rows].apply(pd.to_numeric, errors="coerce")
        valid = block.notna()
        agree = (block >= agree_at) & valid
        shares, hidden_keys = {}, []
        for r in rows:
            base, c = int(valid[r].sum()), int(agree[r].sum())
            report = masks.get("yhteistyo", {}).get(r, ())
            hidden = 0 < base < threshold or 0 < c < threshold or "samaa_mielta" in report or "n" in report
            shares[r] = None if hidden or not base else _share(c, base)
            if hidden:
                hidden_keys.append(r)
        out["cooperation"] = {"n": int(valid.any(axis=1).sum()), "shares": shares, "hidden": hidden_keys}
    return out


# -- the sector's tables ------------------------------------------------------------------

def _suppress(table: Table, plan: sup.SuppressionPlan, threshold: int) -> Table:
    return sup.apply(table, plan, threshold)


def _hide_region(table: Table, hidden: Iterable[str]) -> Table:
    """Mark the region column ``kaikki`` hidden where the region figure was suppressed."""
    rows = [r for r in hidden if r in table.frame.index]
    if not rows:
        return table
    mask = table.mask().copy()
    mask.loc[rows, "kaikki"] = True
    return table.with_(suppressed=mask)


def subregion_keys(own: pd.DataFrame, year: int, codebook: Codebook) -> pd.Series:
    """Sub-region code of each association's home municipality (``ulkopuolella``
    outside the region, ``_ei_tietoa`` when unknown)."""
    home = home_column(codebook)
    if home in own.columns:
        sub_of = {m.code: m.subregion_code for m in codebook.municipalities.for_year(year)}
        sub_of[OUTSIDE_REGION] = OUTSIDE_REGION
        subs = disclosure.home_keys(own, year, _settings()).map(sub_of)
    elif SUBREGION_COLUMN in own.columns:
        subs = own[SUBREGION_COLUMN].astype("string").str.strip()
    else:
        subs = pd.Series(pd.NA, index=own.index, dtype="string")
    return subs.astype("object").where(subs.notna(), UNKNOWN)


def where_table(own: pd.DataFrame, year: int, codebook: Codebook, threshold: int,
                hidden: Iterable[str] | None = None) -> Table:
    """The sector's associations by sub-region of the home municipality: every
    sub-region of the year (zeros too), then outside the region and unknown when
    any. ``hidden``: the rows :func:`kartoitus.publication.disclosure.home_hidden` hides (the
    rows then follow it alone); None: the rows add up to the published n, secondary
    suppression within the table."""
    subregions = codebook.municipalities.subregions(year)
    keys = subregion_keys(own, year, codebook)
    counts = keys.value_counts()
    forced = set(hidden or ())
    order = list(subregions)
    # a row the shared suppression hides is shown as <5 even when it is 0 here (a missing row says 0)
    order += [k for k in (OUTSIDE_REGION, UNKNOWN) if counts.get(k, 0) > 0 or k in forced]
    order += sorted(k for k in counts.index if k not in order)      # a code not in kunnat.csv
    labels = {**subregions, OUTSIDE_REGION: OUTSIDE_LABEL, UNKNOWN: UNKNOWN_LABEL}
    n = int(len(own))
    count = counts.reindex(order, fill_value=0).astype("float64")
    frame = pd.DataFrame({
        "avain": order,
        "seutukunta": [labels.get(k, str(k)) for k in order],
        "yhdistyksia": count.to_numpy(),
        "osuus": count.to_numpy() / n * 100 if n else np.full(len(order), np.nan),
    }, index=pd.Index(order, name="avain"))
    table = Table(id="ig_seutukunnat", title=PANEL_CAPTIONS["where"], frame=frame, n=n,
                  columns={"seutukunta": "Seutukunta", "yhdistyksia": "Yhdistyksiä", "osuus": "Osuus (%)"},
                  kinds={"yhdistyksia": "count", "osuus": "percent"}, source=home_column(codebook))
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia"]], counts=("yhdistyksia",), reveals={"osuus": ("yhdistyksia",)},
        equations=(() if hidden is not None else tuple(sup.column_equations(order, None, ["yhdistyksia"]))),
        hidden=tuple((k, "yhdistyksia") for k in order if k in forced),
    )
    return _suppress(table, plan, threshold)


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
    return _hide_region(_suppress(table, plan, threshold), reg.get("hidden", ()))


def cooperation_table(own: pd.DataFrame, codebook: Codebook, threshold: int,
                      region: dict | None, hidden: dict[str, Iterable[str]] | None = None) -> Table | None:
    """Per cooperation statement: the share of the sector's associations agreeing
    (4-5) of those who took a stand (1-5), with the region's share beside it.
    ``hidden``: statement -> the columns (``n``, ``samaa_mielta``) the report's
    ``yhteistyo_toimiala`` hides for the sector."""
    q = codebook.association.question(COOPERATION_Q)
    rows = [r for r in q.rows if r.key in own.columns]
    if not rows:
        return None
    agree_at = _agree_from(codebook)
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
    table = Table(id="ig_yhteistyo", title=q.title, frame=frame, n=int(valid.any(axis=1).sum()),
                  columns={"vaite": "", "samaa_mielta": "Samaa mieltä", "osuus": "Toimiala (%)",
                           "kaikki": "Kaikki (%)", "vastanneita": "Vastanneita"},
                  kinds={"samaa_mielta": "count", "osuus": "percent", "kaikki": "percent",
                         "vastanneita": "count"}, source=COOPERATION_Q)
    report = {k: set(v) for k, v in (hidden or {}).items()}
    forced = [(k, c) for k in keys for c, rc in (("samaa_mielta", "samaa_mielta"), ("vastanneita", "n"))
              if rc in report.get(k, ())]
    plan = sup.SuppressionPlan(
        values=frame[["samaa_mielta", "vastanneita"]], counts=("samaa_mielta", "vastanneita"),
        reveals={"osuus": ("samaa_mielta", "vastanneita")}, bases={"osuus": "vastanneita"},
        hidden=tuple(forced),
    )
    return _hide_region(_suppress(table, plan, threshold), reg.get("hidden", ()))


def people_table(own: pd.DataFrame, codebook: Codebook, threshold: int,
                 hidden: dict[str, Iterable[str]] | None = None) -> Table:
    """Members and volunteers: answering associations, total and median; the total
    and median are hidden when fewer than ``threshold`` associations answered.
    ``hidden``: question -> the columns the report's ``henkilot_toimiala`` hides
    for the sector (``vastanneita``, ``yhteensa``, ``mediaani``)."""
    qids = [q for q in (MEMBERS_Q, VOLUNTEERS_Q) if q in codebook.association]
    ns, sums, meds, labels = [], [], [], []
    for q in qids:
        v = _num(own[q]).dropna() if q in own.columns else pd.Series(dtype="float64")
        labels.append(codebook.association.question(q).title)
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
    out = _suppress(table, plan, threshold)
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


def headline_table(n_main: int, n_also: int, n_all: int, threshold: int) -> Table:
    """How many associations have the sector as their main sector, how many more
    name it among others, and the main-sector share of every respondent."""
    frame = pd.DataFrame({
        "kuvaus": ["Päätoimiala", "Lisäksi muiden toimialojen ohella"],
        "yhdistyksia": [float(n_main), float(n_also)],
        "osuus": [_share(n_main, n_all), _share(n_also, n_all)],
    }, index=pd.Index(["paatoimiala", "muiden_ohella"], name="avain"))
    table = Table(id="ig_yhdistykset", title="Toimialan yhdistykset", frame=frame, n=n_all,
                  columns={"kuvaus": "", "yhdistyksia": "Yhdistyksiä", "osuus": "Osuus vastanneista (%)"},
                  kinds={"yhdistyksia": "count", "osuus": "percent"}, source=f"{SECTOR_Q},{SECTORS_Q}")
    plan = sup.SuppressionPlan(values=frame[["yhdistyksia"]], counts=("yhdistyksia",),
                               reveals={"osuus": ("yhdistyksia",)})
    return _suppress(table, plan, threshold)


def sector_tables(sector: str, year: int, assoc: pd.DataFrame, codebook: Codebook | None = None,
                  threshold: int = sup.DEFAULT_THRESHOLD, *, region: dict | None = None,
                  hidden: dict | None = None) -> dict[str, Table]:
    """Every suppressed Table behind one sector page (pure; the page only formats these).

    ``region`` is :func:`region_summary` of the whole wave and ``hidden`` the
    sector's :func:`sector_hidden`; when None they are computed from ``assoc``
    (which must then hold every association of the wave).
    """
    cb = codebook or default_codebook()
    masks = None
    if hidden is None or region is None:
        masks = infographic_masks(assoc, year, threshold, cb)
        hidden = sector_hidden(masks, sector, year, cb) if hidden is None else hidden
    main = _main_sector(assoc)
    is_main = (main == sector).fillna(False).to_numpy(dtype=bool)
    named_col = f"{SECTORS_Q}__{sector}"
    named = (_num(assoc[named_col]) == 1).to_numpy() if named_col in assoc.columns \
        else np.zeros(len(assoc), dtype=bool)
    if region is None:
        region = region_summary(assoc, year, cb, threshold, masks)
    own = assoc.loc[is_main]
    tables = {
        "headline": headline_table(int(is_main.sum()), int((named & ~is_main).sum()), int(region["n"]),
                                   threshold),
        "where": where_table(own, year, cb, threshold, hidden.get("where", ())),
        "people": people_table(own, cb, threshold, hidden.get("people")),
    }
    for q in OPTION_QS:
        t = option_table(own, q, cb, threshold, region, hidden.get("options", {}).get(q, ()))
        if t is not None:
            tables[q] = t
    coop = cooperation_table(own, cb, threshold, region, hidden.get("cooperation"))
    if coop is not None:
        tables[COOPERATION_Q] = coop
    return tables


# -- the page model --------------------------------------------------------------------

def _cell(table: Table, row: str, col: str, *, missing: str = DASH) -> str:
    return format_cell(table.frame.at[row, col], table.kinds.get(col),
                       suppressed=table.is_suppressed(row, col), missing=missing)


def _value(table: Table, row: str, col: str) -> float | None:
    if table.is_suppressed(row, col):
        return None
    v = table.frame.at[row, col]
    return None if pd.isna(v) else float(v)


def _width(v: float | None, top: float) -> float:
    if v is None or top <= 0:
        return 0.0
    return round(max(0.0, min(100.0, v / top * 100)), 2)


def _colors() -> dict[str, str]:
    """Bars in the charts' main colour, the region marker in the palette's black,
    the header band in the report's heading blue."""
    from kartoitus.render.charts.base import MAIN, PALETTE   # the one palette of every chart

    return {"main": MAIN, "region": PALETTE[7], "band": "#0b3c5d"}


def _percent_panel(pid: str, table: Table | None, label_col: str, year: int) -> dict:
    title = PANEL_TITLES[pid]
    if table is None:
        return {"id": f"ig-{pid}", "title": title, "caption": "", "not_asked": NOT_ASKED.format(year=year),
                "compare": True, "rows": [], "value_header": "", "region_header": ""}
    f = table.frame
    order = sorted(f.index, key=lambda r: (_value(table, r, "osuus") is None,
                                           -(_value(table, r, "osuus") or 0.0), list(f.index).index(r)))
    rows = []
    for r in order:
        v, reg = _value(table, r, "osuus"), _value(table, r, "kaikki")
        rows.append({"label": str(f.at[r, label_col]), "value": _cell(table, r, "osuus"),
                     "width": _width(v, 100.0), "region": _cell(table, r, "kaikki"),
                     "region_pos": None if reg is None else _width(reg, 100.0),
                     "suppressed": table.is_suppressed(r, "osuus")})
    caption = f"{PANEL_CAPTIONS[pid]} (n\u00a0=\u00a0{fi_integer(table.n)})"
    return {"id": f"ig-{pid}", "title": title, "caption": caption, "not_asked": None, "compare": True,
            "rows": rows, "value_header": "Toimiala", "region_header": "Kaikki"}


def _where_panel(table: Table) -> dict:
    f = table.frame
    visible = [v for v in (_value(table, r, "yhdistyksia") for r in f.index) if v is not None]
    top = max(visible) if visible else 0.0
    rows = [{"label": str(f.at[r, "seutukunta"]), "value": _cell(table, r, "yhdistyksia"),
             "width": _width(_value(table, r, "yhdistyksia"), top), "region": "", "region_pos": None,
             "suppressed": table.is_suppressed(r, "yhdistyksia")} for r in f.index]
    return {"id": "ig-where", "title": PANEL_TITLES["where"],
            "caption": f"{PANEL_CAPTIONS['where']} (n\u00a0=\u00a0{fi_integer(table.n)})",
            "not_asked": None, "compare": False, "rows": rows, "value_header": "", "region_header": ""}


def _people_tile(table: Table, q: str, label: str, threshold: int) -> dict:
    if q not in table.frame.index:
        return {"value": DASH, "label": label, "detail": "Ei kysytty", "suppressed": False}
    total = table.frame.at[q, "yhteensa"]
    hidden = table.is_suppressed(q, "yhteensa")
    value = SUPPRESSED_MARK if hidden else (DASH if pd.isna(total) else fi_integer(total))
    if hidden or table.is_suppressed(q, "vastanneita"):
        detail = f"vastanneita alle {threshold}: lukua ei julkaista"
    elif pd.isna(total):
        detail = "ei vastauksia"
    else:
        median = _cell(table, q, "mediaani")
        answered = _cell(table, q, "vastanneita", missing="0")
        detail = f"mediaani {median} / yhdistys \u00b7 n\u00a0=\u00a0{answered}"
    return {"value": value, "label": label, "detail": detail, "suppressed": hidden}


def _footnotes(label: str, year: int, n_main: int | None, n_all: int | None, threshold: int,
               suppressed: bool) -> list[str]:
    source = SOURCE.format(year=year)
    if suppressed:
        return [f"Lähde: {source}.",
                f"Tietosuojan vuoksi toimialasta, jolla on alle {threshold} vastannutta yhdistystä, ei "
                "julkaista lukuja. Yksittäisten yhdistysten nimiä tai avovastauksia ei julkaista."]
    return [
        f"Lähde: {source}, n\u00a0=\u00a0{fi_integer(n_main)} yhdistystä, joiden päätoimiala on "
        f"{label[:1].lower() + label[1:]} "
        f"(kaikki vastanneet n\u00a0=\u00a0{fi_integer(n_all)}).",
        f"Luvut, jotka kuvaavat alle {threshold} yhdistystä, on peitetty merkinnällä {SUPPRESSED_MARK}. "
        "Yksittäisten yhdistysten nimiä tai avovastauksia ei julkaista. "
        "Jäsen- ja vapaaehtoismäärät ovat yhdistysten ilmoittamia arvioita; "
        "»Kaikki» = kaikki kysymykseen vastanneet yhdistykset.",
    ]


def build_infographic_model(sector: str, year: int, assoc: pd.DataFrame, codebook: Codebook | None = None,
                            threshold: int = sup.DEFAULT_THRESHOLD, *, region: dict | None = None,
                            hidden: dict | None = None) -> dict:
    """The plain model of one sector page (pure).

    ``assoc``: processed association data of the wave (every association, or at
    least the sector's rows when ``region`` and ``hidden`` are given: see
    :func:`infographic_jobs`). A sector with fewer than ``threshold`` main-sector
    associations, or whose count the report hides (``hidden["n"]``), gets a page
    without numbers (``suppressed`` True). Model::

        {"title", "lang", "sector", "label", "year", "group": "sote" | "muut",
         "kicker", "headline", "subtitle", "suppressed", "threshold", "message",
         "explanation": [str], "tiles": [{"value", "label", "detail", "suppressed"}],
         "legend": {"sector", "region"} | None,
         "panels": {"where" | "kohderyhmat" | ...: PANEL}, "footnotes": [str], "colors"}
        PANEL = {"id", "title", "caption", "not_asked", "compare", "value_header",
                 "region_header", "rows": [{"label", "value", "width", "region",
                 "region_pos", "suppressed"}]}
    """
    cb = codebook or default_codebook()
    sectors = sector_options(cb)
    if sector not in sectors:
        sector = resolve_sector(sector, cb)
    label = sectors[sector]
    sote = sector in sote_sectors(cb)
    n_main = int((_main_sector(assoc) == sector).fillna(False).sum())
    if hidden is None and n_main >= threshold:
        masks = infographic_masks(assoc, year, threshold, cb)
        hidden = sector_hidden(masks, sector, year, cb)
        region = region_summary(assoc, year, cb, threshold, masks) if region is None else region
    withheld = n_main < threshold or bool((hidden or {}).get("n"))
    source = SOURCE.format(year=year)
    model: dict[str, Any] = {
        "title": TITLE.format(label=label, year=year), "lang": "fi", "sector": sector, "label": label,
        "year": year, "group": "sote" if sote else "muut",
        "kicker": "Sosiaali- ja terveysala \u00b7 toimialan infografiikka" if sote
                  else "Toimialan infografiikka",
        "headline": label, "subtitle": source, "threshold": threshold,
        "suppressed": withheld, "message": "", "explanation": [], "tiles": [],
        "legend": None, "panels": {}, "layout": {"columns": [], "wide": []}, "colors": _colors(),
        "compact": False,
    }
    if withheld:
        model["message"] = SUPPRESSED_MESSAGE.format(threshold=threshold)
        first = (f"Järjestökartoitukseen vastasi alle {threshold} yhdistystä, joiden päätoimiala on "
                 f"{label[:1].lower() + label[1:]}. Tietosuojan vuoksi toimialasta ei julkaista lukuja."
                 if n_main < threshold else
                 f"Päätoimialan {label[:1].lower() + label[1:]} yhdistysten määrää ei julkaista, koska siitä "
                 "ja muiden toimialojen luvuista voisi päätellä pienemmän luvun. Tietosuojan vuoksi "
                 "toimialasta ei julkaista lukuja.")
        model["explanation"] = [
            first,
            "Toimialan yhdistykset ovat mukana koko maakunnan luvuissa (järjestökartoituksen raportti).",
        ]
        model["footnotes"] = _footnotes(label, year, None, None, threshold, True)
        return model

    tables = sector_tables(sector, year, assoc, cb, threshold, region=region, hidden=hidden)
    head, people = tables["headline"], tables["people"]
    n_all = head.n
    also_hidden = head.is_suppressed("muiden_ohella", "yhdistyksia")
    also = head.frame.at["muiden_ohella", "yhdistyksia"]
    model["tiles"] = [
        {"value": _cell(head, "paatoimiala", "yhdistyksia"),
         "label": "yhdistystä päätoimialana",
         "detail": f"{_cell(head, 'paatoimiala', 'osuus')} kaikista vastanneista "
                   f"(n\u00a0=\u00a0{fi_integer(n_all)})",
         "suppressed": False},
        {"value": SUPPRESSED_MARK if also_hidden else "+" + fi_integer(also),
         "label": "yhdistystä lisäksi",
         "detail": "mainitsee toimialan muiden ohella",
         "suppressed": also_hidden},
        _people_tile(people, MEMBERS_Q, "jäsentä yhteensä", threshold),
        _people_tile(people, VOLUNTEERS_Q, "aktiivista vapaaehtoista", threshold),
    ]
    region_n = int(n_all)
    model["legend"] = {"sector": f"{label}: päätoimialan yhdistykset",
                       "region": f"Kaikki vastanneet yhdistykset (n\u00a0=\u00a0{fi_integer(region_n)})"}
    panels = {"where": _where_panel(tables["where"])}
    for q in OPTION_QS:
        panels[q] = _percent_panel(q, tables.get(q), "vaihtoehto", year)
    panels[COOPERATION_Q] = _percent_panel(COOPERATION_Q, tables.get(COOPERATION_Q), "vaite", year)
    model["panels"] = panels
    model["layout"] = {"columns": [["where", FORMS_Q], [TARGETS_Q, CHALLENGES_Q]], "wide": [COOPERATION_Q]}
    model["footnotes"] = _footnotes(label, year, n_main, n_all, threshold, False)
    return model


# -- jobs -------------------------------------------------------------------------------

def output_paths(out_dir: Path | str, sector: str) -> list[Path]:
    """``<out_dir>/infograafit/<key>.pdf`` and ``.png``; ``out_dir`` is ``reports/<year>``."""
    folder = Path(out_dir) / SUBFOLDER
    return [folder / f"{sector}.pdf", folder / f"{sector}.png"]


def payload_columns(assoc: pd.DataFrame | Iterable[str], sector: str,
                    codebook: Codebook | None = None) -> list[str]:
    """Columns of ``assoc`` (a frame or its column names) one sector page reads
    (never names or free text)."""
    cb = codebook or default_codebook()
    present = set(assoc.columns if isinstance(assoc, pd.DataFrame) else assoc)
    wanted = [SECTOR_Q, f"{SECTORS_Q}__{sector}", home_column(cb), SUBREGION_COLUMN, MEMBERS_Q, VOLUNTEERS_Q]
    for q in OPTION_QS:
        wanted += list(_option_columns(q, cb).values())
    wanted += [r.key for r in cb.association.question(COOPERATION_Q).rows]
    cols = [c for c in wanted if c in present]
    if home_column(cb) in cols and SUBREGION_COLUMN in cols:
        cols.remove(SUBREGION_COLUMN)
    return list(dict.fromkeys(cols))


def infographic_jobs(year: int, out_dir: Path | str, assoc: pd.DataFrame, sectors: Iterable[str] | None = None,
                     threshold: int = sup.DEFAULT_THRESHOLD, codebook: Codebook | None = None) -> list[dict]:
    """One picklable payload per sector page.

    Each payload holds only what its page depends on, so the build cache is
    precise: a published sector gets its main-sector rows (only the columns it
    reads), the rows naming it in ``toimialat`` (only those two columns filled)
    and the region comparison figures; a sector under the threshold gets only its main-sector column (its
    page changes only when its count does). ``out_dir`` is ``reports/<year>``;
    ``payload["outputs"]`` lists the two files it writes.
    """
    cb = codebook or default_codebook()
    keys = list(sectors) if sectors is not None else sector_keys(year, assoc, threshold, cb)
    keys = [k if k in sector_options(cb) else resolve_sector(k, cb) for k in keys]
    main = _main_sector(assoc)
    counts = sector_counts(assoc, cb)
    region = None
    masks = None
    payloads = []
    for key in keys:
        is_main = (main == key).fillna(False).to_numpy(dtype=bool)
        hidden = None
        if counts[key] >= threshold:
            if masks is None:       # what every page hides: once, over the whole wave
                masks = infographic_masks(assoc, year, threshold, cb)
            hidden = sector_hidden(masks, key, year, cb)
        if hidden is None or hidden["n"]:
            data = assoc.loc[is_main, [SECTOR_Q]].reset_index(drop=True)
            reg = None
            hidden = {"n": True} if hidden is not None else None
        else:
            if region is None:
                region = region_summary(assoc, year, cb, threshold, masks)
            named_col = f"{SECTORS_Q}__{key}"
            keep = is_main | ((_num(assoc[named_col]) == 1).to_numpy() if named_col in assoc.columns
                              else np.zeros(len(assoc), dtype=bool))
            data = assoc.loc[keep, payload_columns(assoc, key, cb)].reset_index(drop=True)
            # rows that only name the sector are counted, nothing else: blank the rest
            only_named = ~is_main[keep]
            rest = [c for c in data.columns if c not in (SECTOR_Q, named_col)]
            if only_named.any() and rest:
                data.loc[only_named, rest] = None
            reg = region
        payloads.append({"sector": key, "year": int(year), "threshold": int(threshold),
                         "outputs": output_paths(out_dir, key), "assoc": data, "region": reg,
                         "hidden": hidden})
    return payloads


def _rasterise(pdf: bytes, dpi: int = PNG_DPI) -> tuple[bytes, int]:
    """(PNG bytes of the first page, number of pages). No time or software metadata."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise KartoitusError("PNG-kuvan tekemiseen tarvitaan pypdfium2: asenna se komennolla "
                             "`pip install pypdfium2` (tai asenna kartoitus uudelleen)") from None
    document = pdfium.PdfDocument(pdf)
    try:
        pages = len(document)
        page = document[0]
        bitmap = page.render(scale=dpi / 72, draw_annots=False)
        from PIL import Image

        # 256 colours (no dithering) keep the flat infographic sharp at a quarter of the size
        image = bitmap.to_pil().convert("RGB").quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=9, dpi=(dpi, dpi))
        page.close()
    finally:
        document.close()
    return buf.getvalue(), pages


def render_model(model: dict) -> tuple[bytes, bytes]:
    """``(pdf, png)`` bytes of one page; a page that does not fit on one A4 is
    rendered again in the compact layout, and still too long is an error."""
    from kartoitus.render.document import LOG, render_html, render_pdf

    for compact in (False, True):
        html = render_html(TEMPLATE, {**model, "compact": compact})
        pdf, warnings = render_pdf(html, title=model["title"], lang=model.get("lang", "fi"))
        png, pages = _rasterise(pdf)
        if pages == 1:
            for message in warnings:
                LOG.warning("%s: %s", model["sector"], message)
            return pdf, png
    raise KartoitusError(f"infografiikka {model['sector']}: sisältö ei mahdu yhdelle A4-sivulle "
                         f"({pages} sivua); lyhennä vaihtoehtojen nimiä koodikirjassa")


def _write_files(model: dict, pdf_path: Path, png_path: Path) -> list[Path]:
    """Render the page and write its PDF and PNG atomically."""
    from kartoitus.atomic import atomic_write_bytes

    pdf, png = render_model(model)
    return [atomic_write_bytes(Path(pdf_path), pdf), atomic_write_bytes(Path(png_path), png)]


def write_model(model: dict, out_dir: Path | str) -> list[Path]:
    """Write ``<out_dir>/infograafit/<key>.pdf`` and ``.png`` atomically."""
    return _write_files(model, *output_paths(out_dir, model["sector"]))


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.outputs.infographic:render_job``)."""
    model = build_infographic_model(payload["sector"], payload["year"], payload["assoc"],
                                    threshold=payload.get("threshold", sup.DEFAULT_THRESHOLD),
                                    region=payload.get("region"), hidden=payload.get("hidden"))
    return _write_files(model, *payload["outputs"])


# -- one page for the CLI -------------------------------------------------------------------

def _wave_folder(root: Path, year: int) -> Path:
    """``<root>/<year>`` (``root`` may also be the year folder itself)."""
    root = Path(root)
    if (root / str(year)).is_dir():
        return root / str(year)
    if root.name == str(year):
        return root
    return root / str(year)


def read_association(folder: Path, columns=None) -> pd.DataFrame:
    """The processed association survey of a wave folder (read as
    :func:`kartoitus.stages.bank.read_processed_csv` reads it: codes as text). ``columns``:
    the columns to read, or a function from the file's header to them; None = all."""
    from kartoitus.stages.bank import SURVEY_FILE, TEXT_COLUMNS

    path = Path(folder) / SURVEY_FILE.format(survey="jarjestokysely")
    if not path.exists():
        raise KartoitusError(f"{path} puuttuu: aja ensin kartoitus build-data")
    header = list(pd.read_csv(path, nrows=0).columns)
    if callable(columns):
        columns = columns(header)
    use = header if columns is None else [c for c in header if c in set(columns)]
    dtype = {c: str for c in use if c in TEXT_COLUMNS or c.endswith(NAME_SUFFIX) or c.endswith(OTHER_SUFFIX)}
    dtype[SECTOR_Q] = str
    return pd.read_csv(path, usecols=use, dtype={c: t for c, t in dtype.items() if c in use},
                       keep_default_na=False, na_values=[""])


def infographic(sector_text: str, year: int, processed_dir: Path | str, reports_dir: Path | str,
                threshold: int = sup.DEFAULT_THRESHOLD) -> list[Path]:
    """``kartoitus infographic SECTOR``: render one sector page of a processed wave.

    ``processed_dir`` and ``reports_dir`` are the roots (``data/processed``,
    ``reports``; a year folder is accepted too). Reads the columns the page and
    the wave-wide masks need (:func:`mask_columns`) and builds the page exactly as
    a full build does (:func:`infographic_jobs`), so both hide the same cells.
    Writes ``reports/<year>/infograafit/<key>.pdf`` and ``.png``.
    """
    cb = default_codebook()
    sector = resolve_sector(sector_text, cb)
    folder = _wave_folder(Path(processed_dir), year)
    assoc = read_association(folder, lambda header: mask_columns(header, cb))
    reports = Path(reports_dir)
    out_dir = reports if reports.name == str(year) else reports / str(year)
    paths: list[Path] = []
    for payload in infographic_jobs(year, out_dir, assoc, sectors=[sector], threshold=threshold, codebook=cb):
        paths += render_job(payload)
    return paths


def mask_columns(header: Iterable[str], codebook: Codebook | None = None) -> list[str]:
    """Columns of the processed association file the pages and their masks read:
    every page's columns, the derived sector group and reach, the people
    questions and every column of the option and cooperation questions (the
    report counts an answer given only as other text). Never names."""
    cb = codebook or default_codebook()
    header = list(header)
    wanted = {SECTOR_Q, home_column(cb), SUBREGION_COLUMN, _settings().names.group, _settings().names.reach,
              "jasenmaara", "vapaaehtoiset", "palkatut_htv"}
    prefixes = tuple(f"{q}__" for q in (*OPTION_QS, SECTORS_Q))
    rows = {r.key for r in cb.association.question(COOPERATION_Q).rows}
    return [c for c in header if (c in wanted or c in rows or str(c).startswith(prefixes))
            and not str(c).endswith(NAME_SUFFIX)]


def all_infographics(year: int, processed_dir: Path | str, reports_dir: Path | str,
                     threshold: int = sup.DEFAULT_THRESHOLD) -> list[Path]:
    """``kartoitus infographic --all``: every sector page of a processed wave."""
    cb = default_codebook()
    assoc = read_association(_wave_folder(Path(processed_dir), year))
    reports = Path(reports_dir)
    out_dir = reports if reports.name == str(year) else reports / str(year)
    paths: list[Path] = []
    for payload in infographic_jobs(year, out_dir, assoc, threshold=threshold, codebook=cb):
        paths += render_job(payload)
    return paths


# -- preview -----------------------------------------------------------------------------

def preview(out_dir: Path, year: int = 2025, n: int = 600, seed: int = 1,
            sectors: Iterable[str] | None = None) -> list[Path]:
    """Render pages from random processed data (``tests/processed_factory.py``)."""
    root = Path(__file__).resolve().parents[2] / "tests"
    sys.path.insert(0, str(root))
    try:
        from processed_factory import make_association  # type: ignore
    finally:
        sys.path.remove(str(root))
    assoc = make_association(year, n, seed)
    paths: list[Path] = []
    for payload in infographic_jobs(year, out_dir, assoc, sectors=sectors):
        paths += render_job(payload)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sector infographic preview from random data")
    parser.add_argument("--preview", type=Path, required=True, help="output folder")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("-n", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sector", action="append", help="sector key or name (repeatable)")
    args = parser.parse_args(argv)
    for p in preview(args.preview, args.year, args.n, args.seed, args.sector):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
