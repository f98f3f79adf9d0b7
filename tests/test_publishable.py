"""The demo wave's main report is fit to publish (issue 11): its length, the fill of
its pages, honest marks over every output model, the researcher's own text filled
from the data, no internal names.

One session fixture runs the data stage on a copy of the shipped demo wave
(``data/raw/2025``), computes its publication and lays out the report ONCE
(WeasyPrint is the slow part); every test reads that.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from kartoitus.build.pipeline import build_data, read_wave_input, report_meta
from kartoitus.outputs import infographic as ig
from kartoitus.outputs import municipality as mu
from kartoitus.outputs.report import report_model
from kartoitus.outputs.workbook import workbook_model
from kartoitus.publication import publish
from kartoitus.render.report import report_html
from kartoitus.stages.wave import Wave
from kartoitus.tables import PROTECTED_MARK, SMALL_MARK

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw"
YEAR = 2025


def _wave(root: Path) -> Wave:
    return Wave(YEAR, root / "raw", root / "processed", root / "reports")


def _publication(root: Path, settings, threshold: int = 5):
    wave = _wave(root)
    data = build_data(wave, settings)
    meta = report_meta(data, settings.codebook)
    return publish(read_wave_input(wave.processed_root, YEAR, settings, meta=meta), settings,
                   threshold=threshold)


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO / str(YEAR), root / "raw" / str(YEAR))
    return root


@pytest.fixture(scope="session")
def demo_pub(demo_root, settings):
    return _publication(demo_root, settings)


@pytest.fixture(scope="session")
def demo_model(demo_pub):
    return report_model(demo_pub)


@pytest.fixture(scope="session")
def laid_out(demo_model):
    """The report laid out once: (WeasyPrint document, per-page text, appendix start page)."""
    import weasyprint

    html = report_html(demo_model, screen=False)       # the PDF's source (PNG charts)
    doc = weasyprint.HTML(string=html).render()
    pages = []
    appendix = None
    for k, page in enumerate(doc.pages):
        texts, bottoms, starts = [], [], False
        content_top = page._page_box.content_box_y()
        for box in _descendants(page._page_box):
            el = getattr(box, "element", None)
            if el is not None and el.get("id") == "liitetaulukot" and appendix is None:
                appendix = k
            if getattr(box, "element_tag", None) == "h1" and type(box).__name__ == "BlockBox":
                starts = True
            name = type(box).__name__
            if name in ("LineBox", "InlineReplacedBox", "BlockReplacedBox", "TableRowBox"):
                bottoms.append(box.position_y + box.margin_height())
            if name == "TextBox":
                texts.append(box.text)
        fill = (max(bottoms) - content_top) / page._page_box.height if bottoms else 0.0
        pages.append({"fill": fill, "chapter_start": starts, "text": " ".join(texts)})
    return {"doc": doc, "pages": pages, "appendix": appendix}


def _descendants(box):
    """The page's boxes, without the page margin boxes (running headers and footers)."""
    if type(box).__name__.endswith("MarginBox"):
        return
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


# -- length and page fill ---------------------------------------------------------------------

def test_demo_report_length(laid_out):
    """At most 30 pages before the appendix and 50 in all (it was 39 + 45)."""
    total, appendix = len(laid_out["pages"]), laid_out["appendix"]
    assert appendix is not None
    assert appendix <= 30, f"{appendix} pages before the appendix"
    assert total <= 50, f"{total} pages"


def test_no_page_mostly_empty_except_a_chapters_last(laid_out):
    pages = laid_out["pages"]
    assert min(p["fill"] for p in pages) < 0.5 < max(p["fill"] for p in pages) <= 1.0   # the measure works
    thin = []
    for k, p in enumerate(pages):
        last_of_chapter = k == len(pages) - 1 or pages[k + 1]["chapter_start"]
        if not last_of_chapter and p["fill"] < 1 / 3:
            thin.append(f"sivu {k + 1}: {p['fill']:.0%}")
    assert not thin, thin


# -- the researcher's own text ------------------------------------------------------------------

def test_demo_text_figures_in_the_report(laid_out, demo_pub):
    t = demo_pub.tables["vastaajat_toimiala"]
    i = t.frame.index[t.frame["avain"] == "liikunta"][0]
    share = f"{t.frame.at[i, 'osuus']:.1f}".replace(".", ",")
    text = " ".join(p["text"] for p in laid_out["pages"])
    assert f"sen osuus vastanneista oli {share}\u00a0%" in text.replace(" %", "\u00a0%")
    assert "Johtopäätökset" in text and "{{" not in text


def test_demo_text_lists_a_hidden_figure(demo_model):
    assert any("vastausajat" in h and h.endswith(SMALL_MARK) for h in demo_model["hidden_text_figures"])


def test_changing_a_raw_answer_changes_the_figure(demo_root, tmp_path, settings, demo_model):
    root = tmp_path / "muutettu"
    shutil.copytree(demo_root / "raw", root / "raw")
    path = root / "raw" / str(YEAR) / "jarjestokysely_vastaukset.csv"
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    # every answer of the first export whose main sector is sport becomes culture
    changed = text.replace("Liikunta ja urheilu", "Kulttuuri ja taide")
    assert changed != text
    path.write_bytes(changed.encode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else changed.encode())
    before = _intro(demo_model)
    after = _intro(report_model(_publication(root, settings)))
    assert before != after
    num = re.compile(r"liikunta ja urheilu: sen osuus vastanneista oli\s+([\d,]+)")
    assert float(num.search(after).group(1).replace(",", ".")) < float(num.search(before).group(1).replace(",", "."))


def _intro(model) -> str:
    return " ".join(model["chapters"][0]["text_html"])


# -- honest marks over every output model of the wave -----------------------------------------

@pytest.fixture(scope="session")
def truth(demo_root, settings):
    """The same publication with nothing hidden (threshold 1): the true values."""
    return _publication(demo_root, settings, threshold=1)


def _tables(pub) -> dict:
    out = {f"raportti:{k}": t for k, t in (pub.tables or {}).items()}
    for code, f in (pub.municipalities or {}).items():
        for name in ("sectors", "reach", "activity", "people"):
            t = getattr(f, name, None)
            if t is not None:
                out[f"kunta {code}:{name}"] = t
    for key, f in (pub.sectors or {}).items():
        for name, t in (f.tables or {}).items():
            out[f"toimiala {key}:{name}"] = t
    return out


def test_every_small_mark_is_a_count_of_one_to_four(demo_pub, truth):
    """``<5`` only where the count truly is 1-4 in the processed data; every other hidden
    cell (secondary suppression, shares, means, medians, sums) is ``..``."""
    shown, real = _tables(demo_pub), _tables(truth)
    small = other = 0
    problems = []
    for key, t in shown.items():
        mask = t.mask()
        u = real[key]
        for c in t.value_columns:
            for i in t.frame.index[mask[c].to_numpy(dtype=bool)]:
                mark = t.mark(i, c)
                if mark == SMALL_MARK:
                    small += 1
                    v = u.frame.at[i, c] if i in u.frame.index else None
                    if t.kinds[c] != "count" or v is None or not 1 <= float(v) <= 4:
                        problems.append(f"{key} ({i}, {c}) = {v}")
                else:
                    assert mark == PROTECTED_MARK
                    other += 1
    assert small and other
    assert not problems, problems[:20]


def test_output_models_print_small_marks_only_for_small_counts(demo_pub, truth):
    """The municipality pages, sector pages and the report print the marks the tables give."""
    for code in demo_pub.municipalities:
        m = mu.municipality_model(demo_pub, code)
        own = truth.municipalities[code]
        true_counts = dict(zip(own.sectors.frame["luokka"], own.sectors.frame["yhdistyksia"]))
        for label, v in m["sectors"]["counts"].items():
            if v == SMALL_MARK:
                assert 1 <= true_counts.get(label, 0) <= 4, (code, label)
        for r in m["views"]["rows"]:
            assert r["mean"] != SMALL_MARK and r["agree"] != SMALL_MARK
        assert "kuntatutka.yaml" not in str(m)
    for key in demo_pub.sectors:
        m = ig.infographic_model(demo_pub, key)
        for panel in m["panels"].values():
            for r in panel["rows"]:
                if panel["id"] != "ig-where":
                    assert r["value"] != SMALL_MARK, (key, panel["id"], r)


# -- no internal names in what readers get -----------------------------------------------------

def test_no_internal_names_in_reader_outputs(demo_pub, demo_model, settings):
    text = re.sub(r"taulukot-\d{4}\.xlsx", "", str(demo_model))
    text = re.sub(r"data:image/[^\"']+", "", text)
    assert settings.codebook.version not in text
    for f in demo_model["chapters"]:
        for p in f["intro"]:
            p = re.sub(r"taulukot-\d{4}\.xlsx", "", p)         # the workbook readers get
            assert not re.search(r"\.(csv|xlsx|yaml)\b|jarjestokysely|kuntakysely", p), p
    wb = workbook_model(demo_pub)
    assert "codebook_version" not in str(wb.get("meta", {}))
    m = mu.municipality_model(demo_pub, next(iter(demo_pub.municipalities)))
    assert ".yaml" not in str(m["notes"])


def test_kotikunnittain_sentence_names_municipalities(demo_model):
    sec = {s["id"]: s for ch in demo_model["chapters"] for s in ch["sections"]}["osio-vastaajat_kunta"]
    sentence = next(t for t in sec["text"] if t.startswith("Yleisin kotikunta"))
    assert "seutukunta" not in sentence and "Jyväskylä" in sentence


# -- the HTML report in a real browser (Debian's chromium, driven by playwright) ---------------

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

#: the smallest chart text on the page in CSS px: font size in the SVG's units times the
#: scale at which the <img> shows the SVG
CHART_TEXT_PX = """() => {
  const out = [];
  for (const img of document.querySelectorAll('figure.chart img')) {
    const src = img.getAttribute('src');
    if (!src.startsWith('data:image/svg+xml;base64,')) { out.push(-1); continue; }
    const svg = new DOMParser().parseFromString(atob(src.split(',')[1]), 'image/svg+xml').documentElement;
    const box = svg.getAttribute('viewBox').split(/\\s+/).map(Number);
    const scale = img.getBoundingClientRect().width / box[2];
    for (const t of svg.querySelectorAll('text')) {
      const m = /font-size:\\s*([\\d.]+)px/.exec(t.getAttribute('style') || '');
      if (m) out.push(parseFloat(m[1]) * scale);
    }
  }
  return out;
}"""


@pytest.fixture(scope="session")
def html_file(demo_model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "raportti.html"
    path.write_text(report_html(demo_model), encoding="utf-8")
    return path


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_html_report_on_a_phone_and_a_wide_screen(html_file):
    playwright = pytest.importorskip("playwright.sync_api")
    text = html_file.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"https?://", text)               # offline
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            for width in (390, 1280):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(html_file.as_uri())
                scroll, client = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                assert scroll <= client, f"{width} px: the page scrolls sideways ({scroll} > {client})"
                sizes = page.evaluate(CHART_TEXT_PX)
                assert sizes and min(sizes) >= 9, f"{width} px: chart text {min(sizes):.1f} px"
                left = page.evaluate("document.querySelector('section.chapter h1').getBoundingClientRect().left")
                assert left >= 12, f"{width} px: text at {left} px from the left edge"
                page.close()
        finally:
            browser.close()
