"""The slide-deck renderer (kartoitus.render.slides) on a hand-made deck model: the deck
reopens with python-pptx with the model's slides, notes, native chart data, alt texts and
document properties; the same model gives the same bytes; LibreOffice converts it to PDF
with the Finnish letters intact."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE

from kartoitus.errors import KartoitusError
from kartoitus.models import ChartSpec
from kartoitus.render.slides import AUTHOR, FOOTER_TOP, HEIGHT, WIDTH, deck_bytes, render_job, write_deck
from kartoitus.tables import Table

CHART_TYPES = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
               "stacked_bar": XL_CHART_TYPE.BAR_STACKED, "line": XL_CHART_TYPE.LINE_MARKERS}
FIGURES_TITLE = "Järjestöt lukuina"


def _png(w: int, h: int, color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), color).save(out, "PNG")
    return out.getvalue()


def _model() -> dict:
    table = Table("toimiala", "Yhdistykset toimialan mukaan",
                  pd.DataFrame({"toimiala": ["Sosiaali- ja terveysala", "Liikunta", "Kulttuuri"],
                                "osuus": [41.2, 30.5, 28.3]}),
                  243, {"toimiala": "Toimiala", "osuus": "Osuus"}, {"osuus": "percent"})
    chart = {"layout": "chart", "title": "Yhdistykset päätoimialan mukaan",
             "chart": {"type": "bar", "categories": ["Sosiaali- ja terveysala sekä potilas- ja "
                                                     "vammaisjärjestöt", "Liikunta ja urheilu", "Nuoriso",
                                                     "Kulttuuri"],
                       "series": [{"name": "Osuus", "values": [24.5, 21.0, None, 15.2]}],
                       "number_format": '0.0 "%"', "axis_title": "Osuus vastaajista (%)", "max": 100},
             "caption": "n = 243. Nuoriso: peitetty (alle viisi vastaajaa).",
             "notes": "Suurin ryhmä on sosiaali- ja terveysala."}
    return {
        "title": "Keski-Suomen järjestökartoitus 2024", "year": 2024, "lang": "fi",
        "theme": {"colors": ["#1b4f72", "#d35400", "#117a65"], "font": "DejaVu Sans",
                  "logo": _png(300, 90, "#1b4f72"), "footer": "Keski-Suomen järjestökartoitus 2024"},
        "slides": [
            {"layout": "title", "title": "Keski-Suomen järjestökartoitus 2024",
             "subtitle": "Yhdistykset, voimavarat ja yhteistyö kuntien kanssa",
             "notes": "Tervetuloa. Esitys kertoo, mitä yhdistykset vastasivat."},
            {"layout": "bullets", "title": "Mitä kartoitus kysyi ja keneltä – vastanneet yhdistykset ja "
                                           "heidän näkemyksensä tulevaisuudesta ja yhteistyöstä kuntien kanssa",
             "bullets": ["243 yhdistystä vastasi", "Vastaajia kaikista 23 kunnasta",
                         "Pienimmät luvut on peitetty tietosuojan vuoksi"],
             "notes": "Kerro, miten kysely tehtiin."},
            chart,
            {"layout": "chart", "title": "Yhteistyö kotikunnan kanssa",
             "chart": {"type": "column", "categories": ["Avustukset", "Tilat", "Tiedotus"],
                       "series": [{"name": "2020", "values": [62, 48, 30]},
                                  {"name": "2024", "values": [66, None, 35]}],
                       "number_format": '0 "%"', "axis_title": "Osuus (%)", "max": 100},
             "notes": "Yhteistyö on lisääntynyt."},
            {"layout": "chart", "title": "Arvio toiminnan tulevaisuudesta",
             "chart": {"type": "stacked_bar", "categories": ["Jäsenmäärä", "Vapaaehtoiset"],
                       "series": [{"name": "Kasvaa", "values": [20, 3]},
                                  {"name": "Ennallaan", "values": [55, 62]},
                                  {"name": "Vähenee", "values": [25, 35]}],
                       "number_format": '0 "%"', "axis_title": "", "max": 100},
             "notes": "Vapaaehtoisten väheneminen huolestuttaa."},
            {"layout": "chart", "title": "Vastanneet kartoituksittain",
             "chart": {"type": "line", "categories": ["2016", "2020", "2024"],
                       "series": [{"name": "Vastanneet", "values": [210, None, 243]}],
                       "number_format": "0", "axis_title": "Yhdistyksiä", "max": None},
             "notes": "Vuoden 2020 luku ei ole vertailukelpoinen."},
            {"layout": "image", "title": "Toimialat kuvana",
             "image": ChartSpec("bar", (table,), {"value": "osuus"}),
             "alt": "Pylväskaavio: sosiaali- ja terveysala 41,2 %, liikunta 30,5 %, kulttuuri 28,3 %.",
             "caption": "Kuva.", "notes": "Tämä kaavio on kuva."},
            {"layout": "table", "title": "Vastaajat seutukunnittain",
             "columns": ["Seutukunta", "Yhdistyksiä", "Osuus"],
             "rows": [["Jyväskylän seutukunta", "120", "49,4 %"], ["Äänekosken seutukunta", "35", "14,4 %"],
                      ["Keuruun seutukunta", "×", "×"]],
             "caption": "× = peitetty.", "notes": "Jyväskylän seutu on suurin."},
            {"layout": "table", "title": "Kunnat", "columns": ["Kunta", "n", "Osuus"],
             "rows": [[f"Kunta {i}", str(i * 3), f"{i},5 %"] for i in range(1, 31)],
             "notes": "Pitkä taulukko."},
            {"layout": "figures", "title": FIGURES_TITLE,
             "figures": [{"value": "243", "label": "yhdistystä vastasi"},
                         {"value": "12\u00a0400", "label": "vapaaehtoista yhdistysten toiminnassa"},
                         {"value": "68 %", "label": "tekee yhteistyötä kotikunnan kanssa"}],
             "notes": "Nämä luvut kannattaa muistaa."},
        ]}


@pytest.fixture(scope="session")
def deck_path(tmp_path_factory) -> Path:
    return write_deck(_model(), tmp_path_factory.mktemp("deck") / "jarjestokartoitus-2024.pptx")


@pytest.fixture(scope="session")
def prs(deck_path):
    return Presentation(str(deck_path))


def _charts(slide):
    return [s.chart for s in slide.shapes if s.has_chart]


def test_slides_layouts_and_size(prs):
    model = _model()
    assert len(prs.slides) == len(model["slides"])
    assert (prs.slide_width, prs.slide_height) == (WIDTH, HEIGHT)
    assert prs.slide_width * 9 == prs.slide_height * 16
    for slide, sm in zip(prs.slides, model["slides"]):
        assert slide.shapes.title.text_frame.text == sm["title"]


def test_every_slide_has_its_notes_footer_and_number(prs):
    model = _model()
    for i, (slide, sm) in enumerate(zip(prs.slides, model["slides"]), start=1):
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.strip() and notes == sm["notes"]
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert model["theme"]["footer"] in texts
        fields = slide.shapes._spTree.xpath(".//a:fld[@type='slidenum']")
        assert len(fields) == 1 and fields[0].xpath("string(a:t)") == str(i)


def test_chart_types_and_data_equal_the_model(prs):
    model = _model()
    for slide, sm in zip(prs.slides, model["slides"]):
        charts = _charts(slide)
        if sm["layout"] != "chart":
            assert not charts
            continue
        (chart,) = charts
        spec = sm["chart"]
        assert chart.chart_type == CHART_TYPES[spec["type"]]
        plot = chart.plots[0]
        assert list(plot.categories) == spec["categories"]
        assert [s.name for s in plot.series] == [s["name"] for s in spec["series"]]
        for series, want in zip(plot.series, spec["series"]):
            assert list(series.values) == [None if v is None else float(v) for v in want["values"]]
        assert chart.has_legend == (len(spec["series"]) > 1)
        assert plot.has_data_labels
        assert plot.data_labels.number_format == "[$-40B]" + spec["number_format"]
        if spec["max"] is not None:
            assert chart.value_axis.maximum_scale == spec["max"]
        colors = [str(s.format.line.color.rgb if spec["type"] == "line" else s.format.fill.fore_color.rgb)
                  for s in plot.series]
        assert colors == [c.lstrip("#").upper() for c in model["theme"]["colors"][: len(colors)]]


def test_gaps_stay_gaps(prs):
    """None is written as a missing point (no <c:pt>), shown as a gap, never as zero."""
    chart = _charts(prs.slides[2])[0]
    xml = chart._chartSpace.xml
    assert 'c:dispBlanksAs val="gap"' in xml
    series = chart.plots[0].series[0]._element
    idx = [int(v) for v in series.xpath("./c:val//c:pt/@idx")]
    assert idx == [0, 1, 3]


def test_image_has_alt_text_and_charts_a_description(prs):
    model = _model()
    k = next(i for i, s in enumerate(model["slides"]) if s["layout"] == "image")
    pictures = [s for s in prs.slides[k].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    descr = {p._element.nvPicPr.cNvPr.get("descr") for p in pictures}
    assert model["slides"][k]["alt"] in descr
    for slide in prs.slides:       # the logo is described too
        for p in (s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE):
            assert p._element.nvPicPr.cNvPr.get("descr")


def test_core_properties(prs, deck_path):
    props = prs.core_properties
    assert props.title == "Keski-Suomen järjestökartoitus 2024"
    assert props.author == AUTHOR
    assert props.language == "fi-FI"
    assert props.created == props.modified
    assert props.created.year == 2025 and (props.created.month, props.created.day) == (1, 1)
    with zipfile.ZipFile(deck_path) as z:
        core = z.read("docProps/core.xml").decode()
        assert "lastModifiedBy" not in core
        assert "docProps/thumbnail.jpeg" not in z.namelist()


def test_text_stays_on_the_slide(prs):
    """Nothing but the footer reaches the footer band; nothing leaves the slide."""
    for slide in prs.slides:
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= WIDTH + 1
            if shape.top < FOOTER_TOP:
                assert shape.top + shape.height <= FOOTER_TOP, (slide.shapes.title.text, shape.name)


def test_long_tables_shrink_or_split(prs):
    model = _model()
    sizes = {}
    for slide, sm in zip(prs.slides, model["slides"]):
        if sm["layout"] == "table":
            tables = [s.table for s in slide.shapes if s.has_table]
            assert sum(len(t.rows) - 1 for t in tables) == len(sm["rows"])
            run = tables[0].cell(1, 0).text_frame.paragraphs[0].runs[0]
            sizes[len(sm["rows"])] = (len(tables), run.font.size.pt)
    short, long_ = sizes[3], sizes[30]
    assert short[0] == 1 and (long_[0] == 2 or long_[1] < short[1])


def test_long_titles_get_a_smaller_font(prs):
    def size(slide):
        return slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size.pt
    assert size(prs.slides[1]) < size(prs.slides[2])


def test_same_model_same_bytes(tmp_path):
    first = write_deck(_model(), tmp_path / "a.pptx").read_bytes()
    time.sleep(1.1)       # the charts' embedded workbooks would carry the clock time
    assert render_job({"model": _model(), "path": tmp_path / "b.pptx"}) == [tmp_path / "b.pptx"]
    assert (tmp_path / "b.pptx").read_bytes() == first


@pytest.mark.parametrize("change, message", [
    (lambda m: m["slides"][1].update(notes=" "), "notes"),
    (lambda m: m["slides"][2]["chart"]["series"][0]["values"].pop(), "arvoa"),
    (lambda m: m["slides"][2]["chart"].update(type="pie"), "kaaviotyyppi"),
    (lambda m: m["slides"][6].update(alt=""), "alt"),
    (lambda m: m["slides"][9].update(figures=m["slides"][9]["figures"][:1]), "2-4"),
    (lambda m: m["slides"][0].update(layout="kaksi"), "asettelu"),
])
def test_bad_models_are_refused(change, message):
    model = _model()
    change(model)
    with pytest.raises(KartoitusError, match=message):
        deck_bytes(model)


def test_only_pptx_paths(tmp_path):
    with pytest.raises(KartoitusError, match=".pptx"):
        write_deck(_model(), tmp_path / "deck.pdf")


# -- LibreOffice -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def deck_pdf(deck_path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    proc = subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out), str(deck_path)],
                          capture_output=True, text=True, timeout=240)
    pdf = out / (deck_path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.is_file(), proc.stdout + proc.stderr
    return pdf


def _pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    from pypdf import PdfReader
    return "\f".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_deck(deck_pdf):
    text = _pdf_text(deck_pdf)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) == len(_model()["slides"])
    assert FIGURES_TITLE in text               # ä and ö survive
    assert "24,5 %" in text                    # chart labels with a decimal comma
