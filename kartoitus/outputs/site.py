"""The static website of a wave as plain models (``kartoitus.render.site`` writes it).

The site reuses the other outputs' models, so a figure on the web is the figure of
the PDF: a municipality page is :func:`~kartoitus.outputs.municipality.municipality_model`,
a sector page :func:`~kartoitus.outputs.infographic.infographic_model`, the trends
:mod:`kartoitus.outputs.trends`, the tables the publication's Tables (suppressed).
Charts stay :class:`~kartoitus.models.ChartSpec` until render draws them.

Pages (flat, so that relative links work from any folder and from ``file://``)::

    index.html                      front page: key figures, findings, trends, lists
    kunta-<code>-<slug>.html        one per municipality
    toimiala-<key>.html             one per sector page
    taulukot.html                   every table, CSV download links and the workbook
    haku.js                         the offline search index and search box code

Nothing here reads or writes a file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from kartoitus.fmt import fi_integer
from kartoitus.outputs.report.sections import table_model
from kartoitus.publication import Publication

SITE_FOLDER = "sivusto"
INDEX = "index.html"
TABLES = "taulukot.html"
SEARCH_SCRIPT = "haku.js"
STYLE = "sivusto.css"
TABLE_FOLDER = "taulukot"

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})


def slug(text: str) -> str:
    """``Jyväskylä`` -> ``jyvaskyla``."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    return re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode("ascii").lower()).strip("-") or "x"


def municipality_page(code: str, name: str) -> str:
    return f"kunta-{code}-{slug(name)}.html"


def sector_page(key: str) -> str:
    return f"toimiala-{slug(key)}.html"


def csv_name(table_id: str) -> str:
    return f"{TABLE_FOLDER}/{table_id}.csv"


def _nav(pub: Publication, current: str) -> list[dict]:
    items = [("Etusivu", INDEX), ("Taulukot ja lataukset", TABLES)]
    return [{"text": t, "href": h, "current": h == current} for t, h in items]


def _common(pub: Publication, title: str, page: str) -> dict:
    year = pub.year
    return {"lang": "fi", "title": title, "year": year, "page": page, "nav": _nav(pub, page),
            "site_title": f"Keski-Suomen järjestökartoitus {year}", "style": STYLE, "script": SEARCH_SCRIPT,
            "index": INDEX}


def search_index(pub: Publication) -> list[dict]:
    """What the search box finds: every municipality and sector page, with the words it answers to."""
    from kartoitus.publication.sectors import sector_options

    out = []
    cb = pub.settings.codebook
    for code in pub.municipalities or {}:
        m = cb.municipalities.by_code(code)
        out.append({"name": m.name, "kind": "Kunta", "href": municipality_page(code, m.name),
                    "words": " ".join([m.name, code, m.subregion, *m.other_names])})
    labels = sector_options(pub.settings)
    for key in pub.sectors or {}:
        out.append({"name": labels[key], "kind": "Toimiala", "href": sector_page(key),
                    "words": f"{labels[key]} {key.replace('_', ' ')}"})
    return out


def front_model(pub: Publication) -> dict:
    from kartoitus.outputs.report import report_model
    from kartoitus.outputs.trends import key_figures_figure, table_model as trend_table
    from kartoitus.publication.sectors import sector_options

    # the front page reads only the publication's figures, not the build's data facts, so that
    # build-report and the site command alone give the same page
    report = report_model(replace(pub, meta={}))
    findings = next((c["findings"] for c in report["chapters"] if c["id"] == "tiivistelma"), [])
    cb = pub.settings.codebook
    munis = [{"name": cb.municipalities.name_of(c), "href": municipality_page(c, cb.municipalities.name_of(c))}
             for c in pub.municipalities or {}]
    labels = sector_options(pub.settings)
    sectors = [{"name": labels[k], "href": sector_page(k), "withheld": f.withheld is not None}
               for k, f in (pub.sectors or {}).items()]
    trend = None
    if pub.trends is not None and pub.trends.key_figures is not None:
        t = pub.trends.key_figures
        trend = {"figure": key_figures_figure(pub), "table": trend_table(t, "etusivu", caption=t.title),
                 "years": list(pub.trends.years)}
    facts = list(report["cover"]["facts"])
    if pub.kuntatutka is not None:
        answered = int(pub.kuntatutka.scores["vastannut"].fillna(False).astype(bool).sum())
        facts.append({"label": "Kuntakyselyyn vastanneita kuntia",
                      "value": f"{fi_integer(answered)} / {fi_integer(len(pub.kuntatutka.scores))}"})
    return {**_common(pub, f"Keski-Suomen järjestökartoitus {pub.year}", INDEX),
            "facts": facts, "subtitle": report["cover"]["subtitle"],
            "findings": findings, "trend": trend, "municipalities": munis, "sectors": sectors}


def municipality_site_model(pub: Publication, code: str) -> dict:
    from kartoitus.outputs.municipality import municipality_model

    model = municipality_model(pub, code)
    page = municipality_page(code, model["name"])
    return {**_common(pub, f"{model['name']}: kuntaprofiili {pub.year}", page), "m": model}


def sector_site_model(pub: Publication, key: str) -> dict:
    from kartoitus.outputs.infographic import infographic_model

    model = infographic_model(pub, key)
    return {**_common(pub, f"{model['label']}: toimialan luvut {pub.year}", sector_page(key)), "s": model}


def tables_model(pub: Publication) -> dict:
    from kartoitus.outputs.workbook import workbook_filename

    tables = []
    for tid, t in (pub.tables or {}).items():
        if not t.asked:
            continue
        tables.append({"id": tid, "title": t.title, "n": fi_integer(t.n), "csv": csv_name(tid),
                       "table": table_model(t, "sivu")})
    return {**_common(pub, f"Taulukot ja lataukset {pub.year}", TABLES), "tables": tables,
            "workbook": workbook_filename(pub.year)}


def site_models(pub: Publication) -> dict:
    """Every page of the site: ``{"front", "tables", "municipalities": {code: model},
    "sectors": {key: model}, "search": [entries], "csv": {table id: Table}}``."""
    return {
        "front": front_model(pub),
        "tables": tables_model(pub),
        "municipalities": {c: municipality_site_model(pub, c) for c in pub.municipalities or {}},
        "sectors": {k: sector_site_model(pub, k) for k in pub.sectors or {}},
        "search": search_index(pub),
        "csv": {tid: t for tid, t in (pub.tables or {}).items() if t.asked},
    }
