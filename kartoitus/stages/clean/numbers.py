"""Numbers as people type them: ``noin 50``, ``100-150``, ``yli 200``, ``1,5 milj``."""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re

import numpy as np
import pandas as pd

from kartoitus.stages.clean.values import _DASHES, _per_distinct, _text

# =============================================================================
# Numbers
# =============================================================================

_MISSING_WORDS = {
    "", "-", "--", "---", "?", "??", "???", "x", "xx", "eos", "e.o.s", "en tiedä", "en tieda",
    "ei tiedossa", "ei tietoa", "en osaa sanoa", "tuntematon", "n/a", "na", "ei tiedä", "ei tieda",
}
_ZERO_WORDS = {
    "ei", "ei yhtään", "ei yhtaan", "ei ole", "ei lainkaan", "ei ketään", "ei ketaan", "nolla",
    "ei mitään", "ei mitaan", "ei yhtäkään", "ei yhtakaan", "ei kukaan",
}
_APPROX = re.compile(r"^(?:noin|n\.|n(?=\s*\d)|ca\.?|c\.|arviolta|arvio|about|approx\.?|appr\.?|~|"
                     r"suunnilleen|likimain|n\s*\.)\s*")
_ABOVE = re.compile(r"^(?:yli|>=?|vähintään|vahintaan|ainakin|min\.?|over|över|reilu|reilut)\s*")
_BELOW = re.compile(r"^(?:alle|<=?|enintään|enintaan|korkeintaan|max\.?|under|vajaa|vajaat)\s*")
_MULTIPLIERS = {
    "milj": 1e6, "miljoonaa": 1e6, "miljoona": 1e6, "milj€": 1e6, "m€": 1e6, "meur": 1e6,
    "mrd": 1e9, "tuhatta": 1e3, "t€": 1e3, "k€": 1e3, "k": 1e3, "teur": 1e3, "keur": 1e3,
}
_UNITS = {
    "€", "eur", "euro", "euroa", "e", "e/v", "€/v", "€/vuosi", "euroa/vuosi", "jäsentä", "jasenta", "jäsen",
    "henkeä", "henkea", "henkilöä", "henkiloa", "hlö", "hlo", "hlöä", "hloa", "kpl", "htv", "htv:tä",
    "kertaa", "krt", "vapaaehtoista", "aktiivia", "ihmistä", "ihmista", "vuodessa", "vuosittain",
    "/v", "/vuosi", "per vuosi", "v", "vuosi", "henkilötyövuotta", "henkilotyovuotta", "tapaamista",
}
_SUFFIX = re.compile(
    r"(?:\s*)(?P<tok>\+|" + "|".join(re.escape(u) for u in sorted(set(_UNITS) | set(_MULTIPLIERS), key=len, reverse=True))
    + r")$"
)
_RANGE = re.compile(r"^(?P<a>\d[\d ,.]*?)\s*(?:-|\.\.\.?|…|to|/)\s*(?P<b>\d[\d ,.]*)$")
_SCIENTIFIC = re.compile(r"^[-+]?\d+(?:\.\d+)?e[-+]?\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:[ ]\d{3})+$")
#: "1,200", "1.200", "1 200", "12,000,000": digits in groups of three (one kind of separator)
_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?P<sep>[,. \u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*$")


def _count_text(text: str) -> float | None:
    """A count as typed: thousands separated by ``,``, ``.`` or a space are thousands
    (``1,200`` members is 1200, never 1.2); anything else as :func:`parse_number_text`."""
    t = text.strip()
    if _THOUSANDS.match(t):
        return float(re.sub(r"\D", "", t))
    return parse_number_text(t)


def parse_number_text(text: str) -> float | None:
    """One number token typed by hand -> float, None if it is not one number.

    The separator rule (Finland: the comma is the decimal separator):

    - spaces between digits separate thousands (``1 200``), only in groups of three;
    - with both ``.`` and ``,`` the later one is the decimal separator
      (``25.000,00`` and ``25,000.00`` are both 25000);
    - a single ``,`` is a decimal comma (``0,5``, ``1,200`` = 1.2); several
      commas separate thousands (``1,200,000``);
    - a single ``.`` separates thousands when it follows 1-3 digits (not a lone
      ``0``) and exactly three digits follow (``1.200`` = 1200, ``25.000``),
      otherwise it is a decimal point (``0.5``, ``1.5``, ``12.50``, ``0.250``);
      several dots separate thousands (``1.200.000``).
    """
    s = text.strip().replace("\u00a0", " ")
    sign = 1.0
    if s[:1] in "+-":
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:].strip()
    if not s or not s[0].isdigit():
        return None
    if _SCIENTIFIC.match(s):
        return sign * float(s)
    if not re.fullmatch(r"[\d .,]+", s) or not s[-1].isdigit():
        return None
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
        if s.count(dec) > 1:
            return None
        int_part, frac = s.split(dec)
        seps = {thou, " "}
    elif commas:
        if commas == 1:
            int_part, frac = s.split(",")
            seps = {" "}
        else:
            int_part, frac, seps = s, "", {",", " "}
    elif dots:
        if dots == 1:
            left, right = s.split(".")
            if re.fullmatch(r"[1-9]\d{0,2}", left.replace(" ", "")) and re.fullmatch(r"\d{3}", right) \
                    and " " not in left:
                int_part, frac, seps = s, "", {".", " "}
            else:
                int_part, frac, seps = left, right, {" "}
        else:
            int_part, frac, seps = s, "", {".", " "}
    else:
        int_part, frac, seps = s, "", {" "}
    if frac and not frac.isdigit():
        return None
    digits = int_part
    used = {c for c in int_part if not c.isdigit()}
    if used:
        if not used <= seps or len(used) > 1:
            return None
        sep = used.pop()
        if not re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", int_part):
            return None
        digits = int_part.replace(sep, "")
    if not digits.isdigit():
        return None
    value = float(f"{digits}.{frac}" if frac else digits)
    return sign * value


def _interpret_number(raw, minimum: float | None, maximum: float | None, count: bool = False) -> tuple:
    """(value, flag, note) of one raw cell of a number question (``count``: a whole count)."""
    flags: list[str] = []
    notes: list[str] = []
    grouped: list[str] = []

    def number(token: str) -> float | None:
        if count and _THOUSANDS.match(token.strip()):
            grouped.append(token.strip())
            return _count_text(token)
        return parse_number_text(token)

    if isinstance(raw, bool):
        return (np.nan, "luku_tulkitsematon", f"Arvoa {raw!r} ei voitu lukea luvuksi; jätetty tyhjäksi.")
    if isinstance(raw, (_dt.datetime, _dt.date, pd.Timestamp)):
        return (np.nan, "luku_tulkitsematon",
                f"Solussa on päivämäärä ({_text(raw)}), ei luku (taulukko-ohjelma muunsi sen?); jätetty tyhjäksi.")
    if isinstance(raw, numbers.Real):
        value = float(raw)
        if math.isnan(value):
            return (np.nan, None, None)
    else:
        text = _text(raw).translate(_DASHES).casefold()
        if text in _MISSING_WORDS or text.strip(" .!") in _MISSING_WORDS:
            return (np.nan, None, None)
        text = text.strip(" .!;:")
        if text in _ZERO_WORDS:
            return (0.0, None, None)
        body = text
        qualifier = None
        multiplier = 1.0
        changed = True
        while changed:
            changed = False
            for pattern, qual in ((_APPROX, None), (_ABOVE, "yli"), (_BELOW, "alle")):
                m = pattern.match(body)
                if m and m.end() > 0 and len(body) > m.end():
                    body = body[m.end():].strip()
                    qualifier = qual or qualifier
                    changed = True
        changed = True
        while changed and body:
            changed = False
            m = _SUFFIX.search(body)
            if m and m.start() > 0 and (m.group("tok") in ("+", "€") or not body[m.start() - 1].isalpha()):
                tok = m.group("tok")
                if tok == "+":
                    qualifier = "yli"
                elif tok in _MULTIPLIERS:
                    multiplier *= _MULTIPLIERS[tok]
                body = body[: m.start()].strip(" .")
                changed = True
        value = number(body) if body else None
        if value is None:
            m = _RANGE.match(body)
            a = number(m.group("a")) if m else None
            b = number(m.group("b")) if m else None
            if a is None or b is None:
                return (np.nan, "luku_tulkitsematon",
                        f"Tekstiä {_text(raw)!r} ei voitu lukea luvuksi; jätetty tyhjäksi.")
            low, high = sorted((a * multiplier, b * multiplier))
            value = (low + high) / 2
            flags.append("luku_vali")
            notes.append(f"Väli {_text(raw)!r} tallennettu keskikohtana {_fmt(value)}.")
        else:
            value = value * multiplier
            if qualifier == "yli":
                flags.append("luku_yli")
                notes.append(f"{_text(raw)!r} tallennettu alarajanaan {_fmt(value)}.")
            elif qualifier == "alle":
                flags.append("luku_alle")
                notes.append(f"{_text(raw)!r} tallennettu ylärajanaan {_fmt(value)}.")
        value = round(value, 9)
        if grouped:
            flags.append("luku_tuhaterotin")
            shown = ", ".join(f"{g!r} = {_fmt(_count_text(g))}" for g in grouped)
            notes.append(f"Lukumäärässä tuhaterotin: {shown} (ei desimaaliluku).")
    if not math.isfinite(value):   # "9" * 400, "1e999": no count is infinite
        shown = _text(raw)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        return (np.nan, "luku_tulkitsematon", f"Arvo {shown!r} ei ole äärellinen luku; jätetty tyhjäksi.")
    low_bad = value < 0 or (minimum is not None and value < minimum)
    high_bad = maximum is not None and value > maximum
    if low_bad or high_bad:
        flags.append("luku_epatavallinen")
        notes.append(f"Luku {_fmt(value)} on epätavallinen "
                     + ("(negatiivinen)." if value < 0 else
                        f"(sallittu {_fmt(minimum or 0)}–{_fmt(maximum) if maximum is not None else '…'}).")
                     + " Pidetty, tarkista.")
    return (value, ";".join(flags) or None, " ".join(notes) or None)


def _fmt(value: float) -> str:
    """A number for a flag's note, in full and the Finnish way: 1200000, 2,5 (never 1.2e+06)."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def parse_numbers(values: pd.Series, *, minimum: float | None = 0.0,
                  maximum: float | None = None, count: bool = False) -> pd.DataFrame:
    """Counts and amounts typed by hand -> ``value`` (float), ``flag``, ``note``.

    Understands ``n. 120`` / ``noin 120`` (120), ``yli 200`` (200, ``luku_yli``),
    ``alle 10`` (10, ``luku_alle``), ``200+`` (``luku_yli``), ``100-150`` and
    ``100–150`` (125, ``luku_vali``), ``1 200`` (also with a no-break space),
    ``0,5``, ``25.000,00 €``, ``25 000 €``, ``1,2 milj.`` (1 200 000), ``25 t€``,
    units such as ``jäsentä``, ``hlö``, ``htv``, ``kertaa``. ``-``, ``?``,
    ``en tiedä``, ``eos`` are no answer (missing, no flag); ``ei`` and
    ``ei yhtään`` are 0. Number cells (xlsx) pass through. Values below
    ``minimum`` (default 0: negatives) or above ``maximum`` are kept and flagged
    ``luku_epatavallinen``; text that is no number gives a missing value and
    ``luku_tulkitsematon``. See :func:`parse_number_text` for the separator rule.
    With ``count`` (members, volunteers: a whole count) digits grouped by three with
    ``,``, ``.`` or a space are thousands (``1,200`` is 1200, not 1.2) and flagged
    ``luku_tuhaterotin``.
    """
    return _per_distinct(values, lambda raw: _interpret_number(raw, minimum, maximum, count),
                         (np.nan, None, None), ["value", "flag", "note"]).astype(
        {"value": float})
