"""The xlsx workbook: values equal the tables, suppression marks, text stays text,
byte-identical rewrites, atomic writes."""

from __future__ import annotations

import hashlib
import time
import datetime
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kartoitus.build.repro import build_epoch
from kartoitus.errors import KartoitusError
from kartoitus.outputs.workbook import workbook_model
from kartoitus.publication import Publication
from kartoitus.publication.indicators import compute_all
from kartoitus.render import workbook as render_workbook
from kartoitus.render.workbook import CONTENTS, HEADER_ROW, workbook_bytes
from kartoitus.tables import SUPPRESSED_MARK, Table

WAVE = Path(__file__).parent / "fixtures" / "processed" / "2025"
CODES = {"kotikunta": str, "seutukunta_koodi": str, "kunta": str}


@pytest.fixture(scope="module")
def tables(settings):
    assoc = pd.read_csv(WAVE / "jarjestokysely.csv", dtype=CODES)
    muni = pd.read_csv(WAVE / "kuntakysely.csv", dtype=CODES)
    return compute_all(assoc, muni, 2025, settings)


def write_workbook(tables, path, title, year, meta=None):
    """Write a workbook model of ``tables`` as build does (the build epoch of ``year``)."""
    model = {"tables": tables, "title": title, "year": year, "meta": dict(meta or {})}
    return render_workbook.write_workbook(model, path, build_epoch(year=year))


def test_model_from_publication_and_render_job(tables, settings, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pub = Publication(settings=settings, year=2025, threshold=5, meta={}, tables=tables)
    model = workbook_model(pub)
    assert model["title"] == "Keski-Suomen järjestökartoitus 2025: taulukot" and model["year"] == 2025
    assert "codebook_version" not in model["meta"] and settings.codebook.version not in str(model)
    assert all(not re.search(r"[a-z]+_[a-z]+", v) for v in model["sources"].values())   # no question ids
    assert list(model["tables"]) == list(tables)
    path = tmp_path / "taulukot-2025.xlsx"
    out = render_workbook.render_job({"model": model, "path": path, "epoch": build_epoch(year=2025)})
    assert out == [path]
    assert path.read_bytes() == workbook_bytes(model, build_epoch(year=2025))
    contents = openpyxl.load_workbook(path)[CONTENTS]
    assert contents.cell(3, 1).value == "Aineisto"
    cells = [str(c.value) for row in contents.iter_rows() for c in row if c.value is not None]
    assert not any(settings.codebook.version in c or "codebook" in c for c in cells)
    # printed on portrait pages one page wide, the header row repeated
    assert contents.page_setup.orientation == "portrait" and contents.page_setup.fitToWidth == 1
    assert contents.sheet_properties.pageSetUpPr.fitToPage
    wide = openpyxl.load_workbook(path)["henkilot_toimiala"] if "henkilot_toimiala" in tables else None
    if wide is not None:
        assert wide.page_setup.orientation == "landscape" and wide.print_title_rows
    with pytest.raises(ValueError, match="tables"):
        workbook_model(Publication(settings=settings, year=2025, threshold=5, meta={}))


@pytest.fixture()
def risky():
    frame = pd.DataFrame({"avain": ["a", "b", "c"],
                          "nimi": ["=HYPERLINK(\"http://x\",\"klik\")", "+358 40 123", "@kunta"],
                          "teksti": ["-1+2", "\tsarkain", "tavallinen"],
                          "lkm": [12.0, np.nan, 1234567.0], "osuus": [12.5, np.nan, 99.0],
                          "ka": [3.14159, 2.0, np.nan]})
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask.loc[1, ["lkm", "osuus"]] = True
    return Table(id="riski", title="Riskialtis teksti", frame=frame, n=20,
                 columns={"nimi": "Nimi", "teksti": "Teksti", "lkm": "Lukumäärä",
                          "osuus": "Osuus", "ka": "Keskiarvo"},
                 kinds={"teksti": "text", "lkm": "count", "osuus": "percent", "ka": "mean"},
                 suppressed=mask, source="x", note="Huomautus.")


def test_cells_equal_tables_and_marks(tables, tmp_path):
    path = write_workbook(tables, tmp_path / "taulukot.xlsx", "Järjestökartoitus 2025", 2025)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [CONTENTS, *tables]
    for tid in ("budjetti", "yhteistyo", "henkilot_toimiala", "kunnat_vastaukset"):
        t, ws = tables[tid], wb[tid]
        assert ws["A1"].value == t.title
        cols = [c for c in t.label_columns if c in t.columns] + t.value_columns
        assert [ws.cell(HEADER_ROW, j).value for j in range(1, len(cols) + 1)] == \
            [t.header(c) if t.kinds.get(c) != "percent" or "%" in t.header(c) else t.header(c) + " (%)"
             for c in cols]
        mask = t.mask()
        for i, idx in enumerate(t.frame.index, start=HEADER_ROW + 1):
            for j, c in enumerate(cols, start=1):
                got = ws.cell(i, j).value
                want = t.frame.at[idx, c]
                if mask.at[idx, c]:
                    assert got == t.mark(idx, c)
                elif want is None or (isinstance(want, float) and np.isnan(want)):
                    assert got is None
                elif isinstance(want, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", want):
                    assert isinstance(got, datetime.datetime)            # dates are dates
                    assert got.strftime("%Y-%m-%d").startswith(want)
                elif isinstance(want, str):
                    assert got == want
                else:
                    assert got == pytest.approx(float(want))
    ws = wb["budjetti"]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.cell(HEADER_ROW, 1).font.b
    assert [ws.cell(r, 2).value for r in range(HEADER_ROW + 1, HEADER_ROW + 7)] == \
        [6, 11, 5, SUPPRESSED_MARK, SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert ws.cell(HEADER_ROW + 1, 2).number_format == "#,##0"
    assert ws.cell(HEADER_ROW + 1, 3).number_format == "0.0"
    assert "<5 = " in " ".join(str(c.value) for c in ws["A"] if c.value)
    # hva_avustus for an old wave would be a note, never zeros: contents lists every table
    contents = wb[CONTENTS]
    links = {c.value: c.hyperlink.location for c in contents["A"] if c.hyperlink is not None}
    assert links["budjetti"] == "'budjetti'!A1" and len(links) == len(tables)
    titles = [c.value for c in contents["B"]]
    assert tables["yhteistyo"].title in titles


def test_formula_looking_text_stays_text(risky, tmp_path):
    path = write_workbook({"riski": risky}, tmp_path / "r.xlsx", "R", 2025)
    ws = openpyxl.load_workbook(path)["riski"]
    values = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, HEADER_ROW + 4)]
    assert values == ["=HYPERLINK(\"http://x\",\"klik\")", "+358 40 123", "@kunta"]
    for r in range(HEADER_ROW + 1, HEADER_ROW + 4):
        assert ws.cell(r, 1).data_type == "s"
    assert ws.cell(HEADER_ROW + 1, 1).quotePrefix
    assert ws.cell(HEADER_ROW + 2, 2).value == "\tsarkain" and ws.cell(HEADER_ROW + 2, 2).data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet  # no formula element anywhere
    # kinds and formats; suppressed cells marked; key column without header left out
    assert ws.cell(HEADER_ROW, 4).value == "Osuus (%)"
    assert ws.cell(HEADER_ROW + 1, 5).number_format == "0.00"
    assert ws.cell(HEADER_ROW + 3, 3).value == 1234567
    assert ws.cell(HEADER_ROW + 2, 3).value == ".."   # hidden without a small-count mark
    assert "avain" not in [ws.cell(HEADER_ROW, j).value for j in range(1, 7)]


def test_byte_identical_and_fixed_dates(tables, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a = write_workbook(tables, tmp_path / "a.xlsx", "T", 2025, meta={"Koodikirja": "abc"})
    first = hashlib.sha256(a.read_bytes()).hexdigest()
    time.sleep(1.1)
    b = write_workbook(tables, tmp_path / "b.xlsx", "T", 2025, meta={"Koodikirja": "abc"})
    assert hashlib.sha256(b.read_bytes()).hexdigest() == first
    with zipfile.ZipFile(b) as z:
        infos = z.infolist()
        assert infos[0].filename == "[Content_Types].xml"
        assert {i.date_time for i in infos} == {(2026, 1, 1, 0, 0, 0)}
        assert b"2026-01-01T00:00:00Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c = workbook_bytes({"tables": tables, "title": "T", "year": 2025, "meta": {"Koodikirja": "abc"}},
                       build_epoch(year=2025))
    assert hashlib.sha256(c).hexdigest() != first


def test_atomic_and_validation(tables, tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(KartoitusError, match="xlsx"):
        write_workbook(tables, tmp_path / "out.csv", "T", 2025)
    bad = {"a/b": next(iter(tables.values()))}
    with pytest.raises(KartoitusError, match="välilehden"):
        write_workbook(bad, target, "T", 2025)
    assert target.read_bytes() == b"old"  # failed write leaves the old file
    write_workbook(tables, target, "T", 2025)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temp files left behind


def test_not_asked_table_is_a_note(tables, tmp_path, settings):
    from kartoitus.publication import indicators

    assoc = pd.read_csv(WAVE / "jarjestokysely.csv", dtype=CODES).drop(columns=["hva_avustus"])
    t = indicators.hva_avustus(assoc, 2021, settings)
    ws = openpyxl.load_workbook(write_workbook({"hva_avustus": t}, tmp_path / "h.xlsx", "T", 2021))["hva_avustus"]
    assert ws.cell(HEADER_ROW, 1).value == "Kysymystä ei esitetty vuoden 2021 kyselyssä."
    assert ws.max_row == HEADER_ROW
