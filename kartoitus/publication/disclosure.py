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
  ``ulkopuolella`` or ``_tuntematon`` (no home municipality).
- :func:`report_masks`: the hidden cells of the report's tables by sector and by
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

from kartoitus.settings import default_settings
from kartoitus.publication import suppression as sup
from kartoitus.settings.codebook import OUTSIDE_REGION, Codebook, default_codebook, municipality_codes

#: Home key of an association without a home municipality.
NO_HOME = "_tuntematon"
#: Grid key of a missing main sector or reach (as the municipality PDFs show it).
NO_KEY = "_ei_tietoa"
#: Report key of a main sector outside the codebook's options (and of a missing one).
UNCLASSIFIED = "muu"
SECTOR_Q = "paatoimiala"
GROUP_COLUMN = "toimialaryhma"
REACH_COLUMN = "ulottuvuus"
REACH_Q = "toiminta_alue"
HOME_Q = "kotikunta"


# -- keys per association ------------------------------------------------------------

def _codes(values: pd.Series) -> pd.Series:
    return municipality_codes(values)


def _column(assoc: pd.DataFrame, name: str) -> pd.Series:
    if name in assoc.columns:
        return assoc[name]
    return pd.Series(pd.NA, index=assoc.index, dtype="object")


def home_keys(assoc: pd.DataFrame, year: int, codebook: Codebook | None = None) -> pd.Series:
    """Home of each association: its municipality code when in the region of
    ``year``, ``ulkopuolella`` for any other home, ``_tuntematon`` when missing."""
    cb = codebook or default_codebook()
    region = [m.code for m in cb.municipalities.for_year(year)]
    codes = _codes(_column(assoc, HOME_Q))
    out = codes.where(codes.isin(region) | codes.isna(), OUTSIDE_REGION)
    return out.astype(object).where(out.notna(), NO_HOME)


def grid_keys(assoc: pd.DataFrame, column: str) -> pd.Series:
    """The key of each association in ``column`` as the municipality PDFs show it
    (``_ei_tietoa`` when missing)."""
    values = _column(assoc, column)
    text = values.astype("string").str.strip()
    return text.astype(object).where(text.notna() & (text != ""), NO_KEY)


def report_sector(keys: pd.Series, codebook: Codebook | None = None) -> pd.Series:
    """The report's sector key of a grid key (anything not an option is ``muu``)."""
    cb = codebook or default_codebook()
    options = set(cb.association.question(SECTOR_Q).option_keys())
    return keys.where(keys.isin(options), UNCLASSIFIED)


def sector_groups(assoc: pd.DataFrame, codebook: Codebook | None = None) -> pd.Series:
    """``sote``/``muut`` per association as the report counts it (the derived column
    ``toimialaryhma``, else from the main sector and ``luokittelu.yaml``)."""
    from kartoitus.stages.classify import load_classification

    cb = codebook or default_codebook()
    options = list(cb.association.question(SECTOR_Q).option_keys())
    sote = default_settings().classification.sote or tuple(options[:8])
    derived = report_sector(grid_keys(assoc, SECTOR_Q), cb).isin(sote).map({True: "sote", False: "muut"})
    given = _column(assoc, GROUP_COLUMN).astype("string").str.strip()
    given = given.where(given.isin(["sote", "muut"]))
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


def home_system(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                codebook: Codebook | None = None) -> _System:
    """The cells and equations of :func:`home_hidden` (exposed for tests)."""
    cb = codebook or default_codebook()
    munis = cb.municipalities.for_year(year)
    region = [m.code for m in munis]
    home = home_keys(assoc, year, cb)
    homes = region + [OUTSIDE_REGION, NO_HOME]
    options = list(cb.association.question(SECTOR_Q).option_keys())
    sector = grid_keys(assoc, SECTOR_Q)
    skeys = list(dict.fromkeys([*options, UNCLASSIFIED, *sorted(set(sector) - set(options) - {NO_KEY}),
                                *([NO_KEY] if (sector == NO_KEY).any() else [])]))
    reach = grid_keys(assoc, REACH_COLUMN)
    rq = cb.association.question(REACH_Q)
    rkeys = list(dict.fromkeys([*rq.option_keys(), *sorted(set(reach) - {NO_KEY}), NO_KEY]))
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
    for h in region + [OUTSIDE_REGION]:
        s.cell(f"K|{h}", k[h])
    subs = cb.municipalities.subregions(year)
    members = {x: [m.code for m in munis if m.subregion_code == x] for x in sorted(subs)}
    for x, codes in members.items():
        s.cell(f"SK|{x}", k[codes].sum())
    # respondents by sector (report keys), by group, by reach
    report_of = dict(zip(skeys, report_sector(pd.Series(skeys, dtype=object), cb)))
    rsec = list(dict.fromkeys(report_of.values()))
    for r in rsec:
        s.cell(f"S|{r}", sum(hs[key].sum() for key in skeys if report_of[key] == r))
    groups = sector_groups(assoc, cb)
    gtab = _crosstab(groups, report_sector(sector, cb), ["sote", "muut"], rsec)
    for g in ("sote", "muut"):
        s.cell(f"G|{g}", gtab.loc[g].sum())
    for key in rkeys[:-1]:
        s.cell(f"U|{key}", hr[key].sum())
    # sector x sub-region counts of the infographics (sectors with a page and numbers)
    pages = [key for key in options if hs[key].sum() >= threshold]
    for key in pages:
        for x, codes in members.items():
            s.cell(f"W|{key}|{x}", hs.loc[codes, key].sum())

    # equations
    for h in region + [OUTSIDE_REGION]:
        s.sum([f"HS|{h}|{key}" for key in skeys], f"K|{h}")
        s.sum([f"HR|{h}|{key}" for key in rkeys], f"K|{h}")
    s.sum([f"HS|{NO_HOME}|{key}" for key in skeys], None)
    s.sum([f"HR|{NO_HOME}|{key}" for key in rkeys], None)
    s.sum([f"K|{h}" for h in region + [OUTSIDE_REGION]], None)
    for x, codes in members.items():
        s.sum([f"K|{m}" for m in codes], f"SK|{x}")
    s.sum([f"SK|{x}" for x in members] + [f"K|{OUTSIDE_REGION}"], None)
    for r in rsec:
        s.sum([f"HS|{h}|{key}" for h in homes for key in skeys if report_of[key] == r], f"S|{r}")
    s.sum([f"S|{r}" for r in rsec], None)
    s.sum([f"G|{g}" for g in ("sote", "muut")], None)
    if (gtab.gt(0).sum() <= 1).all():      # every sector lies in one group: G = sum of its S
        for g in ("sote", "muut"):
            s.sum([f"S|{r}" for r in rsec if gtab.at[g, r] > 0], f"G|{g}")
    for key in rkeys[:-1]:
        s.sum([f"HR|{h}|{key}" for h in homes], f"U|{key}")
    s.sum([f"U|{key}" for key in rkeys[:-1]], None)
    s.sum([f"HR|{h}|{NO_KEY}" for h in homes], None)
    for key in pages:
        for x, codes in members.items():
            s.sum([f"HS|{m}|{key}" for m in codes], f"W|{key}|{x}")
        s.sum([f"W|{key}|{x}" for x in members] + [f"HS|{OUTSIDE_REGION}|{key}", f"HS|{NO_HOME}|{key}"],
              f"S|{key}")
    return s


def home_hidden(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                codebook: Codebook | None = None) -> frozenset[str]:
    """The hidden cells of the home-municipality counts (see the module), solved
    over the whole association survey of the wave at once. ``assoc`` must hold
    every association of the wave (at least ``kotikunta``, ``paatoimiala``,
    ``ulottuvuus`` and ``toimialaryhma``)."""
    return home_system(assoc, year, threshold, codebook).hidden(threshold)


def hidden_keys(hidden: frozenset[str] | set[str], prefix: str) -> list[str]:
    """The last part of the hidden cells starting ``prefix`` (``HS|179|`` -> sector keys)."""
    return [c[len(prefix):] for c in sorted(hidden) if c.startswith(prefix)]


# -- the report's tables by sector and by municipality -----------------------------------

def _hidden_cells(table) -> dict[str, list[str]]:
    """``avain`` -> hidden value columns of a suppressed Table (only rows with any)."""
    if table is None or not table.asked or table.suppressed is None or "avain" not in table.frame.columns:
        return {}
    mask = table.mask()[table.value_columns]
    keys = table.frame["avain"].astype(str).to_numpy()
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


def report_masks(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                 codebook: Codebook | None = None, tables: tuple[str, ...] = REPORT_TABLES) -> dict[str, Any]:
    """Hidden cells of the report's ``tables`` computed over the whole wave:
    ``{table id: {avain: [hidden value columns]}}`` plus ``"home"``: :func:`home_hidden`.
    Plain picklable data; ``avain`` is the table's row key (``179:yhteistyo_tuntee``,
    ``kulttuuri``, an option key)."""
    from kartoitus.publication import indicators

    cb = codebook or default_codebook()
    out: dict[str, Any] = {"home": home_hidden(assoc, year, threshold, cb)}
    ctx = indicators.Context(cb=cb, year=int(year), threshold=threshold, home_hidden=out["home"])
    for tid in tables:
        builder = indicators.ASSOCIATION_INDICATORS[tid]
        table, plan = builder(assoc, ctx)
        out[tid] = _hidden_cells(sup.apply(table, plan, threshold))
    return out


def cooperation_hidden(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                       codebook: Codebook | None = None) -> dict[tuple[str, str], list[str]]:
    """``(municipality code, statement)`` -> the columns the report's
    ``yhteistyo_kunta`` hides (``n``, ``samaa_mielta``, ``keskiarvo``, ``p_<i>``)."""
    masks = report_masks(assoc, year, threshold, codebook, ("yhteistyo_kunta",))
    return views_mask(masks)


def views_mask(masks: dict[str, Any], codes: list[str] | None = None) -> dict[tuple[str, str], list[str]]:
    """The ``yhteistyo_kunta`` part of :func:`report_masks` keyed ``(code, statement)``
    (only ``codes`` when given)."""
    out = {}
    for key, cols in masks.get("yhteistyo_kunta", {}).items():
        code, _, statement = key.partition(":")
        if codes is None or code in codes:
            out[(code, statement)] = list(cols)
    return out
