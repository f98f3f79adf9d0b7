"""Slide decks for meetings: the region's deck from the publication (pure).

:func:`region_deck` gives the plain deck model that :mod:`kartoitus.render.slides`
writes (``reports/<year>/diat/jarjestokartoitus-<year>.pptx``): the key figures, the
associations by sector, resources, cooperation with the municipalities, the
kuntatutka across the region and the future, each slide with Finnish speaker notes
written from the figures. The workshop deck is in :mod:`kartoitus.outputs.slides_workshop`.

Every number comes from a published :class:`~kartoitus.tables.Table` (or the
kuntatutka), formatted as the report formats it; a cell the table's mask hides is a
gap in a chart (``None``) and is never named in a note. Each chart slide carries
``source`` (table id, value column, row keys) so that a test can compare the chart
with the table it comes from.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from kartoitus.fmt import fi_integer, fi_number, fi_percent, format_cell
from kartoitus.publication import Publication
from kartoitus.publication import kuntatutka as kt
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK, Table

#: Colours, font and footer when the organisation's templates/ give none.
DEFAULT_THEME = {"colors": ["#1b4f72", "#d35400", "#117a65", "#7d3c98", "#b7950b", "#5d6d7e"],
                 "font": "DejaVu Sans", "logo": None, "footer": "Keski-Suomen järjestökartoitus {year}"}
PERCENT_FORMAT = '0 "%"'
SCORE_FORMAT = "0"
ORGANISATION = "Keski-Suomen järjestökartoitus"


# -- shared helpers (also used by the workshop deck) ----------------------------------

def theme_for(theme: dict | None, year: int) -> dict:
    """The deck theme: ``theme`` (from the organisation's templates) over the defaults;
    ``{year}`` in the footer is the wave year."""
    merged = {**DEFAULT_THEME, **{k: v for k, v in (theme or {}).items() if v not in (None, "", [])}}
    merged["footer"] = str(merged["footer"]).replace("{year}", str(year))
    merged["colors"] = list(merged["colors"])
    return merged


def names_text(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ja " + names[-1]


def number(x: Any) -> float | None:
    """A chart value: a float, or None (a gap) for a missing value."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def table_of(pub: Publication, tid: str) -> Table | None:
    """A published table that has something to show (asked this wave, a base over zero)."""
    t = (pub.tables or {}).get(tid)
    if t is None or not getattr(t, "asked", True) or not t.n or not len(t.frame):
        return None
    return t


def label_column(t: Table) -> str:
    return [c for c in t.label_columns if c != "avain"][-1]


def visible(t: Table, i, col: str) -> float | None:
    """The value of a cell when it is published (not hidden, not missing)."""
    if t.is_suppressed(i, col):
        return None
    return number(t.frame.at[i, col])


def ranked(t: Table, col: str) -> list:
    """Row labels of the published values of ``col``, largest first."""
    vals = [(visible(t, i, col), i) for i in t.frame.index]
    return [i for v, i in sorted(((v, i) for v, i in vals if v is not None), key=lambda p: -p[0])]


def cell_text(t: Table, i, col: str) -> str:
    return format_cell(t.frame.at[i, col], t.kinds.get(col), suppressed=t.is_suppressed(i, col),
                       mark=t.mark(i, col))


def hidden_mark(t: Table) -> str:
    """The marks the table's hidden cells print (``<5``, ``..`` or both, from the Table API)."""
    marks = t.marks()
    return " / ".join(m for m in (SMALL_MARK, PROTECTED_MARK) if m in marks) or PROTECTED_MARK


def bar_chart(t: Table, col: str, *, sort: bool = True, chart_type: str = "bar", drop_zero: bool = True,
              name: str | None = None) -> dict:
    """A one-series chart of ``t[col]`` by row label, hidden cells as gaps; ``source`` names
    the table rows so tests can compare."""
    rows = list(t.frame.index)
    if drop_zero:
        rows = [i for i in rows if t.is_suppressed(i, col) or (number(t.frame.at[i, col]) or 0) > 0]
    if sort:   # largest first; a hidden row has no place in a ranking (the caption names it)
        shown = ranked(t, col)
        rows = [i for i in shown if i in rows]
    lab = label_column(t)
    kind = t.kinds.get(col)
    top = max([v for v in (visible(t, i, col) for i in rows) if v is not None] or [0])
    return {"type": chart_type,
            "categories": [str(t.frame.at[i, lab]) for i in rows],
            "series": [{"name": name or t.header(col), "values": [visible(t, i, col) for i in rows]}],
            "number_format": PERCENT_FORMAT if kind == "percent" else "0",
            "axis_title": "Osuus vastanneista (%)" if kind == "percent" else "",
            "max": 100 if kind == "percent" and top > 60 else None,
            "source": {"table": t.id, "columns": [col], "sorted": sort,
                       "keys": [str(t.frame.at[i, "avain"]) if "avain" in t.frame else str(i) for i in rows]}}


def hidden_labels(t: Table, col: str, rows=None) -> list[str]:
    lab = label_column(t)
    return [str(t.frame.at[i, lab]) for i in (rows if rows is not None else t.frame.index)
            if t.is_suppressed(i, col)]


def caption(t: Table, col: str, extra: str = "") -> str:
    parts = [f"n = {fi_integer(t.n)} ({t.title.lower()})"]
    hidden = hidden_labels(t, col)
    if hidden:
        parts.append(f"Peitetty ({hidden_mark(t)}, tietosuoja): {', '.join(hidden)}")
    if extra:
        parts.append(extra)
    return ". ".join(parts) + "."


def top_text(t: Table, col: str, k: int = 3) -> str:
    """``Liikunta ja urheilu (23,7 %), Kylä- ... (14,0 %) ja ...``: the largest published values."""
    lab = label_column(t)
    parts = [f"{t.frame.at[i, lab]} ({cell_text(t, i, col)})" for i in ranked(t, col)[:k]]
    return names_text(parts) if parts else ""


def slide(layout: str, title: str, notes: list[str], **content) -> dict:
    return {"layout": layout, "title": title, "notes": " ".join(n for n in notes if n), **content}


def chart_slide(title: str, chart: dict, cap: str, notes: list[str]) -> dict:
    return slide("chart", title, notes, chart=chart, caption=cap)


# -- the region's deck ---------------------------------------------------------------

def _figures(pub: Publication) -> list[dict]:
    out = []
    t = table_of(pub, "vastaajat_toimiala")
    if t is not None:
        out.append({"value": fi_integer(t.n), "label": "yhdistystä vastasi"})
    kv = table_of(pub, "kunnat_vastaukset")
    total = pub.meta.get("municipalities_total") or len(pub.settings.codebook.municipalities.for_year(pub.year))
    if kv is not None:
        out.append({"value": f"{fi_integer(kv.n)}/{fi_integer(total)}", "label": "kuntaa vastasi"})
    h = table_of(pub, "henkilot_toimiala")
    if h is not None and "yhteensa" in set(h.frame["avain"]):
        i = h.frame.index[h.frame["avain"] == "yhteensa"][0]
        for col, label in (("jasenmaara_summa", "jäsentä"),
                           ("vapaaehtoiset_summa", "vapaaehtoista")):
            if col in h.frame and visible(h, i, col) is not None:
                out.append({"value": cell_text(h, i, col), "label": label})
    return out[:4]


def _people_rows(pub: Publication) -> tuple[list[str], list[list[str]], str] | None:
    h = table_of(pub, "henkilot_toimiala")
    if h is None or "yhteensa" not in set(h.frame["avain"]):
        return None
    i = h.frame.index[h.frame["avain"] == "yhteensa"][0]
    rows, notes = [], []
    for key, label, unit in (("jasenmaara", "Jäsenet", "jäsentä"), ("vapaaehtoiset", "Vapaaehtoiset",
                             "vapaaehtoista"), ("palkatut_htv", "Palkattu henkilöstö (htv)", "palkattua henkilötyövuotta")):
        if f"{key}_summa" not in h.frame:
            continue
        rows.append([label, cell_text(h, i, f"{key}_summa"), cell_text(h, i, f"{key}_md"),
                     cell_text(h, i, f"{key}_n")])
        if visible(h, i, f"{key}_md") is not None:
            notes.append(f"{cell_text(h, i, f'{key}_md')} {unit}")
    text = ("Tyypillisessä (mediaani) yhdistyksessä on " + names_text(notes) + ".") if notes else ""
    return ["", "Yhteensä", "Mediaani yhdistystä kohden", "Vastanneita"], rows, text


def _agree_chart(t: Table) -> dict:
    cols = [c for c in t.value_columns if c.startswith("p_")]
    lab = label_column(t)
    rows = list(t.frame.index)
    return {"type": "stacked_bar", "categories": [str(t.frame.at[i, lab]) for i in rows],
            "series": [{"name": t.header(c), "values": [visible(t, i, c) for i in rows]} for c in cols],
            "number_format": PERCENT_FORMAT, "axis_title": "", "max": 100,
            "source": {"table": t.id, "columns": cols, "keys": [str(t.frame.at[i, "avain"]) for i in rows]}}


def _agree_notes(t: Table) -> list[str]:
    order = ranked(t, "samaa_mielta") if "samaa_mielta" in t.frame else []
    lab = label_column(t)
    if len(order) < 2:
        return ["Osa osuuksista on peitetty pienten vastaajamäärien vuoksi."]
    hi, lo = order[0], order[-1]
    return [f"Samaa mieltä oltiin useimmin väitteestä \u201d{t.frame.at[hi, lab]}\u201d "
            f"({cell_text(t, hi, 'samaa_mielta')}) ja harvimmin väitteestä \u201d{t.frame.at[lo, lab]}\u201d "
            f"({cell_text(t, lo, 'samaa_mielta')}).",
            "Kysy kuulijoilta: näkyykö tämä omassa kunnassa, ja mikä auttaisi heikoimmin arvioidussa asiassa?"]


def kuntatutka_slides(pub: Publication) -> list[dict]:
    """The kuntatutka across the region: the median by dimension, the total score by municipality."""
    tut = pub.kuntatutka
    if tut is None:
        return []
    labels = kt.dimension_labels(pub.settings.scoring)
    med = tut.region_median
    n_med = int(med.attrs.get("n", 0))
    dims = list(labels)
    values = [number(med.get(d)) for d in dims]
    shown = [(v, labels[d]) for v, d in zip(values, dims) if v is not None]
    out = []
    if shown:
        hi, lo = max(shown), min(shown)
        out.append(chart_slide(
            "Kuntatutka: maakunnan mediaani ulottuvuuksittain",
            {"type": "bar", "categories": [labels[d] for d in dims],
             "series": [{"name": "Maakunnan mediaani", "values": values}],
             "number_format": SCORE_FORMAT, "axis_title": "Pisteet (0–100)", "max": 100,
             "source": {"kuntatutka": "region_median", "columns": dims}},
            f"Mediaani {fi_integer(n_med)} kuntakyselyyn vastanneesta kunnasta; pisteet 0–100.",
            [f"Kuntatutka pisteyttää kuntakyselyn vastaukset seitsemällä ulottuvuudella. Dia näyttää "
             f"maakunnan mediaanin {fi_integer(n_med)} vastanneesta kunnasta.",
             f"Vahvin ulottuvuus on {hi[1]} ({fi_number(hi[0], 0)} pistettä), heikoin {lo[1]} "
             f"({fi_number(lo[0], 0)} pistettä).",
             "Nosta esiin: heikoin ulottuvuus on se, jossa kuntien kannattaa oppia toisiltaan."]))
    scores = tut.scores
    ans = scores[scores["vastannut"].astype(bool)].copy()
    ans["_p"] = pd.to_numeric(ans[kt.TOTAL], errors="coerce")
    ans = ans.dropna(subset=["_p"]).sort_values(["_p", "kunta_nimi"], ascending=[False, True])
    if len(ans):
        missing = [str(n) for n, a in zip(scores["kunta_nimi"], scores["vastannut"]) if not bool(a)]
        cap = "Kokonaispisteet 0–100 kuntakyselyn vastauksista."
        if number(med.get(kt.TOTAL)) is not None:
            cap += f" Maakunnan mediaani {fi_number(number(med.get(kt.TOTAL)), 0)}."
        if missing:
            cap += f" Ei vastannut kuntakyselyyn: {names_text(missing)}."
        total_med = number(med.get(kt.TOTAL))
        out.append(chart_slide(
            "Kuntatutka: kokonaispisteet kunnittain",
            {"type": "bar", "categories": [str(x) for x in ans["kunta_nimi"]],
             "series": [{"name": "Kokonaispisteet", "values": [float(v) for v in ans["_p"]]}],
             "number_format": SCORE_FORMAT, "axis_title": "Pisteet (0–100)", "max": 100,
             "source": {"kuntatutka": "scores", "columns": [kt.TOTAL], "keys": [str(c) for c in ans["kunta"]]}},
            cap,
            [f"Kuntakyselyyn vastanneiden {fi_integer(len(ans))} kunnan kuntatutkan kokonaispisteet.",
             (f"Maakunnan mediaani on {fi_number(total_med, 0)} pistettä; korkeimmat pisteet on kunnalla "
              f"{ans['kunta_nimi'].iloc[0]} ({fi_number(ans['_p'].iloc[0], 0)})." if total_med is not None else ""),
             ("Vastaamattomia kuntia ei ole merkitty nolliksi: " + names_text(missing) + "." if missing else ""),
             "Pisteet kertovat kunnan omista vastauksista, eivät yhdistysten arviosta; kuntakohtaiset PDF:t "
             "näyttävät molemmat."]))
    return out


def region_deck(pub: Publication, theme: dict | None = None) -> dict:
    """The plain model of the region's deck (needs the publication's ``tables`` and ``kuntatutka``)."""
    year = pub.year
    title = f"{ORGANISATION} {year}"
    slides: list[dict] = []
    resp = table_of(pub, "vastaajat_toimiala")
    kv = table_of(pub, "kunnat_vastaukset")
    total = pub.meta.get("municipalities_total") or len(pub.settings.codebook.municipalities.for_year(year))
    opening = [f"Esitys kokoaa vuoden {year} järjestökartoituksen keskeiset tulokset."]
    if resp is not None:
        opening.append(f"Järjestökyselyyn vastasi {fi_integer(resp.n)} yhdistystä"
                       + (f" ja kuntakyselyyn {fi_integer(kv.n)} kuntaa {fi_integer(total)}:stä." if kv else "."))
    opening.append(f"Luvut ovat samat kuin raportissa ja taulukoissa; alle {pub.threshold} vastaajan luvut on "
                   "peitetty, eikä yksittäisiä yhdistyksiä tai avovastauksia näytetä.")
    slides.append(slide("title", title, opening,
                        subtitle="Yhdistykset, voimavarat ja yhteistyö kuntien kanssa"))
    figs = _figures(pub)
    if len(figs) >= 2:
        slides.append(slide("figures", "Kartoitus lukuina", [
            "Dia näyttää kartoituksen mittakaavan: " + "; ".join(f"{f['value']} {f['label']}" for f in figs) + ".",
            "Yhdistykset vastasivat järjestökyselyyn, kunnat kuntakyselyyn.",
            "Jäsen- ja vapaaehtoismäärät ovat vastanneiden yhdistysten ilmoittamia summia, eivät koko maakunnan "
            "lukuja: yksi ihminen voi kuulua moneen yhdistykseen."], figures=figs))
    if resp is not None:
        grp = table_of(pub, "vastaajat_ryhma")
        extra = ""
        if grp is not None and "sote" in set(grp.frame["avain"]):
            i = grp.frame.index[grp.frame["avain"] == "sote"][0]
            if visible(grp, i, "osuus") is not None:
                extra = (f"Sosiaali- ja terveysalan yhdistyksiä on vastanneista {cell_text(grp, i, 'osuus')}.")
        slides.append(chart_slide("Yhdistykset päätoimialoittain", bar_chart(resp, "osuus"), caption(resp, "osuus"),
                                  [f"Dia näyttää, mille päätoimialalle vastanneet {fi_integer(resp.n)} yhdistystä "
                                   "sijoittuvat.", f"Suurimmat ryhmät ovat {top_text(resp, 'osuus')}.", extra,
                                   "Peitettyjen toimialojen lukuja ei kerrota tietosuojan vuoksi."]))
    for tid, title_, sort, kind, point in (
            ("budjetti", "Voimavarat: yhdistysten vuosibudjetti", False, "column",
             "Suurin osa yhdistyksistä toimii pienellä budjetilla ja vapaaehtoisvoimin."),
            ("rahoitus", "Voimavarat: rahoituslähteet", True, "bar",
             "Kysy: mitkä rahoituslähteet ovat vakaita ja mitkä epävarmoja?")):
        t = table_of(pub, tid)
        if t is None:
            continue
        slides.append(chart_slide(title_, bar_chart(t, "osuus", sort=sort, chart_type=kind, drop_zero=False),
                                  caption(t, "osuus"),
                                  [f"Aihe: {t.title.lower()} ({fi_integer(t.n)} vastaajaa).",
                                   f"Yleisimmät: {top_text(t, 'osuus')}.", point]))
    people = _people_rows(pub)
    if people is not None:
        cols, rows, text = people
        slides.append(slide("table", "Voimavarat: jäsenet, vapaaehtoiset ja palkattu henkilöstö", [
            "Dia näyttää vastanneiden yhdistysten jäsenet, vapaaehtoiset ja palkatun henkilöstön yhteensä ja "
            "tyypillisen yhdistyksen luvun (mediaani).", text,
            "Nosta esiin: valtaosa toiminnasta tehdään vapaaehtoisvoimin."], columns=cols, rows=rows,
            caption="Yhteensä ja mediaani niistä yhdistyksistä, jotka vastasivat kysymykseen."))
    coop = table_of(pub, "yhteistyo")
    if coop is not None:
        slides.append(chart_slide("Yhteistyö kotikunnan kanssa: yhdistysten arvio", _agree_chart(coop),
                                  caption(coop, "samaa_mielta", "Asteikko 1 = täysin eri mieltä ... "
                                          "5 = täysin samaa mieltä; peitetyt osuudet puuttuvat palkeista"),
                                  ["Dia näyttää, miten yhdistykset arvioivat yhteistyötä kotikuntansa kanssa.",
                                   *_agree_notes(coop)]))
    for tid, title_ in (("kumppanit", "Yhteistyökumppanit"),):
        t = table_of(pub, tid)
        if t is not None:
            slides.append(chart_slide(title_, bar_chart(t, "osuus"), caption(t, "osuus"),
                                      [f"Dia näyttää, kenen kanssa yhdistykset tekevät yhteistyötä "
                                       f"({fi_integer(t.n)} vastaajaa).", f"Yleisimmät: {top_text(t, 'osuus')}.",
                                       "Kysy: mikä yhteistyö toimii parhaiten ja miksi?"]))
    slides += kuntatutka_slides(pub)
    for tid, title_, sort, point in (
            ("tulevaisuus", "Tulevaisuus: toiminnan arvioitu muutos", False,
             "Keskustele: mitä toiminnan hiipuminen tai kasvu vaatii kunnalta ja muilta kumppaneilta?"),
            ("haasteet", "Tulevaisuus: suurimmat haasteet", True,
             "Kysy kuulijoilta, tunnistavatko he haasteet ja mitä niille voisi tehdä yhdessä."),
            ("yhteistyotoiveet", "Tulevaisuus: toiveet yhteistyöstä kunnan kanssa", True,
             "Nämä toiveet ovat hyvä pohja kunnan ja yhdistysten seuraavalle tapaamiselle.")):
        t = table_of(pub, tid)
        if t is None:
            continue
        slides.append(chart_slide(title_, bar_chart(t, "osuus", sort=sort, drop_zero=sort), caption(t, "osuus"),
                                  [f"Aihe: {t.title.lower()} ({fi_integer(t.n)} vastaajaa).",
                                   f"Yleisimmät vastaukset: {top_text(t, 'osuus')}.", point]))
    slides.append(_closing(pub))
    return {"title": title, "year": year, "lang": "fi", "theme": theme_for(theme, year), "slides": slides}


def _closing(pub: Publication) -> dict:
    year = pub.year
    bullets = []
    ch = table_of(pub, "haasteet")
    if ch is not None and ranked(ch, "osuus"):
        i = ranked(ch, "osuus")[0]
        bullets.append(f"Yleisin haaste on {str(ch.frame.at[i, label_column(ch)]).lower()} "
                       f"({cell_text(ch, i, 'osuus')}): miten siihen vastataan yhdessä?")
    coop = table_of(pub, "yhteistyo")
    if coop is not None and ranked(coop, "samaa_mielta"):
        i = ranked(coop, "samaa_mielta")[-1]
        bullets.append(f"Heikoimmin arvioitu yhteistyön asia: \u201d{coop.frame.at[i, label_column(coop)]}\u201d "
                       f"({cell_text(coop, i, 'samaa_mielta')} samaa mieltä)")
    bullets.append("Mitä kunnat voivat oppia toisiltaan kuntatutkan perusteella?")
    bullets.append(f"Koko raportti, taulukot ja kuntakohtaiset tiedot: reports/{year}/")
    return slide("bullets", "Keskusteltavaksi", [
        "Viimeinen dia avaa keskustelun. Kysymykset on poimittu kartoituksen tuloksista.",
        "Kerro lopuksi, mistä raportti, Excel-taulukot ja kuntakohtaiset PDF:t löytyvät."], bullets=bullets)
