"""Injection: text from respondents and files is data, never markup or formulas.

- HTML/PDF: association names, other-texts, free text, typed municipalities and
  hand-added columns full of HTML, ``<script>``, CSS and Jinja-like text never reach
  a report (they are identifying); what can reach one (file names, table labels,
  correction reasons in the methods chapter) is escaped, and a 2,000-character
  unbroken string wraps inside the page instead of widening a table;
- xlsx: every string is a shared/inline string cell, never a formula (``<f>``);
- CSV: every processed file (the audit files and the data files) escapes
  formula-like text with an apostrophe, exactly reversibly; the SQLite data bank
  keeps the text as given.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kartoitus.stages import bank
from kartoitus.publication import indicators
from kartoitus.build.pipeline import build_data, report_meta
from kartoitus.settings import load_settings
from kartoitus.demo import write_demo_wave
from kartoitus.outputs.report import report_model
from kartoitus.publication import Publication
from kartoitus.render.document import ZWSP, breakable
from kartoitus.render.report import report_html
from kartoitus.tables import Table
from kartoitus.stages.wave import resolve_wave
from kartoitus.render.workbook import workbook_bytes
from kartoitus.outputs.workbook import workbook_model

YEAR = 2025
SETTINGS = load_settings()
CB = SETTINGS.codebook
LONG = "Q" * 2000
HTML_BITS = ["<b>", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>",
             "</style><style>body{display:none}</style>", "{{ 7*7 }}"]
HOSTILE = "".join(HTML_BITS)
FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
            "  =1+1", "\t=1+1", "\r=1+1", "＝1+1"]
#: what a spreadsheet reads as a formula
DANGEROUS = re.compile(r"^(?:[\t\r]|\s*[=+\-@＝＋－＠])")
SAFE_PLAIN = re.compile(r"^(?:[+-]?\d+(?:[.,]\d+)?|-)$")


def title(cb, qid: str) -> str:
    return cb.association.question(qid).title


# -- a wave whose respondents typed markup and formulas everywhere ----------------------


@pytest.fixture(scope="module")
def hostile_wave(tmp_path_factory, settings):
    root = tmp_path_factory.mktemp("injection")
    raw = root / "raw" / str(YEAR)
    write_demo_wave(raw, settings, year=YEAR, n_associations=40, seed=4)
    path = raw / "jarjestokysely_vastaukset.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    cb = settings.codebook
    payload = {
        title(cb, "nimi"): "ZQXNIMI " + HOSTILE,
        title(cb, "paatoimiala"): "ZQXMUU " + HOSTILE,                 # an "Other" text
        title(cb, "vapaa_sana"): "ZQXVAPAA " + HOSTILE,
        title(cb, "kotikunta"): "=HYPERLINK(\"http://x\")ZQXKUNTA",    # a typed municipality
        title(cb, "jasenmaara"): "=1+1",
        title(cb, "taidelajit"): "ZQXTAIDE" + LONG[:300],
    }
    for i in range(1, 9):
        for t, v in payload.items():
            rows[i][header.index(t)] = v
    header.append("=cmd|'/C calc'!A0 ZQXEXTRA <b>")                 # a hand-added column
    for i, row in enumerate(rows[1:]):
        row.append(FORMULAS[i % len(FORMULAS)] + " ZQXEXTRAVAL")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    wave = resolve_wave(root / "raw", root / "processed", root / "reports", YEAR)
    result = build_data(wave, SETTINGS)
    return wave, result


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def test_excel_facing_files_hold_no_formula(hostile_wave):
    wave, _ = hostile_wave
    escaped = 0
    for name in bank.EXCEL_FACING:
        path = wave.processed / name
        if not path.exists():
            continue
        for cell in _cells(path):
            if DANGEROUS.match(cell) and not SAFE_PLAIN.match(cell):
                pytest.fail(f"{name}: {cell!r} would be a formula in Excel")
            escaped += cell.startswith("'")
    assert escaped > 0
    flags = pd.read_csv(wave.processed / bank.FLAGS_FILE, dtype=str, keep_default_na=False)
    typed = flags[(flags["sarake"] == "kotikunta") & flags["arvo"].str.contains("ZQXKUNTA")]
    assert len(typed) and (typed["arvo"] == "'=HYPERLINK(\"http://x\")ZQXKUNTA").all()
    mapping = pd.read_csv(wave.processed / bank.MAPPING_FILE, dtype=str, keep_default_na=False)
    assert "'=cmd|'/C calc'!A0 ZQXEXTRA <b>" in set(mapping["sarake"])


def test_excel_facing_files_read_back_exactly(hostile_wave):
    wave, result = hostile_wave
    flags = bank.read_excel_facing_csv(wave.processed / bank.FLAGS_FILE)
    assert "=HYPERLINK(\"http://x\")ZQXKUNTA" in set(flags["arvo"])
    mapping = bank.read_excel_facing_csv(wave.processed / bank.MAPPING_FILE)
    assert list(mapping["sarake"]) == list(result.mapping["sarake"])
    audit = bank.load_wave(wave.processed, YEAR, CB).audit
    assert list(audit["reason"]) == list(result.audit["reason"])


def test_data_files_escape_formulas_and_the_bank_keeps_the_answer(hostile_wave):
    """jarjestokysely.csv opened in a spreadsheet runs no formula (issue 10); the
    original text comes back through bank.read_processed_csv and stays in SQLite."""
    import sqlite3

    wave, _ = hostile_wave
    raw = pd.read_csv(wave.processed / "jarjestokysely.csv", dtype=str, keep_default_na=False)
    for cell in raw.to_numpy().ravel():
        if DANGEROUS.match(cell) and not SAFE_PLAIN.match(cell):
            pytest.fail(f"jarjestokysely.csv: {cell!r} would be a formula in Excel")
    data = bank.read_processed_csv(wave.processed / "jarjestokysely.csv")
    assert ("ZQXNIMI " + HOSTILE) in set(data["nimi"])
    assert ("ZQXMUU " + HOSTILE) in set(data["paatoimiala__muu"])
    with sqlite3.connect(wave.database) as db:
        names = {r[0] for r in db.execute(f"SELECT nimi FROM jarjestokysely_{YEAR}")}
    assert ("ZQXNIMI " + HOSTILE) in names


def test_respondent_text_never_reaches_report_html_or_workbook(hostile_wave, settings):
    wave, result = hostile_wave
    processed = bank.load_wave(wave.processed, YEAR, settings.codebook)
    tables = indicators.compute_all(processed.association, processed.municipality, YEAR, settings)
    pub = Publication(settings=settings, year=YEAR, threshold=5, meta=report_meta(result, settings.codebook),
                      tables=tables)
    html = report_html(report_model(pub))
    body = re.sub(r"data:image/[^\"']+", "", html)     # base64 images may hold any letters
    assert "ZQX" not in body
    assert "<script>alert" not in body and "onerror=alert" not in body
    xlsx = workbook_bytes(workbook_model(pub), 0)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "ZQX" not in text
    assert "<f>" not in text and "<f " not in text


# -- what can reach a report is escaped and laid out inside the page ------------------------


def _hostile_table(label_long: str = LONG) -> Table:
    frame = pd.DataFrame({"avain": ["a", "b", "c", "d"],
                          "vaihtoehto": [HOSTILE, label_long, FORMULAS[0], "Tavallinen rivi"],
                          "n_": [10.0, 20.0, 25.0, 5.0], "pct": [16.7, 33.3, 41.7, 8.3]})
    return Table(id="paatoimiala", title="Päätoimiala " + HOSTILE, frame=frame, n=60,
                 columns={"vaihtoehto": "Vaihtoehto " + HOSTILE, "n_": "Yhdistyksiä", "pct": "Osuus, %"},
                 kinds={"n_": "count", "pct": "percent"}, suppressed=None, source="paatoimiala")


def _hostile_meta(long: str = LONG) -> dict:
    return {"raw_rows": 61, "kept": 60, "replaced": 0, "rejected": 1,
            "rejected_reasons": {"hylätty korjauksella: " + HOSTILE + long: 1},
            "files": [{"name": HOSTILE + long + ".csv", "rows": 61}], "flags": {}}


def _hostile_report(settings, table: Table, meta: dict) -> str:
    pub = Publication(settings=settings, year=YEAR, threshold=5, meta=meta, tables={"paatoimiala": table})
    return report_html(report_model(pub))


@pytest.fixture(scope="module")
def hostile_html(settings) -> str:
    return _hostile_report(settings, _hostile_table(), _hostile_meta())


def test_markup_renders_as_text_in_html(hostile_html):
    html = hostile_html
    for bit in ("<b>", "<img src=x", "<script>", "</style><style>"):
        assert bit not in html.split("<body", 1)[1], bit
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/style&gt;&lt;style&gt;body{display:none}" in html
    assert "{{ 7*7 }}" in html and "49" not in re.sub(r"data:image/[^\"']+", "", html)


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_long_strings_wrap_inside_the_page_in_pdf(hostile_html, settings):
    import weasyprint
    from pypdf import PdfReader

    from kartoitus.render.document import TEMPLATES

    doc = weasyprint.HTML(string=hostile_html, base_url=str(TEMPLATES)).render()
    for page in doc.pages:
        for box in _boxes(page._page_box):
            if hasattr(box, "position_x") and hasattr(box, "margin_width"):
                assert box.position_x + box.margin_width() <= page.width + 0.5, type(box).__name__
    short = _hostile_report(settings, _hostile_table("Lyhyt"), _hostile_meta(""))
    short_doc = weasyprint.HTML(string=short, base_url=str(TEMPLATES)).render()
    pages, short_pages = len(doc.pages), len(short_doc.pages)   # laid out once each
    # three 2,000-character strings wrap to about 3 x 2 pages of lines at most
    assert short_pages <= pages <= short_pages + 6
    # every line of the long label is laid out inside the page (the appendix prints narrow
    # tables in two columns, so the PDF's text order interleaves them: read the layout)
    def body_text(box):       # the page's content without margin boxes and repeated headers
        if type(box).__name__.endswith("MarginBox") or getattr(box, "element_tag", "") == "thead":
            return
        if type(box).__name__ == "TextBox":
            yield box.text
        for child in getattr(box, "children", None) or []:
            yield from body_text(child)

    # the long label's lines (a row split over two pages lays its other cells in between)
    text = "".join(t for page in doc.pages for t in body_text(page._page_box) if set(t) <= set(f"Q{ZWSP} \n"))
    flat = re.sub(rf"[\s{ZWSP}]", "", text)
    assert LONG in flat                          # wrapped, not clipped
    pdf = doc.write_pdf()   # the same layout, written out: the PDF's own text
    page_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)</script>" in re.sub(rf"[\s{ZWSP}]", "", page_text)   # shown as text


def test_breakable_only_touches_long_runs():
    assert breakable("Sosiaali- ja terveysjärjestöjen yhteistyö") == "Sosiaali- ja terveysjärjestöjen yhteistyö"
    out = breakable("a " + "x" * 45 + " b")
    assert out.replace(ZWSP, "") == "a " + "x" * 45 + " b"
    assert out.count(ZWSP) == 2
    assert breakable(None) == ""


# -- workbook: never a formula -------------------------------------------------------------


def test_workbook_strings_are_never_formulas():
    frame = pd.DataFrame({"avain": [f"k{i}" for i in range(len(FORMULAS) + 1)],
                          "vaihtoehto": FORMULAS + [HOSTILE],
                          "n_": [float(i + 5) for i in range(len(FORMULAS) + 1)]})
    t = Table(id="kaavat", title="=1+1 otsikko", frame=frame, n=50,
              columns={"vaihtoehto": "@otsake", "n_": "Lukumäärä"}, kinds={"n_": "count"},
              suppressed=None, source="x", note="-huomautus")
    data = workbook_bytes({"tables": {"kaavat": t}, "title": "+kirja", "year": YEAR,
                           "meta": {"created": "2025-01-01T00:00:00"}}, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")}
        shared = z.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in z.namelist() else ""
    xml = "".join(sheets.values())
    assert "<f>" not in xml and "<f " not in xml
    cells = re.findall(r"<c [^>]*?(?:/>|>.*?</c>)", xml, flags=re.S)
    types = [m.group(1) if (m := re.search(r' t="([^"]+)"', c)) else "n" for c in cells]
    assert set(types) <= {"s", "inlineStr", "n"}, set(types)      # no "str" (formula result)
    assert types.count("s") + types.count("inlineStr") >= len(FORMULAS) + 3
    everything = xml + shared
    assert "-2+3+cmd|' /C calc'!A0" in everything.replace("&apos;", "'")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in everything


# -- the escape itself -----------------------------------------------------------------------


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12),
                          st.builds(lambda p, s: p + s, st.sampled_from(["'", "''", " ", "\t", "=", "+", "-", "@", "'="]),
                                    st.text(max_size=8))), max_size=20))
def test_escape_formulas_is_safe_and_exactly_reversible(values):
    frame = pd.DataFrame({"a": pd.Series(values, dtype=object), "n": range(len(values))})
    escaped = bank.escape_formulas(frame)
    for v in escaped["a"]:
        if isinstance(v, str):
            assert not DANGEROUS.match(v) or SAFE_PLAIN.match(v), v
    back = bank.unescape_formulas(escaped)
    assert [v if isinstance(v, str) else None for v in back["a"]] == values
    assert list(back["n"]) == list(range(len(values)))
    assert frame["a"].tolist() == pd.Series(values, dtype=object).tolist()   # input untouched


def test_write_wave_escapes_every_file(tmp_path):
    frame = pd.DataFrame({"arvo": ["=1+1", "-5", "teksti"]})
    bank.write_wave(tmp_path / "2025", {"audit.csv": frame, "jarjestokysely.csv": frame})
    assert (tmp_path / "2025" / "audit.csv").read_text(encoding="utf-8") == "arvo\n'=1+1\n-5\nteksti\n"
    assert (tmp_path / "2025" / "jarjestokysely.csv").read_text(encoding="utf-8") == "arvo\n'=1+1\n-5\nteksti\n"
    assert bank.read_processed_csv(tmp_path / "2025" / "jarjestokysely.csv")["arvo"].tolist() == [
        "=1+1", "-5", "teksti"]
