"""Where the header of a sheet is, and what it says.

Real exports do not always start with one header row:

- a title row above it (``Järjestökartoitus 2025: vastaukset`` typed into A1);
- a header on two rows, the grid question's title merged across its columns on
  the first row and the grid's statements on the second (Excel users do this),
  or written that way to a CSV.

:func:`locate_header` looks at the first rows of a sheet and picks the reading
whose titles the codebook knows best: one row, or two rows combined into the
``Title [Row]`` titles of a form export. A header it cannot read without losing
columns (merged title cells with no second header row under them, grid
statements in the row under a single header) is refused with an error that
names the cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from kartoitus.errors import KartoitusError
from kartoitus.settings.codebook import Codebook
from kartoitus.stages.ingest.titles import _survey_titles, match_columns, normalise_title

#: How many non-empty rows from the top may hold the header.
HEADER_SEARCH_ROWS = 10
#: Merged cell range: ((first row, first column), (last row, last column)), 0-based.
Merged = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Header:
    row: int                  # position (0-based, among the rows given) of the first header row
    rows: int                 # 1 or 2 header rows
    titles: list[str]


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _cell_text(v) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def combine_rows(top: Sequence, bottom: Sequence, known: set[str] = frozenset()) -> list[str]:
    """Two header rows as one: the top title carried right over the blank (merged)
    cells above a group of sub-titles, joined as ``Top [Bottom]``. A sub-title that
    is a whole title of its own (in ``known``) ends the group."""
    width = max(len(top), len(bottom))
    top = [_cell_text(top[i]) if i < len(top) else "" for i in range(width)]
    bottom = [_cell_text(bottom[i]) if i < len(bottom) else "" for i in range(width)]
    out, carried = [], ""
    for t, b in zip(top, bottom):
        if t.strip():
            carried = t if b.strip() else ""
            out.append(f"{t} [{b}]" if b.strip() else t)
        elif b.strip():
            if carried and normalise_title(b) in known:
                carried = ""
            out.append(f"{carried} [{b}]" if carried else b)
        else:
            carried = ""
            out.append("")
    return out


def _known_titles(codebook: Codebook) -> set[str]:
    known: set[str] = set()
    for survey in codebook.surveys.values():
        known |= set(_survey_titles(survey).exact)
    for tool in codebook.exports:
        known |= set(tool.columns)
    return known


def _grid_labels(codebook: Codebook) -> set[str]:
    return {normalise_title(r.label) for s in codebook.surveys.values() for q in s.of_type("grid")
            for r in q.rows}


def _exact_score(titles: Sequence[str], known: set[str]) -> int:
    return sum(1 for t in titles if (n := normalise_title(t)) and n in known)


def _fuzzy_score(titles: Sequence[str], codebook: Codebook) -> int:
    return max((sum(1 for m in match_columns(list(titles), s) if m.column is not None)
                for s in codebook.surveys.values()), default=0)


def _cell_name(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter
    return f"{get_column_letter(col + 1)}{row}"


def _range_name(r: Merged) -> str:
    (r0, c0), (r1, c1) = r
    return f"{_cell_name(r0 + 1, c0)}:{_cell_name(r1 + 1, c1)}"


def locate_header(rows: Sequence[Sequence], numbers: Sequence[int], codebook: Codebook,
                  merged: Sequence[Merged] = ()) -> Header:
    """The header among the first non-empty ``rows`` (their sheet row numbers in
    ``numbers``, 1-based). ``merged``: the sheet's merged ranges (0-based rows).

    Raises :class:`KartoitusError` (the reader adds the file name) for a header
    that cannot be read whole.
    """
    rows = [list(r) for r in rows[:HEADER_SEARCH_ROWS]]
    known = _known_titles(codebook)
    readings: list[tuple[int, int, int, list[str]]] = []   # (score, -rows, -position, titles)
    for i, row in enumerate(rows):
        single = [_cell_text(v) for v in row]
        readings.append((_exact_score(single, known), -1, -i, single))
        if i + 1 < len(rows) and numbers[i + 1] == numbers[i] + 1:
            both = combine_rows(row, rows[i + 1], known)
            readings.append((_exact_score(both, known), -2, -i, both))
    best = max(readings, key=lambda r: (r[0], r[1], r[2]))
    if best[0] == 0:
        # drifted titles: judge by the columns that match at all (fuzzy too)
        scored = [(_fuzzy_score(r[3], codebook), r[1], r[2], r[3]) for r in readings]
        best = max(scored, key=lambda r: (r[0], r[1], r[2]))
        if best[0] == 0:
            return Header(0, 1, [_cell_text(v) for v in rows[0]]) if rows else Header(0, 1, [])
    header = Header(-best[2], -best[1], best[3])
    _check_two_row_grid(header, rows, numbers, codebook)
    _check_merged(header, numbers, merged)
    return header


def _check_two_row_grid(header: Header, rows, numbers, codebook: Codebook) -> None:
    """A single header row with grid statements on the row under it: the grid's
    title did not combine with them into known titles. Refuse, naming the cells."""
    if header.rows != 1:
        return
    below = header.row + 1
    if below >= len(rows) or numbers[below] != numbers[header.row] + 1:
        return
    labels = _grid_labels(codebook)
    hits = [j for j, v in enumerate(rows[below]) if normalise_title(_cell_text(v)) in labels]
    if len(hits) < 2:
        return
    # the combined reading with fuzzy matching, before refusing
    single = _fuzzy_score(header.titles, codebook)
    both = _fuzzy_score(combine_rows(rows[header.row], rows[below], _known_titles(codebook)), codebook)
    if both > single:
        return
    r = numbers[below]
    raise KartoitusError(
        f"otsikko näyttää olevan kahdella rivillä (rivit {numbers[header.row]}–{r}): solut "
        f"{_cell_name(r, hits[0])}–{_cell_name(r, hits[-1])} ovat ruudukkokysymyksen väittämiä, mutta "
        "niiden yläpuolella ei ole tunnistettavaa kysymyksen otsikkoa. Kirjoita otsikot yhdelle riville "
        "muodossa \u201dKysymys [Väittämä]\u201d (kuten lomakkeen vienti ne antaa) tai lataa vastaukset "
        "lomakkeelta uudelleen.")


def _check_merged(header: Header, numbers, merged: Sequence[Merged]) -> None:
    """Merged cells across columns in a single header row hide titles: refuse."""
    if header.rows != 1 or not merged:
        return
    sheet_row = numbers[header.row] - 1   # 0-based
    spans = [m for m in merged if m[0][0] <= sheet_row <= m[1][0] and m[1][1] > m[0][1]]
    if spans:
        cells = ", ".join(_range_name(m) for m in spans[:4])
        raise KartoitusError(
            f"otsikkorivillä {sheet_row + 1} on yhdistettyjä soluja ({cells}), eikä niiden alla ole toista "
            "otsikkoriviä: yhdistetyn solun alla olevilla sarakkeilla ei ole omaa otsikkoa. Pura solujen "
            "yhdistäminen ja kirjoita jokaiselle sarakkeelle oma otsikko (ruudukon rivit muodossa "
            "\u201dKysymys [Väittämä]\u201d), tai lataa vastaukset lomakkeelta uudelleen.")
