"""The main report as a plain model, from the wave's :class:`~kartoitus.publication.Publication`.

``report_model(pub)`` turns the publication's indicator tables (``pub.tables``) and
data facts (``pub.meta``) into plain data (dicts, lists, strings, Tables; charts as
:class:`~kartoitus.models.ChartSpec`); ``kartoitus.render.report.write_report``
draws the charts and renders it with ``templates/report.html`` to
``jarjestokartoitus-<year>.html`` and ``.pdf``. Nothing here reads or writes a file.
Every number in the report comes from a Table; the builder only selects and
formats. A chapter section whose table is missing is left out; a table with
``asked=False`` is shown as "not asked this year" instead of zeros.

Model (what the template reads)::

    {"title", "lang": "fi", "year", "marks": [str],       # marks printed anywhere
     "cover": {"kicker", "subtitle", "facts": [{"label", "value"}], "colophon": [str]},
     "chapters": [{"id", "title", "cls", "intro": [str], "findings": [str],
                   "figures": [{"value", "label"}],          # key figures (summary)
                   "text_html": [str],                       # the researcher's own text (HTML)
                   "facts": [{"label", "value"}], "facts_caption",
                   "sections": [{"id", "heading", "text": [str], "not_asked": str | None,
                                 "figure": {"src": ChartSpec, "alt", "caption", "width"} | None,
                                 "tables": [TABLE]}],
                   "tables": [TABLE],                        # the appendix
                   "refs": [{"title", "sheet"}]}],           # tables only in the workbook
     "hidden_text_figures": [str]}                          # placeholders that printed a mark
    TABLE = {"id", "title", "caption", "size": "normal" | "small" | "wide" | "heat",
             "headers": [{"text", "numeric"}],
             "rows": [[{"text", "numeric", "suppressed", "header", "style"?}]], "note", "marks"}

Chapters are a list (``CHAPTERS``: themes, each a list of ``Section``; ``chapter_models``
builds them), so a later part (e.g. trends) is one more entry.

``meta`` (every key optional; what the data and methods chapter needs)::

    raw_rows          int   data rows read from the association survey files
    kept              int   responses in the analysis
    replaced          int   earlier answers replaced by a later one (same association)
    rejected          int   rows rejected (no name, empty row ...)
    rejected_reasons  dict[str, int]   Finnish reason -> rows
    survey_open       date | ISO str   first day the survey was open
    survey_close      date | ISO str   last day
    files             list[str | {"name": str, "rows": int}]   input files (only their kinds are printed)
    municipalities_answered  int   municipalities that answered the municipality survey
    municipalities_total     int   municipalities of the region that year (default: codebook)
    flags             dict[str, int]   flag code (``lippu``) -> count
    missing_questions list[{"kysely", "kysymys", "otsikko"}]   asked in the wave, in no file
    absent_surveys    list[str]   surveys of which the wave has no file
    codebook_version  str   (never printed: reader outputs carry no internal names)
    report_text       str   the researcher's raportti.md (read by the build), optional
    published         date | ISO str   date shown on the cover (default: none)
    organisation      str   publisher shown on the cover

The package: ``sentences`` (Finnish sentence builders), ``findings`` (reading tables,
the key findings), ``sections`` (tables, charts and sections as plain data), ``heat``
(heat tables), ``methods`` (the data and methods chapter), ``text`` (the researcher's
text with placeholders), this module (chapters and the model).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_date, fi_date_range, fi_integer
from kartoitus.outputs.report.findings import (
    FINDINGS, _home_municipalities, _respondent_count, _safe,
)
from kartoitus.outputs.report.heat import kuntatutka_heat, sector_heat
from kartoitus.outputs.report.methods import SUPPRESSION_TEXT, methods_chapter
from kartoitus.outputs.report.sections import (
    LONG_ROWS, MAX_TEXT_COLUMNS, MAX_VALUE_COLUMNS, SMALL_COLUMNS, WIDE_COLUMNS, Section, figure_model,
    printable, section_model, table_model, table_models,
)
from kartoitus.outputs.trends import report_chapter as trends_chapter
from kartoitus.outputs.workbook import source_titles
from kartoitus.outputs.report.sentences import about
from kartoitus.outputs.report.text import CONCLUSIONS, INTRO, researcher_text
from kartoitus.publication import Publication
from kartoitus.tables import Table

REPORT_TEMPLATE = "report.html"
#: the workbook's file name (the appendix refers to its sheets)
WORKBOOK_NAME = "taulukot-{year}.xlsx"


@dataclass(frozen=True)
class Chapter:
    """A chapter by theme: its sections (one table each) and heat tables (table ids
    drawn as a heat table; ``"kuntatutka"`` = the municipalities' kuntatutka scores)."""
    id: str
    title: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...] = ()
    heat: tuple[str, ...] = field(default=())


CHAPTERS: list[Chapter] = [
    Chapter("yhdistykset", "Vastanneet yhdistykset", (
        "Keitä kyselyyn vastanneet yhdistykset ovat: päätoimiala, kotikunta, toiminnan "
        "ulottuvuus ja koko.",),
        (Section("vastaajat_toimiala"), Section("vastaajat_seutukunta", subject="seutukunta"),
         Section("vastaajat_kunta", chart=None, subject="kunta"), Section("ulottuvuus", sort=False),
         Section("kokoluokka", sort=False))),
    Chapter("toiminta", "Toiminta ja kohderyhmät", (
        "Mitä yhdistykset tekevät ja kenelle. Yhdistys saattoi valita useita vaihtoehtoja, "
        "joten osuudet eivät summaudu sataan prosenttiin.",),
        (Section("toimintamuodot"), Section("kohderyhmat"), Section("toimialat_kattavuus"))),
    Chapter("resurssit", "Resurssit: talous ja tilat", (
        "Yhdistysten vuosibudjetti, rahoituslähteet, julkiset avustukset ja tilat. Jäsen-, "
        "vapaaehtois- ja henkilöstömäärät toimialoittain ovat liitetaulukoissa.",),
        (Section("budjetti", sort=False), Section("rahoitus"), Section("kunta_avustus", sort=False),
         Section("hva_avustus", sort=False), Section("toimitilat"), Section("kunta_tilat", sort=False))),
    Chapter("yhteistyo", "Yhteistyö kuntien kanssa", (
        "Yhdistykset arvioivat yhteistyötä kotikuntansa kanssa asteikolla täysin eri mieltä – "
        "täysin samaa mieltä. ”En osaa sanoa” -vastauksia ei ole mukana osuuksissa.",),
        (Section("yhteistyo", chart="stacked", stack="p_"), Section("kumppanit"),
         Section("yhteistyotoiveet"))),
    Chapter("tulevaisuus", "Tulevaisuus ja haasteet", (
        "Miten yhdistykset arvioivat toimintansa muuttuvan seuraavan kolmen vuoden aikana ja "
        "mitkä ovat niiden suurimmat haasteet.",),
        (Section("tulevaisuus", sort=False), Section("haasteet"))),
    Chapter("toimialat", "Toimialat", (
        "Toimialojen erot toimintamuodoissa ja kohderyhmissä sekä kulttuurin ja taiteen "
        "yhdistysten taidelajit.",),
        (Section("taidelajit"), Section("ammattilaisuus", sort=False)),
        heat=("toimintamuodot_toimiala", "kohderyhmat_toimiala")),
    Chapter("kuntakysely", "Kuntakysely: kuntien vertailu", (
        "Kuntakyselyyn vastasivat kuntien järjestöyhteistyöstä vastaavat viranhaltijat. Kuntia "
        "verrataan kuntatutkan teemoittain; jokaisen kunnan tiedot ovat sen omassa kuntaprofiilissa.",),
        (Section("kunnat_toimialayhteistyo", chart="stacked_seq", stack="p_"),
         Section("kunnat_tukipalvelut")),
        heat=("kuntatutka",)),
]

#: tables the appendix leaves out because the chapters print them whole
_IN_CHAPTERS_ONLY = ("kohderyhmat_toimiala", "toimintamuodot_toimiala")


def _chapter_order() -> list[str]:
    return [s.table for ch in CHAPTERS for s in ch.sections] + [h for ch in CHAPTERS for h in ch.heat]


def _empty_chapter(cid: str, title: str, **kw) -> dict:
    out = {"id": cid, "title": title, "cls": "", "intro": [], "findings": [], "figures": [],
           "text_html": [], "facts": [], "facts_caption": "", "sections": [], "tables": [], "refs": []}
    out.update(kw)
    return out


def _heat_section(pub: Publication, hid: str) -> dict | None:
    if hid == "kuntatutka":
        k = pub.kuntatutka
        if k is None or getattr(k, "scores", None) is None or k.scores.empty:
            return None
        heat = kuntatutka_heat(k.scores, pub.settings.scoring.labels(), pub.year)
        text = ["Kuntatutka tiivistää kunnan vastaukset seitsemään teemaan. Taulukko näyttää, "
                "missä teemoissa kunnilla on eniten järjestöyhteistyön käytäntöjä."]
        return {"id": "osio-kuntatutka", "heading": heat["title"], "text": text, "not_asked": None,
                "figure": None, "tables": [heat]}
    t = (pub.tables or {}).get(hid)
    if t is None or not t.asked or t.frame.empty:
        return None
    return {"id": f"osio-{t.id}", "heading": t.title, "text": [], "not_asked": None, "figure": None,
            "tables": [sector_heat(t)]}


def chapter_order(report_settings) -> list[Chapter]:
    """``CHAPTERS`` in the order of ``raportti.yaml``'s ``luvut`` (the organisation's
    templates folder, else the package's); chapters not listed follow in their own order
    (a new chapter appears without editing the file), except those listed in ``pois``."""
    cfg = report_settings or {}
    order = [str(c) for c in (cfg.get("luvut") or [])]
    dropped = {str(c) for c in (cfg.get("pois") or [])}
    by_id = {ch.id: ch for ch in CHAPTERS}
    unknown = [c for c in [*order, *dropped] if c not in by_id]
    if unknown:
        raise KartoitusError(f"raportti.yaml: tuntematon luku {unknown[0]!r}; luvut: {', '.join(by_id)}")
    ids = order + [c for c in by_id if c not in order]
    return [by_id[c] for c in ids if c not in dropped]


def chapter_models(pub: Publication, text_parts: dict[str, str] | None = None) -> list[dict]:
    """The chapters by theme (``CHAPTERS``, in the order of the settings' ``raportti.yaml``)
    as models; a chapter without tables is left out."""
    tables, year, codebook = pub.tables, pub.year, pub.settings.codebook
    out = []
    for ch in chapter_order(getattr(pub.settings, "report", None)):
        sections = [section_model(tables[s.table], s, year, source_titles(tables[s.table].source, codebook))
                    for s in ch.sections if s.table in tables]
        sections += [h for h in (_heat_section(pub, hid) for hid in ch.heat) if h]
        if not sections:
            continue
        html = (text_parts or {}).get(ch.id)
        out.append(_empty_chapter(ch.id, ch.title, intro=list(ch.intro), sections=sections,
                                  text_html=[html] if html else []))
    return out


def _key_figures(tables: dict[str, Table], meta: dict) -> list[dict]:
    figures = []
    n = _respondent_count(tables, meta)
    if n is not None:
        figures.append({"value": fi_integer(n), "label": "vastannutta yhdistystä"})
    k = _safe(_home_municipalities, tables)
    if k is not None:
        figures.append({"value": fi_integer(k), "label": "kotikuntaa"})
    if meta.get("municipalities_answered") is not None:
        total = meta.get("municipalities_total")
        figures.append({"value": fi_integer(meta["municipalities_answered"])
                        + (f"/{fi_integer(total)}" if total else ""),
                        "label": "kuntaa vastasi kuntakyselyyn"})
    people = tables.get("henkilot_toimiala")
    if people is not None and not people.frame.empty:
        rows = people.frame.index[people.frame[people.label_columns[-1]].astype(str) == "Kaikki toimialat"]
        for col, label in (("jasenmaara_summa", "jäsentä (yhdistysten arvio)"),
                           ("vapaaehtoiset_summa", "aktiivista vapaaehtoista")):
            if len(rows) and col in people.frame.columns and not people.is_suppressed(rows[0], col):
                figures.append({"value": about(people.frame.at[rows[0], col]), "label": label})
    return figures


def _appendix(pub: Publication) -> dict | None:
    tables = pub.tables
    order = _chapter_order()
    ids = sorted(tables, key=lambda tid: (order.index(tid) if tid in order else len(order), tid))
    titles = {tid: t.title for tid, t in tables.items()}
    printed, refs = [], []
    for tid in ids:
        t = tables[tid]
        if not t.asked or t.frame.empty or tid in _IN_CHAPTERS_ONLY:
            continue
        if printable(t):
            m = table_model(t, "liite", titles)
            # narrow tables sit two side by side; one with more columns takes the full width
            m["span"] = len(m["headers"]) > 3 or m["size"] != "normal"
            printed.append(m)
        else:
            refs.append({"title": t.title, "sheet": tid})
    if not printed and not refs:
        return None
    book = WORKBOOK_NAME.format(year=pub.year)
    intro = [f"Raportin taulukot. Kaikki taulukot ovat myös Excel-työkirjassa {book}, "
             "jokainen omalla välilehdellään. " + SUPPRESSION_TEXT]
    return _empty_chapter("liitetaulukot", "Liitetaulukot", cls="appendix", intro=intro,
                          tables=printed, refs=refs)


def report_model(pub: Publication) -> dict:
    """The plain report model (see the module docstring) of the wave's publication
    (``pub.tables`` must have been computed). The researcher's text, if any, is
    ``pub.meta["report_text"]``; an error in it raises ``KartoitusError`` with the line."""
    if pub.tables is None:
        raise ValueError("the report needs the publication's tables: publish(..., parts=('tables', ...))")
    tables, year, settings = pub.tables, pub.year, pub.settings
    meta = dict(pub.meta or {})
    if "municipalities_total" not in meta:
        meta["municipalities_total"] = len(settings.codebook.municipalities.for_year(year))
    title = f"Keski-Suomen järjestökartoitus {year}"
    names = {ch.id: ch.title for ch in CHAPTERS}
    own = researcher_text(meta.get("report_text"), tables, meta, names)
    findings = [f for f in (_safe(fn, tables, meta, settings) for fn in FINDINGS) if f]
    n = _respondent_count(tables, meta)

    cover_facts = []
    if n is not None:
        cover_facts.append({"label": "Vastanneita yhdistyksiä", "value": fi_integer(n)})
    k = _safe(_home_municipalities, tables)
    if k is not None:
        cover_facts.append({"label": "Kotikuntia", "value": fi_integer(k)})
    if meta.get("survey_open") or meta.get("survey_close"):
        cover_facts.append({"label": "Kysely avoinna",
                            "value": fi_date_range(meta.get("survey_open"), meta.get("survey_close"))})
    cover = dict((getattr(settings, "report", None) or {}).get("kansi") or {})
    colophon = []
    organisation = meta.get("organisation") or cover.get("julkaisija")
    if organisation:
        colophon.append(str(organisation))
    if meta.get("published"):
        colophon.append(f"Julkaistu {fi_date(meta['published'])}")

    summary = _empty_chapter(
        "tiivistelma", "Keskeiset tulokset",
        intro=[] if own.parts.get(INTRO) else
        [f"Tiivistelmä Keski-Suomen järjestökartoituksen {year} tuloksista."],
        text_html=[own.parts[INTRO]] if own.parts.get(INTRO) else [],
        figures=_key_figures(tables, meta), findings=findings)
    trends = [_empty_chapter(**{k: v for k, v in ch.items() if k not in ('id', 'title')},
                             cid=ch['id'], title=ch['title']) for ch in trends_chapter(pub)]
    chapters = [summary] + trends + chapter_models(pub, own.parts)   # trends: earlier waves in the bank
    if own.parts.get(CONCLUSIONS):
        chapters.append(_empty_chapter("johtopaatokset", "Johtopäätökset", text_html=[own.parts[CONCLUSIONS]]))
    chapters.append(methods_chapter(tables, year, meta, settings))
    appendix = _appendix(pub)
    if appendix:
        chapters.append(appendix)
    marks = sorted({m for ch in chapters for s in ch["sections"] for t in s["tables"] for m in t.get("marks", ())}
                   | {m for ch in chapters for t in ch["tables"] for m in t.get("marks", ())}
                   | {m for tid in _chapter_order() if tid in tables for m in tables[tid].marks()})
    return {
        "title": title,
        "lang": "fi",
        "year": year,
        "marks": marks,
        "cover": {"kicker": str(cover.get("ylaotsikko") or "Järjestökartoitus"),
                  "subtitle": str(cover.get("alaotsikko") or "Yhdistys- ja kuntakyselyn tulokset Keski-Suomesta"),
                  "facts": cover_facts, "colophon": colophon},
        "chapters": chapters,
        "hidden_text_figures": list(own.hidden),
    }


def report_filename(year: int, suffix: str) -> str:
    return f"jarjestokartoitus-{year}{suffix}"


__all__ = ["report_model", "report_filename", "chapter_models", "table_model", "table_models", "figure_model",
           "section_model", "Section", "Chapter", "CHAPTERS", "REPORT_TEMPLATE", "SUPPRESSION_TEXT",
           "LONG_ROWS", "MAX_TEXT_COLUMNS", "MAX_VALUE_COLUMNS", "SMALL_COLUMNS", "WIDE_COLUMNS"]
