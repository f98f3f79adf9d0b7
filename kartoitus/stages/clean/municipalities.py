"""Municipality answers -> codes of the region (typos, villages, genitives, outside the region)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from kartoitus.settings.codebook import (
    OUTSIDE_REGION,
    Municipalities,
)
from kartoitus.stages.clean.values import _SPACES, _fold, _norm, _per_distinct, _text

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
