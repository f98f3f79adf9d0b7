"""Cleaning: raw cells of survey exports -> canonical answers, flags and rejects.

Every function here is pure (tables in, tables out; no file I/O) and works per
DISTINCT value: a column is factorised, each distinct raw value is interpreted
once and the results are mapped back, so a million rows with a few thousand
distinct answers cost a few thousand interpretations.

The rules follow the survey instrument (``shared/instrument/README.md``):

- a row is rejected only when it is empty, when its key question (``nimi``,
  ``kunta``) is empty, or, in the municipality survey, when its municipality
  cannot be resolved (the row cannot be attributed to anyone);
- everything else is kept, and whatever the toolkit had to interpret or doubts
  is recorded as a flag (``tiedosto, rivi, sarake, arvo, lippu, selite``);
- personal questions never reach the cleaned data.

Flag codes (``lippu``) written by this module:

==============================  ==============================================
``luku_vali``                   a range ``100-150``, kept as its midpoint
``luku_yli`` / ``luku_alle``    ``yli 200`` / ``alle 10``, kept as the bound
``luku_tulkitsematon``          text that is not a number (value missing)
``luku_epatavallinen``          negative, or outside the question's min..max
``kunta_sumea``                 municipality read from a typo or a longer text
``kunta_tuntematon``            municipality not resolved (code empty)
``kunta_ei_alueella``           municipality outside the region in that year
``monivalinta_tuntematon``      multi-select text that is no option
``valinta_sumea``               option read from a near miss (typo)
``valinta_tuntematon``          single-choice text that is no option
``muu_teksti``                  single-choice text stored as the Other text
``ruudukko_tuntematon``         grid cell that is none of the grid's columns
``asteikko_ulkopuolella``       scale answer outside min..max (value missing)
``rekisterinumero_tuntematon``  register number that could not be read
``aika_tulkitsematon``          timestamp that could not be read
``aika_ikkunan_ulkopuolella``   answer outside the wave's answering window
``aika_tulevaisuudessa``        timestamp in the future
``pakollinen_puuttuu``          a required (non-key) question left empty
``duplikaatti_ristiriita``      same name + municipality, different register no.
``duplikaatti_epaselva``        a row without register number matches several
==============================  ==============================================

Where a parse function returns a ``flag`` column, several codes for one value
are joined with ``;`` (the long flag table has one row per code).
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kartoitus.settings.codebook import (
    NAME_SUFFIX,
    OTHER_SUFFIX,
    OUTSIDE_REGION,
    Municipalities,
    Question,
    Survey,
)
from kartoitus.errors import InputError

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
REJECT_COLUMNS = ["tiedosto", "rivi", "syy"]
REPLACED_COLUMNS = ["tiedosto", "rivi", "replaced_by_tiedosto", "replaced_by_rivi", "avain"]


@dataclass
class CleanResult:
    data: pd.DataFrame      # tiedosto, rivi, processed columns, helper columns "_..."
    flags: pd.DataFrame     # long: tiedosto, rivi, sarake, arvo, lippu, selite
    rejected: pd.DataFrame  # tiedosto, rivi, syy


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


def _interpret_number(raw, minimum: float | None, maximum: float | None) -> tuple:
    """(value, flag, note) of one raw cell of a number question."""
    flags: list[str] = []
    notes: list[str] = []
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
        value = parse_number_text(body) if body else None
        if value is None:
            m = _RANGE.match(body)
            a = parse_number_text(m.group("a")) if m else None
            b = parse_number_text(m.group("b")) if m else None
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
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def parse_numbers(values: pd.Series, *, minimum: float | None = 0.0,
                  maximum: float | None = None) -> pd.DataFrame:
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
    """
    return _per_distinct(values, lambda raw: _interpret_number(raw, minimum, maximum),
                         (np.nan, None, None), ["value", "flag", "note"]).astype(
        {"value": float})


# =============================================================================
# Municipalities
# =============================================================================

_MUNI_FILLER = {
    "kunta", "kaupunki", "kunnan", "kaupungin", "kylä", "kyla", "kylän", "kylan", "keskusta",
    "kirkonkylä", "kirkonkyla", "kk", "kyl", "kaup", "kaupunkia",
}
_GENITIVE_ENDINGS = (
    ("vesi", "veden"), ("koski", "kosken"), ("järvi", "järven"), ("saari", "saaren"),
    ("salmi", "salmen"), ("mäki", "mäen"), ("lahti", "lahden"), ("inen", "isten"),
    ("kka", "kan"), ("nka", "ngan"), ("udas", "utaan"),
)


def _genitive(name: str) -> str | None:
    low = name.casefold()
    for end, gen in _GENITIVE_ENDINGS:
        if low.endswith(end):
            return low[: -len(end)] + gen
    if low[-1:] in "aeiouyäö":
        return low + "n"
    return None


def _muni_key(text: str) -> str:
    return _SPACES.sub(" ", _norm(text).replace("_", " ")).strip(" ,.;:()")


def _muni_fold(text: str) -> str:
    return _SPACES.sub(" ", _fold(_muni_key(text)).replace("-", " ")).strip()


@dataclass(frozen=True)
class _MuniIndex:
    year: int | None
    exact: dict            # normalised text -> set of codes
    folded: dict           # diacritics-free text -> set of codes
    tokens: dict           # folded word (also genitives) -> set of codes
    choices: list          # fuzzy candidates (folded)
    choice_codes: list
    extras: dict           # folded extra option -> label


def _muni_index(municipalities: Municipalities, year: int | None, extra_options: Iterable[str]) -> _MuniIndex:
    exact: dict[str, set] = {}
    folded: dict[str, set] = {}
    tokens: dict[str, set] = {}

    def add(text: str, code: str, token: bool = True) -> None:
        exact.setdefault(_muni_key(text), set()).add(code)
        f = _muni_fold(text)
        folded.setdefault(f, set()).add(code)
        if token:
            tokens.setdefault(f, set()).add(code)

    for m in municipalities:
        add(m.code, m.code, token=False)
        for name in (m.name, *m.other_names):
            add(name, m.code)
            gen = _genitive(name) if " " not in name else None
            if gen:
                tokens.setdefault(_muni_fold(gen), set()).add(m.code)
    for village, code in municipalities.villages.items():
        add(village, code)
    extras = {}
    for label in extra_options:
        extras[_muni_fold(label)] = label
        exact.setdefault(_muni_key(label), set()).add(OUTSIDE_REGION)
        folded.setdefault(_muni_fold(label), set()).add(OUTSIDE_REGION)
    choices, choice_codes = [], []
    for text, codes in folded.items():
        if len(codes) == 1 and not text.isdigit():
            choices.append(text)
            choice_codes.append(next(iter(codes)))
    return _MuniIndex(year, exact, folded, tokens, choices, choice_codes, extras)


def _fuzzy_municipality(key: str, index: _MuniIndex) -> tuple[str, str] | None:
    """(code, candidate) of a clear best near-miss, else None.

    Conservative: optimal-string-alignment distance (a swap of two letters is
    one edit) of at most 1 for words up to 7 letters and 2 for longer ones,
    and every candidate of another municipality at least 2 edits further.
    """
    if len(key) < 4 or key.isdigit():
        return None
    allowed = 1 if len(key) <= 7 else 2
    hits = process.extract(key, index.choices, scorer=OSA.distance, limit=8,
                           score_cutoff=allowed + 2)
    if not hits:
        return None
    hits = sorted(hits, key=lambda h: h[1])
    best_text, best_dist, best_i = hits[0]
    if best_dist > allowed:
        return None
    code = index.choice_codes[best_i]
    for text, dist, i in hits[1:]:
        if index.choice_codes[i] != code and dist < best_dist + 2:
            return None
    return code, best_text


def _resolve_municipality(raw, index: _MuniIndex, municipalities: Municipalities) -> tuple:
    """(code, name, flag, note) of one distinct non-missing cell."""
    text = _text(raw)
    if not text:
        return (None, None, None, None)
    key = _muni_key(text)
    if re.fullmatch(r"\d{1,3}", key):
        key = key.zfill(3)
    how = None
    codes = index.exact.get(key) or index.folded.get(_muni_fold(text))
    if not codes:
        # a longer text: every recognised word must name the same municipality,
        # and the other words may only be fillers ("kaupunki", a postal code)
        words = [w for w in re.split(r"[^\w]+", _muni_fold(text)) if w]
        found: set[str] = set()
        unknown = False
        i = 0
        while i < len(words):
            pair = " ".join(words[i:i + 2]) if i + 1 < len(words) else None
            if pair and pair in index.tokens:
                found |= index.tokens[pair]
                i += 2
                continue
            w = words[i]
            if w in index.tokens:
                found |= index.tokens[w]
            elif not (w in _MUNI_FILLER or re.fullmatch(r"\d{5}", w)):
                unknown = True
            i += 1
        if found and not unknown and len(found) == 1:
            codes = found
            how = "sana"
    if not codes:
        fz = _fuzzy_municipality(_muni_fold(text), index)
        if fz:
            codes = {fz[0]}
            how = ("sumea", fz[1])
    if not codes or len(codes) != 1:
        note = (f"Kuntaa {text!r} ei tunnistettu" +
                (" (useita mahdollisia kuntia)" if codes else "") + "; kuntakoodi jätetty tyhjäksi.")
        return (None, None, "kunta_tuntematon", note)
    code = next(iter(codes))
    if code == OUTSIDE_REGION:
        label = next(iter(index.extras.values()), OUTSIDE_REGION)
        flag = note = None
        if how:
            flag, note = "kunta_sumea", f"{text!r} luettu vaihtoehdoksi {label!r}."
        return (OUTSIDE_REGION, label, flag, note)
    m = municipalities.by_code(code)
    flags, notes = [], []
    if how == "sana":
        flags.append("kunta_sumea")
        notes.append(f"{text!r} luettu kunnaksi {m.name} ({code}) tekstin osasta.")
    elif how:
        flags.append("kunta_sumea")
        notes.append(f"{text!r} luettu kunnaksi {m.name} ({code}), lähin vastine {how[1]!r}.")
    if not m.in_region(index.year):
        flags.append("kunta_ei_alueella")
        notes.append(f"{m.name} ei kuulunut Keski-Suomeen vuonna {index.year}; koodi pidetty, tarkista.")
    return (code, m.name, ";".join(flags) or None, " ".join(notes) or None)


def match_municipalities(values: pd.Series, municipalities: Municipalities, year: int,
                         extra_options: Iterable[str] = ()) -> pd.DataFrame:
    """Municipality answers -> ``code`` (3 digits / ``ulkopuolella`` / None), ``name``, ``flag``, ``note``.

    Resolved without a flag: the code (``179``, ``77``), the official name in
    any case, without diacritics (``Jyvaskyla``) or with extra spaces, the other
    names of ``kunnat.csv`` (``Jkl``, Swedish names, former municipalities) and
    the known villages and districts of ``kylat.csv``; an extra option of the
    question (``Muu kunta Keski-Suomen ulkopuolella``) gives ``ulkopuolella``.
    Flagged ``kunta_sumea`` (code set, the note says what it was read as): a
    longer text whose recognised words all name one municipality
    (``Jyväskylän kaupunki``, ``Jyväskylä, Palokka``) and a clear near-miss
    typo. Anything else is not guessed: code empty, ``kunta_tuntematon``. A
    municipality outside the region in ``year`` (Kuhmoinen after 2020) keeps
    its code and is flagged ``kunta_ei_alueella``.
    """
    index = _muni_index(municipalities, year, extra_options)
    return _per_distinct(values, lambda raw: _resolve_municipality(raw, index, municipalities),
                         (None, None, None, None), ["code", "name", "flag", "note"])


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
                dtype: str = "Int64") -> pd.DataFrame:
    """Multi-select answers -> 0/1 columns ``<id>__<key>``, ``<id>__muu`` (if allow_other), ``flag``, ``note``.

    The export joins the chosen options with ``", "`` and some labels contain
    commas, so the cell is split by finding the known labels (longest first,
    case- and whitespace-insensitive) at option boundaries; what remains, when
    more than separators, is the Other text (kept as typed). Without
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

    def interpret(raw):
        text = _multi_norm(_text(raw))
        if not text:
            return None
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
        rest = rest.strip(" ,;") or None
        return chosen, rest

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
# Timestamps
# =============================================================================

def _parse_timestamps(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Timestamps via ``ingest.parse_timestamps``, as datetime64[ns, Europe/Helsinki]."""
    from kartoitus.stages.ingest import parse_timestamps

    times, unparsed = parse_timestamps(values)
    unparsed = pd.Series(np.asarray(unparsed, dtype=bool), index=values.index)
    if isinstance(times, pd.Series):
        times = times.set_axis(values.index)
    else:
        times = pd.Series(times, index=values.index)
    return _to_local(times), unparsed


def _to_local(times: pd.Series) -> pd.Series:
    """Timestamps (tz-aware, naive local time, or a mix) -> datetime64[ns, Europe/Helsinki]."""
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return times.dt.tz_convert(LOCAL_TZ)
    if pd.api.types.is_datetime64_dtype(times.dtype):
        return times.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")

    def one(v):
        if _is_blank_scalar(v):
            return pd.NaT
        ts = pd.Timestamp(v)
        if ts.tzinfo is None:
            return ts.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")
        return ts.tz_convert(LOCAL_TZ)

    codes, uniques = _factorize(times)
    local = pd.DatetimeIndex([one(u) for u in uniques] + [pd.NaT], tz=LOCAL_TZ)
    return pd.Series(local[codes], index=times.index)


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
        return column.where(column.notna(), None).astype(object)
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


# =============================================================================
# The survey
# =============================================================================

def _present(question: Question, frame: pd.DataFrame) -> bool:
    if question.type == "grid":
        return any(r.key in frame.columns for r in question.rows)
    return question.id in frame.columns


def _flag_frame(file: str, rows: pd.Index, column: str, raw: pd.Series, flag: pd.Series,
                note: pd.Series) -> pd.DataFrame | None:
    mask = flag.notna().to_numpy()
    if not mask.any():
        return None
    out = pd.DataFrame({
        "tiedosto": file,
        "rivi": np.asarray(rows)[mask].astype(int),
        "sarake": column,
        "arvo": _raw_text(raw[mask]).to_numpy(),
        "lippu": flag[mask].astype(str).to_numpy(),
        "selite": note[mask].fillna("").astype(str).to_numpy(),
    })
    if out["lippu"].str.contains(";").any():
        out = out.assign(lippu=out["lippu"].str.split(";")).explode("lippu", ignore_index=True)
    return out


def _text_column(values: pd.Series) -> pd.Series:
    codes, uniques = _factorize(values)
    texts = np.array([None if _is_blank_scalar(u) else _text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(texts[codes], index=values.index)


def _own(column: pd.Series) -> pd.Series:
    """An object column taken out of a parse result as its own array: a view would keep
    the result's whole block (flags and notes of every row) alive while the table is
    cleaned."""
    return column.copy() if column.dtype == object else column


def _clean_table(table, survey: Survey, municipalities: Municipalities, year: int,
                 window: tuple[date, date] | None, now: pd.Timestamp):
    frame: pd.DataFrame = table.frame
    file = table.path.name
    rows = frame.index
    cols: dict[str, object] = {}
    flags: list[pd.DataFrame] = []
    present: set[str] = set()

    def add_flags(column, raw, flag, note):
        f = _flag_frame(file, rows, column, raw, flag, note)
        if f is not None:
            flags.append(f)

    for q in survey.asked_in(year):
        if not _present(q, frame) or q.personal:
            continue
        present.add(q.id)
        if q.type == "timestamp":
            raw = frame[q.id]
            times, unparsed = _parse_timestamps(raw)
            cols[q.id] = times
            flag = pd.Series(None, index=rows, dtype=object)
            note = pd.Series(None, index=rows, dtype=object)
            flag[unparsed] = "aika_tulkitsematon"
            note[unparsed] = "Aikaleimaa ei voitu lukea; jätetty tyhjäksi."
            if window is not None:
                # calendar day as a naive datetime: ``.dt.date`` of an all-NaT column is
                # datetime64, which cannot be compared with a date
                local_day = times.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize()
                first, last = pd.Timestamp(window[0]), pd.Timestamp(window[1])
                outside = times.notna() & ((local_day < first) | (local_day > last))
                flag[outside] = "aika_ikkunan_ulkopuolella"
                note[outside] = (f"Vastattu vastausajan {window[0].strftime('%d.%m.%Y')}–"
                                 f"{window[1].strftime('%d.%m.%Y')} ulkopuolella; pidetty, tarkista.")
            future = times.notna() & (times > now)
            flag[future] = "aika_tulevaisuudessa"
            note[future] = "Aikaleima on tulevaisuudessa; pidetty, tarkista."
            add_flags(q.id, raw, flag, note)
        elif q.type == "text":
            raw = frame[q.id]
            if q.id == REGISTER_NUMBER:
                norm = normalise_register_number(raw)
                bad = norm.isna() & ~blank_mask(raw)
                cols[q.id] = norm
                add_flags(q.id, raw, pd.Series(np.where(bad, "rekisterinumero_tuntematon", None), index=rows),
                          pd.Series(np.where(bad, "Rekisterinumeroa ei voitu lukea (muoto 123.456); "
                                                  "jätetty tyhjäksi.", None), index=rows))
            else:
                cols[q.id] = _text_column(raw)
        elif q.type == "number":
            raw = frame[q.id]
            res = parse_numbers(raw, minimum=q.min if q.min is not None else 0.0, maximum=q.max)
            cols[q.id] = res["value"]
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "single":
            raw = frame[q.id]
            res = parse_single(raw, q)
            cols[q.id] = _own(res[q.id])
            if q.allow_other:
                cols[q.id + OTHER_SUFFIX] = _own(res[q.id + OTHER_SUFFIX])
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "multi":
            raw = frame[q.id]
            pairs = None
            if q.options_from == "municipalities":
                pairs = [(m.code, m.name) for m in municipalities.for_year(year)]
            res = split_multi(raw, q, pairs, dtype=MULTI_DTYPE)
            for c in q.processed_columns(municipalities, year):
                cols[c] = _own(res[c])
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "grid":
            for r in q.rows:
                if r.key in frame.columns:
                    raw = frame[r.key]
                    res = parse_grid_cells(raw, q)
                    cols[r.key] = res["value"]
                    add_flags(r.key, raw, res["flag"], res["note"])
        elif q.type == "scale":
            raw = frame[q.id]
            res = parse_scale(raw, q)
            cols[q.id] = res["value"]
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "municipality":
            raw = frame[q.id]
            res = match_municipalities(raw, municipalities, year, q.extra_options)
            cols[q.id] = _own(res["code"])
            cols[q.id + NAME_SUFFIX] = _own(res["name"])
            add_flags(q.id, raw, res["flag"], res["note"])

    # -- rejections: only the instrument's rules ------------------------------
    answer_cols = []
    for q in survey.questions:
        if q.personal or q.type == "timestamp":
            continue
        if q.type == "grid":
            answer_cols += [r.key for r in q.rows if r.key in frame.columns]
        elif q.id in frame.columns:
            answer_cols.append(q.id)
    empty = pd.Series(True, index=rows)
    for c in answer_cols:
        empty &= blank_mask(frame[c])
    reasons = pd.Series(None, index=rows, dtype=object)
    reasons[empty] = EMPTY_REASON
    if survey.key and survey.key in survey:
        kq = survey.question(survey.key)
        if kq.id in frame.columns:
            key_blank = blank_mask(frame[kq.id]) & reasons.isna()
        else:
            key_blank = reasons.isna()
        reasons[key_blank] = (f"{kq.title!r} ({kq.id}) puuttuu: vastausta ei voi kohdistaa "
                              f"{'kuntaan' if kq.type == 'municipality' else 'vastaajaan'}")
        if kq.type == "municipality" and kq.id in cols:
            unresolved = cols[kq.id].isna() & reasons.isna()
            if unresolved.any():
                texts = _raw_text(frame.loc[unresolved, kq.id])
                reasons[unresolved] = ("kuntaa " + texts.map(repr) +
                                       " ei tunnistettu: vastausta ei voi kohdistaa kuntaan")
    rejected_mask = reasons.notna()
    rejected = pd.DataFrame({"tiedosto": file, "rivi": np.asarray(rows)[rejected_mask.to_numpy()].astype(int),
                             "syy": reasons[rejected_mask].to_numpy()}, columns=REJECT_COLUMNS)

    # required (non-key) questions left empty: kept, flagged
    for q in survey.required():
        if q.id == survey.key or q.personal or not _present(q, frame) or q.type == "grid":
            continue
        missing = blank_mask(frame[q.id]) & ~rejected_mask
        if missing.any():
            add_flags(q.id, frame[q.id], pd.Series(np.where(missing, "pakollinen_puuttuu", None), index=rows),
                      pd.Series(np.where(missing, f"Pakollinen kysymys {q.title!r} on jätetty tyhjäksi.", None),
                                index=rows))
    # the kept rows of the cleaned columns, one column at a time (no frame of the rejected rows)
    keep = ~rejected_mask.to_numpy()
    kept: dict[str, object] = {"tiedosto": file, "rivi": np.asarray(rows)[keep].astype(int)}
    for c in list(cols):
        kept[c] = cols.pop(c).array[keep]   # the arrays: a filtered Series would copy the index each time
    if DEDUPE_OVERRIDE in frame.columns:
        kept[DEDUPE_OVERRIDE] = _text_column(frame[DEDUPE_OVERRIDE]).array[keep]
    data = pd.DataFrame(kept, index=rows[keep], copy=False)   # the columns are new: no second copy
    del kept
    flag_frame = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    if len(rejected) and len(flag_frame):
        gone = set(rejected["rivi"].tolist())
        flag_frame = flag_frame[~flag_frame["rivi"].isin(gone)]
    return data, flag_frame, rejected, present


def clean_survey(tables: Iterable, survey: Survey, municipalities: Municipalities, year: int,
                 window: tuple[date, date] | None = None) -> CleanResult:
    """Raw tables of one survey -> :class:`CleanResult`.

    ``data`` has ``tiedosto``, ``rivi``, then ``survey.processed_columns`` of
    the questions that were present in at least one table (a question absent
    from every file was not asked that year: no columns), then the helper
    ``_dedupe_key`` (and ``_dedupe_override`` when a table carries one).
    Tables are concatenated; a question missing from one file is missing
    (NA) for its rows. ``aikaleima`` is a tz-aware datetime (Europe/Helsinki).
    ``window`` is the answering period (first, last day, inclusive, local
    time). Personal questions never appear. Rejected: empty rows
    (``tyhjä vastaus``), rows without the key question, and in the
    municipality survey rows whose municipality cannot be resolved.

    ``tables`` is read once, in order: an iterator that lets each table go once it
    is yielded (see ``build.process_tables``) frees its raw frame as soon as it is
    cleaned.
    """
    now = pd.Timestamp.now(tz=LOCAL_TZ)
    parts, flag_parts, rejected_parts = [], [], []
    present: set[str] = set()
    for table in tables:
        if table.survey != survey.id:
            raise InputError(table.path, f"tiedosto on kyselyn {table.survey} vienti, ei kyselyn {survey.id}; "
                                         "siivoa kukin kysely erikseen")
        data, flags, rejected, here = _clean_table(table, survey, municipalities, year, window, now)
        del table   # the raw frame can go now (when the caller let it go)
        parts.append(data)
        flag_parts.append(flags)
        rejected_parts.append(rejected)
        present |= here

    columns = ["tiedosto", "rivi"]
    for q in survey.asked_in(year):
        if q.id in present:
            columns += q.processed_columns(municipalities, year)
    non_empty = [p for p in parts if len(p)]
    if non_empty:
        data = pd.concat(non_empty, ignore_index=True, sort=False)
    else:
        data = pd.DataFrame(columns=columns)
    del non_empty
    parts.clear()   # the per-table frames go now, not at the end
    for c in columns:
        if c not in data.columns:
            data[c] = None
    helper = [c for c in data.columns if str(c).startswith("_")]
    if list(data.columns) != columns + helper:   # a selection copies the whole frame
        data = data[columns + helper]
    data = data.reset_index(drop=True)
    for q in survey.asked_in(year):
        if q.id not in present:
            continue
        qcols = q.processed_columns(municipalities, year)
        if q.type in ("number", "grid", "scale"):
            data[qcols] = data[qcols].astype(float)
        elif q.type == "multi":
            for c in qcols:
                if not c.endswith(OTHER_SUFFIX):
                    data[c] = data[c].astype(MULTI_DTYPE)
                else:
                    data[c] = data[c].astype(object).where(data[c].notna(), None)
        elif q.type != "timestamp":
            for c in qcols:
                data[c] = data[c].astype(object).where(data[c].notna(), None)
    data["rivi"] = data["rivi"].astype(int)
    if "aikaleima" in data.columns and not isinstance(data["aikaleima"].dtype, pd.DatetimeTZDtype):
        data["aikaleima"] = pd.to_datetime(data["aikaleima"], utc=True).dt.tz_convert(LOCAL_TZ)

    flags = [f for f in flag_parts if len(f)]
    flag_frame = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    key, conflict, ambiguous = _dedupe_groups(data, survey)
    data[DEDUPE_KEY] = key
    extra = []
    if survey.dedupe and (conflict.any() or ambiguous.any()):
        first = survey.dedupe[0]
        later = [p for level in survey.dedupe[1:] for p in level]
        if conflict.any():
            extra.append(pd.DataFrame({
                "tiedosto": data.loc[conflict, "tiedosto"], "rivi": data.loc[conflict, "rivi"],
                "sarake": first[0], "arvo": data.loc[conflict, first[0]].astype(str) if first[0] in data else "",
                "lippu": "duplikaatti_ristiriita",
                "selite": (f"Samoilla tiedoilla ({', '.join(later)}) on vastauksia eri tunnuksilla "
                           f"({', '.join(first)}): pidetty eri vastaajina; yhdistä tarvittaessa korjauksella "
                           "sama_kuin."),
            }))
        if ambiguous.any():
            extra.append(pd.DataFrame({
                "tiedosto": data.loc[ambiguous, "tiedosto"], "rivi": data.loc[ambiguous, "rivi"],
                "sarake": ", ".join(later), "arvo": "",
                "lippu": "duplikaatti_epaselva",
                "selite": (f"Vastaus ilman tunnusta ({', '.join(first)}) sopii usean vastaajan tietoihin; "
                           "pidetty erillisenä, tarkista."),
            }))
    if extra:
        flag_frame = pd.concat([flag_frame, *extra], ignore_index=True)
    flag_frame = flag_frame[FLAG_COLUMNS].reset_index(drop=True)
    if len(flag_frame):
        flag_frame["rivi"] = flag_frame["rivi"].astype(int)
    rejected = [r for r in rejected_parts if len(r)]
    rejected_frame = (pd.concat(rejected, ignore_index=True) if rejected
                      else pd.DataFrame(columns=REJECT_COLUMNS))
    return CleanResult(data=data, flags=flag_frame, rejected=rejected_frame)
