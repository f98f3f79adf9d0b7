"""Municipality PDFs: the plain model of one 2-4 page profile per municipality of the wave.

The profile has the kuntatutka radar against the region median and the
"järjestöpositiivinen kunta" checklist as the headline, then the municipality's
associations (by main sector, by reach, members and volunteers), the two views of
cooperation side by side and the change since the previous wave.

:func:`municipality_model` is a pure function of a :class:`~kartoitus.publication.Publication`:
every figure and every hidden cell comes from ``pub.municipalities`` (computed once
per wave by :mod:`kartoitus.publication.municipalities`) and ``pub.kuntatutka``;
this module only formats them (``<5`` for a hidden cell, Finnish numbers). The radar
is a :class:`~kartoitus.models.ChartSpec`; :mod:`kartoitus.render.municipality`
draws it and writes the PDF. A municipality that did not answer the municipality
survey is shown as such ("Kunta ei vastannut kuntakyselyyn"), never with zeros. The
pieces here (``table_to_model``, ``views_rows`` ...) are shared with the workshop
pack (:mod:`kartoitus.outputs.workshop`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer, fi_number, fi_percent, format_cell
from kartoitus.models import ChartSpec
from kartoitus.outputs.trends import municipality_trend_model
from kartoitus.publication import Publication
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication.municipalities import MunicipalityFigures, drop_zero_rows
from kartoitus.settings.codebook import Codebook, Municipality
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK, Table, marks_note

TITLE = "{name} \u2013 Keski-Suomen järjestökartoitus {year}"

NOT_ANSWERED_TEXT = "Kunta ei vastannut kuntakyselyyn"
NO_PREVIOUS_TEXT = "Edellistä aaltoa ei ole tietopankissa."
CHECK_SYMBOLS = {kt.MET: "\u2713", kt.NOT_MET: "\u2717", kt.NO_INFO: "?", kt.NOT_ANSWERED: "\u2013"}
CHECK_CLASSES = {kt.MET: "met", kt.NOT_MET: "not-met", kt.NO_INFO: "no-info",
                 kt.NOT_ANSWERED: "not-answered"}
SAYS_CLASSES = {kt.SAYS_YES: "says-yes", kt.SAYS_PARTLY: "says-partly", kt.SAYS_NO: "says-no",
                kt.NO_INFO: "says-none", kt.NOT_ANSWERED: "says-none"}


def municipality_of(code: str, year: int, codebook: Codebook) -> Municipality:
    for m in codebook.municipalities.for_year(year):
        if m.code == code:
            return m
    valid = ", ".join(f"{m.code} {m.name}" for m in codebook.municipalities.for_year(year))
    raise KartoitusError(f"kunta {code!r} ei kuulu vuoden {year} Keski-Suomen kuntiin ({valid})")


def figures_of(pub: Publication, code: str) -> MunicipalityFigures:
    """The figures of municipality ``code`` (a ``KartoitusError`` naming the valid ones if none)."""
    if pub.municipalities is None or pub.kuntatutka is None:
        raise KartoitusError("the publication has no municipality figures; publish it with "
                             "parts=('kuntatutka', 'municipalities')")
    code = str(code).strip().zfill(3)
    municipality_of(code, pub.year, pub.settings.codebook)
    return pub.municipalities[code]


# -- small model pieces -----------------------------------------------------------

def cell(text: Any, *, numeric: bool = False, suppressed: bool = False, header: bool = False,
         cls: str = "") -> dict:
    return {"text": "" if text is None else str(text), "numeric": numeric,
            "suppressed": suppressed, "header": header, "cls": cls}


def table_model(id: str, caption: str, headers: list[tuple[str, bool]], rows: list[list[dict]],
                note: str = "", size: str = "") -> dict:
    """The table shape of ``macros.html``'s ``table`` macro."""
    return {"id": id, "caption": caption, "note": note, "size": size,
            "headers": [{"text": h, "numeric": num} for h, num in headers], "rows": rows}


def _codes(series: pd.Series) -> pd.Series:
    return kt.normalize_codes(series)


def n_text(n: int, threshold: int, hidden: bool = False) -> str:
    """``n = 178``; a base under the threshold, or one the shared suppression hides
    (``hidden``), is shown as ``n = ..`` (``n = <5`` only when it truly is 1-4)."""
    if 0 < n < threshold:
        return f"n = {SMALL_MARK}"
    return f"n = {PROTECTED_MARK}" if hidden else f"n = {fi_integer(n)}"


def table_to_model(table: Table, threshold: int, *, label: str | None = None, size: str = "",
                   bars: str | None = None, caption: str | None = None, note: str | None = None,
                   n_hidden: bool = False) -> dict:
    """A suppressed ``Table`` as the template's table model (``<5`` for hidden cells).

    ``bars``: a count column drawn as an inline bar next to its number (the width is
    relative to the largest visible value); hidden cells get no bar.
    """
    labels = [c for c in table.label_columns if c != "avain"]
    label_col = label or labels[-1]
    mask = table.mask()
    headers = [(table.header(label_col) if table.header(label_col) != label_col else "", False)]
    headers += [(table.header(c), True) for c in table.value_columns]
    top = 0.0
    if bars:
        visible = pd.to_numeric(table.frame[bars], errors="coerce").where(~mask[bars])
        top = float(visible.max()) if visible.notna().any() else 0.0
    rows = []
    for idx in table.frame.index:
        row = [cell(table.frame.at[idx, label_col], header=True)]
        for c in table.value_columns:
            hidden = bool(mask.at[idx, c])
            kind = table.kinds[c]
            if (kind == "number" and "yhteensä" in table.header(c).lower()
                    and "htv" not in str(table.frame.at[idx, label_col])):
                kind = "count"              # a sum of estimated headcounts prints as a whole number
            text = format_cell(table.frame.at[idx, c], kind, suppressed=hidden, missing="\u2013",
                               mark=table.mark(idx, c))
            row.append(cell(text, numeric=True, suppressed=hidden))
        if bars:
            v = table.frame.at[idx, bars]
            hidden = bool(mask.at[idx, bars])
            pct = 0.0 if hidden or pd.isna(v) or top <= 0 else float(v) / top * 100
            row.append({"bar": round(pct, 1), "text": "", "numeric": False, "suppressed": hidden,
                        "header": False, "cls": "bar"})
        rows.append(row)
    if bars:
        headers.append(("", False))
    note_text = table.note if note is None else note
    return table_model(table.id, caption if caption is not None else f"{table.title} ({n_text(table.n, threshold, n_hidden)})",
                       headers, rows, note_text, size)


def any_hidden(table: Table) -> bool:
    return bool(table.mask().to_numpy().any())


def counts(table: Table) -> dict[str, Any]:
    """Label -> printed count (``<5`` when hidden), for tests and the alt text."""
    mask = table.mask()
    col = "yhdistyksia"
    label = [c for c in table.label_columns if c != "avain"][-1]
    return {str(table.frame.at[i, label]): (table.mark(i, col) if mask.at[i, col] else int(table.frame.at[i, col]))
            for i in table.frame.index}


def values(table: Table) -> dict[str, dict[str, Any]]:
    mask = table.mask()
    out = {}
    for i in table.frame.index:
        out[str(i)] = {c: (table.mark(i, c) if mask.at[i, c] else table.frame.at[i, c]) for c in table.value_columns}
    return out


# -- kuntatutka pieces ----------------------------------------------------------------

def answered(row: pd.Series) -> bool:
    v = row.get("vastannut", False)
    return False if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v)


def score_text(v: Any) -> str:
    return "ei tietoa" if v is None or pd.isna(v) else fi_number(float(v), 0)


def dimension_items(year: int, scoring: kt.Scoring, codebook: Codebook) -> dict[str, int]:
    return {d.id: len(d.items_in(year, codebook.municipality)) for d in scoring.dimensions}


def scores_table(row: pd.Series, region_median: pd.Series, labels: dict[str, str],
                 items: dict[str, int]) -> dict:
    """Dimension, the municipality's score, the region median, items answered."""
    did_answer = answered(row)
    rows = []
    for d, label in labels.items():
        own = row.get(d, np.nan) if did_answer else np.nan
        own_text = score_text(own) if did_answer else "ei vastannut"
        got = row.get(d + kt.ANSWERED_SUFFIX, pd.NA)
        if d in items and did_answer and not pd.isna(got):
            answered_text = f"{fi_integer(got)}/{fi_integer(items[d])}"
        elif d in items:
            answered_text = "\u2013"
        else:
            answered_text = ""
        rows.append([cell(label, header=True, cls="total" if d == kt.TOTAL else ""),
                     cell(own_text, numeric=True, cls="own"),
                     cell(score_text(region_median.get(d, np.nan)), numeric=True),
                     cell(answered_text, numeric=True)])
    n_med = region_median.attrs.get("n")
    note = ("Pisteet 0–100. Kohta, johon kunta ei vastannut, jätetään pois enimmäispisteistä; "
            "ulottuvuus ilman yhtään vastausta on \u201dei tietoa\u201d.")
    if n_med is not None:
        note += f" Maakunnan mediaani {fi_integer(n_med)} vastanneesta kunnasta."
    return table_model("kuntatutka", "Kuntatutkan pisteet", [("Ulottuvuus", False), ("Kunta", True),
                       ("Maakunnan mediaani", True), ("Vastattuja kohtia", True)], rows, note)


def radar_alt(name: str, row: pd.Series, region_median: pd.Series, labels: dict[str, str]) -> str:
    if not answered(row):
        parts = [f"{labels[d]}: maakunnan mediaani {score_text(region_median.get(d))}" for d in labels]
        return (f"Säteittäinen kuvio, kuntatutka: {name}. {NOT_ANSWERED_TEXT}, joten kunnan pisteitä "
                "ei ole. " + "; ".join(parts) + ".")
    parts = [f"{labels[d]} {score_text(row.get(d))} (maakunnan mediaani {score_text(region_median.get(d))})"
             for d in labels]
    return f"Säteittäinen kuvio, kuntatutka: {name}, pisteet 0–100. " + "; ".join(parts) + "."


def radar_figure_model(name: str, row: pd.Series, region_median: pd.Series, labels: dict[str, str],
                       title: str, *, size: tuple[float, float] = (4.7, 4.6), width: str = "") -> dict:
    """The radar as a figure model: ``src`` is a ``ChartSpec`` render draws into a PNG data URI."""
    spec = ChartSpec("radar", (row.to_dict(), region_median.to_dict(), dict(labels), title),
                     {"size": size, "median_n": region_median.attrs.get("n")})
    return {"src": spec, "alt": radar_alt(name, row, region_median, labels),
            "caption": "Pisteet 0–100; katkoviiva = maakunnan mediaani.", "width": width}


def checklist_items(checks: pd.DataFrame) -> list[dict]:
    return [{"text": t, "state": s, "symbol": CHECK_SYMBOLS.get(s, "?"), "cls": CHECK_CLASSES.get(s, "")}
            for t, s in zip(checks["kohta_teksti"], checks["tila"])]


def views_rows(views: pd.DataFrame, threshold: int = 5) -> list[dict]:
    """The two views of one municipality as template rows: a figure the report's
    ``yhteistyo_kunta`` hides is ``<5`` here too (:func:`kartoitus.publication.kuntatutka.two_views`)."""
    out = []
    for r in views.itertuples(index=False):
        hidden = bool(r.suojattu)
        mean_hidden = hidden or bool(getattr(r, "keskiarvo_suojattu", False))
        agree_hidden = hidden or bool(getattr(r, "samaa_mielta_suojattu", False))
        n = 0 if pd.isna(r.n) else int(r.n)
        out.append({
            "topic": r.aihe, "statement": r.vaite_teksti,
            "n": (SMALL_MARK if 0 < n < threshold else PROTECTED_MARK) if hidden else fi_integer(n),
            "mean": PROTECTED_MARK if mean_hidden else (fi_number(r.keskiarvo, 1) if n else "\u2013"),
            "agree": PROTECTED_MARK if agree_hidden else (fi_percent(r.samaa_mielta_pct, 0) if n else "\u2013"),
            "suppressed": hidden, "agree_suppressed": agree_hidden, "mean_suppressed": mean_hidden,
            "municipality": r.kunnan_vastaus if r.kunta_sanoo != kt.NOT_ANSWERED else "",
            "says": r.kunta_sanoo, "says_cls": SAYS_CLASSES.get(r.kunta_sanoo, ""),
            "conflict": bool(r.ristiriita), "why": r.ristiriita_selite,
        })
    return out


def _signed(x: float) -> str:
    if pd.isna(x):
        return "\u2013"
    text = fi_number(x, 0)
    return ("+" + text) if x > 0 and text not in ("0",) else text


def change_model(f: MunicipalityFigures, labels: dict[str, str], previous_year: int | None) -> dict:
    """The change since the previous wave: a sentence, or a table of scores then and now."""
    if f.change is None:
        return {"text": NO_PREVIOUS_TEXT, "table": None}
    when = f"({previous_year})" if previous_year else ""
    ch, row = f.change, f.scores
    if not bool(ch["vastannut_edellinen"]):
        return {"text": f"Kunta ei vastannut edellisen aallon {when} kuntakyselyyn, joten muutosta ei voi laskea."
                .replace("  ", " ").replace(" ()", ""), "table": None}
    if not answered(row):
        return {"text": f"{NOT_ANSWERED_TEXT} tänä vuonna, joten muutosta edelliseen aaltoon {when} ei voi laskea."
                .replace("  ", " ").replace(" ()", ""), "table": None}
    prev = f.previous
    rows = []
    for d, label in labels.items():
        before = pd.to_numeric(prev.get(d, np.nan), errors="coerce")
        rows.append([cell(label, header=True, cls="total" if d == kt.TOTAL else ""),
                     cell(score_text(before), numeric=True),
                     cell(score_text(row.get(d)), numeric=True),
                     cell(_signed(ch[d]), numeric=True,
                          cls="up" if ch[d] > 0 else "down" if ch[d] < 0 else "")])
    head = f"Edellinen aalto {previous_year}" if previous_year else "Edellinen aalto"
    return {"text": "", "table": table_model("muutos", "Kuntatutkan muutos edellisestä aallosta",
                                             [("Ulottuvuus", False), (head, True), ("Nyt", True),
                                              ("Muutos", True)], rows,
                                             "Muutos pisteinä (0–100-asteikolla); \u2013 = ei verrattavaa tietoa.")}


# -- the model ----------------------------------------------------------------------

def plural_associations(n: int) -> str:
    return f"{fi_integer(n)} yhdistys" if n == 1 else f"{fi_integer(n)} yhdistystä"


def notes(threshold: int) -> list[str]:
    return [
        f"Merkinnät: {SMALL_MARK} = 1–{threshold - 1} yhdistystä; {PROTECTED_MARK} = luku peitetty, "
        "koska se perustuu alle viiteen yhdistykseen tai koska siitä ja yhteissummasta voisi "
        "päätellä pienen luvun. Osuuksia ja keskiarvoja ei merkitä koskaan <5.",
        "Yhdistykset on kohdistettu kuntaan kotikunnan mukaan. Yksittäisten yhdistysten nimiä tai "
        "avovastauksia ei julkaista.",
        "Kuntatutkan pisteet lasketaan kuntakyselyn vastauksista. Kunta, "
        "joka ei vastannut, näytetään vastaamattomana, ei nollana.",
    ]


def municipality_model(pub: Publication, code: str) -> dict:
    """The plain model of municipality ``code``'s PDF (pure: formats ``pub``'s figures)."""
    f = figures_of(pub, code)
    year, threshold, cb = pub.year, pub.threshold, pub.settings.codebook
    scoring = pub.settings.scoring
    tut = pub.kuntatutka
    m = municipality_of(f.code, year, cb)
    labels = kt.dimension_labels(scoring, include_total=True)
    dim_labels = kt.dimension_labels(scoring)
    row = f.scores
    did_answer = answered(row)
    n_own, n_hidden = f.n_associations, f.n_hidden
    sectors = drop_zero_rows(f.sectors)
    checks = checklist_items(f.checklist)
    view_rows = views_rows(f.views, threshold)
    items = dimension_items(year, scoring, cb)

    radar = radar_figure_model(m.name, row, tut.region_median, dim_labels,
                               f"Kuntatutka {year}: {m.name} ja maakunnan mediaani")
    met = sum(1 for c in checks if c["state"] == kt.MET)
    few = n_own < threshold
    where = f"{m.name} kuuluu {m.subregion.replace('seutukunta', 'seutukuntaan')}. "
    if few:
        count_text = (f"Järjestökyselyyn vastasi alle {threshold} yhdistystä, joiden kotikunta on {m.name}, "
                      f"joten yhdistysten luvut on peitetty ({SMALL_MARK}).")
    elif n_hidden:
        count_text = (f"Järjestökyselyyn vastanneiden yhdistysten määrää, joiden kotikunta on {m.name}, ei "
                      "julkaista: siitä ja muiden kuntien julkaistuista luvuista voisi päätellä pienemmän "
                      f"luvun (merkitty {PROTECTED_MARK}).")
    else:
        count_text = f"Järjestökyselyyn vastasi {plural_associations(n_own)}, joiden kotikunta on {m.name}."
    intro = [
        where + count_text,
        (f"Kunta vastasi vuoden {year} kuntakyselyyn." if did_answer else
         f"Kunta ei vastannut vuoden {year} kuntakyselyyn, joten kuntatutkan pisteitä ja "
         "tarkistuslistaa ei ole; kuvassa on vain maakunnan mediaani."),
    ]
    sector_visible = not sectors.mask()["yhdistyksia"].all() if len(sectors.frame) else False
    activity = f.activity
    return {
        "lang": "fi", "title": TITLE.format(name=m.name, year=year), "code": f.code, "name": m.name,
        "year": year, "subregion": m.subregion, "answered": did_answer, "threshold": threshold,
        "not_answered_text": NOT_ANSWERED_TEXT, "intro": intro,
        "n_associations": None if n_hidden else n_own, "few_associations": few,
        "radar": radar,
        "scores": scores_table(row, tut.region_median, labels, items),
        "total_score": None if not did_answer or pd.isna(row.get(kt.TOTAL)) else float(row[kt.TOTAL]),
        "checklist": {"items": checks if did_answer else [], "met": met, "of": len(checks),
                      "summary": (f"Täyttyy {fi_integer(met)}/{fi_integer(len(checks))} kohdasta."
                                  if did_answer else NOT_ANSWERED_TEXT + ".")},
        "sectors": {"table": table_to_model(sectors, threshold, bars="yhdistyksia" if sector_visible else None,
                                           n_hidden=n_hidden),
                    "counts": counts(sectors), "hidden": any_hidden(sectors)},
        "reach": {"table": table_to_model(f.reach, threshold, n_hidden=n_hidden), "counts": counts(f.reach)},
        "activity": None if activity is None else {"table": table_to_model(activity, threshold,
                                                                           caption=activity.title),
                                                   "counts": counts(activity)},
        "people": {"table": table_to_model(f.people, threshold, n_hidden=n_hidden), "values": values(f.people)},
        "views": {"rows": view_rows, "conflicts": sum(1 for r in view_rows if r["conflict"]),
                  "municipality_answered": did_answer},
        "change": change_model(f, labels, tut.previous_year),
        "trend": municipality_trend_model(pub, code),
        "notes": notes(threshold),
    }


def municipality_models(pub: Publication) -> list[dict]:
    """The model of every municipality of the wave, in the codebook's order."""
    return [municipality_model(pub, code) for code in pub.municipalities]
