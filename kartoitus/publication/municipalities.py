"""Per municipality: every figure its PDF and the workshop packs print, computed once per wave.

:func:`municipality_figures` gives, for each municipality of the wave, a
:class:`MunicipalityFigures`: the Tables of its associations (by main sector, by
reach, operating in it, members and volunteers) with their suppression applied, its
kuntatutka row, checklist rows and two views of cooperation, and its change since
the previous wave. The outputs (:mod:`kartoitus.outputs.municipality`,
:mod:`kartoitus.outputs.workshop`) only format these.

Privacy: only counts, sums, medians and shares, never an association's name or free
text; every cell describing fewer than ``threshold`` associations is hidden, with
secondary suppression where a hidden cell could be recovered from a published
total. The number of respondents and the counts by sector and by reach are hidden
exactly where :func:`kartoitus.publication.disclosure.home_hidden` hides them (one
suppression over the wave, shared with the main report, the workshop packs and the
sector infographics), the member and volunteer totals over all municipalities at
once (:func:`people_mask`), and the two views of cooperation hide what the report's
``yhteistyo_kunta`` hides; so that combining the figures of several outputs
recovers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from kartoitus.errors import KartoitusError
from kartoitus.publication import Kuntatutka, WaveInput
from kartoitus.publication import disclosure, indicators
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication import suppression as sup
from kartoitus.settings import Settings
from kartoitus.tables import Table

OTHER_SECTOR_LABEL = "Muu toimiala"
UNKNOWN_LABEL = "Ei tiedossa"
#: Row labels of the people table, by the role of the question (settings.names).
PEOPLE_ROLES = (("q_members", "Jäsenet"), ("q_volunteers", "Aktiiviset vapaaehtoiset"),
                ("q_staff", "Palkattu henkilöstö (htv)"))


@dataclass(frozen=True)
class RegionFigures:
    """What a workshop pack compares its municipalities with."""
    n_associations: int             # every respondent of the wave
    sectors: Table                  # the report's vastaajat_toimiala (shares of all respondents)


@dataclass(frozen=True)
class MunicipalityFigures:
    """Everything a municipality's PDF (and a workshop pack's column) prints."""
    code: str
    name: str
    subregion: str
    n_associations: int             # associations whose home municipality it is
    count_hidden: bool              # the shared suppression hides that number
    n_hidden: bool                  # count_hidden, or fewer than the threshold: no caption or share prints it
    sectors: Table                  # by main sector, every option (zero rows kept)
    reach: Table                    # by reach (toiminta-alue)
    activity: Table | None          # associations operating in it (None: the question was not asked)
    people: Table                   # members, volunteers, paid staff
    scores: pd.Series               # its row of the kuntatutka scores
    checklist: pd.DataFrame         # its rows of the checklist
    views: pd.DataFrame             # its rows of the two views of cooperation
    previous: pd.Series | None      # its row of the previous wave's scores (None: not there)
    change: pd.Series | None        # its row of kuntatutka.change_since (None: no previous wave)
    region: RegionFigures           # shared by every municipality of the wave


# -- keys and slices ----------------------------------------------------------------------

def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _codes(series: pd.Series) -> pd.Series:
    return kt.normalize_codes(series)


def activity_prefix(settings: Settings) -> str | None:
    """``toimintakunnat__``: the prefix of the "where do you operate" 0/1 columns."""
    for q in settings.codebook.association.of_type("multi"):
        if q.options_from == "municipalities":
            return q.id + "__"
    return None


def own_associations(assoc: pd.DataFrame, code: str, settings: Settings) -> pd.DataFrame:
    """The associations whose home municipality (kotikunta) is ``code``."""
    home = settings.codebook.home_column
    if home not in assoc.columns:
        raise KartoitusError(f"association survey data has no {home!r} column; pass the processed "
                             "jarjestokysely data")
    return assoc.loc[(_codes(assoc[home]) == code).to_numpy()]


def column_keys(assoc: pd.DataFrame, column: str, settings: Settings) -> pd.Series:
    """Key per association in ``column`` (``_ei_tietoa`` for a missing one), as
    :func:`kartoitus.publication.disclosure.grid_keys` counts them."""
    return disclosure.grid_keys(assoc, column, settings)


# -- tables with suppression ----------------------------------------------------------------

def force_hidden(table: Table, keys: set, columns: tuple[str, ...]) -> Table:
    """``table`` with the cells of rows ``keys`` in ``columns`` hidden and blanked too."""
    rows = table.frame.index.isin(list(keys))
    if not rows.any():
        return table
    mask = table.mask().copy()
    frame = table.frame.copy()
    for c in columns:
        mask[c] = mask[c].to_numpy() | rows
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64").where(~mask[c], np.nan)
    return table.with_(frame=frame, suppressed=mask)


def drop_zero_rows(table: Table, column: str = "yhdistyksia") -> Table:
    """``table`` without its rows whose ``column`` is a published zero (a hidden zero stays)."""
    visible_zero = (table.frame[column] == 0) & ~table.mask()[column]
    keep = ~visible_zero.to_numpy()
    return table.with_(frame=table.frame.loc[keep], suppressed=table.mask().loc[keep])


def distribution_table(values: pd.Series, labels: dict[str, str], id: str, title: str,
                       threshold: int, source: str, unknown: str, *, keep_zero: bool = False,
                       count_header: str = "Yhdistyksiä", hidden: Iterable[str] | None = None,
                       n_hidden: bool = False) -> Table:
    """Counts and shares of ``values`` (option keys) with primary and secondary
    suppression: the rows add up to the published n, so a lone hidden row hides
    the next smallest one too. Rows are ``labels`` order (+ ``Ei tiedossa``, key
    ``unknown``); zero rows are left out unless ``keep_zero``.

    ``hidden``: the rows a wider suppression hides (the counts then follow it
    alone, so every output printing them hides the same cells); ``n_hidden``: the
    base n is hidden there too, so every share is hidden (a share next to its
    count would give the n away)."""
    keys = values.astype(object).where(values.notna(), unknown)
    counts = keys.value_counts(sort=False)
    forced = set(hidden or ())
    # a row hidden by a wider suppression is shown as "<5" even when it is 0 here
    order = [k for k in labels if k in counts.index or keep_zero or k in forced]
    order += [k for k in counts.index if k not in labels and k != unknown]
    if unknown in counts.index or unknown in forced:
        order.append(unknown)
    n = int(len(values))
    count = counts.reindex(order).fillna(0).astype("int64")
    frame = pd.DataFrame({
        "avain": order,
        "luokka": [labels.get(k, UNKNOWN_LABEL if k == unknown else str(k)) for k in order],
        "yhdistyksia": count.to_numpy().astype("float64"),
        "osuus": (count.to_numpy() / n * 100) if n else np.full(len(order), np.nan),
    }, index=pd.Index(order, name="avain"))
    table = Table(id=id, title=title, frame=frame, n=n,
                  columns={"luokka": "Luokka", "yhdistyksia": count_header, "osuus": "Osuus (%)"},
                  kinds={"yhdistyksia": "count", "osuus": "percent"}, source=source)
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia"]], counts=("yhdistyksia",), reveals={"osuus": ("yhdistyksia",)},
        equations=(() if hidden is not None else tuple(sup.column_equations(order, None, ["yhdistyksia"]))),
        hidden=tuple((k, "yhdistyksia") for k in order if k in forced),
    )
    out = sup.apply(table, plan, threshold)
    if n_hidden:
        out = force_hidden(out, set(order), ("osuus",))
    return out if keep_zero else drop_zero_rows(out)


def _grid_mask(hidden: frozenset[str], grid: str, year: int, settings: Settings) -> pd.DataFrame:
    """The ``grid`` (``HS`` or ``HR``) cells of :func:`kartoitus.publication.disclosure.home_hidden`
    as a frame: index keys, columns municipality codes of ``year`` (+ ``ulkopuolella``
    and ``_tuntematon``); True = hide."""
    columns = ([m.code for m in settings.codebook.municipalities.for_year(year)]
               + [settings.names.outside, settings.names.unknown_home])
    cells = [c[len(grid) + 1:].split("|", 1) for c in hidden if c.startswith(grid + "|")]
    keys = sorted({k for _, k in cells})
    mask = pd.DataFrame(False, index=pd.Index(keys, dtype=object), columns=columns)
    for h, k in cells:
        if h in mask.columns:
            mask.at[k, h] = True
    return mask


def count_hidden(hidden: frozenset[str], code: str) -> bool:
    """Does every output hide municipality ``code``'s number of respondents?"""
    return f"K|{code}" in hidden


def sector_mask(hidden: frozenset[str], year: int, settings: Settings) -> pd.DataFrame:
    """Which (main sector, home municipality) counts every output hides (``hidden``:
    :func:`kartoitus.publication.disclosure.home_hidden` of the wave): index sector
    keys, columns municipality codes; True = hide."""
    return _grid_mask(hidden, "HS", year, settings)


def reach_mask(hidden: frozenset[str], year: int, settings: Settings) -> pd.DataFrame:
    """As :func:`sector_mask`, for the reach (ulottuvuus)."""
    return _grid_mask(hidden, "HR", year, settings)


def hidden_sectors(mask: pd.DataFrame, code: str) -> list[str]:
    """The keys a :func:`sector_mask` / :func:`reach_mask` hides for municipality ``code``."""
    if code not in mask.columns:
        return []
    return [str(k) for k in mask.index[mask[code].to_numpy(dtype=bool)]]


def sector_labels(settings: Settings) -> dict[str, str]:
    names = settings.names
    labels = {o.key: o.label for o in settings.codebook.association.question(names.q_sector).options}
    labels[names.other] = OTHER_SECTOR_LABEL
    return labels


def sector_table(own: pd.DataFrame, threshold: int, settings: Settings, id: str = "kunta_toimialat", *,
                 hidden: Iterable[str] | None = None, keep_zero: bool = False, n_hidden: bool = False) -> Table:
    """The municipality's associations by main sector (counts, shares, ``<5``);
    ``hidden``: the municipality's column of :func:`sector_mask`; ``n_hidden``:
    :func:`count_hidden` (every share hidden)."""
    names = settings.names
    values = column_keys(own, names.q_sector, settings)
    return distribution_table(values.where(values != names.no_answer), sector_labels(settings), id,
                              "Yhdistykset päätoimialoittain", threshold, names.q_sector, names.no_answer,
                              hidden=hidden, keep_zero=keep_zero, n_hidden=n_hidden)


def reach_table(own: pd.DataFrame, threshold: int, settings: Settings, *,
                hidden: Iterable[str] | None = None, n_hidden: bool = False) -> Table:
    """The municipality's associations by reach (ulottuvuus); ``hidden``: the
    municipality's column of :func:`reach_mask`; ``n_hidden`` as in :func:`sector_table`."""
    names = settings.names
    labels = {o.key: o.label for o in settings.codebook.association.question(names.q_reach).options}
    values = column_keys(own, names.reach, settings)
    return distribution_table(values.where(values != names.no_answer), labels, "kunta_ulottuvuus",
                              "Yhdistysten toiminta-alue", threshold, names.reach, names.no_answer,
                              keep_zero=True, hidden=hidden, n_hidden=n_hidden)


def activity_table(assoc: pd.DataFrame, code: str, threshold: int, settings: Settings) -> Table | None:
    """Associations that say they operate in the municipality: home here / elsewhere /
    total (the parts add up to the total, so a lone hidden part hides the other)."""
    prefix = activity_prefix(settings)
    col = f"{prefix}{code}" if prefix else None
    if col is None or col not in assoc.columns:
        return None
    active = (_num(assoc[col]) == 1).to_numpy()
    home_here = (_codes(assoc[settings.codebook.home_column]) == code).to_numpy()
    here = int((active & home_here).sum())
    elsewhere = int((active & ~home_here).sum())
    rows = ["kotipaikka_kunnassa", "kotipaikka_muualla", "yhteensa"]
    frame = pd.DataFrame({"kuvaus": ["Kotipaikka kunnassa", "Kotipaikka muualla", "Yhteensä"],
                          "yhdistyksia": [float(here), float(elsewhere), float(here + elsewhere)]},
                         index=pd.Index(rows, name="rivi"))
    table = Table(id="kunta_toiminta", title="Kunnassa toimivat vastanneet yhdistykset", frame=frame,
                  n=here + elsewhere, columns={"kuvaus": "", "yhdistyksia": "Yhdistyksiä"},
                  kinds={"yhdistyksia": "count"}, source=col)
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia"]], counts=("yhdistyksia",),
        equations=(sup.Equation((("kotipaikka_kunnassa", "yhdistyksia"), ("kotipaikka_muualla", "yhdistyksia")),
                                ("yhteensa", "yhdistyksia")),),
    )
    return sup.apply(table, plan, threshold)


def people_questions(settings: Settings) -> dict[str, str]:
    """Question id -> row label of the people table."""
    return {getattr(settings.names, role): label for role, label in PEOPLE_ROLES}


def people_mask(assoc: pd.DataFrame, year: int, threshold: int, settings: Settings) -> pd.DataFrame:
    """Which respondent counts (``vastanneita``) and totals (``yhteensa``) of the
    people table to hide per municipality, solved over all municipalities at once.

    A total computed from fewer than ``threshold`` associations is hidden; the
    municipalities' totals (and respondent counts) add up to the region's, which
    the main report publishes, so a lone hidden one hides the next smallest too.
    Index: municipality codes (+ ``ulkopuolella``); columns ``<question>|vastanneita``
    and ``<question>|yhteensa``; True = hide.
    """
    outside = settings.names.outside
    codes = [m.code for m in settings.codebook.municipalities.for_year(year)]
    rows = codes + [outside]
    home = _codes(assoc[settings.codebook.home_column])
    home = home.where(home.isin(codes), outside).where(home.notna()).to_numpy()
    values, counts, bases, eqs = {}, [], {}, []
    for q in [q for q in people_questions(settings) if q in assoc.columns]:
        v = _num(assoc[q])
        n = v.notna().groupby(home).sum().reindex(rows, fill_value=0).astype("float64")
        total = v.groupby(home).sum(min_count=1).reindex(rows).astype("float64").fillna(0.0)
        values[f"{q}|vastanneita"], values[f"{q}|yhteensa"] = n.to_numpy(), total.to_numpy()
        counts.append(f"{q}|vastanneita")
        bases[f"{q}|yhteensa"] = f"{q}|vastanneita"
        eqs += sup.column_equations(rows, None, [f"{q}|vastanneita", f"{q}|yhteensa"])
    frame = pd.DataFrame(values, index=pd.Index(rows, dtype=object))
    if frame.empty:
        return frame.astype(bool)
    plan = sup.SuppressionPlan(values=frame, counts=tuple(counts), bases=bases, equations=tuple(eqs))
    return sup.values_mask(plan, threshold)


def hidden_people(mask: pd.DataFrame, code: str) -> list[str]:
    """``<question>|<column>`` cells :func:`people_mask` hides for ``code``."""
    if code not in mask.index:
        return []
    row = mask.loc[code]
    return [str(c) for c in row.index[row.to_numpy(dtype=bool)]]


def people_table(own: pd.DataFrame, threshold: int, settings: Settings, *,
                 hidden: Iterable[str] | None = None) -> Table:
    """Members, volunteers and paid staff: respondents, total and median; hidden
    when fewer than ``threshold`` associations answered the question. ``hidden``:
    the municipality's cells of :func:`people_mask` (``<question>|<column>``)."""
    labels = people_questions(settings)
    qids = [q for q in labels if q in own.columns]  # a question not asked has no column
    rows, ns, sums, meds = [], [], [], []
    for q in qids:
        v = _num(own[q]).dropna()
        rows.append(q)
        ns.append(float(len(v)))
        sums.append(float(v.sum()) if len(v) else np.nan)
        meds.append(float(v.median()) if len(v) else np.nan)
    frame = pd.DataFrame({"kysymys": [labels.get(q, q) for q in rows], "vastanneita": ns,
                          "yhteensa": sums, "mediaani": meds}, index=pd.Index(rows, name="kysymys_id"))
    table = Table(id="kunta_henkilot", title="Jäsenet, vapaaehtoiset ja palkattu henkilöstö", frame=frame,
                  n=int(len(own)),
                  columns={"kysymys": "", "vastanneita": "Vastanneita yhdistyksiä",
                           "yhteensa": "Yhteensä", "mediaani": "Mediaani yhdistystä kohden"},
                  kinds={"vastanneita": "count", "yhteensa": "number", "mediaani": "number"},
                  source=",".join(rows))
    plan = sup.SuppressionPlan(values=frame[["vastanneita"]], counts=("vastanneita",),
                               bases={"yhteensa": "vastanneita", "mediaani": "vastanneita"})
    out = sup.apply(table, plan, threshold)
    for cell_id in hidden or ():
        q, _, col = str(cell_id).partition("|")
        if q in out.frame.index and col in out.frame.columns:
            out = force_hidden(out, {q}, (col,))
    return out


def region_sector_table(assoc: pd.DataFrame, hidden: frozenset[str], threshold: int,
                        settings: Settings) -> Table:
    """The region column of a workshop pack: the report's ``vastaajat_toimiala``
    (every respondent by main sector, shares of all), hidden where the report hides it."""
    names = settings.names
    keys = disclosure.report_sector(disclosure.grid_keys(assoc, names.q_sector, settings), settings)
    labels = sector_labels(settings)
    forced = [k for k in labels if f"S|{k}" in hidden]
    return distribution_table(keys, labels, "paja_toimialat_maakunta", "Maakunta", threshold, names.q_sector,
                              names.no_answer, keep_zero=True, hidden=forced)


# -- the publication's part -------------------------------------------------------------------

def _rows_of(frame: pd.DataFrame | None, code: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame.loc[(_codes(frame["kunta"]) == code).to_numpy()]


def municipality_figures(data: WaveInput, settings: Settings, tut: Kuntatutka,
                         threshold: int = sup.DEFAULT_THRESHOLD) -> dict[str, MunicipalityFigures]:
    """Municipality code -> its figures, for every municipality of the wave. Every
    mask is solved once over the whole wave (``data.association``: every association)."""
    assoc, year, cb = data.association, data.year, settings.codebook
    masks = indicators.report_masks(assoc, year, threshold, settings, ("yhteistyo_kunta",))
    hidden = masks["home"]
    smask = sector_mask(hidden, year, settings)
    rmask = reach_mask(hidden, year, settings)
    pmask = people_mask(assoc, year, threshold, settings)
    views = kt.two_views(assoc, data.municipality, year, settings.scoring, cb, threshold=threshold,
                         hidden=disclosure.views_mask(masks))
    change = (kt.change_since(tut.previous_scores, tut.scores) if tut.previous_scores is not None else None)
    region = RegionFigures(n_associations=int(len(assoc)),
                           sectors=region_sector_table(assoc, hidden, threshold, settings))
    out = {}
    for m in cb.municipalities.for_year(year):
        own = own_associations(assoc, m.code, settings)
        n_own = int(len(own))
        shared = count_hidden(hidden, m.code)
        n_hidden = shared or 0 < n_own < threshold
        score = _rows_of(tut.scores, m.code)
        if score.empty:
            raise KartoitusError(f"kuntatutkan pisteissä ei ole kuntaa {m.code}; laske pisteet koko aallolle "
                                 "(kuntatutka.score_municipalities)")
        previous = _rows_of(tut.previous_scores, m.code)
        out[m.code] = MunicipalityFigures(
            code=m.code, name=m.name, subregion=m.subregion, n_associations=n_own,
            count_hidden=shared, n_hidden=n_hidden,
            sectors=sector_table(own, threshold, settings, hidden=hidden_sectors(smask, m.code),
                                 keep_zero=True, n_hidden=n_hidden),
            reach=reach_table(own, threshold, settings, hidden=hidden_sectors(rmask, m.code), n_hidden=n_hidden),
            activity=activity_table(assoc, m.code, threshold, settings),
            people=people_table(own, threshold, settings, hidden=hidden_people(pmask, m.code)),
            scores=score.iloc[0],
            checklist=_rows_of(tut.checklist, m.code).reset_index(drop=True),
            views=_rows_of(views, m.code).reset_index(drop=True),
            previous=None if previous is None or previous.empty else previous.iloc[-1],
            change=None if change is None else _rows_of(change, m.code).iloc[0],
            region=region,
        )
    return out
