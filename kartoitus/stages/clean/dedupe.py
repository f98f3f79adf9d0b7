"""Register numbers, association names in comparison form, and de-duplication of respondents."""

from __future__ import annotations

import math
import numbers
import re

import numpy as np
import pandas as pd

from kartoitus.settings.codebook import (
    Survey,
)
from kartoitus.stages.clean.values import (
    _SPACES,
    DEDUPE_KEY,
    DEDUPE_OVERRIDE,
    REPLACED_COLUMNS,
    _factorize,
    _fold,
    _is_blank_scalar,
    _per_distinct,
    _text,
    blank_mask,
    unresolved_column,
)

# =============================================================================
# Register numbers and names
# =============================================================================

def _register_number(raw) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, numbers.Real):
        value = float(raw)
        if not math.isfinite(value) or value <= 0:
            return None
        if not value.is_integer() or value < 1000:
            # "105.230" read as the number 105.23 (or "105.000" as 105)
            value = round(value * 1000)
        n = int(value)
    else:
        text = _text(raw).casefold()
        text = re.sub(r"^(?:yhdistysrekisteri(?:numero|nro)?|rek(?:isteri)?\.?\s*(?:numero|nro)|nro|no|r\.?y\.?|#)"
                      r"[\s:.#]*", "", text).strip(" .:")
        m = re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})*|\d{1,7}", text)
        if m:
            n = int(re.sub(r"\D", "", text))
        else:
            m = re.fullmatch(r"(\d{1,3})[.,](\d{1,2})", text)  # "105.23": trailing zero lost
            if not m:
                return None
            n = int(m.group(1)) * 1000 + int(m.group(2).ljust(3, "0"))
    if n <= 0 or n > 9_999_999:
        return None
    return f"{n:,}".replace(",", ".")


def normalise_register_number(values: pd.Series) -> pd.Series:
    """PRH register numbers -> ``105.230`` (dot before every group of three digits).

    ``105 230``, ``105.230``, ``105230``, ``rek.nro 105.230`` and the number
    105.23 that ``.xlsx`` makes of ``105.230`` all give ``105.230``. A number
    cell with decimals, or a whole number below 1000, is read as thousands
    with a dot (105.0 came from ``105.000``). Anything else gives None.
    """
    out = _per_distinct(values, lambda raw: (_register_number(raw),), (None,), ["v"])["v"]
    return out.rename(values.name)


_NAME_SUFFIX = re.compile(r"(?:\s+(?:ry|r y|rf|r f|ry rf|rekisteröity yhdistys|rekisteroity yhdistys))+$")


def normalise_name(values: pd.Series) -> pd.Series:
    """Association names -> a comparison form (None for blanks).

    Case-folded, diacritics dropped, punctuation as spaces, spaces collapsed,
    the ``ry`` / ``r.y.`` / ``rf`` suffix removed: ``Laukaan Latu r.y.`` and
    ``laukaan  latu ry`` both give ``laukaan latu``.
    """
    def norm(raw):
        text = _fold(_text(raw).casefold())
        text = re.sub(r"[^\w\s]", " ", text)
        text = _SPACES.sub(" ", text).strip()
        text = _NAME_SUFFIX.sub("", text).strip()
        return (text or None,)

    return _per_distinct(values, norm, (None,), ["v"])["v"].rename(values.name)


# =============================================================================
# De-duplication
# =============================================================================

def _key_part(data: pd.DataFrame, qid: str, survey: Survey) -> pd.Series:
    """One part of a de-duplication key, in comparison form (None = missing)."""
    if qid not in data.columns:
        return pd.Series(None, index=data.index, dtype=object)
    column = data[qid]
    question = survey.question(qid) if qid in survey else None
    if question is not None and question.type == "text" and question.identifying:
        return normalise_name(column)
    if question is not None and question.type == "municipality":
        codes = column.where(column.notna(), None).astype(object)
        typed = unresolved_column(qid)
        if typed in data.columns:
            # an unknown municipality typed the same way is the same place
            text = normalise_name(data[typed])
            codes = codes.where(codes.notna(), ("?" + text).where(text.notna(), None))
        return codes
    codes, uniques = _factorize(column)
    texts = np.array([None if _is_blank_scalar(u) else _text(u).casefold() for u in uniques] + [None],
                     dtype=object)
    return pd.Series(texts[codes], index=data.index)


def _dedupe_groups(data: pd.DataFrame, survey: Survey) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(key, conflict, ambiguous) per row, from ``survey.dedupe``.

    The first key that a row has decides its group. A row whose first key is
    a later one (an answer without a register number) joins the group of the
    earlier-key rows that share that later key (same name and municipality)
    when there is exactly one such group; when there are several it stays on
    its own (``ambiguous``). Rows with different register numbers but the same
    name and municipality stay separate: the register number identifies the
    association (``conflict``; the researcher can merge them with a
    ``sama_kuin`` correction). Rows without any key are their own group.
    """
    n = len(data)
    group = np.full(n, None, dtype=object)
    conflict = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    levels = []
    for parts in survey.dedupe:
        values = [_key_part(data, qid, survey).to_numpy(dtype=object) for qid in parts]
        have = np.ones(n, dtype=bool)
        for v in values:
            have &= pd.notna(v)
        joined = np.full(n, None, dtype=object)
        if have.any():
            text = pd.Series(values[0][have]).astype(str)
            for v in values[1:]:
                text = text + "|" + pd.Series(v[have]).astype(str)
            joined[have] = ("+".join(parts) + "=" + text).to_numpy()
        levels.append(joined)
    for level, key in enumerate(levels):
        have = pd.notna(key)
        if level == 0:
            group[have] = key[have]
            continue
        assigned = have & pd.notna(group)
        link = pd.DataFrame({"k": key[assigned], "g": group[assigned]}).drop_duplicates()
        count = link.groupby("k")["g"].nunique()
        first = link.groupby("k")["g"].first()
        if assigned.any():
            shared = pd.Series(key[assigned]).map(count).to_numpy() > 1
            idx = np.flatnonzero(assigned)[shared]
            conflict[idx] = True
        new = have & pd.isna(group)
        if new.any():
            k = pd.Series(key[new])
            c = k.map(count).fillna(0).to_numpy()
            idx = np.flatnonzero(new)
            join = c == 1
            group[idx[join]] = k[join].map(first).to_numpy()
            group[idx[~join]] = k[~join].to_numpy()
            ambiguous[idx[c > 1]] = True
    none = pd.isna(group)
    if none.any():
        files = data["tiedosto"].astype(str).to_numpy() if "tiedosto" in data.columns else np.full(n, "")
        rows = (data["rivi"].astype(str).to_numpy() if "rivi" in data.columns
                else np.asarray(data.index.astype(str)))
        group[none] = ("rivi=" + pd.Series(files[none]) + ":" + pd.Series(rows[none])).to_numpy()
    index = data.index
    group, conflict, ambiguous = (pd.Series(group, index=index, dtype=object), pd.Series(conflict, index=index),
                                  pd.Series(ambiguous, index=index))
    return group, conflict, ambiguous


def dedupe_keys(data: pd.DataFrame, survey: Survey) -> pd.Series:
    """The de-duplication key of each row (see :func:`deduplicate`)."""
    return _dedupe_groups(data, survey)[0]


def deduplicate(data: pd.DataFrame, survey: Survey) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the latest answer of each respondent.

    Returns ``(kept, replaced)``; ``replaced`` has ``tiedosto, rivi,
    replaced_by_tiedosto, replaced_by_rivi, avain``.

    Keys come from ``survey.dedupe`` in order (association: the normalised
    register number; else the normalised name + home municipality code;
    municipality survey: the municipality code), recomputed from the data so
    that corrected values count; see :func:`_dedupe_groups` for how rows with
    and without a register number meet. A non-empty ``_dedupe_override``
    replaces the key of its row (the corrections module merges or splits
    respondents with it). The later answer stands: latest ``aikaleima``; an
    answer without a timestamp counts as older than any with one; ties are
    broken by the order of the rows (later file, later row wins). ``kept``
    keeps the input order and gets the effective key in ``_dedupe_key``.
    """
    if data.empty:
        return data.assign(**{DEDUPE_KEY: pd.Series(dtype=object)}), pd.DataFrame(columns=REPLACED_COLUMNS)
    key = dedupe_keys(data, survey)
    if DEDUPE_OVERRIDE in data.columns:
        override = data[DEDUPE_OVERRIDE]
        has = ~blank_mask(override)
        key = key.where(~has, "korjaus=" + override.astype(str))
    position = np.arange(len(data))
    if "aikaleima" in data.columns and pd.api.types.is_datetime64_any_dtype(data["aikaleima"]):
        ts = data["aikaleima"]
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
        order_time = ts.to_numpy(dtype="datetime64[ns]").astype("int64")
        order_time = np.where(ts.isna().to_numpy(), np.iinfo("int64").min, order_time)
    else:
        order_time = np.zeros(len(data), dtype="int64")
    order = np.lexsort((position, order_time))
    ranked = pd.DataFrame({"key": key.to_numpy(), "pos": position})
    ranked = ranked.iloc[order]
    winner_pos = ranked.groupby("key", sort=False)["pos"].last()
    win_of_row = key.map(winner_pos).to_numpy()
    is_winner = win_of_row == position
    kept = data[is_winner].assign(**{DEDUPE_KEY: key[is_winner]})
    losers = ~is_winner
    replaced = pd.DataFrame({
        "tiedosto": data["tiedosto"].to_numpy()[losers],
        "rivi": data["rivi"].to_numpy()[losers],
        "replaced_by_tiedosto": data["tiedosto"].to_numpy()[win_of_row[losers].astype(int)],
        "replaced_by_rivi": data["rivi"].to_numpy()[win_of_row[losers].astype(int)],
        "avain": key.to_numpy()[losers],
    }, columns=REPLACED_COLUMNS)
    return kept, replaced
