"""The report's generated sentences: reading indicator Tables and the key findings.

Every sentence is taken from a Table; a sentence whose table, row or value is
missing or suppressed is left out (:class:`_Missing`), never guessed.
"""

from __future__ import annotations

import math
import re

from kartoitus.fmt import fi_integer, fi_percent, format_value
from kartoitus.outputs.report.sentences import (
    Item, municipalities_answered_sentence, ranking_sentence, respondents_sentence,
)
from kartoitus.settings import Settings
from kartoitus.tables import Table


class _Missing(LookupError):
    """A table, row or column a generated sentence needs is not there."""


# -- reading tables ------------------------------------------------------------------

def _table(tables: dict[str, Table], tid: str) -> Table:
    t = tables.get(tid)
    if t is None or not t.asked or t.frame.empty:
        raise _Missing(tid)
    return t


def _visible_label_columns(t: Table) -> list[str]:
    """Label columns with a Finnish header (internal key columns are hidden)."""
    labels = t.label_columns
    shown = [c for c in labels if c in t.columns]
    return shown or labels[-1:]


def _label_of_row(t: Table, i) -> str:
    """The row's name: the first visible label column (``kunta`` before ``seutukunta``)."""
    cols = _visible_label_columns(t)
    return str(t.frame.at[i, cols[0]]) if cols else str(i)


def _find_row(t: Table, *keys: str):
    """Index of the first row whose label cell equals one of ``keys`` (case-insensitive)."""
    wanted = {k.casefold() for k in keys}
    for col in t.label_columns:
        hits = t.frame.index[t.frame[col].astype(str).str.casefold().isin(wanted)]
        if len(hits):
            return hits[0]
    raise _Missing(f"{t.id}: no row {keys}")


def _col(t: Table, kind: str, nth: int = 0) -> str:
    cols = [c for c in t.value_columns if t.kinds[c] == kind]
    if len(cols) <= nth:
        raise _Missing(f"{t.id}: no {kind} column")
    return cols[nth]


def _visible(t: Table, i, col) -> float:
    if t.is_suppressed(i, col):
        raise _Missing(f"{t.id}: suppressed")
    v = t.frame.at[i, col]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        raise _Missing(f"{t.id}: missing value")
    return float(v)


def _ranked(t: Table, col: str) -> list:
    """Row indexes by ``col`` descending, suppressed and missing rows left out."""
    s = t.frame[col].astype("float64")
    ok = ~t.mask()[col].astype(bool) & s.notna()
    return list(s[ok].sort_values(ascending=False, kind="stable").index)


def _main_value(t: Table) -> str:
    for kind in ("percent", "count", "mean", "number"):
        try:
            return _col(t, kind)
        except _Missing:
            continue
    raise _Missing(f"{t.id}: no numeric column")


def _count_unit(t: Table) -> str:
    """What the table's n counts: municipalities (municipality survey), else associations."""
    return "kunta" if t.id.startswith("kunnat_") else "yhdistys"


def _count_word(t: Table) -> str:
    return "kuntaa" if _count_unit(t) == "kunta" else "yhdistystä"


# -- sentences ------------------------------------------------------------------------

def _top_sentence(t: Table, subject: str = "vastaus") -> str:
    col = _main_value(t)
    order = _ranked(t, col)
    if not order:
        raise _Missing(t.id)
    kind = t.kinds[col]
    items = [Item(_label_of_row(t, i), format_value(t.frame.at[i, col], kind), float(t.frame.at[i, col]))
             for i in order]
    if kind in ("mean", "number"):
        subject = "arvo"
    return ranking_sentence(items, subject=subject)


def _agree_sentence(t: Table) -> str:
    """Agreement statements: where agreement was highest and lowest."""
    cols = _agree_columns(t)
    mask = t.mask()[cols].to_numpy().any(axis=1)
    share = t.frame[cols].astype("float64").sum(axis=1, min_count=len(cols))
    share = share[~mask].dropna()
    if len(share) < 2:
        raise _Missing(t.id)
    hi, lo = share.idxmax(), share.idxmin()
    return (f"Samaa mieltä (täysin tai jokseenkin) oltiin useimmin väitteestä ”{_label_of_row(t, hi)}” "
            f"({fi_percent(share[hi])}) ja harvimmin väitteestä ”{_label_of_row(t, lo)}” "
            f"({fi_percent(share[lo])}).")


def _safe(fn, *args) -> str | None:
    try:
        return fn(*args)
    except _Missing:
        return None


def _respondent_count(tables: dict[str, Table], meta: dict) -> int | None:
    for tid in ("vastaajat_toimiala", "vastaajat_ryhma", "vastaajat_kunta"):
        if tid in tables:
            return int(tables[tid].n)
    return meta.get("kept")


def _home_municipalities(tables: dict[str, Table]) -> int:
    t = _table(tables, "vastaajat_kunta")
    col = _col(t, "count")
    vals = t.frame[col].astype("float64")
    present = t.mask()[col].astype(bool) | (vals > 0)
    outside = t.frame[t.label_columns].astype(str).apply(
        lambda s: s.str.contains("ulkopuol", case=False) | (s == "ulkopuolella")).any(axis=1)
    return int((present & ~outside).sum())


def _finding_respondents(tables, meta, settings: Settings) -> str:
    n = _respondent_count(tables, meta)
    if n is None:
        raise _Missing("respondents")
    try:
        return respondents_sentence(n, _home_municipalities(tables))
    except _Missing:
        return respondents_sentence(n)


def _finding_sector(tables, meta, settings: Settings) -> str:
    t = _table(tables, "vastaajat_toimiala")
    col = _main_value(t)
    order = _ranked(t, col)
    if not order:
        raise _Missing(t.id)
    i = order[0]
    text = f"Suurin päätoimiala oli {_label_of_row(t, i)}: {format_value(t.frame.at[i, col], t.kinds[col])}"
    if t.kinds[col] == "percent":
        try:
            text += f" vastaajista ({fi_integer(_visible(t, i, _col(t, 'count')))} yhdistystä)"
        except _Missing:
            text += " vastaajista"
    return text + "."


def _finding_sote(tables, meta, settings: Settings) -> str:
    t = _table(tables, "vastaajat_ryhma")
    i = _find_row(t, settings.names.group_sote, "Sosiaali- ja terveysala", "Sote", "Sote-järjestöt")
    v = _visible(t, i, _col(t, "percent"))
    return f"Sosiaali- ja terveysalan (sote) yhdistysten osuus vastaajista oli {fi_percent(v)}."


def _agree_columns(t: Table) -> list[str]:
    """Percent columns that together give the share agreeing (4 or 5 on the scale).

    A combined column (``samaa_mielta``, "Jokseenkin ... tai täysin samaa mieltä")
    is used alone; otherwise the two agreeing levels are summed.
    """
    pct = [c for c in t.value_columns if t.kinds[c] == "percent"]
    combined = [c for c in pct if c == "samaa_mielta" or re.search(
        r"jokseenkin samaa mieltä tai täysin samaa mieltä|^samaa mieltä", t.header(c), re.I)]
    if combined:
        return combined[:1]
    cols = [c for c in pct if re.search(r"^(täysin|jokseenkin) samaa mieltä", t.header(c), re.I)]
    if not cols:
        raise _Missing(f"{t.id}: no agreement columns")
    return cols


def _finding_cooperation(tables, meta, settings: Settings) -> str:
    t = _table(tables, "yhteistyo")
    row = settings.codebook.association.question(settings.names.q_cooperation).rows
    label = next(r.label for r in row if r.key == "yhteistyo_sujuvuus")
    i = _find_row(t, "yhteistyo_sujuvuus", label)
    share = sum(_visible(t, i, c) for c in _agree_columns(t))
    return (f"{fi_percent(share)} yhdistyksistä oli täysin tai jokseenkin samaa mieltä "
            f"väitteestä ”{label}”.")


def _finding_future(tables, meta, settings: Settings) -> str:
    t = _table(tables, "tulevaisuus")
    col = _col(t, "percent")
    grow = _visible(t, _find_row(t, "laajenee", "Laajenee"), col)
    text = f"{fi_percent(grow)} arvioi toimintansa laajenevan seuraavan kolmen vuoden aikana"
    try:
        shrink = _visible(t, _find_row(t, "supistuu", "Supistuu"), col)
        text += f" ja {fi_percent(shrink)} supistuvan"
    except _Missing:
        pass
    return text + "."


def _finding_challenge(tables, meta, settings: Settings) -> str:
    t = _table(tables, "haasteet")
    col = _col(t, "percent")
    order = _ranked(t, col)
    if not order:
        raise _Missing(t.id)
    i = order[0]
    return (f"Yleisin haaste oli {_label_of_row(t, i).lower()} "
            f"({fi_percent(t.frame.at[i, col])} vastaajista).")


def _finding_hva(tables, meta, settings: Settings) -> str:
    t = _table(tables, "hva_avustus")
    v = _visible(t, _find_row(t, "kylla", "Kyllä"), _col(t, "percent"))
    return f"Hyvinvointialueelta avustusta tai ostopalvelutuloja sai {fi_percent(v)} vastaajista."


def _finding_municipalities(tables, meta, settings: Settings) -> str:
    answered = meta.get("municipalities_answered")
    if answered is None and "kunnat_vastaukset" in tables:
        answered = tables["kunnat_vastaukset"].n
    if answered is None:
        raise _Missing("municipalities")
    return municipalities_answered_sentence(int(answered), meta.get("municipalities_total"))


FINDINGS = (_finding_respondents, _finding_sector, _finding_sote, _finding_cooperation,
            _finding_future, _finding_challenge, _finding_hva, _finding_municipalities)

