"""Per-distinct-value machinery and the text forms of raw cells, shared by every cleaner.

A column is factorised, each distinct raw value is interpreted once and the
results are mapped back, so a million rows with a few thousand distinct answers
cost a few thousand interpretations.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import unicodedata
from typing import Callable, Sequence

import numpy as np
import pandas as pd

#: Time zone of timestamps without one (the region's local time).
LOCAL_TZ = "Europe/Helsinki"
#: Key stored for a single-choice "Other" answer.
OTHER_KEY = "muu"
#: Canonical id of the PRH association register number (normalised to ``123.456``).
REGISTER_NUMBER = "rekisterinumero"
#: Helper columns of cleaned data (dropped before writing).
DEDUPE_KEY = "_dedupe_key"
DEDUPE_OVERRIDE = "_dedupe_override"
#: Reason of an empty row.
EMPTY_REASON = "tyhjä vastaus"

FLAG_COLUMNS = ["tiedosto", "rivi", "sarake", "arvo", "lippu", "selite"]


def unresolved_column(question_id: str) -> str:
    """Helper column: the text of a municipality answer that could not be resolved."""
    return f"_{question_id}_teksti"

REJECT_COLUMNS = ["tiedosto", "rivi", "syy"]
REPLACED_COLUMNS = ["tiedosto", "rivi", "replaced_by_tiedosto", "replaced_by_rivi", "avain"]


# =============================================================================
# Per-distinct-value machinery
# =============================================================================

def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 = missing) and distinct values of a column of raw cells."""
    if not len(values):
        return np.zeros(0, dtype=np.intp), np.array([], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    return np.asarray(codes), uniques


def _per_distinct(values: pd.Series, interpret: Callable[[object], tuple], blank: tuple,
                  columns: Sequence[str]) -> pd.DataFrame:
    """Apply ``interpret`` once per distinct value and map the results back.

    ``interpret`` gets a non-missing raw cell and returns a tuple matching
    ``columns``; ``blank`` is the result of a missing cell.
    """
    codes, uniques = _factorize(values)
    rows = [interpret(u) for u in uniques]
    rows.append(blank)  # code -1 takes the last row
    table = pd.DataFrame(rows, columns=list(columns), dtype=object)
    out = table.take(codes)
    out.index = values.index
    return out


def _is_blank_scalar(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, str) and not value.strip()


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a raw cell holds no answer (missing or only whitespace)."""
    codes, uniques = _factorize(values)
    blank_u = np.array([_is_blank_scalar(u) for u in uniques] + [True], dtype=bool)
    return pd.Series(blank_u[codes], index=values.index)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009\u200b]+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-"})


def _text(value) -> str:
    """A raw cell as text: numbers without a spurious ``.0``, whitespace collapsed."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if math.isfinite(f) and f.is_integer():
            return str(int(f))
        return repr(f)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def _norm(value) -> str:
    """Matching form of a text: case-folded, dashes unified, spaces collapsed."""
    return _text(value).translate(_DASHES).casefold().strip(" .:;!?")


class _FoldTable(dict):
    """``str.translate`` table: a character -> its compatibility decomposition without
    the combining marks, computed the first time the character is seen."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """``_norm`` without diacritics (ä -> a, ö -> o, å -> a).

    The same as NFKD without the combining marks: decomposition works character by
    character and canonical reordering only moves combining marks, which are dropped,
    so each character is folded once (a table) and plain ASCII is returned as it is.
    """
    if text.isascii():
        return text
    return text.translate(_FOLD_TABLE)


def _raw_text(values: pd.Series) -> pd.Series:
    """The raw cells as text for the ``arvo`` column of flags."""
    codes, uniques = _factorize(values)
    texts = np.array([_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=values.index)
