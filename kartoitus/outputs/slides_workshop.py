"""The workshop deck (elinvoimapaja): several municipalities side by side (pure).

:func:`workshop_deck` gives the deck model beside the workshop's PDF pack
(``reports/<year>/pajat/<slug>.pptx``): the municipalities in brief, the kuntatutka
by dimension with the region median, the checklist side by side, the associations by
sector, members and volunteers, the two views of cooperation and questions to discuss.
The tables are the pack's own matrices (:mod:`kartoitus.outputs.workshop`), so the deck
prints what the PDF prints, hidden cells included; the charts take the same figures
(``pub.municipalities``) with hidden values as gaps.
"""

from __future__ import annotations

import pandas as pd

from kartoitus.fmt import fi_number
from kartoitus.outputs import municipality as mu
from kartoitus.outputs import workshop as ws
from kartoitus.outputs.discussion import questions
from kartoitus.outputs.slides import (
    PERCENT_FORMAT, SCORE_FORMAT, chart_slide, names_text, number, slide, theme_for,
)
from kartoitus.publication import Publication
from kartoitus.publication import kuntatutka as kt

#: rows of a matrix per slide (longer matrices continue on the next slide)
MAX_ROWS = 16


def _text(cell: dict) -> str:
    return cell["text"] + (f" ({cell['sub']})" if cell.get("sub") else "")


def _matrix_slides(matrix: dict, title: str, notes: list[str]) -> list[dict]:
    headers = [h or "" for h in matrix["headers"]]
    rows = [[_text(c) for c in r] for r in matrix["rows"]]
    parts = [rows[i:i + MAX_ROWS] for i in range(0, len(rows), MAX_ROWS)] or [[]]
    out = []
    for k, part in enumerate(parts, start=1):
        t = title if len(parts) == 1 else f"{title} ({k}/{len(parts)})"
        out.append(slide("table", t, notes if k == 1 else [f"Jatkoa edelliseltä dialta. {notes[0]}"],
                         columns=headers, rows=part, caption=matrix["note"]))
    return out


def _scores_chart(pub: Publication, codes: list[str], names: dict[str, str]) -> tuple[dict, list[str]]:
    labels = kt.dimension_labels(pub.settings.scoring)
    dims = list(labels)
    med = pub.kuntatutka.region_median
    series, missing = [], []
    for c in codes:   # one series per municipality in pack order, so each keeps its colour on every slide
        row = pub.municipalities[c].scores
        if not mu.answered(row):
            missing.append(names[c])     # no bars (gaps), never zeros; the caption says why
            series.append({"name": f"{names[c]} (ei vastannut)", "values": [None] * len(dims)})
            continue
        series.append({"name": names[c], "values": [number(row.get(d)) for d in dims]})
    series.append({"name": "Maakunnan mediaani", "values": [number(med.get(d)) for d in dims]})
    return ({"type": "column", "categories": [labels[d] for d in dims], "series": series,
             "number_format": SCORE_FORMAT, "axis_title": "Pisteet (0–100)", "max": 100,
             "source": {"kuntatutka": "scores", "columns": dims, "keys": [*codes, "maakunnan_mediaani"]}},
            missing)


def _views_chart(pub: Publication, codes: list[str], names: dict[str, str]) -> dict:
    per = {c: pub.municipalities[c].views for c in codes}
    first = per[codes[0]]
    series = []
    for c in codes:
        v = per[c].set_index("vaite")
        vals = []
        for key in first["vaite"]:
            r = v.loc[key]
            hidden = bool(r["suojattu"]) or bool(r.get("samaa_mielta_suojattu", False))
            vals.append(None if hidden or not r["n"] else number(r["samaa_mielta_pct"]))
        series.append({"name": names[c], "values": vals})
    return {"type": "bar", "categories": [str(x) for x in first["aihe"]], "series": series,
            "number_format": PERCENT_FORMAT, "axis_title": "Samaa mieltä (%)", "max": 100,
            "source": {"views": "samaa_mielta_pct", "keys": [str(x) for x in first["vaite"]], "codes": codes}}


def _score_notes(pub: Publication, codes: list[str], names: dict[str, str]) -> list[str]:
    labels = kt.dimension_labels(pub.settings.scoring)
    med = pub.kuntatutka.region_median
    out = []
    for c in codes:
        row = pub.municipalities[c].scores
        if not mu.answered(row):
            out.append(f"{names[c]} ei vastannut kuntakyselyyn, joten sen pisteitä ei näytetä (ei nollia).")
            continue
        diffs = [(float(row[d]) - float(med[d]), labels[d]) for d in labels
                 if pd.notna(row.get(d)) and pd.notna(med.get(d))]
        if diffs:
            hi, lo = max(diffs), min(diffs)
            parts = []
            if hi[0] > 0:
                parts.append(f"selvimmin yli mediaanin {hi[1].lower()} (+{fi_number(hi[0], 0)})")
            if lo[0] < 0:
                parts.append(f"selvimmin alle {lo[1].lower()} ({fi_number(lo[0], 0)})")
            if not parts:
                parts.append("kaikki ulottuvuudet mediaanin tasolla")
            out.append(f"{names[c]}: kokonaispisteet {mu.score_text(row.get(kt.TOTAL))}; {', '.join(parts)}.")
    return out


def workshop_deck(pub: Publication, codes: list[str], subregion: str | None = None,
                  theme: dict | None = None) -> dict:
    """The plain model of a workshop deck (needs the ``kuntatutka`` and ``municipalities`` parts)."""
    pack = ws.workshop_model(pub, codes, subregion)
    year = pub.year
    codes = pack["codes"]
    names = dict(zip(codes, pack["names"]))
    all_names = names_text(pack["names"])
    slides = [slide("title", f"Elinvoimapaja: {pack['heading']}",
                    [f"Esitys vertailee kuntia {all_names} vuoden {year} järjestökartoituksen pohjalta.",
                     "Samat luvut ovat työpajan PDF-paketissa; jokaisen kunnan kehityskeskustelun lomake on paketin "
                     "lopussa.", f"Alle {pub.threshold} yhdistyksen luvut on peitetty."],
                    subtitle=f"Keski-Suomen järjestökartoitus {year}: {all_names}")]
    answered = [f["name"] for f in pack["facts"] if f["answered"]]
    slides += _matrix_slides(pack["scores"], "Kunnat lyhyesti ja kuntatutkan pisteet", [
        "Taulukko näyttää kuntien vastanneiden yhdistysten määrän, vastasiko kunta kuntakyselyyn ja kuntatutkan "
        "pisteet ulottuvuuksittain; viimeisenä sarakkeena maakunnan mediaani.",
        (f"Kuntakyselyyn vastasivat {names_text(answered)}." if answered else "Yksikään kunnista ei vastannut "
         "kuntakyselyyn.")])
    chart, missing = _scores_chart(pub, codes, names)
    cap = "Pisteet 0–100; vertailukohtana maakunnan mediaani."
    if missing:
        cap += f" Ei vastannut kuntakyselyyn: {names_text(missing)}."
    slides.append(chart_slide("Kuntatutka ulottuvuuksittain", chart, cap,
                              ["Kaavio näyttää kuntien kuntatutkan pisteet ulottuvuuksittain maakunnan mediaanin "
                               "rinnalla.", *_score_notes(pub, codes, names),
                               "Kysy: mitä vahvimman ulottuvuuden kunta tekee, mistä muut voisivat oppia?"]))
    slides += _matrix_slides(pack["checklist"], "Järjestöpositiivinen kunta: tarkistuslista", [
        "Tarkistuslista näyttää kuntakyselyn vastausten perusteella, mitkä järjestöpositiivisen kunnan kohdat "
        "täyttyvät kussakin kunnassa.",
        "Nosta esiin kohdat, jotka eivät täyty missään kunnassa: niissä yhteinen kehittäminen kannattaa."])
    slides += _matrix_slides(pack["sectors"], "Yhdistykset päätoimialoittain", [
        "Taulukko näyttää kuntien vastanneet yhdistykset päätoimialoittain kotikunnan mukaan ja koko maakunnan "
        "jakauman prosentteina.",
        "Pienet luvut on peitetty; peitettyjä lukuja ei pidä arvailla ääneen."])
    slides += _matrix_slides(pack["people"], "Jäsenet, vapaaehtoiset ja palkattu henkilöstö", [
        "Taulukko näyttää kuntien yhdistysten jäsenet, vapaaehtoiset ja palkatun henkilöstön yhteensä ja "
        "mediaanina yhdistystä kohden.",
        "Kysy: miten kunta voi tukea vapaaehtoisten jaksamista ja uusien aktiivien löytymistä?"])
    views = _views_chart(pub, codes, names)
    conflicts = []
    for c in codes:
        for v in mu.views_rows(pub.municipalities[c].views):
            if v["conflict"] and not v["agree_suppressed"]:
                conflicts.append(f"{names[c]}: {v['topic'].lower()} (kunta vastaa {v['says']}, samaa mieltä "
                                 f"{v['agree']} yhdistyksistä)")
    views_notes = ["Kaavio näyttää, kuinka suuri osa kunkin kunnan yhdistyksistä on samaa mieltä "
                   "yhteistyötä koskevista väitteistä.",
                   ("Kunnan oma vastaus ja yhdistysten arvio eroavat: " + "; ".join(conflicts) + "."
                    if conflicts else "Kunnan omat vastaukset ja yhdistysten arviot eivät eroa selvästi toisistaan."),
                   "Tarkemmin PDF-paketin taulukossa \u201dKaksi näkökulmaa\u201d."]
    if any(v is not None for ser in views["series"] for v in ser["values"]):
        slides.append(chart_slide("Kaksi näkökulmaa: yhdistysten arvio yhteistyöstä", views,
                                  "Samaa mieltä (4–5) olevien osuus kunnan yhdistyksistä; pienistä ryhmistä osuus "
                                  "on peitetty (puuttuva palkki).", views_notes))
    else:   # every share hidden: the pack's table says so, with what each municipality answered
        views_notes[0] = ("Taulukko näyttää kunnan oman vastauksen kustakin yhteistyön aiheesta; yhdistysten "
                          "osuudet on peitetty, koska kuntien vastaajia on vähän.")
        slides += _matrix_slides(pack["views"], "Kaksi näkökulmaa yhteistyöhön", views_notes)
    bullets = []
    for c in codes:
        qs = questions(pub, c, limit=2)
        bullets.append(f"{names[c]}: {qs[0]}")
    bullets.append("Mitä kunnat voivat tehdä yhdessä seutukunnan yhdistysten hyväksi?")
    slides.append(slide("bullets", "Keskusteltavaksi", [
        "Kysymykset on poimittu kuntien luvuista: ensin näkemysten erot, sitten heikoimmat ulottuvuudet.",
        "Sovitut toimenpiteet kirjataan kunkin kunnan kehityskeskustelun lomakkeeseen."], bullets=bullets))
    return {"title": pack["title"], "year": year, "lang": "fi", "theme": theme_for(theme, year), "slides": slides}
