"""Workshop packs: several municipalities side by side for a regional workshop.

One landscape PDF for an elinvoimapaja (``reports/<year>/pajat/<slug>.pdf``, see
:mod:`kartoitus.render.workshop`) with the municipalities' kuntatutka scores in one
table and a radar per municipality (the region median as the reference), the
"järjestöpositiivinen kunta" checklists side by side, the associations by main
sector per municipality, members and volunteers, the two views of cooperation
per municipality, and at the end the discussion sheet (kehityskeskustelu,
:mod:`kartoitus.outputs.discussion`) of each municipality.

:func:`workshop_model` is a pure function of a :class:`~kartoitus.publication.Publication`:
every figure and hidden cell is the one the municipality PDFs print
(``pub.municipalities``, :mod:`kartoitus.publication.municipalities`), so the same
privacy rules hold: counts of 1-4 are ``<5``, other hidden cells ``..``, the number of respondents
and the counts by sector follow :func:`kartoitus.publication.disclosure.home_hidden`,
the region column is the report's ``vastaajat_toimiala`` and the two views follow the
report's ``yhteistyo_kunta``. A municipality that did not answer the municipality
survey is "ei vastannut", never zeros, and no association name or free text is printed.
"""

from __future__ import annotations

import pandas as pd

from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer, format_cell
from kartoitus.outputs import municipality as mu
from kartoitus.outputs.discussion import discussion_model
from kartoitus.publication import Publication
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication.municipalities import MunicipalityFigures, RegionFigures
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK

STATE_TEXT = {kt.MET: "\u2713 täyttyy", kt.NOT_MET: "\u2717 ei täyty", kt.NO_INFO: "? ei tietoa",
              kt.NOT_ANSWERED: "\u2013 ei vastannut"}


# -- the model ------------------------------------------------------------------------

def _names_text(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ja " + names[-1]


def _cell(text, *, sub: str = "", cls: str = "", header: bool = False) -> dict:
    return {"text": "" if text is None else str(text), "sub": sub, "cls": cls, "header": header}


def _matrix(id: str, caption: str, headers: list[str], rows: list[list[dict]], note: str = "",
            ref_last: bool = False) -> dict:
    return {"id": id, "caption": caption, "headers": headers, "rows": rows, "note": note, "ref_last": ref_last}


def scores_matrix(rows: dict[str, pd.Series], region_median: pd.Series, labels: dict[str, str],
                  names: dict[str, str], facts: list[dict] | None = None) -> dict:
    out = []
    if facts:
        out.append([_cell("Järjestökyselyyn vastanneita yhdistyksiä", header=True),
                    *[_cell(f["associations"], cls="num") for f in facts], _cell(facts[0]["region_associations"], cls="num ref")])
        out.append([_cell("Kuntakysely", header=True),
                    *[_cell("vastasi" if f["answered"] else "ei vastannut",
                            cls="center" if f["answered"] else "center cell-not-answered") for f in facts],
                    _cell(f"{fi_integer(region_median.attrs.get('n', 0))} kuntaa vastasi", cls="center ref")])
    for d, label in labels.items():
        line = [_cell(label, header=True, cls="total" if d == kt.TOTAL else "")]
        for code, row in rows.items():
            if not mu.answered(row):
                line.append(_cell("ei vastannut", cls="center cell-not-answered"))
            else:
                line.append(_cell(mu.score_text(row.get(d)), cls="num"))
        line.append(_cell(mu.score_text(region_median.get(d)), cls="num ref"))
        out.append(line)
    n_med = region_median.attrs.get("n")
    note = "Pisteet 0–100; \u201dei tietoa\u201d = ulottuvuuden yhteenkään kohtaan ei vastattu."
    if n_med is not None:
        note += f" Maakunnan mediaani {fi_integer(n_med)} vastanneesta kunnasta."
    return _matrix("paja_kuntatutka", "Kunnat ja kuntatutkan pisteet",
                   ["", *names.values(), "Maakunta (mediaani)"],
                   out, note, ref_last=True)


def checklist_matrix(checks: pd.DataFrame, codes: list[str], names: dict[str, str]) -> dict:
    codes_col = mu._codes(checks["kunta"])
    sub = checks.loc[codes_col.isin(codes).to_numpy()]
    items = list(dict.fromkeys(sub["kohta"]))
    texts = dict(zip(sub["kohta"], sub["kohta_teksti"]))
    state = {(c, k): s for c, k, s in zip(mu._codes(sub["kunta"]), sub["kohta"], sub["tila"])}
    rows = []
    for k in items:
        line = [_cell(texts[k], header=True)]
        for code in codes:
            s = state.get((code, k), kt.NO_INFO)
            line.append(_cell(STATE_TEXT.get(s, s), cls="center cell-" + mu.CHECK_CLASSES.get(s, "")))
        rows.append(line)
    met = []
    for code in codes:
        states = [state.get((code, k)) for k in items]
        if all(s == kt.NOT_ANSWERED for s in states):
            met.append(_cell("ei vastannut", cls="center cell-not-answered"))
        else:
            met.append(_cell(f"{fi_integer(sum(s == kt.MET for s in states))}/{fi_integer(len(items))}",
                             cls="center"))
    rows.append([_cell("Täyttyviä kohtia", header=True, cls="total"), *met])
    return _matrix("paja_tarkistuslista", "Järjestöpositiivinen kunta: tarkistuslista",
                   ["Kohta", *names.values()], rows,
                   "\u2713 täyttyy · \u2717 ei täyty · ? ei tietoa (ei vastattu) · \u2013 kunta ei vastannut "
                   "kuntakyselyyn.")


def sector_matrix(figures: dict[str, MunicipalityFigures], region: RegionFigures, names: dict[str, str],
                  threshold: int) -> dict:
    """Associations by main sector per municipality (``figures``, in column order), with
    the whole region as the reference; hidden where the PDFs and the report hide them."""
    codes = list(figures)
    tables = {c: f.sectors for c, f in figures.items()}
    region_table = region.sectors
    keys = list(region_table.frame.index)
    for t in tables.values():
        keys += [k for k in t.frame.index if k not in keys]
    rows = []
    for k in keys:
        shown = [t for t in tables.values() if k in t.frame.index]
        nonzero = any(t.mask().at[k, "yhdistyksia"] or t.frame.at[k, "yhdistyksia"] > 0 for t in shown)
        if not nonzero:
            continue
        label = (region_table.frame.at[k, "luokka"] if k in region_table.frame.index
                 else next(t.frame.at[k, "luokka"] for t in shown))
        line = [_cell(label, header=True)]
        for c in codes:
            t = tables[c]
            if k not in t.frame.index:
                line.append(_cell("0", cls="num"))
                continue
            hidden = bool(t.mask().at[k, "yhdistyksia"])
            line.append(_cell(format_cell(t.frame.at[k, "yhdistyksia"], "count", suppressed=hidden,
                                          mark=t.mark(k, "yhdistyksia")),
                              cls="num suppressed" if hidden else "num"))
        if k in region_table.frame.index:
            hidden = bool(region_table.mask().at[k, "osuus"])
            line.append(_cell(format_cell(region_table.frame.at[k, "osuus"], "percent", suppressed=hidden),
                              cls="num ref"))
        else:
            line.append(_cell("\u2013", cls="num ref"))
        rows.append(line)
    total = [_cell("Vastanneita yhdistyksiä yhteensä", header=True, cls="total")]
    for c in codes:
        total.append(_cell(mu.n_text(tables[c].n, threshold, figures[c].count_hidden).replace("n = ", ""),
                           cls="num"))
    total.append(_cell(fi_integer(region_table.n), cls="num ref"))
    rows.append(total)
    return _matrix("paja_toimialat", "Yhdistykset päätoimialoittain (kotikunnan mukaan)",
                   ["Päätoimiala", *names.values(), "Maakunta (%)"], rows,
                   "Kunnan sarakkeissa yhdistysten lukumäärä; maakunnan sarakkeessa osuus kaikista "
                   "järjestökyselyyn vastanneista yhdistyksistä (viimeisellä rivillä lukumäärä).", ref_last=True)


def people_matrix(figures: dict[str, MunicipalityFigures], names: dict[str, str], threshold: int) -> dict:
    tables = {c: f.people for c, f in figures.items()}
    rows = []
    first = next(iter(tables.values()))
    for q in first.frame.index:
        label = first.frame.at[q, "kysymys"]
        for col, what in (("yhteensa", "yhteensä"), ("mediaani", "mediaani")):
            line = [_cell(f"{label}: {what}", header=True)]
            for t in tables.values():
                hidden = bool(t.mask().at[q, col])
                line.append(_cell(format_cell(t.frame.at[q, col], "number", suppressed=hidden, missing="\u2013"),
                                  cls="num suppressed" if hidden else "num"))
            rows.append(line)
    return _matrix("paja_henkilot", "Jäsenet, vapaaehtoiset ja palkattu henkilöstö",
                   ["", *names.values()], rows,
                   "Yhteensä ja mediaani yhdistystä kohden niistä yhdistyksistä, jotka vastasivat kysymykseen; "
                   f"alle {threshold} vastaajan luvut on peitetty.")


def views_matrix(figures: dict[str, MunicipalityFigures], names: dict[str, str]) -> dict:
    per = {c: mu.views_rows(f.views) for c, f in figures.items()}
    first = next(iter(per.values()))
    rows = []
    for i, r in enumerate(first):
        line = [_cell(r["topic"], sub=r["statement"], header=True)]
        for c in per:
            v = per[c][i]
            if v["suppressed"]:
                text = f"{PROTECTED_MARK} (n {v['n']})"
            elif v["agree"] == "\u2013":
                text = "\u2013 (n 0)"
            else:
                text = f"{v['agree']} (n {v['n']})"
            cls = "center" + (" conflict" if v["conflict"] else "") + (" suppressed" if v["suppressed"] else "")
            line.append(_cell(text, sub=f"kunta: {v['says']}" + (" \u26a0" if v["conflict"] else ""), cls=cls))
        rows.append(line)
    return _matrix("paja_kaksi_nakokulmaa", "Kaksi näkökulmaa: yhdistysten arvio ja kunnan oma vastaus",
                   ["Aihe ja väite", *names.values()], rows,
                   "Ylärivi: samaa mieltä olevien (4–5) osuus kunnan yhdistyksistä ja vastanneiden määrä. "
                   "Alarivi: mitä kunta kertoo itsestään samasta aiheesta. Korostettu solu (\u26a0) = ristiriita: "
                   "kunta vastaa kyllä mutta alle puolet yhdistyksistä on samaa mieltä, tai kunta vastaa ei mutta "
                   "vähintään 70 % on samaa mieltä.")


def workshop_model(pub: Publication, codes: list[str], subregion: str | None = None) -> dict:
    """The plain model of a workshop pack (pure: formats ``pub``'s figures).

    ``codes``: municipality codes of the wave in the order of the columns;
    ``subregion``: the code of the sub-region the pack is about (its name heads the
    pack), or None for a pack named after its municipalities.
    """
    year, threshold = pub.year, pub.threshold
    cb, scoring = pub.settings.codebook, pub.settings.scoring
    members = [mu.municipality_of(str(c).strip().zfill(3), year, cb) for c in codes]
    if not members:
        raise KartoitusError("työpajapaketti tarvitsee vähintään yhden kunnan")
    figures = {m.code: mu.figures_of(pub, m.code) for m in members}
    region = next(iter(figures.values())).region
    region_median = pub.kuntatutka.region_median
    codes = [m.code for m in members]
    names = {m.code: m.name for m in members}
    labels = kt.dimension_labels(scoring, include_total=True)
    dim_labels = kt.dimension_labels(scoring)
    rows = {c: f.scores for c, f in figures.items()}
    sub_name = cb.municipalities.subregions(year)[subregion] if subregion is not None else None
    heading = sub_name if subregion is not None else _names_text([m.name for m in members])
    title = f"Elinvoimapaja: {heading} \u2013 Keski-Suomen järjestökartoitus {year}"
    facts = []
    for m in members:
        f = figures[m.code]
        n = f.n_associations
        facts.append({"name": m.name, "code": m.code,
                      "associations": (f"alle {threshold}" if 0 < n < threshold
                                       else PROTECTED_MARK if f.count_hidden else fi_integer(n)),
                      "answered": mu.answered(f.scores),
                      "total": (mu.score_text(f.scores.get(kt.TOTAL)) if mu.answered(f.scores)
                                else "ei vastannut"),
                      "region_associations": fi_integer(region.n_associations)})
    radars = [mu.radar_figure_model(m.name, rows[m.code], region_median, dim_labels, f"{m.name}", size=(4.4, 4.3))
              for m in members]
    intro = [
        f"Vertailu kuntien {_names_text([m.name for m in members])} järjestöyhteistyöstä vuoden {year} "
        "järjestökartoituksen pohjalta. Vertailukohtana on maakunnan mediaani (kuntatutka) ja koko "
        "maakunta (yhdistysten toimialat).",
    ]
    missing = [m.name for m in members if not mu.answered(rows[m.code])]
    if missing:
        intro.append(f"Kuntakyselyyn ei vastannut: {_names_text(missing)}. Näiden kuntien kuntatutkaa ja "
                     "tarkistuslistaa ei voi esittää; niitä ei ole merkitty nolliksi.")
    return {
        "lang": "fi", "title": title, "year": year, "heading": heading,
        "subregion": None if subregion is None else {"code": subregion, "name": sub_name},
        "codes": codes, "names": [m.name for m in members], "threshold": threshold,
        "intro": intro, "facts": facts, "radars": radars,
        "radar_cols": 3 if len(members) <= 3 else 4,
        "scores": scores_matrix(rows, region_median, labels, names, facts),
        "checklist": checklist_matrix(pub.kuntatutka.checklist, codes, names),
        "sectors": sector_matrix(figures, region, names, threshold),
        "people": people_matrix(figures, names, threshold),
        "views": views_matrix(figures, names),
        "notes": mu.notes(threshold),
        # the discussion sheet of each municipality ends the pack
        "discussions": [discussion_model(pub, c) for c in codes],
    }
