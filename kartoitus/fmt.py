"""Finnish number, percent and date formatting for every output.

Conventions (SFS 4175 / Kielitoimisto):

- decimal comma: ``0,5``;
- thousands grouped in threes with a space. The space is a NO-BREAK SPACE
  (U+00A0), not the narrow one (U+202F): U+00A0 is in every font we use
  (DejaVu Sans), PDF text extraction turns it into an ordinary space, and it
  keeps ``1 234`` and ``12,5 %`` on one line when a table cell wraps. Four-digit
  numbers are grouped too (``1 234``) so columns line up;
- a space (also U+00A0) between the number and ``%``: ``12,5 %``;
- minus sign U+2212: ``−3``;
- dates without leading zeros: ``2.9.2019``.

Rounding is half-up on the decimal value as written (``0,25`` -> ``0,3``), not
Python's round-half-even on the binary float, so a printed value is the one a
reader would get by hand. Missing values (None, NaN, NaT) format as ``missing``
(default ``""``). Every function is pure and cheap; none imports pandas at call
time beyond the ``isna`` check.
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kartoitus.tables import PROTECTED_MARK

#: Thousands separator: NO-BREAK SPACE.
NBSP = "\u00a0"
#: Minus sign used for negative numbers.
MINUS = "\u2212"
#: Decimals used by ``format_cell`` per value kind.
KIND_DECIMALS = {"count": 0, "percent": 1, "mean": 1, "number": 1}


def _is_missing(x) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    try:
        import pandas as pd

        return bool(pd.isna(x)) if not isinstance(x, (str, bytes)) else False
    except (TypeError, ValueError):
        return False


def _to_decimal(x) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        return Decimal(int(x))
    if isinstance(x, int):
        return Decimal(x)
    try:
        # repr of a float is its shortest round-tripping form: 0.25 -> "0.25"
        return Decimal(repr(float(x)))
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"not a number: {x!r}") from exc


def _group(digits: str) -> str:
    """``1234567`` -> ``1 234 567`` (NBSP between groups)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return NBSP.join(parts)


def fi_number(x, decimals: int = 1, *, missing: str = "", trim: bool = False) -> str:
    """``1234.5`` -> ``1 234,5``.

    ``decimals`` fixes the number of decimals (half-up). With ``trim=True``
    trailing zeros are dropped (``2.0`` -> ``2``, ``2.50`` -> ``2,5``).
    """
    if _is_missing(x):
        return missing
    d = _to_decimal(x)
    if d.is_infinite():
        raise ValueError(f"cannot format infinite value {x!r}")
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) if decimals > 0 \
        else d.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    negative = q < 0
    text = f"{abs(q):f}"
    whole, _, frac = text.partition(".")
    if trim:
        frac = frac.rstrip("0")
    out = _group(whole) + ("," + frac if frac else "")
    if negative and any(c not in "0,\u00a0" for c in out):
        out = MINUS + out
    return out


def fi_integer(x, *, missing: str = "") -> str:
    """``1234`` -> ``1 234`` (rounded half-up)."""
    return fi_number(x, 0, missing=missing)


def fi_percent(x, decimals: int = 1, *, missing: str = "") -> str:
    """A value in percent units: ``12.5`` -> ``12,5 %``.

    Tables hold percentages as 0-100 (not shares 0-1); pass ``share * 100``.
    """
    if _is_missing(x):
        return missing
    return fi_number(x, decimals) + NBSP + "%"


def fi_date(d, *, missing: str = "") -> str:
    """``2019-09-02`` -> ``2.9.2019``. Accepts date, datetime, pandas Timestamp or ISO text."""
    if _is_missing(d) or d == "":
        return missing
    if isinstance(d, str):
        try:
            d = _dt.datetime.fromisoformat(d.strip())
        except ValueError as exc:
            raise ValueError(f"not an ISO date: {d!r}") from exc
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime()
    if not isinstance(d, (_dt.date, _dt.datetime)):
        raise ValueError(f"not a date: {d!r}")
    return f"{d.day}.{d.month}.{d.year}"


def fi_date_range(start, end, *, missing: str = "") -> str:
    """``2.9.–15.10.2019`` (same year), else ``2.9.2019–15.1.2020``."""
    if _is_missing(start) or _is_missing(end) or start == "" or end == "":
        return fi_date(start, missing=missing) or fi_date(end, missing=missing)
    a, b = fi_date(start), fi_date(end)
    ya, yb = a.rsplit(".", 1)[1], b.rsplit(".", 1)[1]
    if ya == yb:
        return a.rsplit(".", 1)[0] + ".\u2013" + b
    return a + "\u2013" + b


def format_value(x, kind: str, *, missing: str = "") -> str:
    """Format one value by its Table kind (count, percent, mean, number, text)."""
    if _is_missing(x):
        return missing
    if kind == "count":
        return fi_integer(x)
    if kind == "percent":
        return fi_percent(x, KIND_DECIMALS["percent"])
    if kind == "mean":
        return fi_number(x, KIND_DECIMALS["mean"])
    if kind == "number":
        if float(x) == int(float(x)):
            return fi_integer(x)
        return fi_number(x, KIND_DECIMALS["number"])
    if kind == "text":
        return str(x)
    raise ValueError(f"unknown value kind {kind!r}")


def format_cell(x, kind: str | None, *, suppressed: bool = False, missing: str = "",
                mark: str = PROTECTED_MARK) -> str:
    """A table cell as printed: ``mark`` when suppressed (``Table.mark(row, column)``:
    ``<5`` for a small count, ``..`` otherwise), else by kind (labels: str)."""
    if suppressed:
        return mark
    if kind is None:
        return missing if _is_missing(x) else str(x)
    return format_value(x, kind, missing=missing)


def plural(n: int, one: str, many: str) -> str:
    """``1 yhdistys`` / ``2 yhdistystä`` with the number formatted."""
    return f"{fi_integer(n)} {one if n == 1 else many}"


#: Jinja filters registered by ``kartoitus.render.document``.
FILTERS = {
    "fi_number": fi_number,
    "fi_integer": fi_integer,
    "fi_percent": fi_percent,
    "fi_date": fi_date,
}
