"""The discussion sheet (kehityskeskustelu) of one municipality (pure).

A printable sheet that the municipality and its associations fill in together
(``reports/<year>/kehityskeskustelu/<kuntanumero>-<nimi>.pdf``, also a part of the
workshop pack of each of its municipalities): per theme of cooperation what the
municipality answered and how its associations see the same thing, the
"järjestöpositiivinen kunta" checklist with what the municipality answered, the
questions to discuss (picked from the figures) and empty rows for the agreed actions.

Every figure is the one the municipality PDF prints (:mod:`kartoitus.outputs.municipality`):
the associations' view is hidden exactly where the report's ``yhteistyo_kunta`` hides
it, a municipality that did not answer is "ei vastannut", never zeros.
"""

from __future__ import annotations

import pandas as pd

from kartoitus.fmt import fi_integer, fi_number
from kartoitus.outputs import municipality as mu
from kartoitus.publication import Publication
from kartoitus.publication import kuntatutka as kt

TITLE = "Kehityskeskustelu: {name} \u2013 Keski-Suomen järjestökartoitus {year}"
STATE_TEXT = {kt.MET: "täyttyy", kt.NOT_MET: "ei täyty", kt.NO_INFO: "ei tietoa", kt.NOT_ANSWERED: "ei vastannut"}
SAYS_TEXT = {kt.SAYS_YES: "kyllä", kt.SAYS_PARTLY: "osittain", kt.SAYS_NO: "ei"}
#: empty rows for the agreed actions
ACTION_ROWS = 8
MAX_QUESTIONS = 5


def view_text(v: dict) -> str:
    """The associations' view of one theme as printed: ``48 % samaa mieltä (n 21)``."""
    if v["agree_suppressed"]:
        return f"peitetty ({v['agree']}), n {v['n']}"
    if v["agree"] == "\u2013":
        return "ei vastauksia"
    return f"{v['agree']} samaa mieltä (n {v['n']})"


def questions(pub: Publication, code: str, *, limit: int = MAX_QUESTIONS) -> list[str]:
    """Questions to discuss for one municipality, picked from its published figures:
    disagreements between the two views first, then the weakest kuntatutka dimension,
    then unmet checklist items; always one about what comes next."""
    f = mu.figures_of(pub, code)
    out: list[str] = []
    strong = ""
    if not mu.answered(f.scores):
        out.append("Kunta ei vastannut kuntakyselyyn: miten järjestöyhteistyön tilanne kirjataan ja saadaan "
                   "näkyviin seuraavassa kartoituksessa?")
    for v in mu.views_rows(f.views):
        if v["conflict"] and not v["agree_suppressed"]:
            out.append(f"{v['topic']}: kunta vastaa \u201d{SAYS_TEXT.get(v['says'], v['says'])}\u201d, mutta "
                       f"väitteestä \u201d{v['statement']}\u201d on samaa mieltä {v['agree']} kunnan "
                       "yhdistyksistä. Mistä ero johtuu?")
    if mu.answered(f.scores):
        labels = kt.dimension_labels(pub.settings.scoring)
        med = pub.kuntatutka.region_median
        gaps = []
        for d, label in labels.items():
            own, ref = pd.to_numeric(f.scores.get(d), errors="coerce"), pd.to_numeric(med.get(d), errors="coerce")
            if pd.notna(own) and pd.notna(ref):
                gaps.append((float(own) - float(ref), float(own), label, float(ref)))
        if gaps:
            gap, own, label, ref = min(gaps)
            if gap < 0:
                out.append(f"Kuntatutkan ulottuvuudessa \u201d{label}\u201d kunta saa {fi_number(own, 0)} pistettä, maakunnan "
                           f"mediaani on {fi_number(ref, 0)}. Mitä tälle voisi tehdä ensi vuonna?")
        unmet = [t for t, s in zip(f.checklist["kohta_teksti"], f.checklist["tila"]) if s == kt.NOT_MET]
        for text in unmet[:2]:
            out.append(f"Tarkistuslistan kohta \u201d{text}\u201d ei täyty. Mitä sen täyttyminen vaatisi?")
        if gaps:
            _, own, label, _ = max(gaps, key=lambda g: (g[1], g[0]))
            strong = (f"Vahvin ulottuvuus on \u201d{label}\u201d ({fi_number(own, 0)} pistettä): mikä siinä toimii, ja "
                      "miten sen voi säilyttää?")
    out = out[:limit - 1]
    for extra in (strong, "Miten yhdistysten näkemys saadaan kuuluviin kunnan valmistelussa ja päätöksissä?"):
        if extra and len(out) < min(2, limit - 1):
            out.append(extra)
    out.append("Mitä yhdistykset toivovat kunnalta seuraavan vuoden aikana, ja mitä ne voivat itse tarjota?")
    return out


def discussion_model(pub: Publication, code: str) -> dict:
    """The plain model of one municipality's discussion sheet (pure: formats ``pub``'s figures)."""
    f = mu.figures_of(pub, code)
    year, threshold = pub.year, pub.threshold
    m = mu.municipality_of(f.code, year, pub.settings.codebook)
    did_answer = mu.answered(f.scores)
    rows = mu.views_rows(f.views)
    themes = [{"topic": v["topic"], "statement": v["statement"], "view": view_text(v),
               "suppressed": v["agree_suppressed"],
               "municipality": v["municipality"] if did_answer else mu.NOT_ANSWERED_TEXT,
               "says": SAYS_TEXT.get(v["says"], "") if did_answer else "", "says_cls": v["says_cls"],
               "conflict": v["conflict"]} for v in rows]
    checks = [{"text": t, "state": STATE_TEXT.get(s, s), "cls": mu.CHECK_CLASSES.get(s, ""),
               "symbol": mu.CHECK_SYMBOLS.get(s, "?")}
              for t, s in zip(f.checklist["kohta_teksti"], f.checklist["tila"])]
    met = sum(1 for s in f.checklist["tila"] if s == kt.MET)
    n_own = f.n_associations
    if f.n_hidden:
        n_text = f"Kunnan yhdistysten määrä on peitetty (alle {threshold} tai pääteltävissä)."
    else:
        n_text = f"Järjestökyselyyn vastasi {mu.plural_associations(n_own)}, joiden kotikunta on {m.name}."
    total = f.scores.get(kt.TOTAL)
    med_total = pub.kuntatutka.region_median.get(kt.TOTAL)
    score_text = (f"Kuntatutkan kokonaispisteet {mu.score_text(total)}/100 (maakunnan mediaani "
                  f"{mu.score_text(med_total)}); tarkistuslistasta täyttyy {fi_integer(met)}/{fi_integer(len(checks))}."
                  if did_answer else f"{mu.NOT_ANSWERED_TEXT} vuonna {year}.")
    return {
        "lang": "fi", "title": TITLE.format(name=m.name, year=year), "code": f.code, "name": m.name,
        "year": year, "subregion": m.subregion, "answered": did_answer, "threshold": threshold,
        "facts": [n_text, score_text],
        "themes": themes, "checklist": checks, "met": met,
        "questions": questions(pub, code),
        "action_rows": ACTION_ROWS,
        "notes": [f"Yhdistysten näkemys: samaa mieltä (4–5 asteikolla 1–5) olevien osuus kunnan yhdistyksistä; "
                  f"alle {threshold} vastaajan osuudet on peitetty.",
                  "Kunnan vastaus: kuntakyselyn vastaus samasta aiheesta. Korostettu rivi = näkemykset eroavat."],
    }
