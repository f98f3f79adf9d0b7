"""Materials for meetings (issue 12) from the shared small wave (``municipal_wave``): the
region's deck and a three-municipality workshop deck opened with python-pptx (slides,
notes, native chart data against the published tables, nothing hidden or personal),
both converted by LibreOffice; the discussion sheet and the newsletter text of every
municipality checked against the publication; the ``slides`` command."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader
from typer.testing import CliRunner

import municipal_wave
from kartoitus import privacy
from kartoitus.build import meetings as bm
from kartoitus.build import workshop as bw
from kartoitus.cli import app
from kartoitus.outputs import municipality as mu
from kartoitus.outputs import workshop as ws
from kartoitus.outputs.discussion import discussion_model
from kartoitus.outputs.newsletter import newsletter_model
from kartoitus.outputs.slides import region_deck
from kartoitus.outputs.slides_workshop import workshop_deck
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication import publish
from kartoitus.render import newsletter as rn
from kartoitus.render.discussion import render_job as discussion_job
from kartoitus.render.slides import write_deck
from kartoitus.stages import ingest
from kartoitus.tables import SUPPRESSED_MARK

YEAR = municipal_wave.YEAR
WORKSHOP = ["Jyväskylä", "Toivakka", "Laukaa"]      # big, did not answer the municipality survey, mid-sized
SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="session")
def pub(settings):
    return publish(municipal_wave.wave_input(settings), settings, threshold=5,
                   parts=("tables", "kuntatutka", "municipalities"))


@pytest.fixture(scope="session")
def decks(pub, settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("diat")
    members = bw.resolve_municipalities(WORKSHOP, YEAR, settings.codebook.municipalities)
    codes = [m.code for m in members]
    region = region_deck(pub, bm.deck_theme(settings))
    workshop = workshop_deck(pub, codes, None, bm.deck_theme(settings))
    return {"region": (region, write_deck(region, folder / "maakunta.pptx")),
            "workshop": (workshop, write_deck(workshop, folder / "paja.pptx")), "codes": codes}


@pytest.fixture(scope="session")
def personal(settings):
    tables = ingest.read_wave(municipal_wave.root() / "raw" / str(YEAR), settings.codebook, YEAR)
    return sorted(privacy.personal_values_from_tables(tables, settings.codebook))


def _texts(prs) -> list[str]:
    out = []
    for s in prs.slides:
        for shape in s.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [c.text for r in shape.table.rows for c in r.cells]
            if shape.has_chart:
                out += [str(c) for c in shape.chart.plots[0].categories]
        out.append(s.notes_slide.notes_text_frame.text)
    return out


def _charts(prs):
    return [next(sh.chart for sh in s.shapes if sh.has_chart) if any(sh.has_chart for sh in s.shapes) else None
            for s in prs.slides]


def _same(a, b) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None and (b is None or (isinstance(b, float) and math.isnan(b)))
    return abs(float(a) - float(b)) < 1e-9


@pytest.mark.parametrize("which", ["region", "workshop"])
def test_deck_slides_notes_and_charts_as_the_model(decks, which):
    model, path = decks[which]
    prs = Presentation(str(path))
    assert len(prs.slides) == len(model["slides"])
    assert (len(prs.slides) >= 12) if which == "region" else (7 <= len(prs.slides) <= 12)
    for s, m in zip(prs.slides, model["slides"]):
        notes = s.notes_slide.notes_text_frame.text
        assert notes.strip() and notes == m["notes"], m["title"]
        assert len(re.findall(r"[.?!](\s|$)", notes)) >= 2            # what it shows and a point to raise
    for chart, m in zip(_charts(prs), model["slides"]):
        assert (chart is None) == (m["layout"] != "chart")
        if chart is None:
            continue
        plot = chart.plots[0]
        assert [str(c) for c in plot.categories] == m["chart"]["categories"]
        for series, ms in zip(plot.series, m["chart"]["series"]):
            assert all(_same(a, b) for a, b in zip(series.values, ms["values"])), m["title"]


def test_region_deck_charts_equal_the_published_tables(decks, pub):
    model, _ = decks["region"]
    checked = 0
    for m in model["slides"]:
        src = m.get("chart", {}).get("source", {})
        if "table" not in src:
            continue
        t = pub.tables[src["table"]]
        frame = t.frame.set_index("avain")
        mask = t.mask().set_index(t.frame["avain"])
        for ser, col in zip(m["chart"]["series"], src["columns"]):
            for key, value in zip(src["keys"], ser["values"]):
                if bool(mask.at[key, col]):
                    assert value is None, (t.id, key)                   # a hidden cell is a gap
                else:
                    assert _same(value, frame.at[key, col]), (t.id, key)
                checked += 1
        # a ranking never shows a hidden row: the caption names it instead
        if src.get("sorted"):
            hidden = [k for k in frame.index if bool(mask.at[k, src["columns"][0]])]
            assert not set(hidden) & set(src["keys"])
            for k in hidden:
                assert str(frame.at[k, [c for c in t.label_columns if c != "avain"][-1]]) in m["caption"]
    assert checked > 60
    scores = pub.kuntatutka.scores.set_index("kunta")
    bars = next(m for m in model["slides"] if m.get("chart", {}).get("source", {}).get("kuntatutka") == "scores")
    assert "850" not in bars["chart"]["source"]["keys"]                 # Toivakka did not answer: not a zero
    assert "Toivakka" in bars["caption"]
    for key, v in zip(bars["chart"]["source"]["keys"], bars["chart"]["series"][0]["values"]):
        assert _same(v, scores.at[key, kt.TOTAL])


def test_workshop_deck_charts_and_tables_equal_the_pack(decks, pub):
    model, _ = decks["workshop"]
    codes = decks["codes"]
    pack = ws.workshop_model(pub, codes)
    scores_chart = next(m["chart"] for m in model["slides"] if m["title"] == "Kuntatutka ulottuvuuksittain")
    dims = scores_chart["source"]["columns"]
    names = [s["name"] for s in scores_chart["series"]]
    assert names == ["Jyväskylä", "Toivakka (ei vastannut)", "Laukaa", "Maakunnan mediaani"]
    for ser, key in zip(scores_chart["series"], scores_chart["source"]["keys"]):
        row = pub.kuntatutka.region_median if key == "maakunnan_mediaani" else pub.municipalities[key].scores
        if key == "850":                                                # did not answer: gaps, never zeros
            assert ser["values"] == [None] * len(dims)
            continue
        assert all(_same(v, row[d]) for v, d in zip(ser["values"], dims))
    views = [m for m in model["slides"] if m["title"].startswith("Kaksi näkökulmaa")]
    assert views
    if views[0]["layout"] == "chart":
        chart = views[0]["chart"]
        for ser, code in zip(chart["series"], codes):
            v = pub.municipalities[code].views.set_index("vaite")
            for key, value in zip(chart["source"]["keys"], ser["values"]):
                if v.at[key, "suojattu"] or v.at[key, "samaa_mielta_suojattu"] or not v.at[key, "n"]:
                    assert value is None
                else:
                    assert _same(value, v.at[key, "samaa_mielta_pct"])
    tables = [m for m in model["slides"] if m["layout"] == "table"]
    printed = {tuple(r) for m in tables for r in m["rows"]}
    for matrix in ("scores", "checklist", "people"):
        for row in pack[matrix]["rows"]:
            assert tuple(c["text"] + (f" ({c['sub']})" if c["sub"] else "") for c in row) in printed


@pytest.mark.parametrize("which", ["region", "workshop"])
def test_no_personal_value_or_hidden_count_in_the_deck(decks, pub, personal, which, settings):
    model, path = decks[which]
    assert privacy.scan_path(path, personal) == []                      # .pptx: slides, notes, charts, workbooks
    text = "\n".join(_texts(Presentation(str(path))))
    assert not re.search(r"\bry\b", text) and "@" not in text          # no association name, no e-mail
    # the counts the mask hides, recomputed from the data, appear nowhere beside their label
    assoc = municipal_wave.wave_input(settings).association
    t = pub.tables["vastaajat_toimiala"]
    counts = assoc[settings.names.q_sector].value_counts()
    for i in t.frame.index[t.mask()["lkm"]]:
        label, key = t.frame.at[i, "vaihtoehto"], t.frame.at[i, "avain"]
        n = int(counts.get(key, 0))
        assert not re.search(re.escape(label) + rf"\W{{0,3}}\(?{n}\b", text), label
    if which == "workshop":
        assert SUPPRESSED_MARK in text                                  # the pack's marks, not the values


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_both_decks(decks, tmp_path):
    profile = tmp_path / "lo-profile"
    paths = [decks[w][1] for w in ("region", "workshop")]
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                           "pdf", "--outdir", str(tmp_path), *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for w, path in zip(("region", "workshop"), paths):
        pdf = tmp_path / (path.stem + ".pdf")
        assert pdf.is_file(), proc.stdout + proc.stderr
        reader = PdfReader(pdf)
        assert len(reader.pages) == len(decks[w][0]["slides"])
        text = "\n".join(p.extract_text() for p in reader.pages)
        assert "Keskusteltavaksi" in text and "ä" in text


def test_slides_command_writes_both_decks(tmp_path, decks, settings):
    root = municipal_wave.root()
    base = ["--processed", str(root / "processed"), "--reports", str(tmp_path), "--year", str(YEAR)]
    result = CliRunner().invoke(app, ["slides", *base])
    assert result.exit_code == 0, result.output
    region = tmp_path / str(YEAR) / "diat" / f"jarjestokartoitus-{YEAR}.pptx"
    assert region.is_file() and len(Presentation(str(region)).slides) == len(decks["region"][0]["slides"])
    result = CliRunner().invoke(app, ["slides", *WORKSHOP, *base])
    assert result.exit_code == 0, result.output
    deck = tmp_path / str(YEAR) / "pajat" / "jyvaskyla-laukaa-toivakka.pptx"
    assert deck.is_file()
    slides = Presentation(str(deck)).slides       # (no population file here: grants per inhabitant differ)
    assert len(slides) == len(decks["workshop"][0]["slides"])
    assert all(s.notes_slide.notes_text_frame.text.strip() for s in slides)
    result = CliRunner().invoke(app, ["slides", "--seutukunta", "135", *base])
    assert result.exit_code == 0 and (tmp_path / str(YEAR) / "pajat" / "seutukunta-135.pptx").is_file()
    result = CliRunner().invoke(app, ["slides", "Tampere", *base])
    assert result.exit_code == 1 and "tuntematon kunta" in result.output


# -- discussion sheets -------------------------------------------------------------------------

def test_discussion_sheet_of_every_municipality_matches_the_publication(pub):
    assert len(pub.municipalities) == 22
    for code, f in pub.municipalities.items():
        d = discussion_model(pub, code)
        rows = mu.views_rows(f.views)
        assert [t["topic"] for t in d["themes"]] == [r["topic"] for r in rows]
        for t, r in zip(d["themes"], rows):
            if r["agree_suppressed"]:
                assert t["suppressed"] and "samaa mieltä" not in t["view"]
            elif r["agree"] != "\u2013":
                assert t["view"].startswith(f"{r['agree']} samaa mieltä (n {r['n']})")
        states = dict(zip(f.checklist["kohta_teksti"], f.checklist["tila"]))
        assert {c["text"]: c["state"] for c in d["checklist"]} == {k: {"täyttyy": "täyttyy", "ei täyty": "ei täyty",
                                                                       "ei tietoa": "ei tietoa",
                                                                       "ei vastannut": "ei vastannut"}[v]
                                                                   for k, v in states.items()}
        assert 2 <= len(d["questions"]) <= 5 and d["action_rows"] >= 6
        if mu.answered(f.scores):
            assert f"{mu.score_text(f.scores[kt.TOTAL])}/100" in d["facts"][1]
        else:
            assert "ei vastannut" in d["facts"][1] and code == "850"
        if f.n_hidden:
            assert "peitetty" in d["facts"][0]
        else:
            assert f"vastasi {mu.plural_associations(f.n_associations)}" in d["facts"][0]


def test_discussion_sheet_pdf_and_jobs(pub, settings, tmp_path):
    jobs = bm.meeting_jobs(pub, tmp_path, settings)
    sheets = [j for j in jobs if j.id.startswith("kehityskeskustelu/")]
    letters = [j for j in jobs if j.id.startswith("kuntakirje/")]
    assert len(sheets) == len(letters) == 22 and jobs[0].outputs == [bm.region_deck_path(tmp_path, YEAR)]
    job = next(j for j in sheets if j.id == "kehityskeskustelu/179")
    assert job.outputs == [tmp_path / "kehityskeskustelu" / "179-jyvaskyla.pdf"]
    [path] = discussion_job(job.payload)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert len(reader.pages) <= 2
    for heading in ("Kehityskeskustelu: Jyväskylä", "Yhteistyö teemoittain", "tarkistuslista",
                    "Keskusteltavaksi", "Sovitut toimenpiteet", "Vastuu", "Aikataulu"):
        assert heading in text
    f = pub.municipalities["179"]
    assert f"{mu.score_text(f.scores[kt.TOTAL])}/100" in text


# -- newsletter texts ---------------------------------------------------------------------------

def test_newsletter_of_every_municipality_matches_the_publication(pub):
    med = mu.score_text(pub.kuntatutka.region_median[kt.TOTAL])
    for code, f in pub.municipalities.items():
        m = newsletter_model(pub, code)
        s = m["sentences"]
        assert 3 <= len(s) <= 5 and all(x.endswith(".") for x in s)
        text = " ".join(s)
        assert f.name in text and str(YEAR) in text and SUPPRESSED_MARK not in text
        assert f"koko maakunnasta {f.region.n_associations} yhdistystä" in text
        if f.n_hidden:
            assert "ei julkaista" in text
        else:
            assert f"vastasi {f.n_associations} yhdistystä, joiden kotikunta on {f.name}" in text
        assert f"mediaani on {med}" in text
        if mu.answered(f.scores):
            met = int((f.checklist["tila"] == kt.MET).sum())
            assert f"{f.name} sai {mu.score_text(f.scores[kt.TOTAL])} pistettä sadasta" in text
            assert f"kohdasta täyttyy {met}." in text
        else:
            assert "ei vastannut kuntakyselyyn" in text
        for r in mu.views_rows(f.views):                                # a share only where it is published
            if r["agree_suppressed"]:
                assert f"väitteestä \u201d{r['statement']}\u201d" not in text


def test_newsletter_files(pub, tmp_path):
    m = newsletter_model(pub, "179")
    md, txt = rn.output_paths(tmp_path, "179", "Jyväskylä")
    assert (md.name, txt.name, md.parent.name) == ("179-jyvaskyla.md", "179-jyvaskyla.txt", "kuntakirje")
    rn.render_job({"model": m, "out": [md, txt]})
    assert md.read_text(encoding="utf-8") == f"## {m['title']}\n\n{' '.join(m['sentences'])}\n"
    assert txt.read_text(encoding="utf-8").splitlines()[0] == m["title"]
    assert "#" not in txt.read_text(encoding="utf-8")


# -- the organisation's look and the privacy scan of decks ---------------------------------------

def test_deck_theme_from_the_organisations_templates(tmp_path, pub):
    from PIL import Image

    from kartoitus.settings import load_settings

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "diat.yaml").write_text('varit: ["#00573e", "#8a2f00"]\nfontti: DejaVu Serif\n'
                                      'alatunniste: "Järjestöjen talo {year}"\n', encoding="utf-8")
    Image.new("RGB", (120, 40), "#00573e").save(folder / "logo.png")
    own = load_settings(templates=folder)
    theme = bm.deck_theme(own)
    assert theme["colors"] == ["#00573e", "#8a2f00"] and theme["font"] == "DejaVu Serif"
    assert theme["logo"] == (folder / "logo.png").read_bytes()
    model = region_deck(pub, theme)
    assert model["theme"]["footer"] == f"Järjestöjen talo {YEAR}"
    path = write_deck(model, tmp_path / "oma.pptx")
    prs = Presentation(str(path))
    pictures = [sum(sh.shape_type == 13 for sh in s.shapes) for s in prs.slides]      # 13 = picture
    assert all(p >= 1 for p in pictures)                                               # the logo on every slide
    assert f"Järjestöjen talo {YEAR}" in "\n".join(_texts(prs))
    assert bm.deck_theme(load_settings(templates=tmp_path / "ei-ole"))["colors"][0] == "#1b4f72"   # package's


def test_privacy_scan_finds_a_value_planted_in_a_deck(pub, tmp_path):
    model = region_deck(pub)
    model["slides"][3]["notes"] += " Yhteyshenkilö Maija Meikäläinen, maija.meikalainen@example.fi."
    path = write_deck(model, tmp_path / "vuoto.pptx")
    found = privacy.scan_path(path, ["Maija Meikäläinen"])
    assert {f.kind for f in found} >= {"henkilotieto", "sahkoposti"}
    assert all(f.where.startswith("ppt/notesSlides/") for f in found)
