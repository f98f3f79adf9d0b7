"""Sector infographics: the model of one A4 page per sector of the wave.

At a glance, for one main sector (``paatoimiala``): how many associations (and
how many more name the sector among others in ``toimialat``), where they are
(by sub-region of the home municipality), members and volunteers (totals and
medians), target groups, activity forms, challenges and cooperation with the
home municipality (share agreeing with each statement), each compared with all
responding associations of the region.

:func:`infographic_model` is pure: it formats the sector's figures, computed
once per wave with the wave-wide masks by :mod:`kartoitus.publication.sectors`
(``pub.sectors[key]``), into a plain dict. A sector under the threshold, or
whose count the report hides, gets a page that says so ("Alle 5 yhdistystä:
lukuja ei julkaista") and shows no numbers. Rendering (HTML, PDF, PNG) is
:mod:`kartoitus.render.infographic`; the jobs of a build are
:mod:`kartoitus.build.infographic`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd

from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer, format_cell
from kartoitus.outputs.trends import sector_change_model
from kartoitus.publication import Publication
from kartoitus.publication.sectors import (
    UNDER_THRESHOLD,
    WHERE_TITLE,
    SectorFigures,
    sector_options,
    sote_sectors,
)
from kartoitus.settings import Settings
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK, Table

SOURCE = "Keski-Suomen järjestökartoitus {year}"
TITLE = "{label} \u2013 Keski-Suomen järjestökartoitus {year}"
SUPPRESSED_MESSAGE = "Alle {threshold} yhdistystä: lukuja ei julkaista"
NOT_ASKED = "Ei kysytty vuonna {year}."
DASH = "\u2013"

#: Panel titles and captions by panel: ``where`` and the role of the question.
PANEL_TITLES = {
    "where": "Missä yhdistykset ovat",
    "targets": "Kohderyhmät",
    "forms": "Toimintamuodot",
    "challenges": "Suurimmat haasteet",
    "cooperation": "Yhteistyö kotikunnan kanssa",
}
SHARE_CAPTION = "Osuus kysymykseen vastanneista"
PANEL_CAPTIONS = {
    "where": WHERE_TITLE,
    "targets": SHARE_CAPTION,
    "forms": SHARE_CAPTION,
    "challenges": SHARE_CAPTION,
    "cooperation": "Samaa mieltä (4\u20135 asteikolla 1\u20135), osuus kantaa ottaneista",
}


def _roles(pub: Publication) -> dict[str, str]:
    """Panel id (question id, or ``where``) -> role key of :data:`PANEL_TITLES`."""
    n = pub.settings.names
    return {"where": "where", n.q_targets: "targets", n.q_forms: "forms", n.q_challenges: "challenges",
            n.q_cooperation: "cooperation"}


# -- sectors -------------------------------------------------------------------------

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})


def _norm(text: str) -> str:
    """``Eläkeläis-toiminta `` -> ``elakelaistoiminta`` (ascii letters and digits only)."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_FOLD).casefold())
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", ascii_text)


def resolve_sector(text: str, settings: Settings) -> str:
    """A sector key from a key or a Finnish label, tolerantly.

    Case, ä/ö/å, spaces, hyphens and underscores do not matter (``eläkeläiset``,
    ``Eläkeläistoiminta``, ``ELAKELAISET``, ``lapsi-perhe``); a unique beginning of
    a key or label of at least four letters is enough (``päihde``); a small typo is
    forgiven when only one sector is that close. Anything else raises
    :class:`KartoitusError` listing every key and label.
    """
    sectors = sector_options(settings)
    wanted = _norm(text or "")
    names: list[tuple[str, str]] = []           # (normalised name, key)
    for key, label in sectors.items():
        names.append((_norm(key), key))
        names.append((_norm(label), key))
    if wanted:
        exact = {k for n, k in names if n == wanted}
        if len(exact) == 1:
            return exact.pop()
        if len(wanted) >= 4:
            prefix = {k for n, k in names if n.startswith(wanted)}
            if len(prefix) == 1:
                return prefix.pop()
            if not prefix:
                from rapidfuzz import fuzz

                scored: dict[str, float] = {}
                for n, k in names:
                    score = max(fuzz.ratio(wanted, n), fuzz.ratio(wanted, n[:len(wanted)])
                                if len(n) > len(wanted) + 3 else 0.0)
                    scored[k] = max(scored.get(k, 0.0), score)
                ranked = sorted(scored.items(), key=lambda kv: -kv[1])
                if ranked and ranked[0][1] >= 85 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1] - 5):
                    return ranked[0][0]
    valid = "; ".join(f"{k} ({label})" for k, label in sectors.items())
    raise KartoitusError(f"tuntematon toimiala {text!r}; anna toimialan avain tai nimi: {valid}")


# -- the page model --------------------------------------------------------------------

def _cell(table: Table, row: str, col: str, *, missing: str = DASH) -> str:
    return format_cell(table.frame.at[row, col], table.kinds.get(col),
                       suppressed=table.is_suppressed(row, col), missing=missing,
                       mark=table.mark(row, col))


def _value(table: Table, row: str, col: str) -> float | None:
    if table.is_suppressed(row, col):
        return None
    v = table.frame.at[row, col]
    return None if pd.isna(v) else float(v)


def _width(v: float | None, top: float) -> float:
    if v is None or top <= 0:
        return 0.0
    return round(max(0.0, min(100.0, v / top * 100)), 2)


def _percent_panel(pid: str, role: str, table: Table | None, label_col: str, year: int) -> dict:
    title = PANEL_TITLES[role]
    if table is None:
        return {"id": f"ig-{pid}", "title": title, "caption": "", "not_asked": NOT_ASKED.format(year=year),
                "compare": True, "rows": [], "value_header": "", "region_header": ""}
    f = table.frame
    order = sorted(f.index, key=lambda r: (_value(table, r, "osuus") is None,
                                           -(_value(table, r, "osuus") or 0.0), list(f.index).index(r)))
    rows = []
    for r in order:
        v, reg = _value(table, r, "osuus"), _value(table, r, "kaikki")
        rows.append({"label": str(f.at[r, label_col]), "value": _cell(table, r, "osuus"),
                     "width": _width(v, 100.0), "region": _cell(table, r, "kaikki"),
                     "region_pos": None if reg is None else _width(reg, 100.0),
                     "suppressed": table.is_suppressed(r, "osuus")})
    caption = f"{PANEL_CAPTIONS[role]} (n\u00a0=\u00a0{fi_integer(table.n)})"
    return {"id": f"ig-{pid}", "title": title, "caption": caption, "not_asked": None, "compare": True,
            "rows": rows, "value_header": "Toimiala", "region_header": "Kaikki"}


def _where_panel(table: Table) -> dict:
    f = table.frame
    visible = [v for v in (_value(table, r, "yhdistyksia") for r in f.index) if v is not None]
    top = max(visible) if visible else 0.0
    rows = [{"label": str(f.at[r, "seutukunta"]), "value": _cell(table, r, "yhdistyksia"),
             "width": _width(_value(table, r, "yhdistyksia"), top), "region": "", "region_pos": None,
             "suppressed": table.is_suppressed(r, "yhdistyksia")} for r in f.index]
    return {"id": "ig-where", "title": PANEL_TITLES["where"],
            "caption": f"{PANEL_CAPTIONS['where']} (n\u00a0=\u00a0{fi_integer(table.n)})",
            "not_asked": None, "compare": False, "rows": rows, "value_header": "", "region_header": ""}


def _people_tile(table: Table, q: str, label: str, threshold: int) -> dict:
    if q not in table.frame.index:
        return {"value": DASH, "label": label, "detail": "Ei kysytty", "suppressed": False}
    total = table.frame.at[q, "yhteensa"]
    hidden = table.is_suppressed(q, "yhteensa")
    value = PROTECTED_MARK if hidden else (DASH if pd.isna(total) else fi_integer(total))
    if hidden or table.is_suppressed(q, "vastanneita"):
        detail = f"vastanneita alle {threshold}: lukua ei julkaista"
    elif pd.isna(total):
        detail = "ei vastauksia"
    else:
        median = _cell(table, q, "mediaani")
        answered = _cell(table, q, "vastanneita", missing="0")
        detail = f"mediaani {median} / yhdistys \u00b7 n\u00a0=\u00a0{answered}"
    return {"value": value, "label": label, "detail": detail, "suppressed": hidden}


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _footnotes(label: str, year: int, n_main: int | None, n_all: int | None, threshold: int,
               suppressed: bool) -> list[str]:
    source = SOURCE.format(year=year)
    if suppressed:
        return [f"Lähde: {source}.",
                f"Tietosuojan vuoksi toimialasta, jolla on alle {threshold} vastannutta yhdistystä, ei "
                "julkaista lukuja. Yksittäisten yhdistysten nimiä tai avovastauksia ei julkaista."]
    return [
        f"Lähde: {source}, n\u00a0=\u00a0{fi_integer(n_main)} yhdistystä, joiden päätoimiala on "
        f"{_lower_first(label)} "
        f"(kaikki vastanneet n\u00a0=\u00a0{fi_integer(n_all)}).",
        f"Merkinnät: {SMALL_MARK} = 1–{threshold - 1} yhdistystä; {PROTECTED_MARK} = luku peitetty "
        "tietosuojan vuoksi (alle viiden yhdistyksen osuus tai summa, tai siitä voisi päätellä pienen luvun). "
        "Yksittäisten yhdistysten nimiä tai avovastauksia ei julkaista. "
        "Jäsen- ja vapaaehtoismäärät ovat yhdistysten ilmoittamia arvioita; "
        "»Kaikki» = kaikki kysymykseen vastanneet yhdistykset.",
    ]


def _withheld_explanation(label: str, reason: str, threshold: int) -> list[str]:
    first = (f"Järjestökartoitukseen vastasi alle {threshold} yhdistystä, joiden päätoimiala on "
             f"{_lower_first(label)}. Tietosuojan vuoksi toimialasta ei julkaista lukuja."
             if reason == UNDER_THRESHOLD else
             f"Päätoimialan {_lower_first(label)} yhdistysten määrää ei julkaista, koska siitä "
             "ja muiden toimialojen luvuista voisi päätellä pienemmän luvun. Tietosuojan vuoksi "
             "toimialasta ei julkaista lukuja.")
    return [first, "Toimialan yhdistykset ovat mukana koko maakunnan luvuissa (järjestökartoituksen raportti)."]


def infographic_model(pub: Publication, sector: str) -> dict:
    """The plain model of one sector page, from ``pub.sectors[sector]`` (pure).

    A sector whose figures are withheld (under the threshold, or the report hides
    its count) gets a page without numbers (``suppressed`` True). Model::

        {"title", "lang", "sector", "label", "year", "group": "sote" | "muut",
         "kicker", "headline", "subtitle", "suppressed", "threshold", "message",
         "explanation": [str], "tiles": [{"value", "label", "detail", "suppressed"}],
         "legend": {"sector", "region"} | None, "layout": {"columns", "wide"},
         "panels": {"where" | "kohderyhmat" | ...: PANEL}, "footnotes": [str], "compact"}
        PANEL = {"id", "title", "caption", "not_asked", "compare", "value_header",
                 "region_header", "rows": [{"label", "value", "width", "region",
                 "region_pos", "suppressed"}]}
    """
    settings, year, threshold = pub.settings, pub.year, pub.threshold
    names = settings.names
    if not pub.sectors or sector not in pub.sectors:
        raise KartoitusError(f"toimialalle {sector!r} ei ole laskettu lukuja; "
                             "laske julkaisu osalla 'sectors' (publish(parts=('sectors',)))")
    figures: SectorFigures = pub.sectors[sector]
    label = sector_options(settings)[sector]
    sote = sector in sote_sectors(settings)
    withheld = figures.withheld is not None
    model: dict[str, Any] = {
        "title": TITLE.format(label=label, year=year), "lang": "fi", "sector": sector, "label": label,
        "year": year, "group": names.group_sote if sote else names.group_other,
        "kicker": "Sosiaali- ja terveysala \u00b7 toimialan infografiikka" if sote
                  else "Toimialan infografiikka",
        "headline": label, "subtitle": SOURCE.format(year=year), "threshold": threshold,
        "suppressed": withheld, "message": "", "explanation": [], "tiles": [],
        "legend": None, "panels": {}, "layout": {"columns": [], "wide": []},
        "compact": False, "change": None,
    }
    if withheld:
        model["message"] = SUPPRESSED_MESSAGE.format(threshold=threshold)
        model["explanation"] = _withheld_explanation(label, figures.withheld, threshold)
        model["footnotes"] = _footnotes(label, year, None, None, threshold, True)
        return model

    tables = figures.tables
    head, people = tables["headline"], tables["people"]
    n_all = head.n
    also_hidden = head.is_suppressed("muiden_ohella", "yhdistyksia")
    also = head.frame.at["muiden_ohella", "yhdistyksia"]
    model["tiles"] = [
        {"value": _cell(head, names.q_sector, "yhdistyksia"),
         "label": "yhdistystä päätoimialana",
         "detail": f"{_cell(head, names.q_sector, 'osuus')} kaikista vastanneista "
                   f"(n\u00a0=\u00a0{fi_integer(n_all)})",
         "suppressed": False},
        {"value": head.mark("muiden_ohella", "yhdistyksia") if also_hidden else "+" + fi_integer(also),
         "label": "yhdistystä lisäksi",
         "detail": "mainitsee toimialan muiden ohella",
         "suppressed": also_hidden},
        _people_tile(people, names.q_members, "jäsentä yhteensä", threshold),
        _people_tile(people, names.q_volunteers, "aktiivista vapaaehtoista", threshold),
    ]
    model["legend"] = {"sector": f"{label}: päätoimialan yhdistykset",
                       "region": f"Kaikki vastanneet yhdistykset (n\u00a0=\u00a0{fi_integer(int(n_all))})"}
    roles = _roles(pub)
    panels = {"where": _where_panel(tables["where"])}
    for q in (names.q_targets, names.q_forms, names.q_challenges):
        panels[q] = _percent_panel(q, roles[q], tables.get(q), "vaihtoehto", year)
    coop = names.q_cooperation
    panels[coop] = _percent_panel(coop, roles[coop], tables.get(coop), "vaite", year)
    model["panels"] = panels
    model["layout"] = {"columns": [["where", names.q_forms], [names.q_targets, names.q_challenges]],
                       "wide": [coop]}
    model["footnotes"] = _footnotes(label, year, figures.n_main, n_all, threshold, False)
    model["change"] = sector_change_model(pub, sector)
    return model
