"""Trends as plain models: the report's chapter, the municipality PDF's section, the
infographic's change strip and the website's trend blocks, all from
``pub.trends`` (:mod:`kartoitus.publication.trends`). Charts are
:class:`~kartoitus.models.ChartSpec` (kind ``line``), tables the shared table model
(``macros.table``), suppressed cells through the Table's mask and
:func:`kartoitus.fmt.format_cell`. Nothing here reads or writes a file.
"""

from __future__ import annotations

import math

from kartoitus.fmt import fi_number, format_cell
from kartoitus.models import ChartSpec
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK, Table, marks_note

#: what an empty trend cell means (not asked that year, or not comparable)
MISSING = "\u2013"
#: region key figures drawn in the report's chart (percent rows)
CHART_FIGURES = ("kunta_avustus", "kunta_tilat", "hva_avustus", "tuntee", "sujuvuus", "laajenee")


def _years(t: Table) -> list[str]:
    return [c for c in t.value_columns if c.startswith("v") and c[1:].isdigit()]


def _value(t: Table, i, c):
    if t.is_suppressed(i, c):
        return None
    v = t.frame.at[i, c]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def table_model(t: Table, anchor: str = "kehitys", caption: str | None = None) -> dict:
    """A trend Table as the templates' table model (``macros.table``)."""
    labels = [c for c in t.label_columns if c != "avain"]
    cols = labels + t.value_columns
    mask = t.mask()
    headers = [{"text": t.header(c), "numeric": c in t.kinds} for c in cols]
    rows = []
    for i in t.frame.index:
        row = []
        for j, c in enumerate(cols):
            kind = t.kinds.get(c)
            hidden = bool(mask.at[i, c])
            text = format_cell(t.frame.at[i, c], kind, suppressed=hidden, missing=MISSING, mark=t.mark(i, c))
            if c == "muutos" and not hidden and text != MISSING and float(t.frame.at[i, c]) > 0:
                text = "+" + text
            row.append({"text": text, "numeric": kind is not None, "suppressed": hidden,
                        "header": j == 0 and c in labels})
        rows.append(row)
    notes = [t.note] if t.note else []
    if t.marks():
        notes.append(marks_note(t.marks()))
    return {"id": f"{anchor}-{t.id}", "title": t.title, "caption": caption or t.title,
            "size": "small" if len(cols) >= 6 else "normal", "headers": headers, "rows": rows,
            "note": " ".join(notes)}


def _series(t: Table, keys=None) -> list[tuple[str, list]]:
    years = _years(t)
    out = []
    for i in t.frame.index:
        if keys is not None and str(t.frame.at[i, "avain"]) not in keys:
            continue
        values = [_value(t, i, c) for c in years]
        if sum(v is not None for v in values) >= 1:
            out.append((str(t.frame.at[i, "tunnusluku"]), values))
    return out


def describe_lines(years: list[int], series, unit: str = "%") -> str:
    """The alt text of a line chart: every value it shows, gaps said as such."""
    def fmt(v):
        return "ei lukua" if v is None else fi_number(v, 1) + ("\u00a0%" if unit == "%" else "")
    parts = [f"{label}: " + ", ".join(f"{y} {fmt(v)}" for y, v in zip(years, values)) for label, values in series]
    return f"Viivakuvio vuosista {years[0]}–{years[-1]}. " + "; ".join(parts) + "."


def line_figure(years: list[int], series, caption: str, *, unit: str = "%", ymax=100.0,
                dashed_last: bool = False, width: float = 6.6) -> dict:
    spec = ChartSpec("line", (tuple(years), tuple((label, tuple(v)) for label, v in series)),
                     {"unit": unit, "ymax": ymax, "dashed_last": dashed_last, "width": width})
    return {"src": spec, "alt": describe_lines(years, series, unit), "caption": caption, "width": None}


def key_figures_figure(pub) -> dict | None:
    tr = pub.trends
    if tr is None or tr.key_figures is None:
        return None
    series = _series(tr.key_figures, CHART_FIGURES)
    if not series:
        return None
    return line_figure(list(tr.years), series, f"Kuvio: keskeiset osuudet aalloittain {tr.years[0]}–{tr.years[-1]}.")


def report_chapter(pub) -> list[dict]:
    """The report's chapter "Kehitys aalloittain" (a list: empty with one wave only)."""
    tr = pub.trends
    if tr is None or tr.key_figures is None:
        return []
    years = ", ".join(str(y) for y in tr.years)
    t = tr.key_figures
    intro = [f"Tietopankissa on kyselyaallot {years}. Luvut on laskettu kunkin aallon aineistosta samoin "
             "kuin sen vuoden raportissa, ja kunkin aallon peitetyt luvut ovat peitettyinä myös tässä. "
             "Lukuja verrataan vain, kun kysymys on pysynyt samana; muutos on peitetty, jos "
             "jompikumpi luvuista on peitetty."]
    figure = key_figures_figure(pub)
    section = {"id": "osio-kehitys", "heading": "Keskeiset luvut aalloittain", "text": [],
               "not_asked": None, "figure": figure,
               "tables": [table_model(t, caption=f"{t.title} (n = {t.n} vuonna {tr.years[-1]})")]}
    return [{"id": "kehitys", "title": "Kehitys aalloittain", "cls": "", "intro": intro, "findings": [],
             "facts": [], "facts_caption": "", "sections": [section], "tables": []}]


def municipality_trend_model(pub, code: str) -> dict | None:
    """A municipality's trend: kuntatutka totals over the waves (line chart with the
    region median) and its associations' view over the waves (table)."""
    tr = pub.trends
    if tr is None or code not in tr.municipalities:
        return None
    mt = tr.municipalities[code]
    s = mt.scores
    years = list(tr.years)
    cols = [f"v{y}" for y in years]
    by_key = {str(k): i for i, k in zip(s.frame.index, s.frame["avain"])}
    own = [_value(s, by_key["kokonaispisteet"], c) for c in cols]
    region = [_value(s, by_key["alueen_mediaani"], c) for c in cols]
    name = pub.settings.codebook.municipalities.name_of(code)
    series = [(f"{name}: kokonaispisteet", own), ("Maakunnan mediaani", region)]
    figure = line_figure(years, series, f"Kuvio: kuntatutkan kokonaispisteet (0–100) {years[0]}–{years[-1]}.",
                         unit="pistettä", dashed_last=True, width=5.2)
    figure["width"] = "60%"
    views = mt.views
    return {"years": years, "figure": figure,
            "scores": table_model(s, "kunta", caption=s.title),
            "views": table_model(views, "kunta", caption=views.title) if len(views.frame) else None,
            "text": (f"Kunnan vastaukset kuntakyselyyn ja sen yhdistysten arviot vuosina "
                     f"{', '.join(str(y) for y in years)}. Viiva ({MISSING}): kunta ei vastannut tai "
                     "kysymys ei ole vertailukelpoinen.")}


def sector_change_model(pub, key: str) -> dict | None:
    """The infographic's change strip: the sector's headline figures, previous wave and now."""
    tr = pub.trends
    if tr is None or key not in tr.sectors:
        return None
    st = tr.sectors[key]
    t = st.table
    prev, now = f"v{st.previous_year}", f"v{pub.year}"
    items = []
    for i in t.frame.index[:3]:
        cells = {c: format_cell(t.frame.at[i, c], "number", suppressed=t.is_suppressed(i, c), missing=MISSING,
                                mark=t.mark(i, c))
                 for c in (prev, now, "muutos")}
        change = cells["muutos"]
        v = t.frame.at[i, "muutos"]
        if change not in (MISSING, SMALL_MARK, PROTECTED_MARK) and not (isinstance(v, float) and math.isnan(v)) and v > 0:
            change = "+" + change
        items.append({"label": str(t.frame.at[i, "tunnusluku"]), "before": cells[prev], "now": cells[now],
                      "change": change, "suppressed": t.is_suppressed(i, now)})
    return {"title": f"Muutos edellisestä aallosta ({st.previous_year})", "items": items,
            "table": table_model(t, "toimiala", caption=t.title)}
