"""Privacy scan of outputs and purge of personal columns from raw exports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from kartoitus.stages.ingest import RawTable
from kartoitus.errors import InputError, KartoitusError
from kartoitus.privacy import (
    RECORD_FILE,
    Finding,
    PersonalValues,
    check_outputs,
    find_in_text,
    personal_values_from_tables,
    purge_personal,
    scan_path,
)

# -- detection rules ------------------------------------------------------------

MUST_MATCH = [
    # (text, kind, the match)
    ("Puh. 040 123 4567", "puhelin", "040 123 4567"),
    ("0401234567", "puhelin", "0401234567"),
    ("soita 040-1234567.", "puhelin", "040-1234567"),
    ("+358 40 1234567", "puhelin", "+358 40 1234567"),
    ("tel:+358401234567", "puhelin", "+358401234567"),
    ("(040) 123 4567", "puhelin", "(040) 123 4567"),
    ("+358 (0)40 123 4567", "puhelin", "+358 (0)40 123 4567"),
    ("00358 50 765 4321", "puhelin", "00358 50 765 4321"),
    ("050 123456", "puhelin", "050 123456"),
    ("040\u00a0123\u00a04567", "puhelin", "040\u00a0123\u00a04567"),
    ("toimisto 014-123 456", "puhelin", "014-123 456"),
    ("014 123 4567", "puhelin", "014 123 4567"),
    ("Helsinki 09 1234 5678", "puhelin", "09 1234 5678"),
    ("040/1234567", "puhelin", "040/1234567"),
    ("0800 123 456", "puhelin", "0800 123 456"),
    ("matti.virtanen@jkl.fi", "sahkoposti", "matti.virtanen@jkl.fi"),
    ("Lisätietoja: Liisa.Äijälä@yhdistys-ry.fi.", "sahkoposti", "Liisa.Äijälä@yhdistys-ry.fi"),
    ("<mailto:info+kysely@esimerkki.com>", "sahkoposti", "info+kysely@esimerkki.com"),
    ("nimi(at)domain.fi", "sahkoposti", "nimi(at)domain.fi"),
    ("nimi [at] yhdistys.fi", "sahkoposti", "nimi [at] yhdistys.fi"),
    ("hetu 131052-308T", "henkilotunnus", "131052-308T"),
]

MUST_NOT_MATCH = [
    "25 000 €", "1 234 567 €", "12 345,00 euroa", "Avustukset 25\u00a0000 € vuodessa",
    "1\u202f234\u202f567 €", "2019", "vuosina 2019-2023", "45 %", "12,5 %", "0,5 %",
    "sivu 12", "s. 104", "2.9.2019", "02.09.2019", "2019-09-02", "2025-09-01T08:00:00+03:00",
    "klo 08.30-16.00", "123.456", "rekisterinumero 105.230", "Y-tunnus 0145678-9",
    "Y-tunnus 1234567-8", "077", "kunta 077 Hankasalmi", "00100 Helsinki", "40100 Jyväskylä",
    "1 234", "yhteensä 1 040 123 456", "12,05 123 456", "n = 1 234", "0 12 345", "0,50 €",
    "050", "2019 2020 2021", "Taulukko 3: 12 345 jäsentä", "130 000 000 €",
    "matti.virtanen at jkl", "@yhdistys", "131052-308A",  # wrong check character
    "Keuruu 249 1 234 5 678", "Kinnula 0 4 5 6", "logo@2x.png", "url(fonts/a@2x.woff2)",
    "tiiviste 0401234567abc", "a/0401234567b",
]


@pytest.mark.parametrize("text,kind,match", MUST_MATCH)
def test_must_match(text, kind, match):
    assert (kind, match) in find_in_text(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_must_not_match(text):
    assert find_in_text(text) == []


def test_several_numbers_in_a_list():
    assert find_in_text("040 1234567 050 7654321; 014-123 456") == [
        ("puhelin", "040 1234567"), ("puhelin", "050 7654321"), ("puhelin", "014-123 456")]


def test_allowed_contact_details_are_not_reported():
    text = "Julkaisija: KesKi ry, info@keski.fi, 014 123 4567; vastaaja matti@jkl.fi"
    assert find_in_text(text, allowed=["INFO@keski.fi", "014-1234567"]) == [
        ("sahkoposti", "matti@jkl.fi")]


_SPACES = st.sampled_from([" ", "\u00a0", "\u202f"])


@st.composite
def finnish_numbers(draw):
    value = draw(st.integers(min_value=0, max_value=10**10))
    digits = str(value)
    if draw(st.booleans()):
        sep = draw(_SPACES)
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        digits = sep.join(groups)
    if draw(st.booleans()):
        digits += "," + draw(st.from_regex(r"\d{1,2}", fullmatch=True))
    suffix = draw(st.sampled_from(["", " €", "€", " %", "%", " euroa", "\u00a0€"]))
    return digits + suffix


@hypothesis.settings(max_examples=400, deadline=None)
@given(st.lists(finnish_numbers(), min_size=1, max_size=6),
       st.sampled_from([" ", "  ", "\n", " | ", "\t", "; "]))
def test_finnish_numbers_never_match_as_phones(numbers, joiner):
    text = joiner.join(numbers)
    assert [k for k, _ in find_in_text(text) if k == "puhelin"] == []


# -- personal values ---------------------------------------------------------------

def test_personal_values_whole_words_any_case_across_lines():
    values = ["Matti Virtanen", "Anna-Liisa Korhonen", "Puheenjohtaja", "ei ole"]
    assert find_in_text("Yhteyshenkilö: MATTI  VIRTANEN", values) == [
        ("henkilotieto", "MATTI  VIRTANEN")]
    assert find_in_text("kirjoitti Matti\nVirtanen (pj)", values) == [
        ("henkilotieto", "Matti\nVirtanen")]
    assert find_in_text("Anna-Liisa Korhonen", values) == [
        ("henkilotieto", "Anna-Liisa Korhonen")]
    assert find_in_text("Anna-Liisa Korho-\nnen kiitti", values) == [
        ("henkilotieto", "Anna-Liisa Korhonen")]
    # WeasyPrint hyphenates with U+2010: the name is still found
    assert find_in_text("Anna-Liisa Korho\u2010\nnen kiitti", values) == [
        ("henkilotieto", "Anna-Liisa Korhonen")]
    # not inside other words, and roles or no-answers are never looked for
    assert find_in_text("Matti Virtasen kanssa; Virtanen Matti", values) == []
    assert find_in_text("Puheenjohtaja: ei ole", values) == []


def test_personal_value_inside_an_email_is_reported_once():
    values = PersonalValues(["matti.virtanen@jkl.fi", "Matti Virtanen"])
    assert find_in_text("matti.virtanen@jkl.fi", values) == [
        ("sahkoposti", "matti.virtanen@jkl.fi")]
    assert len(values) == 2


@pytest.fixture(scope="module")
def codebook(settings):
    return settings.codebook


def _raw_table(survey: str, frame: pd.DataFrame) -> RawTable:
    """An ingested table of ``survey`` holding ``frame`` (canonical ids as columns)."""
    return RawTable(path=Path(f"{survey}.csv"), survey=survey, frame=frame, mapping=[],
                    extras=pd.DataFrame(index=frame.index), encoding="utf-8", delimiter=",")


def test_personal_values_from_tables(codebook):
    cb = codebook
    assoc = _raw_table("jarjestokysely", pd.DataFrame({
        "sahkoposti": ["pj@kaiku.fi", None, "anonymous", "a@b"],   # Microsoft Forms' anonymous answer
        "nimi": ["Äänekosken Kaiku ry", "Laukaan Latu", "Äänekosken Kaiku ry", "Xyzzy ry"],
        "yhteyshenkilo": ["Matti Virtanen", "Ville", "  ", "ei ole"],
        "puhelin": [401234567.0, "040-765 4321", None, 1234],
    }, index=[2, 3, 4, 5]))
    muni = _raw_table("kuntakysely", pd.DataFrame({
        "vastaaja": ["Liisa Korhonen", float("nan")], "kunta": ["Laukaa", "Uurainen"]}))
    assert personal_values_from_tables([assoc, muni], cb) == {
        "pj@kaiku.fi", "Matti Virtanen", "401234567", "0401234567", "040-765 4321",
        "Liisa Korhonen", "Ville"}  # five characters is enough
    # the frames were not changed
    assert assoc.frame["puhelin"].tolist()[0] == 401234567.0
    assert personal_values_from_tables([_raw_table("jarjestokysely", pd.DataFrame({"nimi": ["A"]}))],
                                       cb) == set()


# -- scanning output files -------------------------------------------------------------

def _pdf(path: Path, body: str) -> None:
    from weasyprint import HTML
    HTML(string=f"<html><body><h1>Raportti</h1>{body}</body></html>").write_pdf(path)


def _xlsx(path: Path, cells: dict[str, object], title="Taulukko") -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)


def _png(path: Path, chunks: dict[str, str]) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    for k, v in chunks.items():
        info.add_text(k, v)
    Image.new("RGB", (4, 4), "white").save(path, pnginfo=info)


def test_scan_path_finds_each_kind_where_it_is(tmp_path):
    out = tmp_path / "reports" / "2024"
    (out / "kuvat").mkdir(parents=True)
    _pdf(out / "raportti.pdf",
         "<p>Vastauksia 1 234 kpl, avustukset 25 000 €.</p><p>Kiitos Matti Virtasen</p>"
         "<p>yhteyshenkilö Matti Virtanen.</p>"
         '<p><a href="mailto:liisa@kunta.fi">Lähetä viesti</a></p>')
    (out / "sivu.html").write_text(
        '<html><body>\n<p>Osuus 45 %</p>\n<img src="a.png" alt="Kuva: matti@jkl.fi">\n'
        "</body></html>\n", encoding="utf-8")
    _xlsx(out / "taulukot.xlsx", {"A1": "Kunta", "B1": "Vastauksia", "A2": "Laukaa",
                                  "B2": 1234, "C7": "soita 040 123 4567"})
    (out / "liite.csv").write_bytes("kunta;määrä\r\nÄänekoski;12\r\nLiisa Korhonen;3\r\n"
                                    .encode("cp1252"))
    _png(out / "kuvat" / "kaavio.png", {"Description": "Lähde: kysely, p. 050 7654321",
                                        "Software": "matplotlib"})
    (out / "muistio.md").write_text("# Muistio\n\nVuonna 2024 vastasi 1 234 yhdistystä.\n",
                                    encoding="utf-8")
    findings = scan_path(tmp_path / "reports", ["Matti Virtanen", "Liisa Korhonen"])
    got = {(f.path.relative_to(out).as_posix(), f.where, f.kind, f.text) for f in findings}
    assert got == {
        ("kuvat/kaavio.png", "PNG-tekstilohko 'Description'", "puhelin", "050 7654321"),
        ("liite.csv", "rivi 3", "henkilotieto", "Liisa Korhonen"),
        ("raportti.pdf", "sivu 1", "henkilotieto", "Matti Virtanen"),
        ("raportti.pdf", "sivu 1, linkki", "sahkoposti", "liisa@kunta.fi"),
        ("sivu.html", "rivi 3, määrite alt", "sahkoposti", "matti@jkl.fi"),
        ("taulukot.xlsx", "Taulukko!C7", "puhelin", "040 123 4567"),
    }
    assert all(isinstance(f, Finding) for f in findings)
    assert [f.path.name for f in findings] == sorted(f.path.name for f in findings)
    assert findings[0].message(tmp_path) == (
        "reports/2024/kuvat/kaavio.png, PNG-tekstilohko 'Description': "
        "puhelinnumero '050 7654321'")


def test_scan_html_text_links_comments_and_sheet_properties(tmp_path):
    (tmp_path / "a.html").write_text(
        "<html><head><title>Raportti</title></head><body>\n"
        "<p>Ota yhteyttä:\n<b>Liisa</b> <i>Korhonen</i></p>\n"
        '<a href="mailto:liisa@kunta.fi">sähköposti</a>\n'
        "<!-- luonnos: soita 014 123 4567 -->\n"
        "</body></html>", encoding="utf-8")
    _xlsx(tmp_path / "b.xlsx", {"A1": "ok"}, title="Matti Virtanen")
    from openpyxl import load_workbook
    wb = load_workbook(tmp_path / "b.xlsx")
    wb.properties.creator = "pj@kaiku.fi"
    wb.save(tmp_path / "b.xlsx")
    got = {(f.path.name, f.where, f.kind, f.text)
           for f in scan_path(tmp_path, ["Liisa Korhonen", "Matti Virtanen"])}
    assert got == {
        ("a.html", "rivi 3", "henkilotieto", "Liisa Korhonen"),
        ("a.html", "rivi 4, määrite href", "sahkoposti", "liisa@kunta.fi"),
        ("a.html", "rivi 5, kommentti", "puhelin", "014 123 4567"),
        ("b.xlsx", "taulukon nimi 'Matti Virtanen'", "henkilotieto", "Matti Virtanen"),
        ("b.xlsx", "dokumentin ominaisuudet (creator)", "sahkoposti", "pj@kaiku.fi"),
    }


def test_clean_folder_has_no_findings(tmp_path):
    _pdf(tmp_path / "raportti.pdf",
         "<p>Kyselyyn vastasi 1 234 yhdistystä 2.9.2019 mennessä (45 %).</p>"
         "<table><tr><td>Hankasalmi</td><td>077</td><td>12 345 €</td></tr>"
         "<tr><td>Jyväskylä</td><td>179</td><td>1 234 567 €</td></tr></table>"
         "<p>Sivu 2</p>")
    (tmp_path / "sivu.html").write_text('<p title="Osuus 12,5 %">Rekisterinumero 105.230</p>',
                                        encoding="utf-8")
    _xlsx(tmp_path / "t.xlsx", {"A1": "Kunta", "B1": "Koodi", "A2": "Hankasalmi", "B2": "077",
                                "C2": 12345.5, "D2": "25 000 €"})
    (tmp_path / "t.csv").write_text("kunta,koodi,euroa\nHankasalmi,077,25000\n", encoding="utf-8")
    _png(tmp_path / "k.png", {"Software": "matplotlib version 3.8", "Description": "Osuus 45 %"})
    (tmp_path / "m.json").write_text(json.dumps({"n": 1234, "vuosi": 2024}), encoding="utf-8")
    (tmp_path / "kaavio.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><path d="M 040 1234567 L 09 12345678"/>'
        '<image href="data:image/png;base64,MDQwIDEyMyA0NTY3+0401234567"/>'
        "<text>Osuus 45 %</text></svg>", encoding="utf-8")
    (tmp_path / "muu.bin").write_bytes(b"040 123 4567")  # not a scanned type
    assert scan_path(tmp_path, ["Matti Virtanen"]) == []


def test_scan_path_refuses_what_it_cannot_read(tmp_path):
    (tmp_path / "rikki.pdf").write_bytes(b"not a pdf at all")
    with pytest.raises(InputError, match="rikki.pdf: PDF:ää ei voi lukea"):
        scan_path(tmp_path)
    with pytest.raises(InputError, match="puuttuu"):
        scan_path(tmp_path / "puuttuu")


# -- purge -------------------------------------------------------------------------------

HEADER = ("Aikaleima;Sähköpostiosoite;Yhdistyksen nimi;Kotikunta;"
          "Yhteyshenkilön nimi;\"Yhteyshenkilön puhelinnumero\";Lisätietoja\r\n")
ROWS = [
    '15.10.2019 12.34;pj@kaiku.fi;Äänekosken Kaiku ry;Äänekoski;Matti Virtanen;040 123 4567;"rivi; ""lainaus"""\r\n',
    '16.10.2019 9.00;;"Laukaan Latu; hiihto";Laukaa;;;"kaksi\r\nriviä"\r\n',
    '17.10.2019 8.00;x@y.fi;Jämsän Jyry;Jämsä;Öljynen Åsa;"050 765 4321";\r\n',
]
EXPECTED = [
    "Aikaleima;Yhdistyksen nimi;Kotikunta;Lisätietoja\r\n",
    '15.10.2019 12.34;Äänekosken Kaiku ry;Äänekoski;"rivi; ""lainaus"""\r\n',
    '16.10.2019 9.00;"Laukaan Latu; hiihto";Laukaa;"kaksi\r\nriviä"\r\n',
    "17.10.2019 8.00;Jämsän Jyry;Jämsä;\r\n",
]


@pytest.fixture
def wave(tmp_path):
    raw = tmp_path / "data" / "raw" / "2019"
    processed = tmp_path / "data" / "processed" / "2019"
    raw.mkdir(parents=True)
    processed.mkdir(parents=True)
    (raw / "vastaukset.csv").write_bytes((HEADER + "".join(ROWS)).encode("cp1252"))
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Lomakevastaukset 1"
    ws.append(["Timestamp", "Email Address", "Yhdistyksen nimi ", "Kotikunta"])
    ws.append(["2019/10/15 12:34:56 PM GMT+3", "a@b.fi", "Uuraisten Urheilijat", "Uurainen"])
    ws.append(["2019/10/16 12:34:56 PM GMT+3", None, "Multian Mieli", "Multia"])
    wb.save(raw / "lomake.xlsx")
    (raw / "vanha.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    (raw / "korjaukset.csv").write_text("tiedosto,rivi,sarake,arvo\n", encoding="utf-8")
    (processed / "jarjestokysely.csv").write_text("tiedosto,rivi,nimi\nx,2,Kaiku\n",
                                                  encoding="utf-8")
    return raw, processed


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_purge_dry_run_changes_nothing_and_reports(wave, codebook):
    raw, processed = wave
    before = _snapshot(raw.parent.parent)
    report = purge_personal(raw, codebook)
    assert report.dry_run
    assert _snapshot(raw.parent.parent) == before
    assert report.record is None
    assert [(r.file.name, r.column, r.question, r.non_empty) for r in report.removed] == [
        ("lomake.xlsx", "Email Address", "sahkoposti", 1),
        ("vastaukset.csv", "Sähköpostiosoite", "sahkoposti", 2),
        ("vastaukset.csv", "Yhteyshenkilön nimi", "yhteyshenkilo", 2),
        ("vastaukset.csv", "Yhteyshenkilön puhelinnumero", "puhelin", 2),
    ]
    assert [(p.name, why[:24]) for p, why in report.skipped] == [
        ("vanha.xls", "tiedostomuotoa ei tueta;")]
    assert report.lines()[0] == ("lomake.xlsx: poistettaisiin sarake 'Email Address' "
                                 "(sahkoposti), 1 vastausta")


def test_purge_removes_columns_and_keeps_everything_else(wave, codebook):
    raw, processed = wave
    processed_before = _snapshot(processed)
    report = purge_personal(raw, codebook, dry_run=False)
    assert not report.dry_run
    # CSV: same encoding (cp1252), delimiter, quoting and line endings
    assert (raw / "vastaukset.csv").read_bytes() == "".join(EXPECTED).encode("cp1252")
    # xlsx: the column is gone, the rest is where it was (shifted left)
    from openpyxl import load_workbook
    ws = load_workbook(raw / "lomake.xlsx")["Lomakevastaukset 1"]
    assert [[c for c in row] for row in ws.iter_rows(values_only=True)] == [
        ["Timestamp", "Yhdistyksen nimi ", "Kotikunta"],
        ["2019/10/15 12:34:56 PM GMT+3", "Uuraisten Urheilijat", "Uurainen"],
        ["2019/10/16 12:34:56 PM GMT+3", "Multian Mieli", "Multia"],
    ]
    # the record: what was removed, never the values
    assert report.record == raw / RECORD_FILE
    text = report.record.read_text(encoding="utf-8")
    rows = json.loads(text)
    assert [(r["tiedosto"], r["sarake"], r["kysymys"], r["vastauksia"]) for r in rows] == [
        ("lomake.xlsx", "Email Address", "sahkoposti", 1),
        ("vastaukset.csv", "Sähköpostiosoite", "sahkoposti", 2),
        ("vastaukset.csv", "Yhteyshenkilön nimi", "yhteyshenkilo", 2),
        ("vastaukset.csv", "Yhteyshenkilön puhelinnumero", "puhelin", 2),
    ]
    assert {len(r["poistettu"]) for r in rows} == {10}  # ISO date
    assert "pj@kaiku.fi" not in text and "Virtanen" not in text
    # processed data untouched, settings files untouched, nothing left to remove
    assert _snapshot(processed) == processed_before
    assert (raw / "korjaukset.csv").read_text(encoding="utf-8") == "tiedosto,rivi,sarake,arvo\n"
    again = purge_personal(raw, codebook, dry_run=False)
    assert again.removed == [] and again.record is None
    assert report.record.read_text(encoding="utf-8") == text
    assert not [p for p in raw.iterdir() if ".tmp" in p.name]


def test_purge_keeps_utf8_bom_and_comma(tmp_path, codebook):
    raw = tmp_path / "raw" / "2024"
    raw.mkdir(parents=True)
    body = ('Timestamp,Email Address,Yhdistyksen nimi,Muistiinpanot\n'
            '2024/09/01 10:00:00 AM GMT+3,a@b.fi,"Kaiku, ry",soita 040 123 4567\n')
    (raw / "export.csv").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    report = purge_personal(raw, codebook, dry_run=False)
    assert (raw / "export.csv").read_bytes() == b"\xef\xbb\xbf" + (
        'Timestamp,Yhdistyksen nimi,Muistiinpanot\n'
        '2024/09/01 10:00:00 AM GMT+3,"Kaiku, ry",soita 040 123 4567\n').encode("utf-8")
    # a hand-made column that still holds a phone number is pointed out
    assert report.warnings == [
        "export.csv: sarakkeessa 'Muistiinpanot' on 1 solua, joissa näyttää olevan "
        "sähköpostiosoite tai puhelinnumero; tarkista ja poista käsin"]


def test_purge_utf16_tab_and_excel_sep_line(tmp_path, codebook):
    raw = tmp_path / "raw" / "2021"
    raw.mkdir(parents=True)
    utf16 = "Kunta\tVastaajan nimi\tVastaajan tehtävänimike\r\nMultia\tLiisa K\tsihteeri\r\n"
    (raw / "kunnat.txt").write_bytes(b"\xfe\xff" + utf16.encode("utf-16-be"))
    sep = "sep=;\r\nKunta;Sähköposti;Muuta\r\nLaukaa;l@k.fi;ok\r\n"
    (raw / "excel.csv").write_bytes(sep.encode("cp1252"))
    report = purge_personal(raw, codebook, dry_run=False)
    assert [(r.file.name, r.question, r.non_empty) for r in report.removed] == [
        ("excel.csv", "sahkoposti", 1), ("kunnat.txt", "vastaaja", 1)]
    assert (raw / "kunnat.txt").read_bytes() == b"\xfe\xff" + (
        "Kunta\tVastaajan tehtävänimike\r\nMultia\tsihteeri\r\n").encode("utf-16-be")
    assert (raw / "excel.csv").read_bytes() == b"sep=;\r\nKunta;Muuta\r\nLaukaa;ok\r\n"
    assert report.warnings == []
    # the record is not an export: ingest's wave reader would skip it
    from kartoitus.stages.ingest import CSV_SUFFIXES, XLSX_SUFFIXES
    assert report.record.suffix not in CSV_SUFFIXES + XLSX_SUFFIXES


def test_purge_refuses_processed_data_and_missing_folder(tmp_path, codebook):
    processed = tmp_path / "data" / "processed" / "2019"
    processed.mkdir(parents=True)
    with pytest.raises(KartoitusError, match="vain raakadatasta"):
        purge_personal(processed, codebook, dry_run=False)
    with pytest.raises(InputError, match="raakadatan kansiota ei ole"):
        purge_personal(tmp_path / "ei", codebook)


# -- the check-privacy driver -------------------------------------------------------------

def test_check_outputs_without_raw_waves_finds_emails_and_phones(tmp_path, settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ok.md").write_text("Jäseniä 1 040 123 456.\n", encoding="utf-8")
    (reports / "huono.txt").write_text("rivi\nSoita 040 123 4567 tai kirjoita pj@kaiku.fi\n",
                                       encoding="utf-8")
    result = check_outputs(reports, settings, tmp_path / "raw")   # no wave folders: no personal values
    assert result.values == 0
    assert [(f.path.name, f.where, f.kind, f.text) for f in result.findings] == [
        ("huono.txt", "rivi 2", "puhelin", "040 123 4567"),
        ("huono.txt", "rivi 2", "sahkoposti", "pj@kaiku.fi"),
    ]
