"""The static website: site models (:mod:`kartoitus.outputs.site`) -> HTML pages, chart
PNGs, CSV tables, the workbook and the offline search script, in ``reports/<year>/sivusto/``.

Charts are drawn by :mod:`kartoitus.render.charts` (the same code as the PDFs) into
``kuvat/<page>-<n>.png``; tables use the PDFs' template macros. Every file is plain
and relative: the folder can be opened from disk or copied to any web host. No page
loads anything from another address.

``render_job(payload)`` is the build's worker entry point; ``payload["part"]`` is
``"front"`` (front page, tables page, CSVs, workbook, style, search), ``"municipalities"``
or ``"sectors"``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from kartoitus.atomic import atomic_write_bytes
from kartoitus.models import ChartSpec, map_charts
from kartoitus.tables import Table

CHART_FOLDER = "kuvat"
TEMPLATES = {"front": "site_index.html", "tables": "site_tables.html", "municipality": "site_municipality.html",
             "sector": "site_sector.html"}


# -- charts ---------------------------------------------------------------------------------

def count_charts(model) -> int:
    n = 0

    def count(spec: ChartSpec):
        nonlocal n
        n += 1
        return spec
    map_charts(model, count)
    return n


def chart_files(model, page: str) -> list[str]:
    """Relative paths of the chart PNGs of a page (``kuvat/<page stem>-<n>.png``)."""
    stem = Path(page).stem
    return [f"{CHART_FOLDER}/{stem}-{i}.png" for i in range(1, count_charts(model) + 1)]


def _draw_page(model: dict, site: Path) -> tuple[dict, list[Path]]:
    from kartoitus.render.charts import draw_png

    names = iter(chart_files(model, model["page"]))
    written: list[Path] = []

    def draw(spec: ChartSpec) -> str:
        name = next(names)
        written.append(atomic_write_bytes(site / name, draw_png(spec)))
        return name
    return map_charts(model, draw), written


def write_page(model: dict, template: str, site: Path) -> list[Path]:
    from kartoitus.render.document import render_html

    drawn, written = _draw_page(model, site)
    html = render_html(template, drawn)
    return [atomic_write_bytes(site / model["page"], html.encode("utf-8")), *written]


# -- tables as CSV ----------------------------------------------------------------------------

def _number(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "count":
        return str(int(round(float(value))))
    text = f"{float(value):.1f}" if kind in ("percent", "mean") else f"{float(value):.10g}"
    return text.replace(".", ",")


def table_csv(t: Table) -> bytes:
    """A published table as CSV for Finnish Excel: UTF-8 with BOM, ``;``, decimal comma;
    a suppressed cell holds the suppression mark, never the number."""
    from kartoitus.stages.bank import escape_formulas

    cols = [c for c in t.label_columns if c != "avain"] + t.value_columns
    mask = t.mask()
    rows = []
    for i in t.frame.index:
        row = []
        for c in cols:
            kind = t.kinds.get(c)
            if kind is not None and kind != "text" and bool(mask.at[i, c]):
                row.append(t.mark(i, c))
            elif kind is None or kind == "text":
                v = t.frame.at[i, c]
                row.append("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
            else:
                row.append(_number(t.frame.at[i, c], kind))
        rows.append(row)
    import pandas as pd
    frame = escape_formulas(pd.DataFrame(rows, columns=[t.header(c) for c in cols], dtype=object))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(frame.columns))
    writer.writerows(frame.itertuples(index=False))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# -- static files -----------------------------------------------------------------------------

def search_script(entries: list[dict]) -> bytes:
    """``haku.js``: the search index (municipalities and sectors) and the search box code."""
    from kartoitus.render.document import TEMPLATES as FOLDER

    code = (FOLDER / "site.js").read_text(encoding="utf-8")
    data = json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=0)
    return f"var KARTOITUS_HAKU = {data};\n{code}".encode("utf-8")


def stylesheet() -> bytes:
    from kartoitus.render.document import TEMPLATES as FOLDER

    return (FOLDER / "site.css").read_bytes()


# -- the job ----------------------------------------------------------------------------------

def render_job(payload: dict) -> list[Path]:
    site = Path(payload["site"])
    part = payload["part"]
    out: list[Path] = []
    if part == "front":
        models = payload["models"]
        out += write_page(models["front"], TEMPLATES["front"], site)
        out += write_page(models["tables"], TEMPLATES["tables"], site)
        for name, table in payload["csv"].items():      # relative path -> Table
            out.append(atomic_write_bytes(site / name, table_csv(table)))
        out.append(atomic_write_bytes(site / models["front"]["style"], stylesheet()))
        out.append(atomic_write_bytes(site / models["front"]["script"], search_script(payload["search"])))
        if payload.get("workbook") is not None:
            from kartoitus.render.workbook import write_workbook
            wb = payload["workbook"]
            out.append(write_workbook(wb["model"], site / wb["name"], wb["epoch"]))
    elif part == "municipalities":
        for model in payload["models"]:
            out += write_page(model, TEMPLATES["municipality"], site)
    elif part == "sectors":
        for model in payload["models"]:
            out += write_page(model, TEMPLATES["sector"], site)
    else:
        raise ValueError(f"unknown site part {part!r}")
    return out
