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

    {"title", "lang": "fi", "year",
     "cover": {"kicker", "subtitle", "facts": [{"label", "value"}], "colophon": [str]},
     "chapters": [{"id", "title", "cls", "intro": [str], "findings": [str],
                   "facts": [{"label", "value"}], "facts_caption",
                   "sections": [{"id", "heading", "text": [str], "not_asked": str | None,
                                 "figure": {"src": ChartSpec, "alt", "caption", "width"} | None,
                                 "tables": [TABLE]}],
                   "tables": [TABLE]}]}          # tables: the appendix
    TABLE = {"id", "title", "caption", "size": "normal" | "small" | "wide",
             "headers": [{"text", "numeric"}],
             "rows": [[{"text", "numeric", "suppressed", "header"}]], "note"}

``meta`` (every key optional; what the data and methods chapter needs)::

    raw_rows          int   data rows read from the association survey files
    kept              int   responses in the analysis
    replaced          int   earlier answers replaced by a later one (same association)
    rejected          int   rows rejected (no name, empty row ...)
    rejected_reasons  dict[str, int]   Finnish reason -> rows
    survey_open       date | ISO str   first day the survey was open
    survey_close      date | ISO str   last day
    files             list[str | {"name": str, "rows": int}]   input files of the wave
    municipalities_answered  int   municipalities that answered the municipality survey
    municipalities_total     int   municipalities of the region that year (default: codebook)
    flags             dict[str, int]   flag code (``lippu``) -> count
    missing_questions list[{"kysely", "kysymys", "otsikko"}]   asked in the wave, in no file
    absent_surveys    list[str]   surveys of which the wave has no file
    codebook_version  str
    published         date | ISO str   date shown on the cover (default: none)
    organisation      str   publisher shown on the cover

The module: ``findings`` (reading tables, the generated sentences), ``sections``
(tables, charts and sections as plain data), this module (chapters and the model).
"""

from __future__ import annotations

from kartoitus.fmt import fi_date, fi_date_range, fi_integer
from kartoitus.outputs.report.findings import (
    FINDINGS, _home_municipalities, _Missing, _respondent_count, _safe,
)
from kartoitus.outputs.report.sections import (
    LONG_ROWS, MAX_TEXT_COLUMNS, MAX_VALUE_COLUMNS, SMALL_COLUMNS, WIDE_COLUMNS, Section, figure_model,
    section_model, table_model, table_models,
)
from kartoitus.outputs.trends import report_chapter as trends_chapter
from kartoitus.publication import Publication
from kartoitus.settings import Settings
from kartoitus.tables import SUPPRESSED_MARK, Table

REPORT_TEMPLATE = "report.html"

SUPPRESSION_TEXT = (
    "Tietosuojan vuoksi luvut, jotka perustuvat alle viiteen vastaajaan tai joista "
    "sellaisen voisi päätellä summista, on peitetty merkinnällä "
    f"{SUPPRESSED_MARK}; kuvioissa niitä ei piirretä."
)


def _flag_text(code: str, texts) -> str:
    """A flag's text; classification flags (``luokiteltu_<rule>``) share one."""
    if code.startswith("luokiteltu_"):
        code = "luokiteltu"
    return texts.get(code, code)


CHAPTERS: list[tuple[str, str, list[str], list[Section]]] = [
    ("toimialat", "Yhdistysten toimialat", [
        "Luku kuvaa, keitä kyselyyn vastanneet yhdistykset ovat: päätoimiala, sen ryhmä "
        "(sosiaali- ja terveysala tai muut), kotikunta ja toiminnan ulottuvuus."],
     [Section("vastaajat_toimiala", show_table=True), Section("vastaajat_ryhma"),
      Section("toimialat_kattavuus"), Section("vastaajat_seutukunta"),
      Section("vastaajat_kunta", show_table=False), Section("ulottuvuus", sort=False),
      Section("paatoimiala_lahde", chart=None)]),
    ("henkilot", "Jäsenet, vapaaehtoiset ja henkilöstö", [
        "Jäsenmäärät, aktiivisten vapaaehtoisten määrä ja palkattu henkilöstö "
        "(henkilötyövuosina) päätoimialoittain, sekä yhdistysten kokoluokat jäsenmäärän mukaan."],
     [Section("henkilot_toimiala", chart=None), Section("kokoluokka", sort=False)]),
    ("talous", "Talous ja rahoitus", [
        "Yhdistysten vuosibudjetti, rahoituslähteet ja kotikunnan avustukset."],
     [Section("budjetti", sort=False, show_table=True), Section("rahoitus"),
      Section("kunta_avustus", sort=False)]),
    ("tilat", "Tilat", ["Missä yhdistykset toimivat ja käyttävätkö ne kunnan tiloja."],
     [Section("toimitilat"), Section("kunta_tilat", sort=False)]),
    ("toiminta", "Toiminta ja kohderyhmät", [
        "Mitä yhdistykset tekevät ja kenelle. Yhdistys saattoi valita useita vaihtoehtoja, "
        "joten osuudet eivät summaudu sataan prosenttiin."],
     [Section("toimintamuodot"), Section("kohderyhmat"),
      Section("toimintamuodot_toimiala", chart=None), Section("kohderyhmat_toimiala", chart=None)]),
    ("kulttuuri", "Kulttuuri", [
        "Kulttuurin ja taiteen alalla toimivien yhdistysten taidelajit sekä ammatti- ja "
        "harrastajatoiminnan osuudet."],
     [Section("taidelajit"), Section("ammattilaisuus", sort=False)]),
    ("yhteistyo", "Yhteistyö kuntien kanssa", [
        "Yhdistykset arvioivat yhteistyötä kotikuntansa kanssa asteikolla täysin eri mieltä – "
        "täysin samaa mieltä. ”En osaa sanoa” -vastauksia ei ole mukana osuuksissa."],
     [Section("yhteistyo", chart="stacked", show_table=True, stack="p_"), Section("kumppanit"),
      Section("yhteistyo_toimiala", chart=None), Section("yhteistyo_kunta", chart=None),
      Section("yhteistyotoiveet")]),
    ("tulevaisuus", "Tulevaisuus ja haasteet", [
        "Miten yhdistykset arvioivat toimintansa muuttuvan seuraavan kolmen vuoden aikana ja "
        "mitkä ovat niiden suurimmat haasteet."],
     [Section("tulevaisuus", sort=False), Section("haasteet"), Section("vapaa_sana", chart=None)]),
    ("hyvinvointialue", "Hyvinvointialue", [
        "Vuodesta 2023 sosiaali- ja terveyspalvelut ovat Keski-Suomen hyvinvointialueen "
        "vastuulla. Kysymys hyvinvointialueen avustuksista ja ostopalveluista on mukana "
        "vuoden 2023 kyselystä alkaen."],
     [Section("hva_avustus", sort=False, show_table=True)]),
    ("kuntakysely", "Kuntakysely: alueen yhteenveto", [
        "Kuntakyselyyn vastasivat kuntien järjestöyhteistyöstä vastaavat viranhaltijat. "
        "Luvut kuvaavat alueen kuntia yhteensä; kuntakohtainen kuntatutka julkaistaan erikseen."],
     [Section("kunnat_vastaukset", chart=None), Section("kunnat_yhteenveto", chart=None),
      Section("kunnat_toimialayhteistyo", chart="stacked_seq", show_table=True, stack="p_"),
      Section("kunnat_tukipalvelut")]),
]



# -- chapters --------------------------------------------------------------------------

def _methods_chapter(tables: dict[str, Table], year: int, meta: dict, settings: Settings) -> dict:
    facts = []
    text = []
    opened, closed = meta.get("survey_open"), meta.get("survey_close")
    if opened or closed:
        period = fi_date_range(opened, closed)
        facts.append({"label": "Kysely avoinna", "value": period})
        text.append(f"Yhdistyskysely oli avoinna {period}.")
    files = meta.get("files") or []
    names = [f["name"] if isinstance(f, dict) else str(f) for f in files]
    raw = meta.get("raw_rows")
    if raw is not None:
        facts.append({"label": "Vastausrivejä aineistoissa", "value": fi_integer(raw)})
        text.append(f"Yhdistyskyselyn vastausrivejä luettiin {fi_integer(raw)}.")
    if names:
        text.append(f"Aineistotiedostot ({fi_integer(len(names))}): {', '.join(names)}.")
    kept = meta.get("kept", _respondent_count(tables, meta))
    replaced, rejected = meta.get("replaced"), meta.get("rejected")
    if replaced is not None:
        facts.append({"label": "Korvattuja vastauksia", "value": fi_integer(replaced)})
    if rejected is not None:
        facts.append({"label": "Hylättyjä rivejä", "value": fi_integer(rejected)})
    if kept is not None:
        facts.append({"label": "Analyysissä mukana", "value": f"{fi_integer(kept)} yhdistystä"})
    cleaning = []
    if replaced:
        cleaning.append(f"{fi_integer(replaced)} vastausta korvautui saman yhdistyksen "
                        "myöhemmällä vastauksella (sama rekisterinumero tai nimi ja kotikunta)")
    if rejected:
        reasons = meta.get("rejected_reasons") or {}
        why = ", ".join(f"{r.lower()} {fi_integer(c)}" for r, c in sorted(reasons.items()))
        cleaning.append(f"{fi_integer(rejected)} riviä hylättiin" + (f" ({why})" if why else ""))
    if cleaning:
        text.append("Aineiston käsittelyssä " + " ja ".join(cleaning) + ".")
    missing = [m for m in meta.get("missing_questions") or [] if isinstance(m, dict)]
    if missing:
        listed = "; ".join(f"”{m.get('otsikko') or m.get('kysymys')}”" for m in missing)
        text.append(f"HUOM: {fi_integer(len(missing))} kysymystä kysyttiin vuoden {year} kyselyssä, mutta "
                    f"niiden vastaukset puuttuvat kaikista aineistotiedostoista (vientitiedostoissa ei ollut "
                    f"niiden sarakkeita): {listed}. Näistä kysymyksistä ei siksi ole tuloksia; kyse ei ole "
                    "siitä, ettei kysymystä olisi kysytty.")
        facts.append({"label": "Kysymyksiä, joiden vastaukset puuttuvat", "value": fi_integer(len(missing))})
    absent = [str(a) for a in meta.get("absent_surveys") or []]
    if absent:
        text.append("HUOM: aallossa ei ollut kyselyn " + ", ".join(absent) + " vastauksia; sen tiedot "
                    "puuttuvat raportista.")
    if kept is not None:
        text.append(f"Raportissa on mukana {fi_integer(kept)} yhdistyksen vastaukset.")
    text.append(
        "Vastaukset siivottiin koodikirjan mukaan: kuntien nimet tunnistettiin (myös "
        "kirjoitusvirheet, ruotsinkieliset ja entisten kuntien nimet), tekstinä annetut luvut "
        "tulkittiin (”n. 120” → 120, ”100–150” → 125) ja puuttuva tai ”Muu”-päätoimiala "
        "luokiteltiin yhdistyksen nimen ja muiden vastausten perusteella. Epävarmat tulkinnat "
        "merkittiin aineistoon tarkistettaviksi; ne eivät poista vastausta.")
    flags = meta.get("flags") or {}
    if flags:
        total = sum(flags.values())
        texts = settings.flags
        merged: dict[str, int] = {}
        for code, c in flags.items():
            label = _flag_text(code, texts)
            merged[label] = merged.get(label, 0) + int(c)
        listed = "; ".join(f"{label}: {fi_integer(c)}"
                           for label, c in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))
        text.append(f"Tarkistusmerkintöjä tehtiin {fi_integer(total)}: {listed}.")
        facts.append({"label": "Tarkistusmerkintöjä", "value": fi_integer(total)})
    answered = meta.get("municipalities_answered")
    total_m = meta.get("municipalities_total")
    if answered is not None:
        text.append(f"Kuntakyselyyn vastasi {fi_integer(answered)}"
                    + (f" alueen {fi_integer(total_m)} kunnasta." if total_m else " kuntaa."))
        facts.append({"label": "Kuntakyselyyn vastanneet kunnat",
                      "value": f"{fi_integer(answered)}" + (f" / {fi_integer(total_m)}" if total_m else "")})
    try:
        k = _home_municipalities(tables)
        text.append(f"Vastanneiden yhdistysten kotikuntia oli {fi_integer(k)}.")
    except _Missing:
        pass
    text.append("Prosenttiosuudet on laskettu kysymykseen vastanneista; vastaajamäärä n "
                "kerrotaan jokaisen kuvion ja taulukon yhteydessä. Monivalintakysymyksissä "
                "osuudet voivat summautua yli sataan prosenttiin.")
    text.append(SUPPRESSION_TEXT)
    if meta.get("codebook_version"):
        text.append(f"Koodikirjan versio: {meta['codebook_version']}.")
    sections = []
    if "paatoimiala_lahde" in tables:
        sections.append(section_model(tables["paatoimiala_lahde"], Section("paatoimiala_lahde", chart=None), year))
    return {"id": "aineisto", "title": "Aineisto ja menetelmät", "cls": "", "intro": text,
            "findings": [], "facts": facts, "facts_caption": "Aineisto lyhyesti",
            "sections": sections, "tables": []}


def _chapter_order() -> list[str]:
    return [s.table for _, _, _, secs in CHAPTERS for s in secs]


def report_model(pub: Publication) -> dict:
    """The plain report model (see the module docstring) of the wave's publication
    (``pub.tables`` must have been computed)."""
    if pub.tables is None:
        raise ValueError("the report needs the publication's tables: publish(..., parts=('tables', ...))")
    tables, year, settings = pub.tables, pub.year, pub.settings
    meta = dict(pub.meta or {})
    if "municipalities_total" not in meta:
        meta["municipalities_total"] = len(settings.codebook.municipalities.for_year(year))
    title = f"Keski-Suomen järjestökartoitus {year}"
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
    colophon = []
    if meta.get("organisation"):
        colophon.append(str(meta["organisation"]))
    if meta.get("published"):
        colophon.append(f"Julkaistu {fi_date(meta['published'])}")
    colophon.append("Luvut ja kuviot: kartoitus-työkalu"
                    + (f", koodikirja {meta['codebook_version']}" if meta.get("codebook_version") else ""))

    chapters = [{
        "id": "tiivistelma", "title": "Keskeiset tulokset", "cls": "",
        "intro": [f"Tiivistelmä Keski-Suomen järjestökartoituksen {year} tuloksista. "
                  "Luvut on poimittu raportin taulukoista."],
        "findings": findings, "facts": [], "facts_caption": "", "sections": [], "tables": []},
        _methods_chapter(tables, year, meta, settings)]
    chapters[1:1] = trends_chapter(pub)   # "Kehitys aalloittain" when the bank holds earlier waves
    for cid, ctitle, intro, secs in CHAPTERS:
        sections = [section_model(tables[s.table], s, year) for s in secs
                    if s.table in tables and s.table != "paatoimiala_lahde"]
        if not sections:
            continue
        chapters.append({"id": cid, "title": ctitle, "cls": "", "intro": list(intro),
                         "findings": [], "facts": [], "facts_caption": "",
                         "sections": sections, "tables": []})
    order = _chapter_order()
    appendix_ids = sorted(tables, key=lambda tid: (order.index(tid) if tid in order else len(order), tid))
    appendix = [m for tid in appendix_ids if tables[tid].asked
                for m in table_models(tables[tid], "liite")]
    if appendix:
        chapters.append({"id": "liitetaulukot", "title": "Liitetaulukot", "cls": "appendix",
                         "intro": ["Kaikki raportin taulukot. " + SUPPRESSION_TEXT],
                         "findings": [], "facts": [], "facts_caption": "", "sections": [],
                         "tables": appendix})
    return {
        "title": title,
        "lang": "fi",
        "year": year,
        "cover": {"kicker": "Järjestökartoitus", "subtitle":
                  "Yhdistys- ja kuntakyselyn tulokset Keski-Suomesta",
                  "facts": cover_facts, "colophon": colophon},
        "chapters": chapters,
    }


def report_filename(year: int, suffix: str) -> str:
    return f"jarjestokartoitus-{year}{suffix}"


__all__ = ["report_model", "report_filename", "table_model", "table_models", "figure_model",
           "section_model", "Section", "CHAPTERS", "REPORT_TEMPLATE", "SUPPRESSION_TEXT",
           "LONG_ROWS", "MAX_TEXT_COLUMNS", "MAX_VALUE_COLUMNS", "SMALL_COLUMNS", "WIDE_COLUMNS"]
