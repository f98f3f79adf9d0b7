"""Option answers: single choice, multi-select, grid and scale."""

from __future__ import annotations

import math
import numbers
import re
from typing import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from kartoitus.settings.codebook import (
    OTHER_SUFFIX,
    Question,
)
from kartoitus.stages.clean.numbers import _fmt
from kartoitus.stages.clean.values import (
    _SPACES,
    OTHER_KEY,
    _factorize,
    _norm,
    _per_distinct,
    _text,
)

# =============================================================================
# Options: single, multi, grid, scale
# =============================================================================

def _loose(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)


class _OptionMatcher:
    """Option label (or key) -> key: exact, then loose, then a clear fuzzy best."""

    def __init__(self, pairs: Sequence[tuple[str, object]]):
        self.exact: dict[str, object] = {}
        self.loose: dict[str, object] = {}
        for key, label in pairs:
            self.exact.setdefault(_norm(label), key)
            self.loose.setdefault(_loose(_norm(label)), key)
        self.choices = list(self.exact)

    def match(self, text: str) -> tuple[object, str | None]:
        """(key, fuzzy candidate or None); key None when nothing matches."""
        n = _norm(text)
        if n in self.exact:
            return self.exact[n], None
        if _loose(n) in self.loose:
            return self.loose[_loose(n)], None
        if len(n) < 4 or not self.choices:
            return None, None
        hits = process.extract(n, self.choices, scorer=fuzz.ratio, limit=2, score_cutoff=88)
        if not hits:
            return None, None
        best = hits[0]
        if len(hits) > 1 and self.exact[hits[1][0]] != self.exact[best[0]] and hits[1][1] > best[1] - 6:
            return None, None
        return self.exact[best[0]], best[0]


_OTHER_WORDS = {"muu", "muu, mikä", "muu (mikä)", "other", "muut", "muu:"}
_OTHER_PREFIX = re.compile(r"^\s*(?:muu|other)\s*(?:,?\s*mikä\??)?\s*[:\-]\s*(?P<text>.+)$", re.IGNORECASE | re.S)


def _single_pairs(question: Question) -> list[tuple[str, str]]:
    pairs = [(o.key, o.label) for o in question.options]
    pairs += [(o.key, o.key) for o in question.options]
    return pairs


def parse_single(values: pd.Series, question: Question) -> pd.DataFrame:
    """Single-choice answers -> ``<id>`` (option key), ``<id>__muu`` (if allow_other), ``flag``, ``note``.

    An option label matches whatever its case and spacing, and so does the
    option key (hand-edited sheets); a near miss (``Kylla``, a typo) is read as
    the option and flagged ``valinta_sumea``. With ``allow_other`` an answer that
    matches no option is the Other free text: key ``muu``, the text in
    ``<id>__muu``, flag ``muu_teksti``; a bare ``Muu`` gives key ``muu`` and no
    text. Without ``allow_other`` such an answer is missing and flagged
    ``valinta_tuntematon``.
    """
    matcher = _OptionMatcher(_single_pairs(question))
    other_col = question.id + OTHER_SUFFIX

    def interpret(raw):
        text = _text(raw)
        if not text:
            return (None, None, None, None)
        key, fuzzy = matcher.match(text)
        if key is not None:
            if fuzzy:
                return (key, None, "valinta_sumea",
                        f"{text!r} luettu vaihtoehdoksi {question.label_of(key)!r}.")
            return (key, None, None, None)
        if question.allow_other:
            if _norm(text) in _OTHER_WORDS:
                return (OTHER_KEY, None, None, None)
            m = _OTHER_PREFIX.match(text)
            other = m.group("text").strip() if m else text
            return (OTHER_KEY, other, "muu_teksti",
                    "Vastaus ei ole mikään vaihtoehdoista; tallennettu Muu-vastauksen tekstiksi.")
        return (None, None, "valinta_tuntematon",
                f"{text!r} ei ole kysymyksen vaihtoehto; jätetty tyhjäksi.")

    out = _per_distinct(values, interpret, (None, None, None, None),
                        [question.id, other_col, "flag", "note"])
    if not question.allow_other:
        out = out.drop(columns=[other_col])
    return out


def _multi_options(question: Question, option_keys_labels) -> list[tuple[str, str]]:
    if option_keys_labels is not None:
        return [(str(k), str(v)) for k, v in option_keys_labels]
    if question.options_from == "municipalities":
        raise ValueError(f"{question.id}: municipality options need option_keys_labels")
    return [(o.key, o.label) for o in question.options]


def _multi_norm(text: str) -> str:
    return re.sub(r"\s*,\s*", ", ", _SPACES.sub(" ", text)).strip()


#: dtype of the 0/1 columns of a multi-select in cleaned data (one byte a cell, plus the mask)
MULTI_DTYPE = "Int8"


def split_multi(values: pd.Series, question: Question, option_keys_labels=None, *,
                dtype: str = "Int64", separator: str = ", ") -> pd.DataFrame:
    """Multi-select answers -> 0/1 columns ``<id>__<key>``, ``<id>__muu`` (if allow_other), ``flag``, ``note``.

    The export joins the chosen options with ``", "`` and some labels contain
    commas, so the cell is split by finding the known labels (longest first,
    case- and whitespace-insensitive) at option boundaries; what remains, when
    more than separators, is the Other text (kept as typed). Microsoft Forms joins
    the options with ``;`` and ends the cell with one (``separator=";"``, and any
    cell that ends with ``;``): such a cell is split at the semicolons, each part
    an option or the Other text. Without
    ``allow_other`` the remainder is flagged ``monivalinta_tuntematon``. A blank
    cell gives missing values in every column (not zeros). The 0/1 columns are
    nullable integers (``dtype``: ``Int64``; cleaning uses ``Int8``). Each distinct
    answer is split once; the columns are taken from the small matrix of the
    distinct answers. ``option_keys_labels`` (pairs) replaces the
    question's options, e.g. municipality codes and names for
    ``options_from: municipalities``.
    """
    pairs = _multi_options(question, option_keys_labels)
    keys = list(dict.fromkeys(k for k, _ in pairs))
    by_label: dict[str, str] = {}
    for key, label in pairs:
        by_label.setdefault(_multi_norm(label).casefold(), key)
    alternatives = sorted(by_label, key=len, reverse=True)
    pattern = re.compile(
        r"(?:^|(?<=, ))(" + "|".join(re.escape(a) for a in alternatives) + r")(?=, |$)",
        re.IGNORECASE,
    ) if alternatives else None
    position = {k: i for i, k in enumerate(keys)}
    other_col = question.id + OTHER_SUFFIX

    def by_commas(text: str):
        chosen = np.zeros(len(keys), dtype=np.int8)
        rest = text
        if pattern is not None:
            pieces = []
            last = 0
            for m in pattern.finditer(text):
                key = by_label.get(m.group(1).casefold())
                if key is None:
                    continue
                chosen[position[key]] = 1
                pieces.append(text[last:m.start()])
                last = m.end()
            pieces.append(text[last:])
            rest = ", ".join(p.strip(" ,") for p in pieces if p.strip(" ,;"))
        return chosen, rest.strip(" ,;") or None

    def by_semicolons(text: str):
        chosen = np.zeros(len(keys), dtype=np.int8)
        unknown = []
        for part in text.split(";"):
            part = _multi_norm(part)
            if not part:
                continue
            key = by_label.get(part.casefold())
            if key is not None:
                chosen[position[key]] = 1
                continue
            # a part that is no option: options joined by commas, or the Other text
            more, rest = by_commas(part)
            chosen |= more
            if rest:
                unknown.append(rest)
        return chosen, "; ".join(unknown) or None

    def interpret(raw):
        text = _multi_norm(_text(raw))
        if not text:
            return None
        if separator.strip() == ";" or text.endswith(";"):
            return by_semicolons(text)
        return by_commas(text)

    codes, uniques = _factorize(values)
    results = [interpret(u) for u in uniques]
    n_u = len(uniques)
    matrix = np.zeros((n_u + 1, len(keys)), dtype=np.int8)
    blank_u = np.ones(n_u + 1, dtype=bool)
    rest_u = np.full(n_u + 1, None, dtype=object)
    for i, r in enumerate(results):
        if r is None:
            continue
        blank_u[i] = False
        matrix[i] = r[0]
        rest_u[i] = r[1]
    row_blank = blank_u[codes]
    np_dtype = pd.api.types.pandas_dtype(dtype).numpy_dtype
    out = {}
    for j, key in enumerate(keys):
        out[f"{question.id}__{key}"] = pd.arrays.IntegerArray(
            matrix[:, j].astype(np_dtype)[codes], row_blank.copy())
    rest = rest_u[codes]
    flag = np.full(len(codes), None, dtype=object)
    note = np.full(len(codes), None, dtype=object)
    if question.allow_other:
        out[other_col] = rest
    else:
        has_rest = np.array([r is not None for r in rest], dtype=bool)
        flag[has_rest] = "monivalinta_tuntematon"
        note[has_rest] = ["Tekstiä " + repr(r) + " ei tunnistettu vaihtoehdoksi; jätetty pois."
                          for r in rest[has_rest]]
    out["flag"] = flag
    out["note"] = note
    return pd.DataFrame(out, index=values.index, copy=False)   # the arrays are new: no second copy


def parse_grid_cells(values: pd.Series, question: Question) -> pd.DataFrame:
    """One grid column -> ``value`` (float; ``En osaa sanoa`` -> NaN), ``flag``, ``note``.

    The cell text is one of the question's ``columns`` (case and spacing do
    not matter, a near miss is read and flagged ``valinta_sumea``); a number
    cell equal to a column's value is taken as it is. Anything else is NaN
    with the flag ``ruudukko_tuntematon``.
    """
    matcher = _OptionMatcher([(label, label) for label, _ in question.columns])
    grid_values = question.grid_values()
    numeric = {v for v in grid_values.values() if v is not None}

    def interpret(raw):
        text = _text(raw)
        if not text:
            return (np.nan, None, None)
        if isinstance(raw, numbers.Real) and not isinstance(raw, bool) and float(raw) in numeric:
            return (float(raw), None, None)
        label, fuzzy = matcher.match(text)
        if label is None:
            return (np.nan, "ruudukko_tuntematon",
                    f"{text!r} ei ole ruudukon vaihtoehto; jätetty tyhjäksi.")
        value = grid_values[label]
        value = np.nan if value is None else float(value)
        if fuzzy:
            return (value, "valinta_sumea", f"{text!r} luettu vaihtoehdoksi {label!r}.")
        return (value, None, None)

    return _per_distinct(values, interpret, (np.nan, None, None), ["value", "flag", "note"]).astype(
        {"value": float})


def parse_grid(frame: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Grid columns (one per row id) -> one float column per row id present in ``frame``.

    ``En osaa sanoa`` is NaN (no answer), never 0. Flags: :func:`parse_grid_cells`.
    """
    out = {}
    for row in question.rows:
        if row.key in frame.columns:
            out[row.key] = parse_grid_cells(frame[row.key], question)["value"]
    return pd.DataFrame(out, index=frame.index)


def parse_scale(values: pd.Series, question: Question) -> pd.DataFrame:
    """Linear-scale answers -> ``value``, ``flag``, ``note``.

    A number (cell or text such as ``4`` or ``4 = hyvä``) within the
    question's min..max is kept; outside it the value is missing and flagged
    ``asteikko_ulkopuolella``; text with no number is ``luku_tulkitsematon``.
    """
    low = question.min if question.min is not None else -math.inf
    high = question.max if question.max is not None else math.inf

    def interpret(raw):
        text = _text(raw)
        if not text:
            return (np.nan, None, None)
        if isinstance(raw, numbers.Real) and not isinstance(raw, bool):
            value = float(raw)
        else:
            m = re.match(r"^\s*([-+]?\d+(?:[.,]\d+)?)(?:\s*(?:[=:\-(/].*)?)$", text)
            value = float(m.group(1).replace(",", ".")) if m else None
        if value is None:
            return (np.nan, "luku_tulkitsematon", f"{text!r} ei ole asteikon luku; jätetty tyhjäksi.")
        if not low <= value <= high:
            return (np.nan, "asteikko_ulkopuolella",
                    f"{_fmt(value)} on asteikon {_fmt(low)}–{_fmt(high)} ulkopuolella; jätetty tyhjäksi.")
        return (value, None, None)

    return _per_distinct(values, interpret, (np.nan, None, None), ["value", "flag", "note"]).astype(
        {"value": float})
