"""The main report: model from tables, HTML, and one full PDF per session."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processed_factory import make_processed  # noqa: E402

from kartoitus.settings.codebook import default_codebook  # noqa: E402
from kartoitus.outputs.report import (  # noqa: E402
    build_report_model,
    preview_meta,
    table_model,
    write_report,
)
from kartoitus.render.document import render_html  # noqa: E402
from kartoitus.tables import SUPPRESSED_MARK, Table  # noqa: E402

YEAR = 2023
NBSP = "\u00a0"


# -- hand-made tables shaped like the indicator tables --------------------------------

def _mask(frame: pd.DataFrame, counts: pd.Series, cols: list[str]) -> pd.DataFrame:
    m = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    small = (counts > 0) & (counts < 5)
    for c in cols:
        m[c] = small.to_numpy()
    return m


def single_table(tid: str, series: pd.Series, labels: dict[str, str], title: str,
                 header: str = "Vastaus") -> Table:
    answered = series.dropna()
    counts = answered.value_counts().reindex(list(labels), fill_value=0)
    frame = pd.DataFrame({"avain": list(labels), "vaihtoehto": list(labels.values()),
                          "lkm": counts.to_numpy(),
                          "osuus": (100 * counts / max(len(answered), 1)).to_numpy()})
    return Table(tid, title, frame, int(len(answered)), {"vaihtoehto": header, "lkm": "Vastaajia",
                 "osuus": "Osuus, %"}, {"lkm": "count", "osuus": "percent"},
                 _mask(frame, frame["lkm"], ["lkm", "osuus"]), source=tid)


def multi_table(tid: str, assoc: pd.DataFrame, qid: str, title: str) -> Table:
    q = default_codebook().association.question(qid)
    cols = [f"{qid}__{k}" for k in q.option_keys()]
    block = assoc[cols]
    answered = block.notna().any(axis=1)
    counts = block[answered].sum()
    frame = pd.DataFrame({"avain": list(q.option_keys()), "vaihtoehto": [o.label for o in q.options],
                          "lkm": counts.to_numpy().astype(int),
                          "osuus": (100 * counts / max(answered.sum(), 1)).to_numpy()})
    return Table(tid, title, frame, int(answered.sum()), {"vaihtoehto": "Vaihtoehto", "lkm": "Mainintoja",
                 "osuus": "Osuus vastaajista, %"}, {"lkm": "count", "osuus": "percent"},
                 _mask(frame, frame["lkm"], ["lkm", "osuus"]), source=qid)


def make_tables(assoc: pd.DataFrame, muni: pd.DataFrame, year: int = YEAR) -> dict[str, Table]:
    cb = default_codebook()
    s = cb.association
    tables: dict[str, Table] = {}
    sectors = dict((o.key, o.label) for o in s.question("paatoimiala").options) | {"muu": "Muu"}
    tables["vastaajat_toimiala"] = single_table("vastaajat_toimiala", assoc["paatoimiala"], sectors,
                                                "Vastaajat päätoimialan mukaan", "Päätoimiala")
    tables["vastaajat_ryhma"] = single_table("vastaajat_ryhma", assoc["toimialaryhma"],
                                             {"sote": "Sosiaali- ja terveysala", "muut": "Muut toimialat"},
                                             "Vastaajat toimialaryhmän mukaan", "Ryhmä")
    names = {m.code: m.name for m in cb.municipalities.for_year(year)} | {"ulkopuolella": "Maakunnan ulkopuolella"}
    tables["vastaajat_kunta"] = single_table("vastaajat_kunta", assoc["kotikunta"], names,
                                             "Vastaajat kotikunnan mukaan", "Kunta")
    for qid, title in [("budjetti", "Yhdistysten vuosibudjetti"),
                       ("kunta_avustus", "Kotikunnan avustus"), ("toimitilat", "Toimitilat"),
                       ("tulevaisuus", "Toiminnan arvioitu muutos"),
                       ("hva_avustus", "Hyvinvointialueen avustus tai ostopalvelut")]:
        q = s.question(qid)
        if q.asked_in(year):
            tables[qid] = single_table(qid, assoc[qid], {o.key: o.label for o in q.options}, title)
        else:
            tables[qid] = Table(qid, title, pd.DataFrame({"vaihtoehto": []}), 0, asked=False)
    for qid, title in [("rahoitus", "Rahoituslähteet"), ("haasteet", "Suurimmat haasteet"),
                       ("kohderyhmat", "Toiminnan kohderyhmät")]:
        tables[qid] = multi_table(qid, assoc, qid, title)
    grid = s.question("yhteistyo")
    levels = [(label, v) for label, v in grid.columns if v is not None]
    rows = []
    for r in grid.rows:
        v = assoc[r.key].dropna()
        pct = [100 * (v == val).mean() for _, val in levels]
        rows.append([r.key, r.label, *pct, pct[3] + pct[4], v.mean(), len(v)])
    keys = [f"p_{int(val)}" for _, val in levels]
    frame = pd.DataFrame(rows, columns=["avain", "vaite", *keys, "samaa_mielta", "keskiarvo", "n"])
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask.loc[0, "p_1"] = True          # one suppressed cell to show
    tables["yhteistyo"] = Table(
        "yhteistyo", "Yhteistyö kotikunnan kanssa", frame,
        int(assoc[[r.key for r in grid.rows]].notna().any(axis=1).sum()),
        {"vaite": "Väittämä", "n": "Vastanneita", "keskiarvo": "Keskiarvo (1–5)",
         "samaa_mielta": "Jokseenkin samaa mieltä tai täysin samaa mieltä, %",
         **{k: f"{lbl}, %" for k, (lbl, _) in zip(keys, levels)}},
        {"n": "count", "keskiarvo": "mean", "samaa_mielta": "percent", **{k: "percent" for k in keys}},
        mask, source="yhteistyo")
    # a wide per-municipality table
    munis = cb.municipalities.for_year(year)
    wide = pd.DataFrame({"kunta": [m.code for m in munis], "nimi": [m.name for m in munis]})
    for r in grid.rows:
        wide[r.key] = assoc.groupby("kotikunta")[r.key].mean().reindex(wide["kunta"]).to_numpy()
    tables["yhteistyo_kunta"] = Table(
        "yhteistyo_kunta", "Yhteistyöväitteiden keskiarvot kunnittain", wide, len(assoc),
        {"nimi": "Kunta", **{r.key: r.label for r in grid.rows}}, {r.key: "mean" for r in grid.rows},
        note="Asteikko 1 = täysin eri mieltä … 5 = täysin samaa mieltä.")
    # a wide cross-tab: target groups by main sector
    kq = s.question("kohderyhmat")
    kcols = [f"kohderyhmat__{k}" for k in kq.option_keys()]
    cross = (assoc.groupby("paatoimiala")[kcols].mean() * 100).reindex(list(sectors)).reset_index()
    cross.insert(1, "toimiala", cross["paatoimiala"].map(sectors))
    tables["kohderyhmat_toimiala"] = Table(
        "kohderyhmat_toimiala", "Kohderyhmät päätoimialan mukaan", cross, len(assoc),
        {"toimiala": "Päätoimiala", **{c: o.label for c, o in zip(kcols, kq.options)}},
        {c: "percent" for c in kcols})
    tables["kunnat_vastaukset"] = Table(
        "kunnat_vastaukset", "Kuntakyselyyn vastanneet kunnat",
        muni[["kunta", "kunta_nimi"]].reset_index(drop=True), len(muni), {"kunta_nimi": "Kunta"}, {})
    return tables


@pytest.fixture(scope="session")
def data():
    return make_processed(YEAR, 400, seed=3)


@pytest.fixture(scope="session")
def tables(data):
    """Hand-made tables in the indicators' shape: numbers these tests can recompute."""
    assoc, muni = data
    return make_tables(assoc, muni)


@pytest.fixture(scope="session")
def meta(data):
    assoc, muni = data
    m = preview_meta(assoc, muni, YEAR)
    m.update(raw_rows=len(assoc) + 7, replaced=4, rejected=3,
             rejected_reasons={"Yhdistyksen nimi puuttuu": 2, "Tyhjä rivi": 1})
    return m


@pytest.fixture(scope="session")
def model(tables, meta):
    return build_report_model(tables, YEAR, meta)


@pytest.fixture(scope="session")
def rendered(model, tmp_path_factory):
    """The full report, rendered ONCE per session (WeasyPrint is slow)."""
    out = tmp_path_factory.mktemp("raportti")
    records: list[logging.LogRecord] = []

    class Grab(logging.Handler):
        def emit(self, record):
            records.append(record)

    grab = Grab(level=logging.WARNING)
    for name in ("weasyprint", "kartoitus.render.document"):
        logging.getLogger(name).addHandler(grab)
    try:
        paths = write_report(model, out)
    finally:
        for name in ("weasyprint", "kartoitus.render.document"):
            logging.getLogger(name).removeHandler(grab)
    pdf = next(p for p in paths if p.suffix == ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return {"paths": paths, "pdf": pdf, "text": text, "warnings": records, "out": out}


# -- model -------------------------------------------------------------------------------

def test_model_chapters_in_order(model):
    titles = [c["title"] for c in model["chapters"]]
    assert model["title"] == f"Keski-Suomen järjestökartoitus {YEAR}"
    assert titles[:3] == ["Keskeiset tulokset", "Aineisto ja menetelmät", "Yhdistysten toimialat"]
    assert titles[-1] == "Liitetaulukot"
    assert "Yhteistyö kuntien kanssa" in titles


def test_summary_numbers_come_from_tables(model, tables, data):
    assoc, _ = data
    findings = model["chapters"][0]["findings"]
    n = tables["vastaajat_toimiala"].n
    homes = assoc.loc[assoc["kotikunta"] != "ulkopuolella", "kotikunta"].nunique()
    assert findings[0] == f"Kyselyyn vastasi {n} yhdistystä {homes} kunnasta."
    # largest sector with its share and count
    t = tables["vastaajat_toimiala"]
    top = assoc["paatoimiala"].value_counts()
    label = dict((o.key, o.label) for o in default_codebook().association.question("paatoimiala").options)[top.index[0]]
    assert any(f.startswith(f"Suurin päätoimiala oli {label}:") and f"({top.iloc[0]} yhdistystä)" in f
               for f in findings)
    sote = 100 * (assoc["toimialaryhma"] == "sote").mean()
    assert any(f"oli {sote:.1f}".replace(".", ",") + f"{NBSP}%" in f for f in findings)
    smooth = assoc["yhteistyo_sujuvuus"].dropna()
    agree = 100 * (smooth >= 4).mean()
    assert any(f.startswith(f"{agree:.1f}".replace(".", ",") + f"{NBSP}% yhdistyksistä oli täysin tai jokseenkin")
               for f in findings)
    assert any(f.startswith("Kuntakyselyyn vastasi 22 alueen 22 kunnasta") for f in findings)


def test_missing_tables_are_skipped():
    t = Table("haasteet", "Suurimmat haasteet",
              pd.DataFrame({"vaihtoehto": ["Rahoitus", "Tilat"], "osuus": [40.0, 20.0]}), 50,
              {"vaihtoehto": "Haaste", "osuus": "Osuus"}, {"osuus": "percent"})
    model = build_report_model({"haasteet": t}, YEAR, {})
    titles = [c["title"] for c in model["chapters"]]
    assert titles == ["Keskeiset tulokset", "Aineisto ja menetelmät", "Tulevaisuus ja haasteet",
                      "Liitetaulukot"]
    sec = model["chapters"][2]["sections"][0]
    assert sec["text"][1] == f"Yleisin vastaus oli Rahoitus (40,0{NBSP}%), seuraavina Tilat (20,0{NBSP}%)."
    assert sec["figure"]["alt"].startswith("Vaakapylväskuvio: Suurimmat haasteet, n = 50.")
    assert sec["figure"]["src"].startswith("data:image/png;base64,")
    assert "Yleisin haaste oli rahoitus (40,0\u00a0% vastaajista)." in model["chapters"][0]["findings"]


def test_not_asked_table_says_so(tables):
    t = Table("hva_avustus", "Hyvinvointialueen avustus", pd.DataFrame({"vaihtoehto": []}), 0, asked=False)
    model = build_report_model({"hva_avustus": t}, 2021, {})
    sec = model["chapters"][2]["sections"][0]
    assert sec["not_asked"].startswith("Kysymystä ei kysytty vuoden 2021 kyselyssä")
    assert sec["figure"] is None and sec["tables"] == []
    assert all(c["title"] != "Liitetaulukot" for c in model["chapters"])


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
    assert [c["text"] for c in m["rows"][1]] == ["Äänekoski", SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert m["rows"][0][0]["header"] and m["rows"][1][1]["suppressed"]
    assert m["caption"] == f"Otsikko (n = 1{NBSP}237)"
    assert m["note"] == "Huom. <5 = alle viisi vastaajaa, luku peitetty."
    assert m["size"] == "normal"
    assert m["id"] == "taulukko-x" and table_model(t, "liite")["id"] == "liite-x"


def test_html_escapes_names():
    frame = pd.DataFrame({"nimi": ["<script>alert(1)</script>"], "n": [7]})
    t = Table("vapaa_sana", "Terveiset", frame, 7, {"nimi": "Teksti", "n": "Lkm"}, {"n": "count"})
    html = render_html("report.html", build_report_model({"vapaa_sana": t}, YEAR, {}))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html_has_headings_numbers_and_alt(model, tables):
    html = render_html("report.html", model)
    assert '<html lang="fi">' in html
    assert f"<title>Keski-Suomen järjestökartoitus {YEAR}</title>" in html
    for heading in ("Keskeiset tulokset", "Aineisto ja menetelmät", "Talous ja rahoitus",
                    "Kuntakysely: alueen yhteenveto", "Liitetaulukot"):
        assert f"<h1>{heading}</h1>" in html
    imgs = re.findall(r"<img [^>]*>", html)
    assert imgs and all('alt="' in i and 'alt=""' not in i for i in imgs)
    assert all('src="data:image/png;base64,' in i for i in imgs)
    assert f"n = {tables['vastaajat_toimiala'].n}" in html


# -- the rendered PDF (once per session) --------------------------------------------------

def test_pdf_no_weasyprint_warnings(rendered):
    assert [r.getMessage() for r in rendered["warnings"]] == []


def test_pdf_and_html_written(rendered):
    names = sorted(p.name for p in rendered["paths"])
    assert names == [f"jarjestokartoitus-{YEAR}.html", f"jarjestokartoitus-{YEAR}.pdf"]
    assert not [p for p in rendered["out"].iterdir() if p.name.startswith(".")]   # no temp files


def test_pdf_text_headings_and_finnish_numbers(rendered, tables):
    text = " ".join(rendered["text"].split())
    for heading in ("Keski-Suomen järjestökartoitus", "Keskeiset tulokset", "Aineisto ja menetelmät",
                    "Yhdistysten toimialat", "Talous ja rahoitus", "Yhteistyö kuntien kanssa",
                    "Tulevaisuus ja haasteet", "Hyvinvointialue", "Liitetaulukot"):
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


# -- with the real indicators ---------------------------------------------------------------

def test_model_from_real_indicators(data, meta):
    indicators = pytest.importorskip("kartoitus.publication.indicators")
    assoc, muni = data
    tables = indicators.compute_all(assoc, muni, YEAR)
    model = build_report_model(tables, YEAR, meta)
    findings = model["chapters"][0]["findings"]
    homes = assoc.loc[assoc["kotikunta"] != "ulkopuolella", "kotikunta"].nunique()
    assert findings[0] == f"Kyselyyn vastasi {len(assoc)} yhdistystä {homes} kunnasta."
    assert any(f.startswith("Suurin päätoimiala oli ") for f in findings)
    assert any("Sosiaali- ja terveysalan (sote) yhdistysten osuus" in f for f in findings)
    smooth = assoc["yhteistyo_sujuvuus"].dropna()
    agree = f"{100 * (smooth >= 4).mean():.1f}".replace(".", ",")
    assert any(f.startswith(f"{agree}{NBSP}% yhdistyksistä") for f in findings)
    sections = {s["id"]: s for c in model["chapters"] for s in c["sections"]}
    coop = sections["osio-yhteistyo"]
    assert coop["figure"]["alt"].startswith("Pinottu pylväskuvio (100 %)")
    assert "Täysin eri mieltä" in coop["figure"]["alt"] and "Jokseenkin samaa mieltä tai" not in coop["figure"]["alt"]
    kunta = sections["osio-vastaajat_kunta"]["figure"]["alt"]
    assert "Jyväskylä" in kunta and "seutukunta 28" not in kunta     # bars are named by municipality
    appendix = model["chapters"][-1]["tables"]
    assert all(len(t["headers"]) <= 3 + 10 for t in appendix)
    assert any(t["caption"].endswith("osa 2/2") or "osa 2/" in t["caption"] for t in appendix)        # wide tables are split
    html = render_html("report.html", model)
    assert "<h1>Kuntakysely: alueen yhteenveto</h1>" in html
