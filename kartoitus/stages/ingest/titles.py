"""Header rows: which survey a file is, and which column is which question.

``detect_survey`` finds the survey whose titles a header row has most of;
``match_columns`` maps each title to a question (or a grid row): exact title,
known alias, then a fuzzy match for titles that drifted between years.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz import utils as _fuzz_utils

from kartoitus.errors import KartoitusError
from kartoitus.settings.codebook import Codebook, Question, Survey

#: Column-match methods.
EXACT, ALIAS, FUZZY, EXTRA, DUPLICATE = "exact", "alias", "fuzzy", "extra", "duplicate"
TOOL, PERSONAL = "tool", "personal"


@dataclass
class ColumnMatch:
    source: str          # column title as in the file
    column: str | None   # canonical id (grid: the row id); None = not an answer column
    question: str | None  # question id
    method: str          # "exact" | "alias" | "fuzzy" | "extra" | "duplicate" (merged into the
                         # question's first column) | "tool" (the form tool's own column) |
                         # "personal" (the tool's personal column)
    score: float         # 100 for exact/alias



# -- titles ----------------------------------------------------------------------

_CHAR_MAP = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4`"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'),
    **dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None),
}
_TRAILING_PUNCT = re.compile(r"[\s?:.]+$")
_GRID_TITLE = re.compile(r"^(?P<title>.*?)\s*\[(?P<row>[^\[\]]*)\]$", re.S)


def normalise_title(s: str) -> str:
    """A column title reduced to what identifies it.

    NFC, dashes and quotes unified, invisible characters dropped, whitespace
    collapsed, case folded, trailing ``?``, ``:`` and ``.`` stripped.
    """
    if s is None:
        return ""
    text = unicodedata.normalize("NFC", str(s)).translate(_CHAR_MAP)
    text = " ".join(text.split()).casefold()
    return _TRAILING_PUNCT.sub("", text)


def _split_grid_title(title: str) -> tuple[str, str] | None:
    m = _GRID_TITLE.match(title.strip())
    if not m or not m.group("title").strip():
        return None
    return m.group("title"), m.group("row")


def _fuzzy(a: str, b: str) -> float:
    """Similarity of two normalised titles, 0-100.

    The better of plain ``ratio`` (a word changed or split: "yhdistysrekisterinumero"
    vs "yhdistyksen rekisterinumero") and ``token_sort_ratio`` (words reordered),
    over alphanumeric tokens. Partial and set ratios are avoided on purpose: they
    call a short hand-added title such as "Nimi" a match for every long title that
    contains it.
    """
    p = _fuzz_utils.default_process
    return max(fuzz.ratio(a, b, processor=p), fuzz.token_sort_ratio(a, b, processor=p))


@dataclass(frozen=True)
class _Target:
    """Something a column can be: a question, or one row of a grid."""

    question: str
    column: str


@dataclass(frozen=True)
class _SurveyTitles:
    order: tuple[_Target, ...]                      # canonical column order
    exact: dict                                     # norm title -> (target, method)
    plain: tuple[tuple[str, _Target], ...]          # non-grid: (norm title, target)
    grids: tuple[tuple[Question, tuple[str, ...], tuple[tuple[str, _Target], ...]], ...]
    # grid question, its norm titles, (norm row label, target) per row


@lru_cache(maxsize=16)
def _survey_titles(survey: Survey) -> _SurveyTitles:
    order: list[_Target] = []
    exact: dict[str, tuple[_Target, str]] = {}
    plain: list[tuple[str, _Target]] = []
    grids = []
    for q in survey:
        if q.type == "grid":
            row_targets = tuple(
                (normalise_title(r.label), _Target(q.id, r.key)) for r in q.rows)
            order.extend(t for _, t in row_targets)
            titles = tuple(normalise_title(t) for t in q.titles())
            for i, t in enumerate(q.titles()):
                for r in q.rows:
                    # "Title [Row]" (Google Forms), "Title.Row" (Microsoft Forms' Likert)
                    for form in (f"{t} [{r.label}]", f"{t}.{r.label}"):
                        exact.setdefault(normalise_title(form),
                                         (_Target(q.id, r.key), EXACT if i == 0 else ALIAS))
            grids.append((q, titles, row_targets))
        else:
            target = _Target(q.id, q.id)
            order.append(target)
            for i, t in enumerate(q.titles()):
                n = normalise_title(t)
                exact.setdefault(n, (target, EXACT if i == 0 else ALIAS))
                plain.append((n, target))
    return _SurveyTitles(tuple(order), exact, tuple(plain), tuple(grids))


def exact_questions(titles: list[str], survey: Survey) -> set[str]:
    """Ids of the survey's questions that ``titles`` name exactly (title or alias)."""
    exact = _survey_titles(survey).exact
    return {exact[n][0].question for t in titles if (n := normalise_title(t)) in exact}


# -- column matching ------------------------------------------------------------------


def match_columns(titles: list[str], survey: Survey, threshold: float = 88) -> list[ColumnMatch]:
    """How each title of a header row maps to the survey's questions.

    One :class:`ColumnMatch` per title, in the file's order. Exact normalised
    titles win over aliases, aliases over fuzzy matches; a question (a grid row)
    is matched at most once: a second exact/alias title for it is listed as
    ``duplicate`` (with the question's column: the reader merges it into the
    first), and fuzzy candidates are assigned best score first. Grid
    columns (``Title [Row]``) are matched title part and row part separately.
    Titles that match nothing are ``extra``.
    """
    st = _survey_titles(survey)
    n = len(titles)
    result: list[ColumnMatch | None] = [None] * n
    taken: dict[_Target, int] = {}
    norm = [normalise_title(t) for t in titles]

    # 1-2: exact titles first, then aliases; the first title of a target wins.
    for tier in (EXACT, ALIAS):
        for i, t in enumerate(norm):
            if result[i] is not None or not t:
                continue
            hit = st.exact.get(t)
            if hit is None or hit[1] != tier:
                continue
            target = hit[0]
            if target in taken:
                # a second column of the question (Google Forms re-creates a deleted
                # question under the same title): merged into the first, cell by cell
                result[i] = ColumnMatch(titles[i], target.column, target.question, DUPLICATE, 100.0)
            else:
                taken[target] = i
                result[i] = ColumnMatch(titles[i], target.column, target.question, tier, 100.0)

    # 3: fuzzy, globally best score first.
    candidates: list[tuple[float, int, _Target]] = []
    for i, title in enumerate(titles):
        if result[i] is not None or not norm[i]:
            continue
        for ref, target in st.plain:
            if target in taken:
                continue
            score = _fuzzy(norm[i], ref)
            if score >= threshold:
                candidates.append((score, i, target))
        parts = _split_grid_title(title)
        if parts is None:
            continue
        t_part, r_part = normalise_title(parts[0]), normalise_title(parts[1])
        for q, q_titles, rows in st.grids:
            t_score = max(_fuzzy(t_part, ref) if t_part != ref else 100.0 for ref in q_titles)
            if t_score < threshold:
                continue
            for ref, target in rows:
                if target in taken:
                    continue
                r_score = 100.0 if r_part == ref else _fuzzy(r_part, ref)
                if r_score >= threshold:
                    candidates.append((min(t_score, r_score), i, target))
    # best score first; ties: file order, then codebook order
    rank = {t: k for k, t in enumerate(st.order)}
    candidates.sort(key=lambda c: (-c[0], c[1], rank.get(c[2], 0)))
    for score, i, target in candidates:
        if result[i] is not None or target in taken:
            continue
        taken[target] = i
        result[i] = ColumnMatch(titles[i], target.column, target.question, FUZZY, round(float(score), 1))

    return [m if m is not None else ColumnMatch(titles[i], None, None, EXTRA, 0.0)
            for i, m in enumerate(result)]


# -- survey detection ---------------------------------------------------------------------


def _survey_word(codebook: Codebook) -> str:
    return "kummaltakaan kyselyltä" if len(codebook.surveys) == 2 else "miltään kyselyltä"


def detect_survey(titles: list[str], codebook: Codebook) -> str:
    """The id of the survey whose titles the header row has most of.

    Titles that several surveys share (``Aikaleima``, the e-mail column) do not
    count. Exact normalised titles (incl. aliases and grid titles) decide; when
    they tie, the number of fuzzily matched columns does. Raises
    :class:`KartoitusError` (without a file name: ``read_file`` adds it) when no
    survey or more than one fits equally well.
    """
    norm = [normalise_title(t) for t in titles]
    exact_sets = {sid: set(_survey_titles(s).exact) for sid, s in codebook.surveys.items()}
    counts: dict[str, int] = {}
    for sid in exact_sets:
        others = set().union(*(v for k, v in exact_sets.items() if k != sid))
        own = exact_sets[sid] - others
        counts[sid] = sum(1 for t in norm if t in own)
    best = _unique_best(counts)
    if best is None:
        # Drifted titles: count fuzzily matched columns of questions unique to a survey.
        shared_q = _shared_questions(codebook)
        counts = {}
        for sid, s in codebook.surveys.items():
            counts[sid] = sum(
                1 for m in match_columns(list(titles), s)
                if m.question is not None and (sid, m.question) not in shared_q)
        best = _unique_best(counts)
    if best is not None:
        return best
    top = max(counts.values(), default=0)
    shown = ", ".join(repr(t) for t in list(titles)[:4] if str(t).strip()) or "(tyhjä otsikkorivi)"
    if top == 0:
        raise KartoitusError(
            f"tiedosto ei näytä {_survey_word(codebook)}: otsikkorivillä ei ole "
            f"yhdenkään kyselyn ({', '.join(codebook.surveys)}) kysymyksiä "
            f"(ensimmäiset otsikot: {shown}). Tarkista, että tiedosto on lomakkeen "
            "vastausvienti ja että kysymysten otsikot ovat ensimmäisellä rivillä.")
    tied = [sid for sid, c in counts.items() if c == top]
    raise KartoitusError(
        f"otsikkorivi sopii yhtä hyvin kyselyihin {' ja '.join(tied)}: ei voi päätellä, "
        "kumman kyselyn vastauksia tiedosto sisältää. Tallenna kunkin kyselyn vastaukset "
        "omaan tiedostoonsa lomakkeen alkuperäisin otsikoin.")


def _unique_best(counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    top = max(counts.values())
    winners = [k for k, v in counts.items() if v == top]
    return winners[0] if top > 0 and len(winners) == 1 else None


def _shared_questions(codebook: Codebook) -> set[tuple[str, str]]:
    """(survey, question) pairs whose titles also belong to another survey."""
    out = set()
    for sid, s in codebook.surveys.items():
        other_titles = {
            normalise_title(t)
            for oid, o in codebook.surveys.items() if oid != sid
            for q in o for t in q.titles()}
        for q in s:
            if any(normalise_title(t) in other_titles for t in q.titles()):
                out.add((sid, q.id))
    return out
