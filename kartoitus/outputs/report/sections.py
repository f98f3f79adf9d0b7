"""Tables, charts and sections of the report as plain data (charts as ChartSpecs)."""

from __future__ import annotations

from dataclasses import dataclass

from kartoitus.fmt import fi_integer, format_cell
from kartoitus.models import ChartSpec
from kartoitus.outputs.charttext import ChartError, describe_bars, describe_stacked
from kartoitus.outputs.report.findings import (
    _agree_sentence, _count_word, _safe, _top_sentence, _visible_label_columns,
)
from kartoitus.tables import SUPPRESSED_MARK, Table

#: Columns a table may have before it is printed small / on a landscape page.
SMALL_COLUMNS = 6
WIDE_COLUMNS = 10
#: Most value columns printed side by side; wider tables are split into parts.
MAX_VALUE_COLUMNS = 10
#: The same for text columns (answers as words need more room than numbers).
MAX_TEXT_COLUMNS = 6
#: Tables longer than this are printed only in the appendix.
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


# -- tables and figures as plain data -------------------------------------------------

def table_model(t: Table, anchor: str = "taulukko") -> dict:
    """A Table as printed: visible headers, formatted cells, caption with n, note.

    ``anchor`` prefixes the element id (``taulukko-<id>`` in chapters, ``liite-<id>``
    in the appendix), so a table shown twice has two distinct anchors.
    """
    labels = _visible_label_columns(t)
    cols = labels + t.value_columns
    mask = t.mask()
    headers = [{"text": t.header(c), "numeric": c in t.kinds} for c in cols]
    rows = []
    frame = t.frame
    for i in frame.index:
        row = []
        for j, c in enumerate(cols):
            kind = t.kinds.get(c)
            hidden = bool(mask.at[i, c])
            row.append({
                "text": format_cell(frame.at[i, c], kind, suppressed=hidden),
                "numeric": kind is not None and kind != "text",
                "suppressed": hidden,
                "header": j == 0 and c in labels,
            })
        rows.append(row)
    notes = [t.note] if t.note else []
    if bool(mask.to_numpy().any()):
        notes.append(f"{SUPPRESSED_MARK} = alle viisi vastaajaa, luku peitetty.")
    size = "wide" if len(cols) >= WIDE_COLUMNS else ("small" if len(cols) >= SMALL_COLUMNS else "normal")
    return {
        "id": f"{anchor}-{t.id}",
        "title": t.title,
        "caption": f"{t.title} (n = {fi_integer(t.n)})",
        "size": size,
        "headers": headers,
        "rows": rows,
        "note": " ".join(notes),
    }


def table_models(t: Table, anchor: str = "taulukko") -> list[dict]:
    """``table_model`` of ``t``, split into parts of at most ``MAX_VALUE_COLUMNS`` value
    columns (the label columns repeat in every part)."""
    values = t.value_columns
    texts = sum(t.kinds[c] == "text" for c in values)
    step = MAX_TEXT_COLUMNS if texts > len(values) / 2 else MAX_VALUE_COLUMNS
    if len(values) <= step:
        return [table_model(t, anchor)]
    chunks = [values[i:i + step] for i in range(0, len(values), step)]
    parts = []
    for k, chunk in enumerate(chunks, 1):
        keep = t.label_columns + chunk
        part = t.with_(frame=t.frame[keep], kinds={c: t.kinds[c] for c in chunk},
                       suppressed=None if t.suppressed is None else t.suppressed[keep])
        m = table_model(part, anchor)
        m["id"] += f"-{k}"
        m["caption"] += f", osa {k}/{len(chunks)}"
        parts.append(m)
    return parts


def figure_model(t: Table, sec: Section) -> dict | None:
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
    caption = f"Kuvio: {t.title}. n = {fi_integer(t.n)}."
    if t.note:
        caption += f" {t.note}"
    return {"src": spec, "alt": alt, "caption": caption, "width": None}


def section_model(t: Table, sec: Section, year: int) -> dict:
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
    model["text"].append(f"Kysymykseen vastasi {fi_integer(t.n)} {_count_word(t)}.")
    if sec.chart == "stacked":
        top = _safe(_agree_sentence, t)
    elif sec.chart is not None:
        top = _safe(_top_sentence, t)
    else:
        top = None
    if top:
        model["text"].append(top)
    model["figure"] = figure_model(t, sec)
    if model["figure"] is None or sec.show_table:
        if len(t.frame) > LONG_ROWS:
            model["text"].append(f"Taulukossa on {fi_integer(len(t.frame))} riviä; se on "
                                 "kokonaisuudessaan liitetaulukoissa.")
        else:
            model["tables"] = table_models(t)
    return model


