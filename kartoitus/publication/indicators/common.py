"""What every indicator module shares: the row and column conventions, the
:class:`Context` of a wave, and small vectorised helpers over processed frames."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from kartoitus.publication import disclosure
from kartoitus.publication.suppression import DEFAULT_THRESHOLD, SuppressionPlan
from kartoitus.settings import Settings
from kartoitus.settings.codebook import OTHER_SUFFIX, Codebook, Question, municipality_codes
from kartoitus.settings.names import Names
from kartoitus.models import Reference
from kartoitus.tables import Table

KEY = "avain"
TOTAL_KEY = "yhteensa"
TOTAL_LABEL = "Yhteensä"
OTHER_LABEL = "Muu"
UNCLASSIFIED_LABEL = "Muu tai luokittelematon"
OUTSIDE_LABEL = "Maakunnan ulkopuolella"
NO_POPULATION = "Väestötietoja ei ole saatavilla."
NO_REGISTRY = "Yhdistysrekisterin tietoja ei ole saatavilla."
NOT_ANSWERED = "ei vastannut"
ANSWERED = "vastasi"
YES, NO = "Kyllä", "Ei"
#: Row key of a main sector that came from a classification rule (``paatoimiala_lahde``
#: holds the rule's id)
RULE_SOURCE = "saanto"
MONTHS = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
          "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")


def group_labels(names: Names) -> dict[str, str]:
    """Sector group key -> Finnish label (the groups of ``names.group``)."""
    return {names.group_sote: "Sosiaali- ja terveysala", names.group_other: "Muut toimialat"}


def source_labels(names: Names) -> dict[str, str]:
    """Main-sector source key -> Finnish label (``names.sector_source``; every rule id is
    counted as :data:`RULE_SOURCE`)."""
    return {names.source_answer: "Yhdistyksen oma vastaus", RULE_SOURCE: "Luokittelusääntö",
            names.source_correction: "Korjaustiedosto", names.source_none: "Ei luokiteltavissa (muu)"}


def people(names: Names) -> tuple[tuple[str, str], ...]:
    """(question id, Finnish label) of the people counts: members, volunteers, paid staff."""
    return ((names.q_members, "Jäsenet"), (names.q_volunteers, "Vapaaehtoiset"),
            (names.q_staff, "Palkatut (htv)"))


COUNT, PCT = "lkm", "osuus"
#: Row label of the all-groups figures in a plan's values (not a table row): tables by
#: sector or municipality add up to the overall table, which publishes these.
ALL_ROW = "_kaikki"
HEADERS = {COUNT: "Lukumäärä", PCT: "Osuus, %"}

Built = tuple[Table, SuppressionPlan | None]


@dataclass(frozen=True)
class Context:
    """What every indicator of a wave is computed with."""
    settings: Settings
    year: int
    reference: Reference | None = None
    threshold: int = DEFAULT_THRESHOLD
    #: :func:`kartoitus.publication.disclosure.home_hidden` of the wave (None: computed when needed)
    home_hidden: frozenset[str] | None = None

    @property
    def cb(self) -> Codebook:
        return self.settings.codebook

    @property
    def names(self) -> Names:
        return self.settings.names


def _home_hidden(assoc: pd.DataFrame, ctx: Context) -> frozenset[str]:
    """The respondent counts by home municipality, sub-region, sector, group and
    reach that every output hides (one suppression over the wave, shared with the
    municipality PDFs, workshop packs and infographics)."""
    if ctx.home_hidden is not None:
        return ctx.home_hidden
    return disclosure.home_hidden(assoc, ctx.year, ctx.threshold, ctx.settings)


def _with_hidden(built: Built, prefix: str, hidden: frozenset[str],
                 keys: dict[str, str] | None = None) -> Built:
    """``built`` with the count of each row whose cell ``prefix + key`` is in
    ``hidden`` forced hidden (``keys`` renames row keys to cell names)."""
    table, plan = built
    if plan is None:
        return built
    cells = []
    for i, key in zip(table.frame.index, table.frame[KEY].astype(str)):
        name = (keys or {}).get(key, prefix + key)
        if name in hidden:
            cells.append((i, COUNT))
    return table, replace(plan, hidden=tuple(plan.hidden) + tuple(cells))


# -- small vectorised helpers ---------------------------------------------------------

def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _text(s: pd.Series) -> pd.Series:
    """Non-empty text as str, else NA (the processed-data missing value)."""
    t = s.astype("string").str.strip()
    return t.where(t != "", pd.NA)


def _codes(s: pd.Series) -> pd.Series:
    """Municipality codes as three-digit text (tolerates ints and floats like 77.0)."""
    return municipality_codes(s)


def _pct(count, base):
    count = np.asarray(count, dtype="float64")
    base = np.asarray(base, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, 100.0 * count / base, np.nan)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-missing one when the wave lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _has(frame: pd.DataFrame, q: Question, ctx: Context) -> bool:
    """Was the question asked in this wave (codebook years and columns present)?"""
    if not q.asked_in(ctx.year):
        return False
    cols = q.processed_columns(ctx.cb.municipalities, ctx.year)
    return any(c in frame.columns for c in cols)


def _multi_cols(q: Question, ctx: Context) -> tuple[list[str], list[str], list[str]]:
    """(columns, keys, labels) of a multi question's options (not the other-text)."""
    if q.options_from == "municipalities":
        ms = ctx.cb.municipalities.for_year(ctx.year)
        keys, labels = [m.code for m in ms], [m.name for m in ms]
    else:
        keys, labels = list(q.option_keys()), [o.label for o in q.options]
    return [f"{q.id}__{k}" for k in keys], keys, labels


def _answered_multi(frame: pd.DataFrame, q: Question, ctx: Context) -> pd.Series:
    cols, _, _ = _multi_cols(q, ctx)
    present = [c for c in cols if c in frame.columns]
    answered = frame[present].notna().any(axis=1) if present else pd.Series(False, index=frame.index)
    if q.allow_other:
        answered |= _text(_col(frame, q.id + OTHER_SUFFIX)).notna()
    return answered.astype(bool)


def _multi_rows(frame: pd.DataFrame, rows: pd.Series, q: Question, ctx: Context) -> pd.DataFrame:
    """The rows ``rows`` of only the columns of multi question ``q`` (not a copy of the whole frame)."""
    cols, _, _ = _multi_cols(q, ctx)
    wanted = [c for c in [*cols, q.id + OTHER_SUFFIX] if c in frame.columns]
    return frame.loc[rows, wanted]


def _multi_matrix(frame: pd.DataFrame, q: Question, ctx: Context) -> tuple[pd.DataFrame, list[str], list[str]]:
    """0/1 float matrix of the options (+ ``muu`` for the other-text), keys and labels."""
    cols, keys, labels = _multi_cols(q, ctx)
    # fillna and clip column by column: no further copies of the whole matrix
    m = pd.DataFrame({k: (_num(frame[c]).fillna(0.0).clip(0, 1).to_numpy() if c in frame.columns
                          else np.zeros(len(frame))) for c, k in zip(cols, keys)}, index=frame.index, copy=False)
    if q.allow_other:
        m[ctx.names.other] = _text(_col(frame, q.id + OTHER_SUFFIX)).notna().astype("float64")
        keys, labels = [*keys, ctx.names.other], [*labels, OTHER_LABEL]
    return m, keys, labels


def _sectors(ctx: Context) -> tuple[list[str], list[str]]:
    q = ctx.cb.association.question(ctx.names.q_sector)
    return ([*q.option_keys(), ctx.names.other], [*(o.label for o in q.options), UNCLASSIFIED_LABEL])


def _sector_of(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    keys, _ = _sectors(ctx)
    s = _text(_col(frame, ctx.names.q_sector))
    return s.where(s.isin(keys), ctx.names.other).astype(str)


def _home(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    """Home municipality code of each row; ``names.outside`` outside the region, NA unknown."""
    codes = _codes(_col(frame, ctx.names.q_home))
    region = {m.code for m in ctx.cb.municipalities.for_year(ctx.year)}
    known = codes.isin(region)
    return codes.where(known | codes.isna(), ctx.names.outside)


def _table(tid, title, frame, n, columns, kinds, source, note="", asked=True) -> Table:
    return Table(id=tid, title=title, frame=frame.reset_index(drop=True), n=int(n),
                 columns=columns, kinds=kinds, suppressed=None, source=source, note=note,
                 asked=asked)


def _not_asked(tid: str, title: str, source: str, year: int, label: str = "Vaihtoehto") -> Built:
    frame = pd.DataFrame({KEY: pd.Series(dtype=object), "vaihtoehto": pd.Series(dtype=object),
                          COUNT: pd.Series(dtype="float64"), PCT: pd.Series(dtype="float64")})
    note = f"Kysymystä ei esitetty vuoden {year} kyselyssä."
    return _table(tid, title, frame, 0, {"vaihtoehto": label, **HEADERS},
                  {COUNT: "count", PCT: "percent"}, source, note=note, asked=False), None



def _reference(ctx: Context):
    ref = ctx.reference
    pop, pop_years = (ref.population_for(ctx.year) if ref and ref.population is not None
                      else (None, []))
    reg, reg_years = (ref.associations_for(ctx.year) if ref and ref.associations is not None
                      else (None, []))
    if pop is not None and pop.empty:
        pop = None
    if reg is not None and reg.empty:
        reg = None
    return pop, pop_years, reg, reg_years

