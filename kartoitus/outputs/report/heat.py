"""Heat tables: a comparison the eye reads at once (sectors x activities, municipalities x
kuntatutka themes). Plain table models whose cells carry a background colour."""

from __future__ import annotations

import math

import pandas as pd

from kartoitus.fmt import fi_integer, fi_number
from kartoitus.outputs.report.findings import _visible_label_columns
from kartoitus.outputs.report.sections import reader_note
from kartoitus.tables import Table, marks_note

#: light to dark (the report's blue)
_LOW, _HIGH = (0xF2, 0xF7, 0xFB), (0x0B, 0x3C, 0x5D)


def heat_style(value: float, top: float = 100.0) -> str:
    """Inline style of a heat cell: background from light (0) to dark (``top``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    t = max(0.0, min(1.0, float(value) / top if top else 0.0))
    rgb = [round(lo + (hi - lo) * t) for lo, hi in zip(_LOW, _HIGH)]
    text = "#ffffff" if t > 0.55 else "#222222"
    return f"background:#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x};color:{text}"


def _cell(text: str, *, style: str = "", suppressed: bool = False, header: bool = False,
          numeric: bool = True) -> dict:
    return {"text": text, "numeric": numeric, "suppressed": suppressed, "header": header, "style": style}


def sector_heat(t: Table, anchor: str = "lampo") -> dict:
    """A table by sector (rows) of shares (percent columns) as a heat table: whole
    percents, hidden cells as their mark."""
    label = _visible_label_columns(t)[0]
    pct = [c for c in t.value_columns if t.kinds[c] == "percent"]
    count = next((c for c in t.value_columns if t.kinds[c] == "count"), None)
    mask = t.mask()
    headers = [{"text": t.header(label), "numeric": False}]
    if count:
        headers.append({"text": "n", "numeric": True})
    headers += [{"text": t.header(c).replace(", %", "").replace(" (%)", ""), "numeric": True} for c in pct]
    rows, marks = [], set()
    for i in t.frame.index:
        row = [_cell(str(t.frame.at[i, label]), header=True, numeric=False)]
        if count:
            hidden = bool(mask.at[i, count])
            if hidden:
                marks.add(t.mark(i, count))
            row.append(_cell(t.mark(i, count) if hidden else fi_integer(t.frame.at[i, count]),
                             suppressed=hidden))
        for c in pct:
            hidden = bool(mask.at[i, c])
            v = t.frame.at[i, c]
            if hidden:
                marks.add(t.mark(i, c))
                row.append(_cell(t.mark(i, c), suppressed=True))
            elif pd.isna(v):
                row.append(_cell("\u2013"))
            else:
                row.append(_cell(fi_number(v, 0), style=heat_style(float(v))))
        rows.append(row)
    notes = ["Osuus (%) toimialan vastanneista; mitä tummempi solu, sitä suurempi osuus."]
    note = reader_note(t.note)
    if note:
        notes.append(note)
    if marks:
        notes.append(marks_note(marks))
    return {"id": f"{anchor}-{t.id}", "title": t.title, "caption": f"{t.title} (n = {fi_integer(t.n)})",
            "size": "heat", "headers": headers, "rows": rows, "note": " ".join(notes),
            "marks": sorted(marks)}


def kuntatutka_heat(scores: pd.DataFrame, labels: dict[str, str], year: int,
                    subregions: dict[str, str] | None = None) -> dict:
    """The municipality survey as a comparison: one row per municipality, one column per
    kuntatutka theme (0-100 points) and the total, coloured by the score."""
    dims = [d for d in labels if d in scores.columns]
    total = "kokonaispisteet" if "kokonaispisteet" in scores.columns else None
    headers = [{"text": "Kunta", "numeric": False}]
    headers += [{"text": labels[d], "numeric": True} for d in dims]
    if total:
        headers.append({"text": "Yhteensä", "numeric": True})
    frame = scores.copy()
    frame["_sub"] = frame.get("seutukunta_koodi", pd.Series("", index=frame.index)).astype(str)
    frame = frame.sort_values(["_sub", "kunta_nimi"], kind="stable")
    rows = []
    silent = 0
    for _, r in frame.iterrows():
        answered = bool(r.get("vastannut", True)) and not all(pd.isna(r[d]) for d in dims)
        row = [_cell(str(r["kunta_nimi"]), header=True, numeric=False)]
        if not answered:
            silent += 1
            row += [_cell("\u2013") for _ in dims] + ([_cell("\u2013")] if total else [])
            row[0]["text"] += " (ei vastannut)"
        else:
            for d in dims:
                v = r[d]
                row.append(_cell("\u2013" if pd.isna(v) else fi_integer(v),
                                 style="" if pd.isna(v) else heat_style(float(v))))
            if total:
                v = r[total]
                row.append(_cell("\u2013" if pd.isna(v) else fi_integer(v),
                                 style="" if pd.isna(v) else heat_style(float(v))))
        rows.append(row)
    note = ("Pisteet 0–100 kunnan omista kuntakyselyn vastauksista teemoittain; mitä tummempi "
            "solu, sitä enemmän teeman käytäntöjä kunnassa on. – = ei vastausta. "
            "Kuntakohtaiset tiedot ovat kuntien omissa kuntaprofiileissa.")
    return {"id": "lampo-kuntatutka", "title": f"Kuntatutka {year} teemoittain",
            "caption": f"Kuntatutka {year}: kuntien pisteet teemoittain (0–100)",
            "size": "heat", "headers": headers, "rows": rows, "note": note, "marks": []}
