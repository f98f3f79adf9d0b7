"""The main report: its model from a real publication, its HTML (snapshots of sections),
and one full PDF per session.

The tables are the real indicator tables (``compute_all``) of two waves: a random
processed wave (``processed_factory``, 400 associations: findings, chapters, the PDF)
and the hand-counted fixture wave (``tests/fixtures/processed/2025``, 30 associations:
the HTML snapshots, which stay put as long as the fixture does).
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from processed_factory import make_processed

from kartoitus.fmt import fi_integer, fi_percent
from kartoitus.models import ChartSpec, map_charts
from kartoitus.outputs.report import report_model, table_model
from kartoitus.publication import Publication, indicators
from kartoitus.render.document import render_html
from kartoitus.render.report import render_job, report_html
from kartoitus.stages import bank
from kartoitus.stages.reference import load_reference
from kartoitus.tables import SUPPRESSED_MARK, Table

YEAR = 2023
NBSP = "\u00a0"
FIXTURES = Path(__file__).parent / "fixtures"


def processed_meta(assoc: pd.DataFrame, muni: pd.DataFrame, settings) -> dict:
    """A publication's ``meta`` for processed frames without an audit."""
    stamps = pd.to_datetime(assoc["aikaleima"], utc=True, errors="coerce").dt.tz_convert("Europe/Helsinki")
    flags = assoc["liput"].dropna().astype(str).str.split(";").explode()
    flags = flags[flags != ""].value_counts().to_dict()
    files = [{"name": str(name), "rows": int(c)} for name, c in
             pd.concat([assoc["tiedosto"], muni["tiedosto"]]).value_counts(sort=False).items()]
    return {
        "raw_rows": int(len(assoc)), "kept": int(len(assoc)), "replaced": 0, "rejected": 0,
        "survey_open": stamps.min().date() if stamps.notna().any() else None,
        "survey_close": stamps.max().date() if stamps.notna().any() else None,
        "files": files,
        "municipalities_answered": int(muni["kunta"].nunique()),
        "flags": {str(k): int(v) for k, v in flags.items()},
        "codebook_version": settings.codebook.version,
    }


def publication(settings, tables: dict, year: int = YEAR, meta: dict | None = None) -> Publication:
    return Publication(settings=settings, year=year, threshold=5, meta=dict(meta or {}), tables=tables)


# -- one random wave, its publication and report model, built once --------------------------

@pytest.fixture(scope="session")
def data():
    return make_processed(YEAR, 400, seed=3)


@pytest.fixture(scope="session")
def meta(data, settings):
    assoc, muni = data
    m = processed_meta(assoc, muni, settings)
    m.update(raw_rows=len(assoc) + 7, replaced=4, rejected=3,
             rejected_reasons={"Yhdistyksen nimi puuttuu": 2, "Tyhjä rivi": 1})
    return m


@pytest.fixture(scope="session")
def pub(data, meta, settings) -> Publication:
    """The wave's publication (tables part), as ``publish(..., parts=("tables",))`` makes it."""
    assoc, muni = data
    return publication(settings, indicators.compute_all(assoc, muni, YEAR, settings), meta=meta)


@pytest.fixture(scope="session")
def tables(pub):
    return pub.tables


@pytest.fixture(scope="session")
def model(pub):
    return report_model(pub)


@pytest.fixture(scope="session")
def html(model):
    return report_html(model)


@pytest.fixture(scope="session")
def rendered(model, tmp_path_factory):
    """The full report, rendered ONCE per session (WeasyPrint is slow), by the worker's entry point."""
    out = tmp_path_factory.mktemp("raportti")
    records: list[logging.LogRecord] = []

    class Grab(logging.Handler):
        def emit(self, record):
            records.append(record)

    grab = Grab(level=logging.WARNING)
    for name in ("weasyprint", "kartoitus.render.document"):
        logging.getLogger(name).addHandler(grab)
    try:
        paths = render_job({"model": model, "out_dir": out})
    finally:
        for name in ("weasyprint", "kartoitus.render.document"):
            logging.getLogger(name).removeHandler(grab)
    pdf = next(p for p in paths if p.suffix == ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return {"paths": paths, "pdf": pdf, "text": text, "warnings": records, "out": out}


def sections_of(model: dict) -> dict[str, dict]:
    return {s["id"]: s for c in model["chapters"] for s in c["sections"]}


# -- model -------------------------------------------------------------------------------

def test_model_chapters_in_order(model):
    titles = [c["title"] for c in model["chapters"]]
    assert model["title"] == f"Keski-Suomen järjestökartoitus {YEAR}"
    # a summary, chapters by theme, then methods and the appendix
    assert titles == ["Keskeiset tulokset", "Vastanneet yhdistykset", "Toiminta ja kohderyhmät",
                      "Resurssit: talous ja tilat", "Yhteistyö kuntien kanssa", "Tulevaisuus ja haasteet",
                      "Toimialat", "Kuntakysely: kuntien vertailu", "Aineisto ja menetelmät", "Liitetaulukot"]
    assert model["chapters"][0]["figures"][0] == {"value": fi_integer(400), "label": "vastannutta yhdistystä"}


def test_summary_numbers_come_from_the_data(model, tables, data, settings):
    assoc, _ = data
    findings = model["chapters"][0]["findings"]
    homes = assoc.loc[assoc["kotikunta"] != "ulkopuolella", "kotikunta"].nunique()
    assert findings[0] == f"Kyselyyn vastasi {len(assoc)} yhdistystä {homes} kunnasta."
    assert tables["vastaajat_toimiala"].n == len(assoc)
    # largest sector with its share and count (a sector outside the options counts as "muu")
    q = settings.codebook.association.question("paatoimiala")
    labels = {o.key: o.label for o in q.options} | {"muu": "Muu tai luokittelematon"}
    sector = assoc["paatoimiala"].where(assoc["paatoimiala"].isin(list(q.option_keys())), "muu")
    top = sector.value_counts()
    share = fi_percent(100 * top.iloc[0] / len(assoc))
    assert (f"Suurin päätoimiala oli {labels[top.index[0]]}: {share} vastaajista "
            f"({fi_integer(top.iloc[0])} yhdistystä).") in findings
    group = assoc["toimialaryhma"].dropna()
    sote = fi_percent(100 * (group == "sote").mean())
    assert f"Sosiaali- ja terveysalan (sote) yhdistysten osuus vastaajista oli {sote}." in findings
    smooth = assoc["yhteistyo_sujuvuus"].dropna()
    agree = fi_percent(100 * (smooth >= 4).mean())
    assert any(f.startswith(f"{agree} yhdistyksistä oli täysin tai jokseenkin") for f in findings)
    assert any(f.startswith("Kuntakyselyyn vastasi 22 alueen 22 kunnasta") for f in findings)


def test_methods_chapter_from_meta_and_flag_texts(model, meta, settings):
    methods = next(c for c in model["chapters"] if c["id"] == "aineisto")
    assert methods["title"] == "Aineisto ja menetelmät"
    facts = {f["label"]: f["value"] for f in methods["facts"]}
    assert facts["Vastausrivejä aineistoissa"] == fi_integer(meta["raw_rows"])
    assert facts["Korvattuja vastauksia"] == "4" and facts["Hylättyjä rivejä"] == "3"
    text = " ".join(methods["intro"])
    assert "3 riviä hylättiin (syyt: pakollinen tieto puuttui 2 ja tyhjä rivi 1)" in text
    assert "4 vastausta korvautui" in text
    # no file names, no codebook hash: the files by kind
    assert "jarjestokysely" not in text and meta["codebook_version"] not in str(model)
    assert "CSV-tiedosto" in text
    if meta["flags"]:
        code = max(meta["flags"], key=meta["flags"].get)
        wanted = settings.flags.get("luokiteltu" if code.startswith("luokiteltu_") else code, code)
        assert wanted.rstrip(".") in text                     # flag texts come from the settings


def test_charts_are_specs_with_alt_text(model, tables):
    sections = sections_of(model)
    coop = sections["osio-yhteistyo"]["figure"]
    assert isinstance(coop["src"], ChartSpec) and coop["src"].kind == "stacked"
    assert coop["src"].args[0] is tables["yhteistyo"] and coop["src"].kwargs == {"diverging": True}
    assert coop["alt"].startswith("Pinottu pylväskuvio (100 %)")
    assert "Täysin eri mieltä" in coop["alt"] and "Jokseenkin samaa mieltä tai" not in coop["alt"]
    bars = sections["osio-budjetti"]["figure"]
    assert bars["src"] == ChartSpec("bar", (tables["budjetti"], None), {"unit": None, "sort": False, "xmax": None})
    kunta = sections["osio-vastaajat_kunta"]
    assert kunta["figure"] is None and kunta["text"][1].startswith("Yleisin kotikunta oli ")
    assert "seutukunta" not in kunta["text"][1]                      # named by municipality
    seq = sections["osio-kunnat_toimialayhteistyo"]["figure"]["src"]
    assert seq.kind == "stacked" and seq.kwargs == {"diverging": False}
    # the sectors as heat tables, no chart
    heat = sections["osio-toimintamuodot_toimiala"]
    assert heat["figure"] is None and heat["tables"][0]["size"] == "heat"


def test_a_chart_that_cannot_be_drawn_becomes_a_table(pub, settings):
    t = pub.tables["yhteistyo"]
    one = t.with_(frame=t.frame[["avain", "vaite", "p_1", "n"]], kinds={"p_1": "percent", "n": "count"},
                  suppressed=t.suppressed[["avain", "vaite", "p_1", "n"]])
    model = report_model(publication(settings, {"yhteistyo": one}))
    sec = sections_of(model)["osio-yhteistyo"]
    assert sec["figure"] is None                # a stacked chart needs two percent columns
    assert [m["id"] for m in sec["tables"]] == ["taulukko-yhteistyo"]


def test_appendix_never_splits_tables(model):
    appendix = model["chapters"][-1]
    assert not any("osa " in t["caption"] for t in appendix["tables"])      # never split into parts
    assert all(len(t["rows"]) <= 40 for t in appendix["tables"])
    refs = {r["sheet"] for r in appendix["refs"]}                            # the rest: the workbook
    assert {"yhteistyo_kunta", "yhteistyo_toimiala"} <= refs


def test_missing_tables_are_skipped(pub, data, settings):
    assoc, _ = data
    model = report_model(publication(settings, {"haasteet": pub.tables["haasteet"]}))
    titles = [c["title"] for c in model["chapters"]]
    assert titles == ["Keskeiset tulokset", "Tulevaisuus ja haasteet", "Aineisto ja menetelmät",
                      "Liitetaulukot"]
    # the expected sentence, counted from the data
    q = settings.codebook.association.question("haasteet")
    cols = {o.label: f"haasteet__{o.key}" for o in q.options}
    block = assoc[list(cols.values())]
    answered = block.notna().any(axis=1) | assoc.get("haasteet__muu", pd.Series(index=assoc.index)).notna()
    shares = {label: 100 * assoc.loc[answered, c].fillna(0).sum() / answered.sum() for label, c in cols.items()}
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:3]
    sec = model["chapters"][1]["sections"][0]
    assert sec["text"][0] == f"Kysymykseen vastasi {fi_integer(answered.sum())} yhdistystä."
    assert sec["text"][1] == (f"Yleisin vastaus oli {top[0][0]} ({fi_percent(top[0][1])}), seuraavina "
                              f"{top[1][0]} ({fi_percent(top[1][1])}) ja {top[2][0]} ({fi_percent(top[2][1])}).")
    assert sec["figure"]["alt"].startswith(f"Vaakapylväskuvio: Yhdistysten suurimmat haasteet, "
                                           f"n = {fi_integer(answered.sum())}.")
    assert sec["figure"]["src"].kind == "bar"
    assert (f"Yleisin haaste oli {top[0][0].lower()} ({fi_percent(top[0][1])} vastaajista)."
            in model["chapters"][0]["findings"])


def test_not_asked_table_says_so(data, settings):
    assoc, _ = data
    t = indicators.hva_avustus(assoc.drop(columns=["hva_avustus"]), 2021, settings)
    assert t.asked is False
    model = report_model(publication(settings, {"hva_avustus": t}, year=2021))
    sec = model["chapters"][1]["sections"][0]
    assert sec["not_asked"].startswith("Kysymystä ei kysytty vuoden 2021 kyselyssä")
    assert sec["figure"] is None and sec["tables"] == []
    assert all(c["title"] != "Liitetaulukot" for c in model["chapters"])


def test_model_needs_the_tables(settings):
    with pytest.raises(ValueError, match="tables"):
        report_model(Publication(settings=settings, year=YEAR, threshold=5, meta={}))


def test_table_model_formats_and_suppresses():
    frame = pd.DataFrame({"avain": ["a", "b"], "kunta": ["Jyväskylä", "Äänekoski"],
                          "n": [1234, 3], "osuus": [97.55, 2.45]})
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask.loc[1, ["n", "osuus"]] = True
    t = Table("x", "Otsikko", frame, 1237, {"kunta": "Kunta", "n": "Lkm", "osuus": "Osuus"},
              {"n": "count", "osuus": "percent"}, mask, note="Huom.")
    m = table_model(t)
    assert [h["text"] for h in m["headers"]] == ["Kunta", "Lkm", "Osuus"]   # key column hidden
    assert [c["text"] for c in m["rows"][0]] == ["Jyväskylä", f"1{NBSP}234", f"97,6{NBSP}%"]
    # no small-count mask: hidden cells are "..", a percentage never "<5"
    assert [c["text"] for c in m["rows"][1]] == ["Äänekoski", "..", ".."]
    assert m["rows"][0][0]["header"] and m["rows"][1][1]["suppressed"]
    assert m["caption"] == f"Otsikko (n = 1{NBSP}237)"
    assert m["note"] == "Huom. .. = luku peitetty tietosuojan vuoksi (se perustuu alle viiteen vastaajaan " \
                        "tai siitä voisi päätellä pienen luvun)."
    small = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    small.loc[1, "n"] = True
    m = table_model(t.with_(small=small))
    assert [c["text"] for c in m["rows"][1]] == ["Äänekoski", "<5", ".."]
    assert m["note"].startswith("Huom. <5 = 1–4 vastaajaa (luku peitetty tietosuojan vuoksi); .. = ")
    assert m["size"] == "normal"
    assert m["id"] == "taulukko-x" and table_model(t, "liite")["id"] == "liite-x"


def test_html_escapes_names(settings):
    frame = pd.DataFrame({"nimi": ["<script>alert(1)</script>"], "n": [7]})
    t = Table("vapaa_sana", "Terveiset", frame, 7, {"nimi": "Teksti", "n": "Lkm"}, {"n": "count"})
    html = report_html(report_model(publication(settings, {"vapaa_sana": t})))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html_has_headings_numbers_and_alt(html, tables):
    assert '<html lang="fi">' in html
    assert f"<title>Keski-Suomen järjestökartoitus {YEAR}</title>" in html
    for heading in ("Keskeiset tulokset", "Aineisto ja menetelmät", "Resurssit: talous ja tilat",
                    "Kuntakysely: kuntien vertailu", "Liitetaulukot"):
        assert f"<h1>{heading}</h1>" in html
    imgs = re.findall(r"<img [^>]*>", html)
    assert imgs and all('alt="' in i and 'alt=""' not in i for i in imgs)
    assert all('src="data:image/svg+xml;base64,' in i for i in imgs)     # the screen's charts
    assert "ChartSpec" not in html
    assert f"n = {tables['vastaajat_toimiala'].n}" in html


# -- snapshots of report sections (the hand-counted fixture wave) --------------------------------

@pytest.fixture(scope="module")
def fixture_html(settings) -> str:
    """The report HTML of the fixture wave, charts as a placeholder (their PNG bytes depend on
    matplotlib and fonts; their data and alt text are in the model and the snapshot)."""
    folder = FIXTURES / "processed" / "2025"
    assoc = bank.read_processed_csv(folder / "jarjestokysely.csv")
    muni = bank.read_processed_csv(folder / "kuntakysely.csv")
    tables = indicators.compute_all(assoc, muni, 2025, settings, load_reference(FIXTURES / "reference"))
    meta = {"raw_rows": 32, "kept": 30, "replaced": 1, "rejected": 1,
            "rejected_reasons": {"Tyhjä rivi": 1}, "survey_open": "2025-02-03", "survey_close": "2025-03-14",
            "files": [{"name": "jarjestokysely.csv", "rows": 32}], "municipalities_answered": 4,
            "flags": {"luokiteltu_nimi_elakeliitto": 2, "kunta_sumea": 1}, "codebook_version": "testi"}
    model = report_model(publication(settings, tables, year=2025, meta=meta))
    placeholder = map_charts(model, lambda spec: f"data:image/png;base64,KUVIO-{spec.kind}")
    return render_html("report.html", placeholder)


def _section(html: str, element_id: str) -> str:
    m = re.search(rf'<section class="[^"]*" id="{re.escape(element_id)}">.*?</section>', html, re.S)
    assert m, element_id
    return m.group(0)


@pytest.mark.parametrize("element_id", ["tiivistelma", "osio-vastaajat_toimiala", "osio-budjetti",
                                        "osio-yhteistyo", "osio-toimintamuodot_toimiala",
                                        "osio-kunnat_toimialayhteistyo"])
def test_section_html_snapshot(fixture_html, element_id, snapshot):
    assert _section(fixture_html, element_id) == snapshot


def test_methods_chapter_html_snapshot(fixture_html, snapshot):
    start = fixture_html.index('<section class="chapter " id="aineisto">')
    end = fixture_html.index('<section class="chapter ', start + 1)
    assert fixture_html[start:end] == snapshot


# -- the rendered PDF (once per session) --------------------------------------------------

def test_pdf_no_weasyprint_warnings(rendered):
    assert [r.getMessage() for r in rendered["warnings"]] == []


def test_pdf_and_html_written(rendered):
    names = sorted(p.name for p in rendered["paths"])
    assert names == [f"jarjestokartoitus-{YEAR}.html", f"jarjestokartoitus-{YEAR}.pdf"]
    assert not [p for p in rendered["out"].iterdir() if p.name.startswith(".")]   # no temp files


def test_written_html_is_the_rendered_html(rendered, html):
    page = next(p for p in rendered["paths"] if p.suffix == ".html")
    assert page.read_text(encoding="utf-8") == html


def test_pdf_text_headings_and_finnish_numbers(rendered, tables):
    text = " ".join(rendered["text"].split())
    for heading in ("Keski-Suomen järjestökartoitus", "Keskeiset tulokset", "Aineisto ja menetelmät",
                    "Vastanneet yhdistykset", "Resurssit: talous ja tilat", "Yhteistyö kuntien kanssa",
                    "Tulevaisuus ja haasteet", "Toimialat", "Liitetaulukot"):
        assert heading in text
    assert "ä" in text and "ö" in text and "Ä" in text      # Äänekoski etc.
    assert re.search(r"\d+,\d %", text)                    # 12,5 %
    assert re.search(r"sivu 3 / \d+", text)
    assert f"n = {tables['vastaajat_toimiala'].n}" in text


def test_pdf_metadata(rendered):
    from pypdf import PdfReader

    reader = PdfReader(rendered["pdf"])
    assert reader.metadata.title == f"Keski-Suomen järjestökartoitus {YEAR}"
    assert reader.trailer["/Root"]["/Lang"] == "fi"
    assert "/StructTreeRoot" in reader.trailer["/Root"]       # tagged PDF
    assert "/CreationDate" not in reader.metadata
    assert len(reader.pages) >= 10



def test_chapter_order_and_cover_from_raportti_yaml(pub, settings):
    """The organisation's templates/raportti.yaml orders (and drops) the theme chapters and
    sets the cover text; the package's file is the default."""
    from dataclasses import replace as dc_replace

    from kartoitus.errors import KartoitusError

    own = dc_replace(settings, report={"kansi": {"ylaotsikko": "Oma", "julkaisija": "Yhdistys ry"},
                                       "luvut": ["tulevaisuus", "yhdistykset"],
                                       "pois": ["toimialat", "kuntakysely", "resurssit"]})
    model = report_model(dc_replace(pub, settings=own))
    ids = [c["id"] for c in model["chapters"]]
    # listed first, then the unlisted ones (a new chapter needs no edit), dropped ones left out
    assert ids == ["tiivistelma", "tulevaisuus", "yhdistykset", "toiminta", "yhteistyo", "aineisto",
                   "liitetaulukot"]
    assert model["cover"]["kicker"] == "Oma" and model["cover"]["colophon"] == ["Yhdistys ry"]
    assert settings.report["luvut"][0] == "yhdistykset"        # the package's default file
    with pytest.raises(KartoitusError, match="raportti.yaml: tuntematon luku 'ei_ole'"):
        report_model(dc_replace(pub, settings=dc_replace(settings, report={"luvut": ["ei_ole"]})))
