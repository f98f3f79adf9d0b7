"""The municipal newsletter text (kuntakirje) of one municipality (pure).

Three to five Finnish sentences with the municipality's key figures and how it
compares with the region, ready to paste into a newsletter
(``reports/<year>/kuntakirje/<kuntanumero>-<nimi>.md`` and ``.txt``, written by
:mod:`kartoitus.render.newsletter`). Every figure is one the municipality PDF or
the report prints; a hidden count is never given (the sentence says it is not
published), a municipality that did not answer is said not to have answered.
"""

from __future__ import annotations

import pandas as pd

from kartoitus.fmt import fi_integer, format_cell
from kartoitus.outputs import municipality as mu
from kartoitus.outputs.slides import cell_text, label_column, ranked, table_of
from kartoitus.publication import Publication
from kartoitus.publication import kuntatutka as kt

TITLE = "{name} Keski-Suomen järjestökartoituksessa {year}"
MAX_SENTENCES = 5


def _top_sector(f) -> tuple[str, str] | None:
    """The municipality's most common main sector and its published count."""
    t = f.sectors
    col = "yhdistyksia"
    mask = t.mask()
    visible = [(float(t.frame.at[i, col]), str(t.frame.at[i, "luokka"]), i) for i in t.frame.index
               if not bool(mask.at[i, col]) and pd.notna(t.frame.at[i, col]) and float(t.frame.at[i, col]) > 0]
    if not visible or f.n_hidden:
        return None
    visible.sort(key=lambda v: (-v[0], v[1]))
    if len(visible) > 1 and visible[0][0] == visible[1][0]:
        return None          # a tie: no single most common sector
    n, label, i = visible[0]
    return label, format_cell(n, "count")


def sentences(pub: Publication, code: str) -> list[str]:
    f = mu.figures_of(pub, code)
    year, name = pub.year, f.name
    region_n = f.region.n_associations
    out = []
    if f.n_hidden:
        out.append(f"Keski-Suomen järjestökartoitukseen {year} vastasi koko maakunnasta {fi_integer(region_n)} "
                   f"yhdistystä; niiden yhdistysten määrää, joiden kotikunta on {name}, ei julkaista pienten "
                   "lukujen suojaamiseksi.")
    else:
        out.append(f"Keski-Suomen järjestökartoitukseen {year} vastasi {fi_integer(f.n_associations)} yhdistystä, "
                   f"joiden kotikunta on {name}, ja koko maakunnasta {fi_integer(region_n)} yhdistystä.")
    top = _top_sector(f)
    region = f.region.sectors   # the report's vastaajat_toimiala, with its mask
    if top is not None and ranked(region, "osuus"):
        i = ranked(region, "osuus")[0]
        out.append(f"Kunnan vastanneista yhdistyksistä yleisin päätoimiala on {top[0].lower()} ({top[1]} "
                   f"yhdistystä), kun koko maakunnassa yleisin on {str(region.frame.at[i, label_column(region)]).lower()} "
                   f"({cell_text(region, i, 'osuus')} vastanneista).")
    elif ranked(region, "osuus"):
        i = ranked(region, "osuus")[0]
        out.append(f"Koko maakunnan vastanneista yhdistyksistä yleisin päätoimiala on "
                   f"{str(region.frame.at[i, label_column(region)]).lower()} ({cell_text(region, i, 'osuus')}).")
    med = pub.kuntatutka.region_median
    if mu.answered(f.scores):
        met = sum(1 for s in f.checklist["tila"] if s == kt.MET)
        out.append(f"Kuntatutkassa, joka pisteyttää kunnan järjestöyhteistyön kuntakyselyn vastausten perusteella, "
                   f"{name} sai {mu.score_text(f.scores.get(kt.TOTAL))} pistettä sadasta, kun maakunnan kuntien "
                   f"mediaani on {mu.score_text(med.get(kt.TOTAL))}.")
        out.append(f"Järjestöpositiivisen kunnan tarkistuslistan {fi_integer(len(f.checklist))} kohdasta "
                   f"täyttyy {fi_integer(met)}.")
    else:
        out.append(f"{name} ei vastannut kuntakyselyyn, joten kunnalle ei ole kuntatutkan pisteitä; maakunnan "
                   f"kuntien mediaani on {mu.score_text(med.get(kt.TOTAL))} pistettä sadasta.")
    view = _view_sentence(pub, f)
    if view:
        out.append(view)
    if len(out) < 3:
        out.append(f"Kunnan oma tietosivu kartoituksen julkaisuissa kertoo lisää siitä, miten {name} ja sen "
                   "yhdistykset tekevät yhteistyötä.")
    return out[:MAX_SENTENCES]


def _view_sentence(pub: Publication, f) -> str | None:
    coop = table_of(pub, "yhteistyo") if pub.tables else None
    for v, key in zip(mu.views_rows(f.views), f.views["vaite"]):
        if v["agree_suppressed"] or v["agree"] == "\u2013":
            continue
        text = (f"Kunnan yhdistyksistä {v['agree']} on samaa mieltä väitteestä \u201d{v['statement']}\u201d")
        if coop is not None and key in set(coop.frame["avain"]):
            i = coop.frame.index[coop.frame["avain"] == key][0]
            if not coop.is_suppressed(i, "samaa_mielta") and pd.notna(coop.frame.at[i, "samaa_mielta"]):
                text += f", koko maakunnassa {cell_text(coop, i, 'samaa_mielta')}"
        return text + "."
    return None


def newsletter_model(pub: Publication, code: str) -> dict:
    """The plain model of one municipality's newsletter text."""
    f = mu.figures_of(pub, code)
    return {"title": TITLE.format(name=f.name, year=pub.year), "code": f.code, "name": f.name, "year": pub.year,
            "sentences": sentences(pub, code)}
