"""Disclosure control, checked rather than trusted.

Every output of a thin fixture wave (``tests/fixtures/disclosure/2025``: 110
associations, most municipalities with 1-6 of them, most sectors with 1-15) is
built through the library at the level where its numbers live: the indicator
Tables the report and the workbook print, the Tables and plain models behind the
municipality PDFs, the workshop pack and the sector infographics. Then

(a) no published cell is a count of 1-4 respondents or a share, mean, sum or
    median computed from 1-4 respondents (the threshold is 5);
(b) no suppressed cell can be recovered from what is published: every published
    number becomes a linear equation over the true counts of the wave (row and
    column sums, a share x % of a published n, a mean of a 1-5 scale as a
    weighted sum, the same count printed by two outputs), and each hidden cell is
    minimised and maximised over the non-negative integer solutions
    (``scipy.optimize.milp``). A hidden cell whose feasible range is a single
    value is recovered: that is a leak. A range like 1..4 is fine (it says only
    what ``<5`` says).

The equations are written over the *true* values and every one of them is
checked against the data before it is used, so a wrong model of an output fails
loudly instead of hiding a leak. The municipality PDFs, the workshop pack and the
infographics are modelled from the payloads their ``*_jobs`` functions cut (as a
full build renders them). The plain models' printed texts are checked for counts
under the threshold, and one municipality PDF and one infographic page are
rendered and their text (pypdf) checked against their models: every number
printed is the model's, every table number and every ``<5`` is printed. (The
workbook is not re-read here: it prints the same Tables as the report.)

Modelling limits (the audit is a relaxation, it can only miss leaks, never
invent them): cuts of the same respondents by municipality and by sector are
linked through their common totals only (not through the full
municipality x sector x answer cube), and medians and quartiles are left out
(they are not linear in the counts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

scipy_optimize = pytest.importorskip("scipy.optimize")

from kartoitus.stages import bank
from kartoitus.publication import indicators
from kartoitus.publication import kuntatutka as kt  # noqa: E402
from kartoitus.publication import suppression as sup  # noqa: E402
from kartoitus.settings.codebook import OUTSIDE_REGION  # noqa: E402
from kartoitus.outputs import infographic as ig  # noqa: E402
from kartoitus.publication import WaveInput, publish  # noqa: E402
from kartoitus.publication.sectors import option_questions  # noqa: E402
from kartoitus.render.infographic import render_model as render_infographic  # noqa: E402
from kartoitus.outputs import municipality as mu  # noqa: E402
from kartoitus.outputs import workshop as ws  # noqa: E402
from kartoitus.publication import WaveInput, disclosure, publish  # noqa: E402
from kartoitus.publication import municipalities as pm  # noqa: E402
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK, Table  # noqa: E402

MARKS = (SMALL_MARK, PROTECTED_MARK)
from kartoitus.settings import load_settings  # noqa: E402

SETTINGS = load_settings()

FIXTURE = Path(__file__).parent / "fixtures" / "disclosure"
YEAR = 2025
T = sup.DEFAULT_THRESHOLD
UNKNOWN = "_tuntematon"
ALL = "_kaikki"


# -- the auditor ---------------------------------------------------------------------------

class Audit:
    """Linear equations over non-negative unknowns with known true values.

    ``cell(name, truth, shown)``: an output prints the quantity ``name`` (``shown``
    is the printed value, or None when the output hides it). ``eq``: a linear
    relation that holds in the data (checked against the true values)."""

    def __init__(self):
        self.truth: dict[str, float] = {}
        self.integer: dict[str, bool] = {}
        self.eqs: list[tuple[dict[str, float], float, str]] = []
        self.hidden: dict[str, list[str]] = defaultdict(list)
        self.shown: dict[str, list[str]] = defaultdict(list)

    def var(self, name: str, truth: float, integer: bool = True) -> str:
        truth = float(truth)
        if name in self.truth:
            assert abs(self.truth[name] - truth) < 1e-6 * max(1.0, abs(truth)), (
                f"model error: {name} is {self.truth[name]} and {truth}")
        else:
            self.truth[name] = truth
            self.integer[name] = integer
        return name

    def eq(self, coefs: dict[str, float], rhs: float = 0.0, what: str = "") -> None:
        lhs = sum(c * self.truth[v] for v, c in coefs.items())
        scale = max(1.0, abs(rhs), *(abs(c * self.truth[v]) for v, c in coefs.items()))
        assert abs(lhs - rhs) <= 1e-7 * scale, f"model error: {what or coefs}: {lhs} != {rhs}"
        self.eqs.append((dict(coefs), float(rhs), what))

    def total(self, name: str, parts: list[str], what: str = "") -> str:
        """``name`` = sum of ``parts`` (``name`` gets its true value from them)."""
        self.var(name, sum(self.truth[p] for p in parts), all(self.integer[p] for p in parts))
        coefs = defaultdict(float)
        for p in parts:
            coefs[p] += 1.0
        coefs[name] -= 1.0
        self.eq(dict(coefs), 0.0, what or f"{name} = sum")
        return name

    def cell(self, name: str, shown, where: str) -> None:
        """An output prints ``name`` as ``shown`` (None / NaN = hidden, ``<5``)."""
        assert name in self.truth, f"unknown quantity {name} ({where})"
        if shown is None:
            self.hidden[name].append(where)
            return
        if isinstance(shown, float) and np.isnan(shown):
            return      # printed empty: says nothing
        self.eq({name: 1.0}, float(shown), f"{where}: {name} printed")
        self.shown[name].append(where)

    def share(self, count: str, base: str, pct, where: str) -> None:
        """A printed share ``pct`` % = count / base (linear in the unknowns); a hidden
        share (None) leaves its count among the cells to audit."""
        if pct is None or (isinstance(pct, float) and np.isnan(pct)):
            if pct is None:
                self.hidden[count].append(where)
            return
        self.eq({count: 1.0, base: -float(pct) / 100.0}, 0.0, f"{where}: share {count}/{base}")

    def mean(self, counts: dict[str, float], base: str, value, where: str) -> None:
        """A printed mean: sum(scale value x count) = mean x n."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return
        coefs = dict(counts)
        coefs[base] = coefs.get(base, 0.0) - float(value)
        self.eq(coefs, 0.0, f"{where}: mean over {base}")

    # -- solving --
    def _components(self):
        parent = {v: v for v in self.truth}

        def find(v):
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for coefs, _, _ in self.eqs:
            vs = list(coefs)
            for v in vs[1:]:
                parent[find(v)] = find(vs[0])
        groups = defaultdict(list)
        for v in self.truth:
            groups[find(v)].append(v)
        return list(groups.values())

    def recovered(self) -> list[dict]:
        """Hidden quantities (never printed anywhere) whose feasible range is one value."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        out = []
        for comp in self._components():
            targets = [v for v in comp if v in self.hidden and v not in self.shown]
            if not targets:
                continue
            names = sorted(comp)
            pos = {v: i for i, v in enumerate(names)}
            rows = [(c, r) for c, r, _ in self.eqs if next(iter(c)) in pos]
            a = np.zeros((len(rows), len(names)))
            b = np.zeros(len(rows))
            for i, (coefs, rhs) in enumerate(rows):
                for v, c in coefs.items():
                    a[i, pos[v]] += c
                b[i] = rhs
            integrality = np.array([1 if self.integer[v] else 0 for v in names])
            cons = [LinearConstraint(a, b - 1e-9, b + 1e-9)] if len(rows) else []
            bounds = Bounds(0, np.inf)
            feasible = milp(np.zeros(len(names)), constraints=cons, integrality=integrality,
                            bounds=bounds)
            assert feasible.status == 0, f"audit system infeasible around {targets[0]}: {feasible.message}"
            # Every solution found proves each target whose value differs from the truth
            # unrecoverable, so most targets need no solve of their own.
            tol = {v: 0.5 if self.integer[v] else 1e-6 * max(1.0, abs(self.truth[v])) for v in targets}
            pending = set(targets)

            def settle(x):
                for u in list(pending):
                    if abs(x[pos[u]] - self.truth[u]) >= tol[u]:
                        pending.discard(u)

            settle(feasible.x)
            for v in targets:
                if v not in pending:
                    continue
                c = np.zeros(len(names))
                c[pos[v]] = 1.0
                ends = []
                for sign in (1.0, -1.0):
                    res = milp(sign * c, constraints=cons, integrality=integrality, bounds=bounds)
                    if res.status in (3, 4):     # unbounded (the system is feasible): not recovered
                        pending.discard(v)
                        break
                    assert res.status == 0, f"audit of {v} failed: {res.message}"
                    settle(res.x)
                    if v not in pending:
                        break
                    ends.append(float(res.x[pos[v]]))
                if v in pending:
                    out.append({"cell": v, "value": self.truth[v], "range": tuple(ends),
                                "hidden_in": self.hidden[v]})
        return out


# -- the wave ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wave(settings):
    cb = settings.codebook
    folder = FIXTURE / str(YEAR)
    assoc = bank.read_processed_csv(folder / "jarjestokysely.csv")
    muni = bank.read_processed_csv(folder / "kuntakysely.csv")
    return cb, assoc, muni


@pytest.fixture(scope="module")
def tables(wave, settings):
    cb, assoc, muni = wave
    return indicators.compute_all(assoc, muni, YEAR, settings, threshold=T)


@pytest.fixture(scope="module")
def publication(wave, settings):
    """The wave's kuntatutka and municipality figures, published once (as a full build does)."""
    cb, assoc, muni = wave
    return publish(WaveInput(year=YEAR, association=assoc, municipality=muni), settings, threshold=T,
                   parts=("kuntatutka", "municipalities"))


@pytest.fixture(scope="module")
def kuntatutka(publication):
    tut = publication.kuntatutka
    return {"scores": tut.scores, "median": tut.region_median, "checklist": tut.checklist}


@pytest.fixture(scope="module")
def municipal(wave, publication):
    """Per municipality: the Tables its PDF prints (and the workshop pack's columns) and
    its model, from the publication's figures (as a full build renders them)."""
    cb, assoc, muni = wave
    out = {}
    for code, f in publication.municipalities.items():
        out[code] = {
            "own": pm.own_associations(assoc, code, publication.settings), "figures": f,
            "sectors": pm.drop_zero_rows(f.sectors),      # the PDF leaves out a published zero row
            "reach": f.reach, "people": f.people, "activity": f.activity,
            "model": mu.municipality_model(publication, code),
        }
    return out


@pytest.fixture(scope="module")
def pages(wave):
    """Per sector with a page: the infographic's Tables (the publication's ``sectors``
    part, as a full build computes it) and its model."""
    cb, assoc, muni = wave
    pub = publish(WaveInput(year=YEAR, association=assoc, municipality=muni), SETTINGS, threshold=T,
                  parts=("sectors",))
    out = {}
    for s, figures in pub.sectors.items():
        out[s] = {"model": ig.infographic_model(pub, s), "tables": figures.tables}
    return {"pages": out}


@pytest.fixture(scope="module")
def workshop(wave, publication):
    """The workshop pack of every municipality of the year (its model, from the publication)."""
    cb, assoc, muni = wave
    codes = [m.code for m in cb.municipalities.for_year(YEAR)]
    return {"model": ws.workshop_model(publication, codes),
            "region": publication.municipalities[codes[0]].region}


# -- helpers over the data -----------------------------------------------------------------

def _codes(s: pd.Series) -> pd.Series:
    return kt.normalize_codes(s)


def home_of(assoc: pd.DataFrame, cb) -> pd.Series:
    codes = [m.code for m in cb.municipalities.for_year(YEAR)]
    h = _codes(assoc["kotikunta"])
    return h.where(h.isin(codes) | h.isna(), OUTSIDE_REGION).fillna(UNKNOWN).astype(str)


def sector_of(assoc: pd.DataFrame, cb) -> pd.Series:
    keys = list(cb.association.question("paatoimiala").option_keys())
    s = assoc["paatoimiala"].astype(object)
    return s.where(s.isin(keys), "muu").astype(str)


def homes(cb) -> list[str]:
    return [m.code for m in cb.municipalities.for_year(YEAR)] + [OUTSIDE_REGION, UNKNOWN]


def sectors(cb) -> list[str]:
    return list(dict.fromkeys([*cb.association.question("paatoimiala").option_keys(), "muu"]))


def row_of(t: Table, key) -> int:
    hit = t.frame.index[t.frame["avain"].astype(str) == str(key)]
    assert len(hit) == 1, f"{t.id}: no row {key}"
    return hit[0]


def shown(t: Table, i, col):
    """The printed value of a cell: None when hidden (``<5``), NaN when empty (``–``)."""
    if t.is_suppressed(i, col):
        return None
    v = t.frame.at[i, col]
    return float("nan") if pd.isna(v) else float(v)


def value(t: Table, key, col):
    return shown(t, key, col)


def _pct_of(t: Table, i, col):
    return shown(t, i, col)


# -- the systems of equations --------------------------------------------------------------

def add_home_sector(a: Audit, cb, assoc, tables, municipal, pages, workshop, sote_group) -> None:
    """Respondents by home municipality x main sector: the report's sector, sector-group,
    municipality and sub-region counts, every municipality PDF's and the workshop pack's
    sector counts and n, the infographics' headline and sub-region counts."""
    home, sec = home_of(assoc, cb), sector_of(assoc, cb)
    grid = pd.crosstab(home, sec).reindex(index=homes(cb), columns=sectors(cb), fill_value=0)
    for m in grid.index:
        for s in grid.columns:
            a.var(f"HS|{m}|{s}", grid.at[m, s])
    a.total("N", [f"HS|{m}|{s}" for m in grid.index for s in grid.columns])
    region = [m.code for m in cb.municipalities.for_year(YEAR)]
    for s in grid.columns:
        a.total(f"S|{s}", [f"HS|{m}|{s}" for m in grid.index])
        a.total(f"R|{s}", [f"HS|{m}|{s}" for m in region])          # in-region only
    for m in grid.index:
        a.total(f"K|{m}", [f"HS|{m}|{s}" for s in grid.columns])
    a.total("Nhome", [f"K|{m}" for m in grid.index if m != UNKNOWN])
    a.total("Nregion", [f"K|{m}" for m in region])

    t = tables["vastaajat_toimiala"]
    a.cell("N", t.n, "vastaajat_toimiala n")
    for s in grid.columns:
        i = row_of(t, s)
        a.cell(f"S|{s}", shown(t, i, "lkm"), f"vastaajat_toimiala {s}")
        a.share(f"S|{s}", "N", shown(t, i, "osuus"), f"vastaajat_toimiala {s}")

    sote = set(sote_group)
    t = tables["vastaajat_ryhma"]
    a.total("G|sote", [f"S|{s}" for s in grid.columns if s in sote])
    a.total("G|muut", [f"S|{s}" for s in grid.columns if s not in sote])
    for g in ("sote", "muut"):
        i = row_of(t, g)
        a.cell(f"G|{g}", shown(t, i, "lkm"), f"vastaajat_ryhma {g}")
        a.share(f"G|{g}", "N", shown(t, i, "osuus"), f"vastaajat_ryhma {g}")

    t = tables["vastaajat_kunta"]
    a.cell("Nhome", t.n, "vastaajat_kunta n")
    for m in grid.index:
        if m == UNKNOWN:
            continue
        i = row_of(t, m)
        a.cell(f"K|{m}", shown(t, i, "lkm"), f"vastaajat_kunta {m}")
        a.share(f"K|{m}", "Nhome", shown(t, i, "osuus"), f"vastaajat_kunta {m}")

    t = tables["vastaajat_seutukunta"]
    a.cell("Nhome", t.n, "vastaajat_seutukunta n")
    subs = cb.municipalities.subregions(YEAR)
    members = {x: [m.code for m in cb.municipalities.for_year(YEAR) if m.subregion_code == x] for x in subs}
    for x, codes in members.items():
        a.total(f"SK|{x}", [f"K|{m}" for m in codes])
        i = row_of(t, x)
        a.cell(f"SK|{x}", shown(t, i, "lkm"), f"vastaajat_seutukunta {x}")
        a.share(f"SK|{x}", "Nhome", shown(t, i, "osuus"), f"vastaajat_seutukunta {x}")
    i = row_of(t, OUTSIDE_REGION)
    a.cell(f"K|{OUTSIDE_REGION}", shown(t, i, "lkm"), "vastaajat_seutukunta ulkopuolella")

    # municipality PDFs (and the workshop pack's per-municipality columns: the same tables)
    for m in region:
        st = municipal[m]["sectors"]
        printed = municipal[m]["model"]["n_associations"]       # the intro prints it (or hides it)
        a.cell(f"K|{m}", None if printed is None else float(printed), f"kunta {m}: vastanneita")
        caption_hidden = municipal[m]["figures"].count_hidden or 0 < st.n < T     # "n = <5" in the captions
        a.cell(f"K|{m}", None if caption_hidden else float(st.n), f"kunta {m}: n")
        for s in grid.columns:
            where = f"kunta {m}: toimiala {s}"
            if s not in st.frame.index:          # a row left out is a printed zero
                a.cell(f"HS|{m}|{s}", 0.0, where)
                continue
            a.cell(f"HS|{m}|{s}", shown(st, s, "yhdistyksia"), where)
            a.share(f"HS|{m}|{s}", f"K|{m}", shown(st, s, "osuus"), where)

    # workshop pack: the region column (the report's shares of every respondent, n printed) and
    # the number of associations per municipality
    reg = workshop["region"].sectors
    a.cell("N", reg.n, "paja: maakunta n")
    for s in reg.frame.index:
        a.share(f"S|{s}", "N", shown(reg, s, "osuus"), f"paja: maakunta {s}")
    for fact in workshop["model"]["facts"]:
        text = fact["associations"].replace("\u00a0", "")
        a.cell(f"K|{fact['code']}", float(text) if text.isdigit() else None, f"paja: {fact['code']} vastanneita")
        a.cell("N", float(fact["region_associations"].replace("\u00a0", "")), "paja: maakunta vastanneita")

    # infographics: headline and where
    for s, page in pages["pages"].items():
        if page["tables"] is None:
            continue
        head, where_t = page["tables"]["headline"], page["tables"]["where"]
        a.cell(f"S|{s}", shown(head, "paatoimiala", "yhdistyksia"), f"infografiikka {s}: n")
        a.cell("N", head.n, f"infografiikka {s}: kaikki n")
        for x, codes in members.items():
            a.total(f"W|{s}|{x}", [f"HS|{m}|{s}" for m in codes])
            a.cell(f"W|{s}|{x}", shown(where_t, x, "yhdistyksia"), f"infografiikka {s}: seutukunta {x}")
            a.share(f"W|{s}|{x}", f"S|{s}", shown(where_t, x, "osuus"), f"infografiikka {s}: {x}")
        for key, label in ((OUTSIDE_REGION, OUTSIDE_REGION), (UNKNOWN, SETTINGS.names.no_answer)):
            name = f"HS|{key}|{s}"
            if label in where_t.frame.index:
                a.cell(name, shown(where_t, label, "yhdistyksia"), f"infografiikka {s}: {label}")
                a.share(name, f"S|{s}", shown(where_t, label, "osuus"), f"infografiikka {s}: {label}")
            else:
                a.cell(name, 0.0, f"infografiikka {s}: no {label} row")


def add_home_reach(a: Audit, cb, assoc, tables, municipal) -> None:
    """Respondents by home municipality x reach: the report's reach table and every
    municipality PDF's reach table."""
    home = home_of(assoc, cb)
    reach = assoc["ulottuvuus"].astype(object).where(assoc["ulottuvuus"].notna(), SETTINGS.names.no_answer).astype(str)
    t = tables["ulottuvuus"]
    keys = [*map(str, t.frame["avain"]), SETTINGS.names.no_answer]
    grid = pd.crosstab(home, reach).reindex(index=homes(cb), columns=keys, fill_value=0)
    for m in grid.index:
        for r in keys:
            a.var(f"HR|{m}|{r}", grid.at[m, r])
        a.total(f"K|{m}", [f"HR|{m}|{r}" for r in keys], f"reach of {m} adds up to its count")
    a.total("U|n", [f"HR|{m}|{r}" for m in grid.index for r in keys if r != SETTINGS.names.no_answer])
    a.cell("U|n", t.n, "ulottuvuus n")
    for r in keys[:-1]:
        a.total(f"U|{r}", [f"HR|{m}|{r}" for m in grid.index])
        i = row_of(t, r)
        a.cell(f"U|{r}", shown(t, i, "lkm"), f"ulottuvuus {r}")
        a.share(f"U|{r}", "U|n", shown(t, i, "osuus"), f"ulottuvuus {r}")
    for m in [m.code for m in cb.municipalities.for_year(YEAR)]:
        rt = municipal[m]["reach"]
        for r in keys:
            where = f"kunta {m}: ulottuvuus {r}"
            if r not in rt.frame.index:
                a.cell(f"HR|{m}|{r}", 0.0, where)
                continue
            a.cell(f"HR|{m}|{r}", shown(rt, r, "yhdistyksia"), where)
            a.share(f"HR|{m}|{r}", f"K|{m}", shown(rt, r, "osuus"), where)


def add_activity(a: Audit, cb, assoc, tables, municipal) -> None:
    """Associations operating in a municipality: the report's toimintakunnat and each PDF's
    home-here / elsewhere / total table."""
    t = tables["toimintakunnat"]
    q = cb.association.question("toimintakunnat")
    cols = [f"toimintakunnat__{m.code}" for m in cb.municipalities.for_year(YEAR)]
    answered = assoc[[c for c in cols if c in assoc.columns]].notna().any(axis=1)
    if q.allow_other:
        answered |= assoc.get("toimintakunnat__muu", pd.Series(np.nan, index=assoc.index)).astype(
            "string").str.strip().fillna("").ne("")
    a.var("TK|n", answered.sum())
    a.cell("TK|n", t.n, "toimintakunnat n")
    home = _codes(assoc["kotikunta"])
    for m in [m.code for m in cb.municipalities.for_year(YEAR)]:
        col = f"toimintakunnat__{m}"
        active = pd.to_numeric(assoc[col], errors="coerce") == 1
        here = a.var(f"TH|{m}", (active & (home == m)).sum())
        away = a.var(f"TE|{m}", (active & (home != m)).sum())
        a.total(f"TK|{m}", [here, away])
        i = row_of(t, m)
        a.cell(f"TK|{m}", shown(t, i, "lkm"), f"toimintakunnat {m}")
        a.share(f"TK|{m}", "TK|n", shown(t, i, "osuus"), f"toimintakunnat {m}")
        act = municipal[m]["activity"]
        if act is not None:
            for row, name in (("kotipaikka_kunnassa", here), ("kotipaikka_muualla", away),
                              ("yhteensa", f"TK|{m}")):
                a.cell(name, shown(act, row, "yhdistyksia"), f"kunta {m}: toiminta {row}")


def add_people(a: Audit, cb, assoc, tables, municipal, pages, people) -> None:
    """Members, volunteers, paid staff: respondents and totals by sector (report,
    infographics) and by municipality (PDFs, workshop), with the common total."""
    home, sec = home_of(assoc, cb), sector_of(assoc, cb)
    t = tables["henkilot_toimiala"]
    for q, _ in people:
        v = pd.to_numeric(assoc[q], errors="coerce")
        for cut, groups in (("s", sec), ("m", home)):
            n = v.notna().groupby(groups).sum()
            tot = v.groupby(groups).sum()
            keys = sectors(cb) if cut == "s" else homes(cb)
            for g in keys:
                a.var(f"PN|{cut}|{g}|{q}", n.get(g, 0))
                a.var(f"PS|{cut}|{g}|{q}", tot.get(g, 0.0), integer=False)
            a.total(f"PN|{q}", [f"PN|{cut}|{g}|{q}" for g in keys])
            a.total(f"PS|{q}", [f"PS|{cut}|{g}|{q}" for g in keys])
        for s in sectors(cb) + [indicators.TOTAL_KEY]:
            i = row_of(t, s)
            g = f"PN|s|{s}|{q}" if s != indicators.TOTAL_KEY else f"PN|{q}"
            h = f"PS|s|{s}|{q}" if s != indicators.TOTAL_KEY else f"PS|{q}"
            a.cell(g, shown(t, i, f"{q}_n"), f"henkilot_toimiala {s} {q} n")
            summa = shown(t, i, f"{q}_summa")
            a.cell(h, 0.0 if (summa is None and not t.is_suppressed(i, f"{q}_summa")) else summa,
                   f"henkilot_toimiala {s} {q} summa")
        for m in [m.code for m in cb.municipalities.for_year(YEAR)]:
            pt = municipal[m]["people"]
            if q in pt.frame.index:
                a.cell(f"PN|m|{m}|{q}", shown(pt, q, "vastanneita"), f"kunta {m}: {q} n")
                s_ = shown(pt, q, "yhteensa")
                a.cell(f"PS|m|{m}|{q}", 0.0 if (s_ is None and not pt.is_suppressed(q, "yhteensa")) else s_,
                       f"kunta {m}: {q} yhteensa")
        for s, page in pages["pages"].items():
            if page["tables"] is None or q not in page["tables"]["people"].frame.index:
                continue
            pt = page["tables"]["people"]
            a.cell(f"PN|s|{s}|{q}", shown(pt, q, "vastanneita"), f"infografiikka {s}: {q} n")
            s_ = shown(pt, q, "yhteensa")
            a.cell(f"PS|s|{s}|{q}", 0.0 if (s_ is None and not pt.is_suppressed(q, "yhteensa")) else s_,
                   f"infografiikka {s}: {q} yhteensa")


def add_options(a: Audit, cb, assoc, tables, pages) -> None:
    """Multi-select questions by sector: the report's region table and by-sector table,
    and the infographics' option panels (counts, shares, region share)."""
    sec = sector_of(assoc, cb)
    by_sector = {"kohderyhmat": "kohderyhmat_toimiala", "toimintamuodot": "toimintamuodot_toimiala"}
    for q in option_questions(SETTINGS):
        question = cb.association.question(q)
        keys = list(question.option_keys())
        cols = [f"{q}__{k}" for k in keys]
        ticks = assoc[cols].apply(pd.to_numeric, errors="coerce")
        ig_answered = ticks.notna().any(axis=1)
        answered = ig_answered.copy()
        other = None
        if question.allow_other:
            other = assoc[f"{q}__muu"].astype("string").str.strip().fillna("").ne("")
            answered |= other
        for s in sectors(cb):
            rows = sec == s
            a.var(f"ON|{q}|{s}", (answered & rows).sum())
            a.var(f"OI|{q}|{s}", (ig_answered & rows).sum())
            for k, c in zip(keys, cols):
                a.var(f"OC|{q}|{s}|{k}", ((ticks[c] == 1) & rows).sum())
            if other is not None:
                a.var(f"OC|{q}|{s}|_muu", (other & rows).sum())
        extra = ["_muu"] if other is not None else []
        a.total(f"ON|{q}", [f"ON|{q}|{s}" for s in sectors(cb)])
        a.total(f"OI|{q}", [f"OI|{q}|{s}" for s in sectors(cb)])
        for k in keys + extra:
            a.total(f"OC|{q}|{k}", [f"OC|{q}|{s}|{k}" for s in sectors(cb)])
        t = tables[q]
        a.cell(f"ON|{q}", t.n, f"{q} n")
        for k in keys + extra:
            i = row_of(t, "muu" if k == "_muu" else k) if k != "muu" or "_muu" not in extra else None
            if k == "muu" and "_muu" in extra:
                continue     # (no option keyed muu next to the other-text)
            a.cell(f"OC|{q}|{k}", shown(t, i, "lkm"), f"{q} {k}")
            a.share(f"OC|{q}|{k}", f"ON|{q}", shown(t, i, "osuus"), f"{q} {k}")
        if q in by_sector:
            bt = tables[by_sector[q]]
            for s in sectors(cb):
                i = row_of(bt, s)
                a.cell(f"ON|{q}|{s}", shown(bt, i, "n"), f"{bt.id} {s} n")
                for k in keys + extra:
                    col = f"p_{'muu' if k == '_muu' else k}"
                    a.share(f"OC|{q}|{s}|{k}", f"ON|{q}|{s}", shown(bt, i, col), f"{bt.id} {s} {k}")
        for s, page in pages["pages"].items():
            ot = None if page["tables"] is None else page["tables"].get(q)
            if ot is None:
                continue
            where = f"infografiikka {s}: {q}"
            for k in keys:
                a.cell(f"OC|{q}|{s}|{k}", shown(ot, k, "yhdistyksia"), f"{where} {k}")
                a.cell(f"OI|{q}|{s}", shown(ot, k, "vastanneita"), f"{where} n")
                a.share(f"OC|{q}|{s}|{k}", f"OI|{q}|{s}", shown(ot, k, "osuus"), f"{where} {k}")
                a.share(f"OC|{q}|{k}", f"OI|{q}", shown(ot, k, "kaikki"), f"{where} {k} kaikki")


def add_grid(a: Audit, cb, assoc, tables, views, pages) -> None:
    """The cooperation grid: region, by sector and by municipality in the report, the two
    views per municipality (n, mean, share agreeing) and the infographics' panel."""
    q = cb.association.question("yhteistyo")
    scale = sorted(v for _, v in q.columns if v is not None)
    sec, home = sector_of(assoc, cb), home_of(assoc, cb)
    agree_values = scale[-2:]
    for r in q.rows:
        v = pd.to_numeric(assoc[r.key], errors="coerce")
        for cut, groups, keys in (("s", sec, sectors(cb)), ("m", home, homes(cb))):
            for g in keys:
                rows = groups == g
                for x in scale:
                    a.var(f"GV|{cut}|{g}|{r.key}|{x:g}", ((v == x) & rows).sum())
                a.total(f"GN|{cut}|{g}|{r.key}", [f"GV|{cut}|{g}|{r.key}|{x:g}" for x in scale])
                a.total(f"GA|{cut}|{g}|{r.key}", [f"GV|{cut}|{g}|{r.key}|{x:g}" for x in agree_values])
            for x in scale:
                a.total(f"GV|{r.key}|{x:g}", [f"GV|{cut}|{g}|{r.key}|{x:g}" for g in keys])
        a.total(f"GN|{r.key}", [f"GV|{r.key}|{x:g}" for x in scale])
        a.total(f"GA|{r.key}", [f"GV|{r.key}|{x:g}" for x in agree_values])

    def grid_row(t: Table, i, prefix: str, where: str):
        a.cell(f"GN|{prefix}", shown(t, i, "n"), f"{where} n")
        for j, x in enumerate(scale, start=1):
            a.share(f"GV|{prefix}|{x:g}", f"GN|{prefix}", shown(t, i, f"p_{j}"), f"{where} p_{j}")
        a.share(f"GA|{prefix}", f"GN|{prefix}", shown(t, i, "samaa_mielta"), f"{where} samaa")
        a.mean({f"GV|{prefix}|{x:g}": float(x) for x in scale}, f"GN|{prefix}",
               shown(t, i, "keskiarvo"), f"{where} keskiarvo")

    t = tables["yhteistyo"]
    for r in q.rows:
        grid_row(t, row_of(t, r.key), r.key, f"yhteistyo {r.key}")
    t = tables["yhteistyo_toimiala"]
    for s in sectors(cb):
        for r in q.rows:
            grid_row(t, row_of(t, f"{s}:{r.key}"), f"s|{s}|{r.key}", f"yhteistyo_toimiala {s} {r.key}")
    t = tables["yhteistyo_kunta"]
    for m in homes(cb):
        if m == UNKNOWN:
            continue
        for r in q.rows:
            grid_row(t, row_of(t, f"{m}:{r.key}"), f"m|{m}|{r.key}", f"yhteistyo_kunta {m} {r.key}")

    # the two views (municipality PDFs and the workshop pack)
    for row in views.itertuples(index=False):
        m, r = str(row.kunta), row.vaite
        where = f"kaksi nakokulmaa {m} {r}"
        n = None if bool(row.suojattu) else float(row.n)
        a.cell(f"GN|m|{m}|{r}", n, f"{where} n")
        if n:
            a.share(f"GA|m|{m}|{r}", f"GN|m|{m}|{r}", row.samaa_mielta_pct, f"{where} samaa")
            a.mean({f"GV|m|{m}|{r}|{x:g}": float(x) for x in scale}, f"GN|m|{m}|{r}", row.keskiarvo,
                   f"{where} keskiarvo")

    for s, page in pages["pages"].items():
        ct = None if page["tables"] is None else page["tables"].get("yhteistyo")
        if ct is None:
            continue
        for r in ct.frame.index:
            where = f"infografiikka {s}: yhteistyo {r}"
            a.cell(f"GA|s|{s}|{r}", shown(ct, r, "samaa_mielta"), f"{where} samaa")
            a.cell(f"GN|s|{s}|{r}", shown(ct, r, "vastanneita"), f"{where} n")
            a.share(f"GA|s|{s}|{r}", f"GN|s|{s}|{r}", shown(ct, r, "osuus"), f"{where} osuus")
            a.share(f"GA|{r}", f"GN|{r}", shown(ct, r, "kaikki"), f"{where} kaikki")


HANDLED = {"vastaajat_toimiala", "vastaajat_ryhma", "vastaajat_kunta", "vastaajat_seutukunta",
           "ulottuvuus", "toimintakunnat", "henkilot_toimiala", "kohderyhmat", "toimintamuodot",
           "haasteet", "kohderyhmat_toimiala", "toimintamuodot_toimiala", "yhteistyo",
           "yhteistyo_toimiala", "yhteistyo_kunta"}


def add_other_tables(a: Audit, cb, tables, truth) -> None:
    """Every other association-survey table on its own: counts, shares of the printed n,
    and for single-choice distributions the counts adding up to n. ``truth``: the same
    tables computed without suppression."""
    for tid, t in tables.items():
        if tid in HANDLED or tid.startswith("kunnat_") or not t.asked:
            continue
        assert list(t.kinds) == ["lkm", "osuus"], f"{tid}: a table shape the audit does not know"
        full = truth[tid]
        base = a.var(f"D|{tid}|n", full.n)
        a.cell(base, t.n, f"{tid} n")
        parts = []
        for i in t.frame.index:
            name = a.var(f"D|{tid}|{t.frame.at[i, 'avain']}", full.frame.at[i, "lkm"])
            parts.append(name)
            a.cell(name, shown(t, i, "lkm"), f"{tid} {t.frame.at[i, 'avain']}")
            a.share(name, base, shown(t, i, "osuus"), f"{tid} {t.frame.at[i, 'avain']}")
        single = tid == "vastauskattavuus" or cb.association.question(t.source.split(",")[0]).type != "multi" \
            if t.source.split(",")[0] in cb.association else True
        if tid != "vastauskattavuus" and single:
            a.eq({**{p: 1.0 for p in parts}, base: -1.0}, 0.0, f"{tid}: rows add up to n")


def views_of(municipal, cb) -> pd.DataFrame:
    """The two views every municipality PDF prints, from its figures."""
    return pd.concat([parts_["figures"].views for parts_ in municipal.values()], ignore_index=True)


@pytest.fixture(scope="module")
def audit(wave, tables, kuntatutka, municipal, pages, workshop, settings):
    cb, assoc, muni = wave
    truth = indicators.compute_all(assoc, muni, YEAR, settings, threshold=0)
    a = Audit()
    add_home_sector(a, cb, assoc, tables, municipal, pages, workshop, settings.sote)
    add_home_reach(a, cb, assoc, tables, municipal)
    add_activity(a, cb, assoc, tables, municipal)
    add_people(a, cb, assoc, tables, municipal, pages, indicators.people(settings.names))
    add_options(a, cb, assoc, tables, pages)
    add_grid(a, cb, assoc, tables, views_of(municipal, cb), pages)
    add_other_tables(a, cb, tables, truth)
    return a


#: Leaks this audit finds that are not fixed yet (cell-name prefixes): none. The cells that
#: several outputs print (municipality, sub-region and sector counts, the municipality x
#: sector and x reach grids, the infographics' sector x sub-region counts) are suppressed
#: together (kartoitus.publication.disclosure.home_hidden), the two views follow yhteistyo_kunta and
#: the infographic panels the report's tables by sector (indicators.report_masks).
KNOWN_OPEN: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def leaks(audit):
    return audit.recovered()


def test_no_recovered_cell_outside_the_known_open_issues(leaks):
    new = [x for x in leaks if not (KNOWN_OPEN and x["cell"].startswith(KNOWN_OPEN))]
    lines = [f"{x['cell']} = {x['value']:g} (hidden in {', '.join(x['hidden_in'][:3])})" for x in new]
    assert not new, f"{len(new)} suppressed cells recoverable:\n" + "\n".join(lines)


def test_no_hidden_cell_can_be_recovered(leaks):
    lines = [f"{x['cell']} = {x['value']:g} (hidden in {', '.join(x['hidden_in'][:3])})" for x in leaks]
    assert not leaks, f"{len(leaks)} suppressed cells recoverable:\n" + "\n".join(lines)


def test_no_published_count_under_the_threshold(tables, municipal, pages):
    """(a) on the Tables every output prints: no visible count of 1-4, no visible share,
    mean or number computed from 1-4 respondents (shares whose count is 1-4)."""
    problems = []
    every = dict(tables)
    for code, parts in municipal.items():
        for k in ("sectors", "reach", "people", "activity"):
            if parts[k] is not None:
                every[f"kunta {code} {k}"] = parts[k]
    for s, page in pages["pages"].items():
        for k, t in (page["tables"] or {}).items():
            every[f"infografiikka {s} {k}"] = t
    for name, t in every.items():
        if name.startswith("kunnat_"):
            continue    # the municipality survey describes municipalities (published as is)
        problems += [f"{name}: {p}" for p in sup.check(t, T)]
        mask = t.mask()
        for c, kind in t.kinds.items():
            if kind != "percent" or "lkm" not in t.frame.columns or c != "osuus":
                continue
            count = pd.to_numeric(t.frame["lkm"], errors="coerce")
            bad = (count > 0) & (count < T) & ~mask[c]
            problems += [f"{name}: osuus of {count[i]:g}" for i in t.frame.index[bad.fillna(False)]]
    assert not problems, "\n".join(problems)


def test_table_n_is_never_one_to_four(tables):
    """A table's n is printed in every caption ("n = 3" would be a count of 1-4)."""
    small = {tid: t.n for tid, t in tables.items() if not tid.startswith("kunnat_") and 0 < t.n < T}
    assert not small, small


# -- the printed texts of the models --------------------------------------------------------

def _strings(obj) -> list[str]:
    """Every string of a nested model (dicts, lists), data URIs left out."""
    if isinstance(obj, str):
        return [] if obj.startswith("data:") else [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v)]
    return []


def _int(text: str) -> int:
    return int(text.replace("\u00a0", "").replace(" ", ""))


def _pct(text: str) -> float:
    return float(text.replace("\u00a0", "").replace("%", "").replace(",", ".").strip())


def _count_ok(count: int) -> bool:
    return count == 0 or count >= T


def test_model_texts_print_no_count_under_the_threshold(municipal, workshop):
    """(a) on the plain models the templates print: no n, count or share agreeing of 1-4
    associations in the municipality PDFs (intro, captions, two views) or the workshop pack
    (association counts, sector counts, two views)."""
    problems = []
    for code, parts in municipal.items():
        model = parts["model"]
        for text in _strings(model):
            for m in re.finditer(r"n = ([\d\u00a0]+)", text):
                if not _count_ok(_int(m.group(1))):
                    problems.append(f"kunta {code}: {text!r}")
            for m in re.finditer(r"vastasi ([\d\u00a0]+) yhdistys", text):
                if not _count_ok(_int(m.group(1))):
                    problems.append(f"kunta {code}: {text!r}")
        for r in model["views"]["rows"]:
            if r["n"] in MARKS:
                assert r["agree"] == r["mean"] == PROTECTED_MARK
                continue
            n = _int(r["n"])
            if not _count_ok(n):
                problems.append(f"kunta {code}: two views n {n}")
            if r["agree"] not in (*MARKS, "\u2013") and not _count_ok(round(_pct(r["agree"]) * n / 100)):
                problems.append(f"kunta {code}: two views {r['agree']} of {n}")
    model = workshop["model"]
    for f in model["facts"]:
        if f["associations"] not in (*MARKS, f"alle {T}") and not _count_ok(_int(f["associations"])):
            problems.append(f"paja: {f['name']} {f['associations']}")
    for row in model["sectors"]["rows"]:
        for c in row[1:-1]:                       # the municipalities' columns are counts
            if c["text"] not in MARKS and not _count_ok(_int(c["text"])):
                problems.append(f"paja: toimialat {row[0]['text']} {c['text']}")
    for row in model["views"]["rows"]:
        for c in row[1:]:
            m = re.fullmatch(r"(.+) \(n (.+)\)", c["text"])
            assert m, c["text"]
            agree, n = m.groups()
            if n in MARKS:
                assert agree == PROTECTED_MARK
                continue
            if not _count_ok(_int(n)):
                problems.append(f"paja: kaksi näkökulmaa n {n}")
            if agree not in (*MARKS, "\u2013") and not _count_ok(round(_pct(agree) * _int(n) / 100)):
                problems.append(f"paja: kaksi näkökulmaa {agree} of {n}")
    assert not problems, "\n".join(problems)


def test_models_print_what_the_report_prints(municipal, workshop, tables, wave):
    """The same figure, the same way: a municipality's n is printed by the PDF and the
    workshop pack exactly when the report's vastaajat_kunta prints it."""
    cb, assoc, muni = wave
    t = tables["vastaajat_kunta"]
    facts = {f["code"]: f["associations"] for f in workshop["model"]["facts"]}
    for code, parts in municipal.items():
        i = row_of(t, code)
        report = shown(t, i, "lkm")
        pdf = parts["model"]["n_associations"]
        assert (report is None) == (pdf is None), code
        assert (report is None) == (facts[code] in (*MARKS, f"alle {T}")), code


# -- the rendered PDFs against their models -------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[\u00a0 ]\d{3})*(?:,\d+)?")
_TOKEN = re.compile(r"\d+(?:,\d+)?")


def _numbers(texts) -> set[str]:
    """The numbers of ``texts`` as printed (``1 234``, ``12,5``), spaces dropped."""
    out = set()
    for text in texts:
        out |= {re.sub(r"[\u00a0 ]", "", m.group(0)) for m in _NUMBER.finditer(text)}
    return out


def _tokens(texts) -> set[str]:
    """Digit groups (a PDF's text does not tell ``1 234`` from two cells ``1`` and ``234``)."""
    return {m.group(0) for text in texts for m in _TOKEN.finditer(text.replace("\u00a0", " "))}


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages).replace("\u00a0", " ")


def _table_cells(table: dict) -> list[str]:
    return [c["text"] for row in table["rows"] for c in row if c.get("text")]


def test_municipality_pdf_prints_the_model(municipal, tmp_path):
    """(b) one municipality PDF rendered from its model: every number printed is one of the
    model's, every number of its tables is printed, and every ``<5`` of the model is."""
    code = max(municipal, key=lambda c: len(municipal[c]["own"]))
    model = municipal[code]["model"]
    from kartoitus.render.municipality import write_municipality

    path = write_municipality(model, tmp_path / f"{code}.pdf")
    text = _pdf_text(path)
    allowed = _tokens(_strings(model)) | {str(i) for i in range(1, 10)}    # + page numbers
    stray = _tokens([text]) - allowed
    assert not stray, f"numbers in the PDF that the model does not hold: {sorted(stray)}"
    cells = []
    for key in ("sectors", "reach", "people", "activity"):
        if model[key] is not None:
            cells += _table_cells(model[key]["table"])
    cells += [r[k] for r in model["views"]["rows"] for k in ("n", "mean", "agree")]
    flat = re.sub(r"\s+", "", text)
    for number in _numbers(cells):
        assert number in flat, number
    hidden = sum(1 for c in cells if c in MARKS)
    assert hidden > 0 and sum(flat.count(m) for m in MARKS) >= hidden


def test_infographic_pdf_prints_the_model(pages, tmp_path):
    """(b) one sector infographic rendered from its model, checked the same way."""
    sector = max((s for s, p in pages["pages"].items() if not p["model"]["suppressed"]),
                 key=lambda s: sum(r["suppressed"] for p in pages["pages"][s]["model"]["panels"].values()
                                   for r in p["rows"]))
    model = pages["pages"][sector]["model"]
    pdf, _png = render_infographic(model)
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    text = _pdf_text(path)
    stray = _tokens([text]) - _tokens(_strings(model)) - {"1"}
    assert not stray, f"numbers in the PDF that the model does not hold: {sorted(stray)}"
    cells = [t["value"] for t in model["tiles"]]
    for panel in model["panels"].values():
        cells += [r["value"] for r in panel["rows"]] + [r["region"] for r in panel["rows"] if r["region"]]
    flat = re.sub(r"\s+", "", text)
    for number in _numbers(cells):
        assert number in flat, number
    hidden = sum(1 for c in cells if c in MARKS)
    assert hidden > 0 and sum(flat.count(m) for m in MARKS) >= hidden


def test_the_auditor_finds_a_recoverable_cell():
    """The auditor itself: a hidden cell next to a published total is recovered; two
    hidden cells of the same total are not (the range 0..3 says only what <5 says)."""
    a = Audit()
    for name, v in (("x", 2), ("y", 1), ("z", 7)):
        a.var(name, v)
    a.total("n", ["x", "y", "z"])
    a.cell("n", 10, "n")
    a.cell("z", 7, "z")
    a.cell("x", None, "x")
    a.cell("y", 1, "y")
    assert [r["cell"] for r in a.recovered()] == ["x"]
    a = Audit()
    for name, v in (("x", 2), ("y", 1), ("z", 7)):
        a.var(name, v)
    a.total("n", ["x", "y", "z"])
    a.cell("n", 10, "n")
    a.cell("z", 7, "z")
    a.cell("x", None, "x")
    a.cell("y", None, "y")
    assert a.recovered() == []


# -- disclosure below the indicators ------------------------------------------------------------

def test_disclosure_does_not_import_the_indicators():
    import subprocess
    import sys

    code = ("import sys, kartoitus.publication.disclosure; "
            "sys.exit(1 if 'kartoitus.publication.indicators' in sys.modules else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_report_masks_are_the_masks_of_the_published_tables(wave, tables, settings):
    from kartoitus.publication import disclosure

    _, assoc, _ = wave
    home = disclosure.home_hidden(assoc, YEAR, T, settings)
    masks = indicators.report_masks(assoc, YEAR, T, settings)
    assert masks == disclosure.masks_of(tables, home)
    assert set(masks) == {"home", *disclosure.REPORT_TABLES}
    assert masks["home"] and any(masks[tid] for tid in disclosure.REPORT_TABLES)
    assert indicators.cooperation_hidden(assoc, YEAR, T, settings) == disclosure.views_mask(masks)
