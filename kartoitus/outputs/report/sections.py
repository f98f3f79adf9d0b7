"""Tables, charts and sections of the report as plain data (charts as ChartSpecs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kartoitus.fmt import fi_integer, format_cell
from kartoitus.models import ChartSpec
from kartoitus.outputs.charttext import ChartError, describe_bars, describe_stacked
from kartoitus.outputs.report.findings import (
    _agree_sentence, _count_unit, _safe, _top_sentence, _visible_label_columns,
)
from kartoitus.outputs.report.sentences import answered_sentence
from kartoitus.tables import Table, marks_note

#: Columns a table may have before it is printed small / on a landscape page.
SMALL_COLUMNS = 6
WIDE_COLUMNS = 10
#: Most value columns a printed table may have (tables are never split into parts:
#: a wider one is left to the workbook, referred to by its sheet).
MAX_VALUE_COLUMNS = 17
#: The same for text columns (answers as words need more room than numbers).
MAX_TEXT_COLUMNS = 6
#: Tables longer than this are printed only in the workbook.
LONG_ROWS = 40


@dataclass(frozen=True)
class Section:
    """One table in a chapter: how to draw it and whether to print the table."""
    table: str
    chart: str | None = "bar"      # "bar", "stacked", "stacked_seq" or None (table only)
    sort: bool = True              # bars largest first (False for ordered scales)
    unit: str | None = None        # axis unit override
    show_table: bool = False       # print the table under the chart too
    value: str | None = None       # value column to draw (default: first percent/count)
    xmax: float | None = None
    stack: str | None = None       # stacked charts: prefix of the segment columns ("p_")
    subject: str = "vastaus"       # what the ranking sentence names (sentences.ranking_sentence)


# -- tables and figures as plain data -------------------------------------------------

def _print_kind(t: Table, column: str, kind: str | None) -> str | None:
    """Sums of estimated headcounts (``yhteensä``) print as whole numbers (person-years keep
    their decimal)."""
    header = t.header(column).lower()
    if kind == "number" and "yhteensä" in header and "htv" not in header:
        return "count"
    return kind


def reader_note(note: str, titles: dict[str, str] | None = None) -> str:
    """A table's note as a reader reads it: no sentence saying data is missing (the
    methods chapter says it once), a table named by its title, not its id."""
    parts = [p.strip() for p in re.split(r"(?<=\.)\s+", note or "") if p.strip()]
    parts = [p for p in parts if "ei ole saatavilla" not in p]
    text = " ".join(parts)
    return re.sub(r"taulukossa ([a-z0-9_]+)", lambda m: "taulukossa ”" + (titles or {}).get(
        m.group(1), m.group(1).replace("_", " ")) + "”", text)


def table_model(t: Table, anchor: str = "taulukko", titles: dict[str, str] | None = None) -> dict:
    """A Table as printed: visible headers, formatted cells (hidden cells as their mark,
    ``<5`` or ``..``), caption with n, note (explaining the marks it prints).

    ``anchor`` prefixes the element id (``taulukko-<id>`` in chapters, ``liite-<id>``
    in the appendix), so a table shown twice has two distinct anchors.
    """
    labels = _visible_label_columns(t)
    cols = labels + t.value_columns
    mask = t.mask()
    headers = [{"text": t.header(c), "numeric": c in t.kinds} for c in cols]
    rows = []
    marks: set[str] = set()
    frame = t.frame
    values = frame[cols].to_numpy(dtype=object)        # cells by position (not .at per cell)
    hidden_cells = mask[cols].to_numpy(dtype=bool)
    kinds = [(t.kinds.get(c), _print_kind(t, c, t.kinds.get(c))) for c in cols]
    for r, i in enumerate(frame.index):
        row = []
        for j, c in enumerate(cols):
            kind, print_kind = kinds[j]
            hidden = bool(hidden_cells[r, j])
            mark = t.mark(i, c) if hidden else ""
            if hidden:
                marks.add(mark)
            row.append({
                "text": format_cell(values[r, j], print_kind, suppressed=hidden, mark=mark),
                "numeric": kind is not None and kind != "text",
                "suppressed": hidden,
                "header": j == 0 and c in labels,
            })
        rows.append(row)
    notes = [reader_note(t.note, titles)] if t.note else []
    if marks:
        notes.append(marks_note(marks))
    size = "wide" if len(cols) >= WIDE_COLUMNS else ("small" if len(cols) >= SMALL_COLUMNS else "normal")
    return {
        "id": f"{anchor}-{t.id}",
        "title": t.title,
        "caption": f"{t.title} (n = {fi_integer(t.n)})",
        "size": size,
        "headers": headers,
        "rows": rows,
        "note": " ".join(n for n in notes if n),
        "marks": sorted(marks),
    }


def printable(t: Table) -> bool:
    """Whether a table fits a printed page whole (never split into one-column parts):
    at most ``LONG_ROWS`` rows and ``MAX_VALUE_COLUMNS`` value columns (``MAX_TEXT_COLUMNS``
    when most are words). Others are left to the workbook."""
    values = t.value_columns
    texts = sum(t.kinds[c] == "text" for c in values)
    step = MAX_TEXT_COLUMNS if texts > len(values) / 2 else MAX_VALUE_COLUMNS
    return len(values) <= step and len(t.frame) <= LONG_ROWS


def table_models(t: Table, anchor: str = "taulukko", titles: dict[str, str] | None = None) -> list[dict]:
    """``[table_model(t)]`` when the table prints whole, else ``[]`` (it is in the workbook)."""
    return [table_model(t, anchor, titles)] if printable(t) else []


def figure_caption(t: Table, questions: list[str] | None = None) -> str:
    """What the reader needs under a chart: the question asked (its exact wording; the
    chart's own title already names the topic) and how many answered."""
    n = f"n = {fi_integer(t.n)}"
    if not questions:
        return f"Kuvio: {t.title}. {n}."
    quoted = ", ".join(f"\u201d{q}\u201d" for q in questions[:3]) + (" ym." if len(questions) > 3 else "")
    return f"Kuvio: {'kysymys' if len(questions) == 1 else 'kysymykset'} {quoted}; {n}."


def figure_model(t: Table, sec: Section, questions: list[str] | None = None) -> dict | None:
    """The chart of a section (a :class:`~kartoitus.models.ChartSpec` that render draws)
    with its alt text, or None if it cannot be drawn.

    Whether it can is decided here, without drawing: the alt text reads the table
    exactly as the chart does (:mod:`kartoitus.outputs.charttext`) and raises the
    same :class:`ChartError`; a table without rows cannot be drawn either.
    """
    if sec.chart is None or t.frame.empty:
        return None
    try:
        if sec.chart in ("stacked", "stacked_seq"):
            diverging = sec.chart == "stacked"
            cols = None
            if sec.stack:
                cols = [c for c in t.value_columns
                        if c.startswith(sec.stack) and t.kinds[c] == "percent"] or None
            alt = describe_stacked(t, cols)
            spec = ChartSpec("stacked", (t, cols), {"diverging": diverging})
        else:
            if len(t.frame) > 30:
                return None
            alt = describe_bars(t, sec.value, sort=sec.sort)
            spec = ChartSpec("bar", (t, sec.value), {"unit": sec.unit, "sort": sec.sort, "xmax": sec.xmax})
    except ChartError:
        return None
    caption = figure_caption(t, questions)
    note = reader_note(t.note)
    if note:
        caption += f" {note}"
    marks = t.marks()
    if marks:
        caption += " " + marks_note(marks)
    return {"src": spec, "alt": alt, "caption": caption, "width": None}


def section_model(t: Table, sec: Section, year: int, questions: list[str] | None = None) -> dict:
    model = {"id": f"osio-{t.id}", "heading": t.title, "text": [], "not_asked": None,
             "figure": None, "tables": []}
    if getattr(t, "missing", False):
        model["not_asked"] = (f"Kysymys kysyttiin vuoden {year} kyselyssä, mutta sen vastaukset puuttuvat "
                              "kaikista aineistotiedostoista, joten tuloksia ei ole. Se ei tarkoita, että "
                              "vastaus olisi nolla tai että kysymystä ei olisi kysytty.")
        return model
    if not t.asked:
        model["not_asked"] = (f"Kysymystä ei kysytty vuoden {year} kyselyssä, joten tuloksia ei ole. "
                              "Se ei tarkoita, että vastaus olisi nolla.")
        return model
    if t.frame.empty:
        model["text"].append("Kysymykseen ei tullut vastauksia.")
        return model
    model["text"].append(answered_sentence(int(t.n), _count_unit(t)))
    if sec.chart == "stacked":
        top = _safe(_agree_sentence, t)
    elif sec.chart is not None or sec.subject != "vastaus":
        top = _safe(_top_sentence, t, sec.subject)
    else:
        top = None
    if top:
        model["text"].append(top)
    model["figure"] = figure_model(t, sec, questions)
    if (model["figure"] is None and sec.chart is not None) or sec.show_table:
        model["tables"] = table_models(t)
    return model


