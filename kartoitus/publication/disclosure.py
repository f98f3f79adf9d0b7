"""What every output hides: disclosure control solved once over the whole wave.

The same figure is printed by several outputs: a municipality's number of
respondents by the main report (``vastaajat_kunta``), its PDF (the intro, every
caption ``n``, the base of every share) and the workshop pack; a sector's count of
associations in a sub-region by the infographic, while the municipality PDFs
print its parts. Suppressing each output on its own lets a reader recover a
hidden cell from the figures another output prints. So the counts that link the
outputs are put into one system of equations and suppressed together, and every
output takes its hidden cells from that one result:

- :func:`home_hidden`: respondents by home municipality (``K|<code>``), by
  sub-region (``SK|<code>``), by main sector (``S|<key>``, report keys), by sector
  group (``G|sote``/``G|muut``), by reach (``U|<key>``), the home municipality x
  main sector grid (``HS|<home>|<key>``, the municipality PDFs' and workshop
  packs' sector tables), the home municipality x reach grid (``HR|<home>|<key>``,
  the PDFs' reach tables) and the sector x sub-region counts of the sector
  infographics (``W|<sector>|<sub-region>``). ``<home>`` is a municipality code,
  ``names.outside`` or ``names.unknown_home`` (no home municipality).
- :func:`masks_of` (``kartoitus.publication.indicators.report_masks`` computes
  the tables): the hidden cells of the report's tables by sector and by
  municipality (cooperation grid, target groups and activity forms by sector,
  people by sector) and of the region tables the infographics compare against,
  so that the infographic panels and the two views of cooperation hide exactly
  what the report hides.

The published totals (the number of respondents, of respondents with a known
home municipality and with a known reach) are known to everyone, so they are
never cells; a cell that is not printed anywhere but takes part in a sum is
treated as printed, which can only hide more, never less.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kartoitus.publication import suppression as sup
from kartoitus.settings import Settings
from kartoitus.settings.codebook import municipality_codes


# -- keys per association ------------------------------------------------------------

def _column(assoc: pd.DataFrame, name: str) -> pd.Series:
    if name in assoc.columns:
        return assoc[name]
    return pd.Series(pd.NA, index=assoc.index, dtype="object")


def home_keys(assoc: pd.DataFrame, year: int, settings: Settings) -> pd.Series:
    """Home of each association: its municipality code when in the region of
    ``year``, ``names.outside`` for any other home, ``names.unknown_home`` when missing."""
    names = settings.names
    region = [m.code for m in settings.codebook.municipalities.for_year(year)]
    codes = municipality_codes(_column(assoc, names.q_home))
    out = codes.where(codes.isin(region) | codes.isna(), names.outside)
    return out.astype(object).where(out.notna(), names.unknown_home)


def grid_keys(assoc: pd.DataFrame, column: str, settings: Settings) -> pd.Series:
    """The key of each association in ``column`` as the municipality PDFs show it
    (``names.no_answer`` when missing)."""
    values = _column(assoc, column)
    text = values.astype("string").str.strip()
    return text.astype(object).where(text.notna() & (text != ""), settings.names.no_answer)


def report_sector(keys: pd.Series, settings: Settings) -> pd.Series:
    """The report's sector key of a grid key (anything not an option is ``names.other``)."""
    options = set(settings.codebook.association.question(settings.names.q_sector).option_keys())
    return keys.where(keys.isin(options), settings.names.other)


def sector_groups(assoc: pd.DataFrame, settings: Settings) -> pd.Series:
    """The sector group (``names.group_sote``/``names.group_other``) per association as
    the report counts it: the derived column ``names.group``, else from the main
    sector and the sote group of ``settings.sote``."""
    names = settings.names
    groups = [names.group_sote, names.group_other]
    derived = (report_sector(grid_keys(assoc, names.q_sector, settings), settings)
               .isin(settings.sote).map({True: names.group_sote, False: names.group_other}))
    given = _column(assoc, names.group).astype("string").str.strip()
    given = given.where(given.isin(groups))
    return given.astype(object).where(given.notna(), derived)


# -- the joint system of the home-municipality counts ----------------------------------------

class _System:
    """Cells (one value each) and equations ``sum(parts) == total`` (total None =
    published), solved with :func:`kartoitus.publication.suppression.values_mask`."""

    def __init__(self):
        self.names: list[str] = []
        self.values: list[float] = []
        self.where: dict[str, int] = {}
        self.equations: list[sup.Equation] = []

    def cell(self, name: str, value: float) -> str:
        if name not in self.where:
            self.where[name] = len(self.names)
            self.names.append(name)
            self.values.append(float(value))
        return name

    def sum(self, parts: list[str], total: str | None) -> None:
        parts = [p for p in parts if p in self.where]
        if parts:
            self.equations.append(sup.Equation(tuple((p, "x") for p in parts),
                                               None if total is None else (total, "x")))

    def hidden(self, threshold: int) -> frozenset[str]:
        values = pd.DataFrame({"x": self.values}, index=pd.Index(self.names, dtype=object))
        plan = sup.SuppressionPlan(values=values, counts=("x",), equations=tuple(self.equations))
        mask = sup.values_mask(plan, threshold)["x"]
        return frozenset(str(c) for c in mask.index[mask.to_numpy(dtype=bool)])


def _crosstab(rows: pd.Series, cols: pd.Series, index: list, columns: list) -> pd.DataFrame:
    grid = pd.crosstab(rows.to_numpy(), cols.to_numpy())
    return grid.reindex(index=index, columns=columns, fill_value=0).astype("float64")


def home_system(assoc: pd.DataFrame, year: int, threshold: int, settings: Settings) -> _System:
    """The cells and equations of :func:`home_hidden` (exposed for tests)."""
    cb, names = settings.codebook, settings.names
    outside, no_home, no_key = names.outside, names.unknown_home, names.no_answer
    groups = (names.group_sote, names.group_other)
    munis = cb.municipalities.for_year(year)
    region = [m.code for m in munis]
    home = home_keys(assoc, year, settings)
    homes = region + [outside, no_home]
    options = list(cb.association.question(names.q_sector).option_keys())
    sector = grid_keys(assoc, names.q_sector, settings)
    skeys = list(dict.fromkeys([*options, names.other, *sorted(set(sector) - set(options) - {no_key}),
                                *([no_key] if (sector == no_key).any() else [])]))
    reach = grid_keys(assoc, names.reach, settings)
    rq = cb.association.question(names.q_reach)
    rkeys = list(dict.fromkeys([*rq.option_keys(), *sorted(set(reach) - {no_key}), no_key]))
    hs = _crosstab(home, sector, homes, skeys)
    hr = _crosstab(home, reach, homes, rkeys)
    k = hs.sum(axis=1)
    s = _System()

    # the grids
    for h in homes:
        for key in skeys:
            s.cell(f"HS|{h}|{key}", hs.at[h, key])
        for key in rkeys:
            s.cell(f"HR|{h}|{key}", hr.at[h, key])
    # respondents by home municipality (no home: N - Nhome, both published: known)
    for h in region + [outside]:
        s.cell(f"K|{h}", k[h])
    subs = cb.municipalities.subregions(year)
    members = {x: [m.code for m in munis if m.subregion_code == x] for x in sorted(subs)}
    for x, codes in members.items():
        s.cell(f"SK|{x}", k[codes].sum())
    # respondents by sector (report keys), by group, by reach
    report_of = dict(zip(skeys, report_sector(pd.Series(skeys, dtype=object), settings)))
    rsec = list(dict.fromkeys(report_of.values()))
    for r in rsec:
        s.cell(f"S|{r}", sum(hs[key].sum() for key in skeys if report_of[key] == r))
    group_of = sector_groups(assoc, settings)
    gtab = _crosstab(group_of, report_sector(sector, settings), list(groups), rsec)
    for g in groups:
        s.cell(f"G|{g}", gtab.loc[g].sum())
    for key in rkeys[:-1]:
        s.cell(f"U|{key}", hr[key].sum())
    # sector x sub-region counts of the infographics (sectors with a page and numbers)
    pages = [key for key in options if hs[key].sum() >= threshold]
    for key in pages:
        for x, codes in members.items():
            s.cell(f"W|{key}|{x}", hs.loc[codes, key].sum())

    # equations
    for h in region + [outside]:
        s.sum([f"HS|{h}|{key}" for key in skeys], f"K|{h}")
        s.sum([f"HR|{h}|{key}" for key in rkeys], f"K|{h}")
    s.sum([f"HS|{no_home}|{key}" for key in skeys], None)
    s.sum([f"HR|{no_home}|{key}" for key in rkeys], None)
    s.sum([f"K|{h}" for h in region + [outside]], None)
    for x, codes in members.items():
        s.sum([f"K|{m}" for m in codes], f"SK|{x}")
    s.sum([f"SK|{x}" for x in members] + [f"K|{outside}"], None)
    for r in rsec:
        s.sum([f"HS|{h}|{key}" for h in homes for key in skeys if report_of[key] == r], f"S|{r}")
    s.sum([f"S|{r}" for r in rsec], None)
    s.sum([f"G|{g}" for g in groups], None)
    if (gtab.gt(0).sum() <= 1).all():      # every sector lies in one group: G = sum of its S
        for g in groups:
            s.sum([f"S|{r}" for r in rsec if gtab.at[g, r] > 0], f"G|{g}")
    for key in rkeys[:-1]:
        s.sum([f"HR|{h}|{key}" for h in homes], f"U|{key}")
    s.sum([f"U|{key}" for key in rkeys[:-1]], None)
    s.sum([f"HR|{h}|{no_key}" for h in homes], None)
    for key in pages:
        for x, codes in members.items():
            s.sum([f"HS|{m}|{key}" for m in codes], f"W|{key}|{x}")
        s.sum([f"W|{key}|{x}" for x in members] + [f"HS|{outside}|{key}", f"HS|{no_home}|{key}"],
              f"S|{key}")
    return s


def home_hidden(assoc: pd.DataFrame, year: int, threshold: int, settings: Settings) -> frozenset[str]:
    """The hidden cells of the home-municipality counts (see the module), solved
    over the whole association survey of the wave at once. ``assoc`` must hold
    every association of the wave (at least the home municipality, main sector,
    reach and sector group columns)."""
    return home_system(assoc, year, threshold, settings).hidden(threshold)


def hidden_keys(hidden: frozenset[str] | set[str], prefix: str) -> list[str]:
    """The last part of the hidden cells starting ``prefix`` (``HS|179|`` -> sector keys)."""
    return [c[len(prefix):] for c in sorted(hidden) if c.startswith(prefix)]


# -- the report's tables by sector and by municipality -----------------------------------

#: the row key column of the indicator tables (``kartoitus.publication.indicators``)
KEY = "avain"


def hidden_cells(table) -> dict[str, list[str]]:
    """Row key -> hidden value columns of a suppressed Table (only rows with any)."""
    if table is None or not table.asked or table.suppressed is None or KEY not in table.frame.columns:
        return {}
    mask = table.mask()[table.value_columns]
    keys = table.frame[KEY].astype(str).to_numpy()
    out = {}
    for i, key in enumerate(keys):
        row = mask.iloc[i]
        cols = [str(c) for c in row.index[row.to_numpy(dtype=bool)]]
        if cols:
            out[key] = cols
    return out


#: Report tables whose hidden cells other outputs follow.
REPORT_TABLES = ("yhteistyo", "yhteistyo_toimiala", "yhteistyo_kunta", "kohderyhmat",
                 "kohderyhmat_toimiala", "toimintamuodot", "toimintamuodot_toimiala", "haasteet",
                 "henkilot_toimiala")


def masks_of(tables: dict, home: frozenset[str], ids: tuple[str, ...] = REPORT_TABLES) -> dict[str, Any]:
    """The masks other outputs follow, from the report's suppressed tables:
    ``{table id: {avain: [hidden value columns]}}`` plus ``"home"``: :func:`home_hidden`.
    Plain picklable data; ``avain`` is the table's row key (``179:yhteistyo_tuntee``,
    ``kulttuuri``, an option key). (``kartoitus.publication.indicators.report_masks``
    computes the tables and calls this.)"""
    out: dict[str, Any] = {"home": home}
    for tid in ids:
        out[tid] = hidden_cells(tables.get(tid))
    return out


def views_mask(masks: dict[str, Any], codes: list[str] | None = None) -> dict[tuple[str, str], list[str]]:
    """The ``yhteistyo_kunta`` part of report masks keyed ``(code, statement)``
    (only ``codes`` when given)."""
    out = {}
    for key, cols in masks.get("yhteistyo_kunta", {}).items():
        code, _, statement = key.partition(":")
        if codes is None or code in codes:
            out[(code, statement)] = list(cols)
    return out
