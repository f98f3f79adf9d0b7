"""Tests for kartoitus.stages.ingest: every real export shape gives the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import string
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kartoitus.settings import load_settings
from kartoitus.errors import InputError, KartoitusError
from kartoitus.stages.ingest import (
    ColumnMatch,
    RawTable,
    detect_survey,
    match_columns,
    normalise_title,
    parse_timestamps,
    read_file,
    read_wave,
    scan_wave,
    sniff_csv,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
CB = load_settings().codebook   # as the CLI builds it, once

_spec = importlib.util.spec_from_file_location("ingest_fixtures", FIXTURES / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


# -- the canonical rows every export variant must give --------------------------------

EXPECTED_COLUMNS = list(fx.TITLES)


def _utc(y, m, d, hh, mm, ss, offset):
    return (dt.datetime(y, m, d, hh, mm, ss) - dt.timedelta(hours=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


EXPECTED_ROWS = {
    2: {"aikaleima": _utc(2024, 10, 15, 12, 34, 0, 3), "sahkoposti": "sihteeri@example.fi",
        "nimi": "Jyväskylän Eläkkeensaajat ry", "rekisterinumero": "123.456",
        "kotikunta": "Jyväskylä", "toiminta_alue": "Seudullinen (useampi kunta)",
        "toimintakunnat": "Jyväskylä, Muurame, Laukaa", "paatoimiala": "Eläkeläistoiminta",
        "toimintamuodot": "Vertaistuki, Tapahtumat ja tempaukset", "jasenmaara": "120",
        "palkatut_htv": "0,5", "budjetti": "1 000–9 999 €",
        "yhteistyo_tuntee": "Jokseenkin samaa mieltä", "yhteistyo_arvostus": "Täysin samaa mieltä",
        "vapaa_sana": "Kiitos yhteistyöstä,\nterveisin hallitus"},
    3: {"aikaleima": _utc(2024, 10, 16, 9, 5, 0, 3), "sahkoposti": None,
        "nimi": "Äänekosken VPK", "rekisterinumero": None, "kotikunta": "Äänekoski ",
        "toiminta_alue": "Paikallinen (yksi kunta)", "toimintakunnat": "Äänekoski",
        "paatoimiala": "Turvallisuus ja maanpuolustus (esim. VPK)",
        "toimintamuodot": "Koulutus ja valistus", "jasenmaara": "35", "palkatut_htv": None,
        "budjetti": "Alle 1 000 €", "yhteistyo_tuntee": "En osaa sanoa",
        "yhteistyo_arvostus": None, "vapaa_sana": 'Lisää "yhteisiä" tiloja; kiitos'},
    4: {"aikaleima": _utc(2024, 1, 20, 18, 0, 0, 2), "sahkoposti": "info@mll-keuruu.example",
        "nimi": "MLL:n Keuruun yhdistys", "rekisterinumero": "98.765", "kotikunta": "Keuruu",
        "toiminta_alue": "Paikallinen (yksi kunta)", "toimintakunnat": "Keuruu",
        "paatoimiala": "Lapsi- ja perhetoiminta",
        "toimintamuodot": "Vertaistuki, Kohtaamispaikka- tai olohuonetoiminta",
        "jasenmaara": "1 200", "palkatut_htv": "1,2", "budjetti": "10 000–49 999 €",
        "yhteistyo_tuntee": "Täysin samaa mieltä", "yhteistyo_arvostus": "Jokseenkin eri mieltä",
        "vapaa_sana": None},
}


def _cell(v):
    """A raw cell as text, the way the answer was typed (xlsx numbers included)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def canonical_rows(table: RawTable) -> dict[int, dict]:
    stamps, bad = parse_timestamps(table.frame["aikaleima"])
    assert not bad.any()
    utc = stamps.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = {}
    for rivi, rec in table.frame.iterrows():
        row = {c: _cell(rec[c]) for c in EXPECTED_COLUMNS if c != "aikaleima"}
        row["aikaleima"] = utc[rivi]
        out[int(rivi)] = row
    return out


def make_xlsx(path: Path) -> Path:
    """A Google Sheets download: date cells, number-like answers as number cells
    (the register number 123.456 becomes the number 123.456), one time as a serial."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Lomakkeen vastaukset 1"
    header, rows = fx.table(fx.finnish_time)
    ws.append(header)
    for answer, row in zip(fx.ANSWERS, rows):
        cells = list(row)
        cells[0] = dt.datetime(*answer[0])
        for i, key in enumerate(fx.TITLES):
            if key in ("rekisterinumero", "jasenmaara") and cells[i]:
                try:
                    cells[i] = int(cells[i]) if cells[i].isdigit() else float(cells[i])
                except ValueError:
                    pass   # "1 200" stays text, as in Sheets
            if cells[i] == "":
                cells[i] = None
        ws.append(cells)
    for r in range(2, 5):
        ws.cell(r, 1).number_format = "d.m.yyyy h:mm:ss"
    # the third answer's time as a bare serial number (a date cell whose format was lost)
    ws.cell(4, 1).value = (dt.datetime(2024, 1, 20, 18, 0, 0) - dt.datetime(1899, 12, 30)) \
        / dt.timedelta(days=1)
    ws.cell(4, 1).number_format = "General"
    wb.save(path)
    return path


VARIANTS = sorted(p.name for p in FIXTURES.glob("jarjestokysely_*")) + ["jarjestokysely_sheets.xlsx"]


def _variant_path(name: str, tmp_path: Path) -> Path:
    if name.endswith(".xlsx"):
        return make_xlsx(tmp_path / name)
    return FIXTURES / name


@pytest.mark.parametrize("name", VARIANTS)
def test_every_export_shape_gives_the_same_rows(name, tmp_path):
    table = read_file(_variant_path(name, tmp_path), CB)
    assert table.survey == "jarjestokysely"
    assert list(table.frame.index) == [2, 3, 4]
    assert table.frame.index.name == "rivi"
    assert canonical_rows(table) == EXPECTED_ROWS
    # canonical column order (codebook order), whatever the order in the file
    assert list(table.frame.columns) == EXPECTED_COLUMNS
    assert list(table.extras.index) == [2, 3, 4]


def test_all_variants_present():
    assert len(VARIANTS) == 9   # the folder of exports has not lost a file


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("jarjestokysely_forms_en.csv", "utf-8", ","),
    ("jarjestokysely_forms_fi.csv", "utf-8", ","),
    ("jarjestokysely_excel_cp1252.csv", "cp1252", ";"),
    ("jarjestokysely_excel_utf8bom.csv", "utf-8-sig", ";"),
    ("jarjestokysely_unicode_text.txt", "utf-16", "\t"),
    ("jarjestokysely_utf16be.tsv", "utf-16", "\t"),
    ("jarjestokysely_reordered.csv", "utf-8", ","),
])
def test_encoding_and_delimiter_are_kept(name, encoding, delimiter):
    data = (FIXTURES / name).read_bytes()
    assert sniff_csv(data) == (encoding, delimiter)
    table = read_file(FIXTURES / name, CB)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    # the codec reads the whole file back (BOM dropped)
    assert data.decode(encoding).startswith(("Aikaleima", "Timestamp", '"Yhdistyksen nimi"'))


def test_xlsx_keeps_cell_types(tmp_path):
    table = read_file(make_xlsx(tmp_path / "v.xlsx"), CB)
    f = table.frame
    assert (table.encoding, table.delimiter) == (None, None)
    assert f.at[2, "aikaleima"] == dt.datetime(2024, 10, 15, 12, 34, 0)
    assert isinstance(f.at[4, "aikaleima"], float)
    assert f.at[2, "rekisterinumero"] == 123.456 and isinstance(f.at[2, "rekisterinumero"], float)
    assert f.at[3, "jasenmaara"] == 35 and isinstance(f.at[3, "jasenmaara"], int)
    assert f.at[4, "jasenmaara"] == "1 200"
    assert f.at[3, "sahkoposti"] is None
    assert f["rekisterinumero"].tolist() == [123.456, None, 98.765]


def test_xlsx_int_column_with_gaps_stays_int(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Yhdistyksen nimi", "Yhdistyksen kotikunta", "Yhdistyksen päätoimiala", "Jäsenmäärä (noin)"])
    ws.append(["A ry", "Laukaa", "Nuorisotoiminta", 35])
    ws.append(["B ry", "Muurame", "Nuorisotoiminta", None])
    ws.append(["C ry", "Uurainen", "Nuorisotoiminta", ""])
    wb.save(tmp_path / "g.xlsx")
    values = read_file(tmp_path / "g.xlsx", CB).frame["jasenmaara"].tolist()
    assert values == [35, None, None] and type(values[0]) is int


def test_xlsx_register_number_as_float_and_sheet_row_numbers(tmp_path):
    # Header on row 3 (a title above it), an empty row inside the data, unused rows at the end.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = None
    ws.append([])
    ws.append(["Aikaleima", "Yhdistyksen nimi", "Yhdistyksen kotikunta", "Yhdistyksen päätoimiala",
               "Yhdistysrekisterinumero (jos tiedossa)"])
    ws.append([dt.datetime(2023, 9, 1, 8, 0), "Laukaan Kyläyhdistys", "Laukaa", "Nuorisotoiminta",
               105.23])
    ws.append([None] * 5)
    ws.append([45580.52, "Muuramen Martat", "Muurame", "Kulttuuri ja taide", "123.456"])
    ws.cell(10, 2).number_format = "0"   # a formatted but empty cell further down
    path = tmp_path / "sheet.xlsx"
    wb.save(path)
    table = read_file(path, CB)
    assert list(table.frame.index) == [4, 5, 6]
    assert table.frame.at[4, "rekisterinumero"] == 105.23
    assert table.frame.loc[5].isna().all()   # the empty row is kept (clean rejects it)
    stamps, bad = parse_timestamps(table.frame["aikaleima"])
    assert stamps[6] == pd.Timestamp("2024-10-15 09:28:48", tz="UTC")
    assert stamps[4] == pd.Timestamp("2023-09-01 05:00:00", tz="UTC")
    assert not bad.any()


def test_xlsx_picks_the_sheet_with_answers(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Ohjeet"
    wb.active.append(["Tämä välilehti on ohje"])
    ws = wb.create_sheet("Vastaukset")
    ws.append(["Aikaleima", "Kunta"])
    ws.append(["2.9.2025 8.00.00", "Laukaa"])
    path = tmp_path / "kunnat.xlsx"
    wb.save(path)
    table = read_file(path, CB)
    assert table.survey == "kuntakysely"
    assert table.frame.to_dict("index") == {2: {"aikaleima": "2.9.2025 8.00.00", "kunta": "Laukaa"}}


# -- mapping -------------------------------------------------------------------------


def test_drifted_titles_and_hand_added_columns():
    table = read_file(FIXTURES / "jarjestokysely_drifted.csv", CB)
    by_source = {m.source: m for m in table.mapping}
    assert by_source["Yhdistyksen nimi "] == ColumnMatch("Yhdistyksen nimi ", "nimi", "nimi", "exact", 100.0)
    assert by_source["Yhdistyksen kotikunta?"].method == "exact"
    assert by_source["Yhdistyksen toiminta–alue"].column == "toiminta_alue"
    m = by_source["Yhdistyksen rekisterinumero (jos tiedossa)"]
    assert (m.column, m.method) == ("rekisterinumero", "fuzzy") and 88 <= m.score < 100
    m = by_source["Arvioi yhdistyksen yhteistyötä kotikunnan kanssa? [Kunta tuntee yhdistyksen toiminnan]"]
    assert (m.column, m.question, m.method) == ("yhteistyo_tuntee", "yhteistyo", "fuzzy")
    assert by_source["Käsitelty"] == ColumnMatch("Käsitelty", None, None, "extra", 0.0)
    assert by_source["Huomiot"].method == "extra"
    assert table.extras.to_dict("index") == {
        2: {"Käsitelty": "x", "Huomiot": "soitettu 1.11."},
        3: {"Käsitelty": None, "Huomiot": None},
        4: {"Käsitelty": "x", "Huomiot": None},
    }
    assert len(table.mapping) == len(fx.TITLES) + 2


def test_grid_mapping_and_question_ids():
    s = CB.association
    grid = s.question("yhteistyo")
    titles = [f"{grid.title} [{r.label}]" for r in reversed(grid.rows)] + [
        "Yhdistyksen toimintamuodot", "Yhdistyksen päätoimiala"]
    got = match_columns(titles, s)
    assert [m.column for m in got[:6]] == [r.key for r in reversed(grid.rows)]
    assert {m.question for m in got[:6]} == {"yhteistyo"}
    assert all(m.method == "exact" and m.score == 100 for m in got)
    assert [(m.column, m.question) for m in got[6:]] == [
        ("toimintamuodot", "toimintamuodot"), ("paatoimiala", "paatoimiala")]


def test_grid_row_drift_matches_row_and_title_separately():
    s = CB.municipality
    got = match_columns([
        "Kuinka tiivistä kunnan toimialojen yhteistyö järjestöjen kanssa on [Sosiaalipalvelut]",
        "Kuinka tiivistä kunnan eri toimialojen yhteistyö järjestöjen kanssa on? [Kulttuuripalvelu]",
        "Kuinka tiivistä kunnan eri toimialojen yhteistyö järjestöjen kanssa on? [Kirjastopalvelut]",
    ], s)
    assert [(m.column, m.method) for m in got] == [
        ("ty_sosiaali", "fuzzy"), ("ty_kulttuuri", "fuzzy"), (None, "extra")]


def test_alias_and_duplicates():
    s = CB.association
    got = match_columns(["Timestamp", "Yhdistyksen nimi", "Email Address", "Yhdistyksen nimi",
                         "Muistiinpano", "Muistiinpano", "Sähköposti"], s)
    assert [(m.column, m.method) for m in got] == [
        ("aikaleima", "alias"), ("nimi", "exact"), ("sahkoposti", "alias"), ("nimi", "duplicate"),
        (None, "extra"), (None, "extra"), ("sahkoposti", "duplicate")]


def test_exact_title_beats_an_earlier_alias():
    got = match_columns(["Sähköposti", "Sähköpostiosoite"], CB.association)
    assert [(m.column, m.method) for m in got] == [("sahkoposti", "duplicate"), ("sahkoposti", "exact")]


def test_fuzzy_best_score_wins_and_each_question_once():
    got = match_columns(["Aktiivisten vapaaehtoisten lukumäärä (noin)",
                         "Aktiivisten vapaaehtoisten määrä noin", "Jäsenmäärä noin",
                         "Jäsenmäärä (noin) ?"], CB.association)
    assert [(m.column, m.method, m.score) for m in got] == [
        (None, "extra", 0.0), ("vapaaehtoiset", "fuzzy", 100.0), (None, "extra", 0.0),
        ("jasenmaara", "exact", 100.0)]


def test_short_hand_added_titles_do_not_fuzzy_match():
    got = match_columns(["Yhdistyksen nimi", "Nimi", "Kunta", "Huom", "Yhteyshenkilö",
                         "Käsitelty", "Yhdistyksen kotikunta", "Kommentti"], CB.association)
    assert [m.column for m in got] == ["nimi", None, None, None, None, None, "kotikunta", None]


def test_duplicate_titles_in_a_file(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("Yhdistyksen nimi,Yhdistyksen kotikunta,Yhdistyksen päätoimiala,Huom,Huom,"
                 "Yhdistyksen nimi\nA ry,Laukaa,Nuorisotoiminta,x,y,B ry\n", encoding="utf-8")
    t = read_file(p, CB)
    # the second column of the question is merged into the first; the row's two answers
    # differ, so the first stands and the row is flagged (never dropped)
    assert t.frame.to_dict("index") == {
        2: {"nimi": "A ry", "kotikunta": "Laukaa", "paatoimiala": "Nuorisotoiminta"}}
    assert t.extras.to_dict("index") == {2: {"Huom": "x", "Huom (2)": "y"}}
    assert [m.method for m in t.mapping] == ["exact", "exact", "exact", "extra", "extra", "duplicate"]
    assert t.notes[["rivi", "sarake", "arvo", "lippu"]].to_dict("records") == [
        {"rivi": 2, "sarake": "nimi", "arvo": "A ry | B ry", "lippu": "sarake_ristiriita"}]


def test_normalise_title():
    assert normalise_title("  Yhdistyksen\u00a0 NIMI ?: ") == "yhdistyksen nimi"
    assert normalise_title("1 000\u20139 999 €") == "1 000-9 999 €"
    assert normalise_title("\ufeffAikaleima") == "aikaleima"
    assert normalise_title("Onko \u201djärjestö\u201d ok\u2026") == 'onko "järjestö" ok\u2026'
    assert normalise_title("Lapsi\u2010 ja perhetoiminta.") == "lapsi- ja perhetoiminta"
    assert normalise_title("Ka\u0308yttääkö") == "käyttääkö"   # decomposed ä (macOS)


# -- survey detection --------------------------------------------------------------------


def test_detect_both_surveys():
    assert detect_survey(["Timestamp", "Email Address", "Yhdistyksen nimi", "Yhdistyksen kotikunta"],
                         CB) == "jarjestokysely"
    assert detect_survey(["Aikaleima", "Kunta", "Vastaajan nimi"], CB) == "kuntakysely"
    # shared titles only say nothing; drifted titles are still recognised
    assert detect_survey(["Aikaleima", "Yhdistyksen virallinen nimi", "Yhdistyksen kotikunta?"],
                         CB) == "jarjestokysely"
    assert detect_survey(["Aikaleima", "Kunnan nimi", "Onko järjestöyhteistyö kirjattu strategiaan?"],
                         CB) == "kuntakysely"


def test_detect_survey_errors():
    with pytest.raises(KartoitusError, match="ei näytä kummaltakaan kyselyltä"):
        detect_survey(["Aikaleima", "Sähköpostiosoite"], CB)
    with pytest.raises(KartoitusError, match="sopii yhtä hyvin kyselyihin jarjestokysely ja kuntakysely"):
        detect_survey(["Yhdistyksen nimi", "Kunta"], CB)


def test_kuntakysely_fixture():
    t = read_file(FIXTURES / "kuntakysely_forms_fi.csv", CB)
    assert t.survey == "kuntakysely"
    assert list(t.frame.columns) == ["aikaleima", "sahkoposti", "kunta", "vastaaja",
                                     "vastaajan_tehtava", "strategia", "avustukset_eur",
                                     "ty_sosiaali", "ty_kulttuuri", "kokonaisarvio"]
    assert t.frame.loc[3].to_dict() == {
        "aikaleima": "3.9.2025 14.30.15", "sahkoposti": None, "kunta": "Jyväskylä",
        "vastaaja": None, "vastaajan_tehtava": "kaupunginjohtaja", "strategia": "Valmisteilla",
        "avustukset_eur": "n. 40000", "ty_sosiaali": "Satunnaista", "ty_kulttuuri": "En osaa sanoa",
        "kokonaisarvio": "3"}
    stamps, _ = parse_timestamps(t.frame["aikaleima"])
    assert stamps[2] == pd.Timestamp("2025-09-02 05:00:00", tz="UTC")


# -- CSV shapes -------------------------------------------------------------------------------


HEAD = "Yhdistyksen nimi;Yhdistyksen kotikunta;Yhdistyksen päätoimiala;Jäsenmäärä (noin)"


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_empty_rows_kept_trailing_blank_lines_dropped(tmp_path):
    text = (HEAD + "\r\n" + '"A ry";Laukaa;"Monta\r\nriviä";035\r\n' + ";;;\r\n" + "\r\n"
            + "B ry;Uurainen;Nuorisotoiminta;\r\n" + ";;;\r\n;;;\r\n" + "\r\n\r\n")
    t = read_file(_write(tmp_path, "a.csv", text, "cp1252"), CB)
    assert list(t.frame.index) == [2, 3, 4, 5, 6, 7]
    assert t.frame.at[2, "jasenmaara"] == "035"        # text stays text
    assert t.frame.at[2, "paatoimiala"] == "Monta\r\nriviä"
    assert t.frame.loc[[3, 4, 6, 7]].isna().all(axis=None)
    assert t.frame.at[5, "nimi"] == "B ry" and t.frame.at[5, "jasenmaara"] is None


def test_header_only_gives_an_empty_frame(tmp_path):
    t = read_file(_write(tmp_path, "h.csv", HEAD + "\r\n"), CB)
    assert t.frame.empty and list(t.frame.columns) == ["nimi", "kotikunta", "paatoimiala", "jasenmaara"]
    assert len(t.extras) == 0


def test_trailing_delimiter_column_is_ignored_and_untitled_data_is_extra(tmp_path):
    t = read_file(_write(tmp_path, "t.csv", HEAD + ";;\nA ry;Laukaa;Liikunta ja urheilu;12;;huom\n"), CB)
    assert list(t.frame.columns) == ["nimi", "kotikunta", "paatoimiala", "jasenmaara"]
    assert t.extras.to_dict("index") == {2: {"(nimetön sarake F)": "huom"}}
    assert [m.source for m in t.mapping if m.method == "extra"] == [""]


def test_excel_sep_line(tmp_path):
    t = read_file(_write(tmp_path, "s.csv", "sep=;\r\n" + HEAD + "\r\nA ry;Laukaa;Ympäristö ja luonto;3\r\n"), CB)
    assert t.delimiter == ";"
    assert t.frame.to_dict("index") == {3: {"nimi": "A ry", "kotikunta": "Laukaa",
                                            "paatoimiala": "Ympäristö ja luonto", "jasenmaara": "3"}}


def test_semicolon_file_whose_titles_contain_commas():
    header = ["Yhdistyksen nimi", "Yhdistyksen kotikunta", "Yhdistyksen päätoimiala",
              "Taidelaji (vastaa, jos yhdistys toimii kulttuurin tai taiteen alalla)",
              "Mille toimialoille yhdistyksen toiminta kohdistuu? (valitse kaikki sopivat)"]
    body = ";".join(header) + "\r\nA ry;Laukaa;Kulttuuri ja taide;Musiikki, Tanssi;Liikunta ja urheilu\r\n"
    assert sniff_csv(body.encode("cp1252")) == ("cp1252", ";")
    assert sniff_csv(";".join(header).encode()) == ("utf-8", ";")   # header only


# -- errors ------------------------------------------------------------------------------


def _error(path) -> str:
    with pytest.raises(InputError) as info:
        read_file(path, CB)
    assert info.value.path == Path(path)
    return str(info.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b";;;\r\n;;;\r\n", b"\xff\xfe"])
def test_empty_file(tmp_path, content):
    msg = _error(_write(tmp_path, "tyhja.csv", content))
    assert msg.startswith("tyhja.csv: tiedosto on tyhjä")
    assert "Lataa vastaukset lomakkeelta uudelleen" in msg


def test_header_matches_no_survey(tmp_path):
    msg = _error(_write(tmp_path, "muu.csv", "Nimi,Osoite,Puhelin\nA,B,C\n"))
    assert msg.startswith("muu.csv: tiedosto ei näytä kummaltakaan kyselyltä: ")
    assert "'Nimi', 'Osoite', 'Puhelin'" in msg


def test_no_header_row(tmp_path):
    msg = _error(_write(tmp_path, "ilman.csv", "A ry,Laukaa,Liikunta ja urheilu\nB ry,Muurame,Nuorisotoiminta\n"))
    assert "tiedosto ei näytä kummaltakaan kyselyltä" in msg
    assert "ensimmäisellä rivillä" in msg


def test_required_question_missing(tmp_path):
    msg = _error(_write(tmp_path, "puuttuu.csv", "Aikaleima,Yhdistyksen nimi,Yhdistyksen päätoimiala\n"
                                                 "1.1.2024 10.00.00,A ry,Nuorisotoiminta\n"))
    assert msg.startswith("puuttuu.csv: pakollinen kysymys puuttuu: \u201dYhdistyksen kotikunta\u201d (kotikunta).")
    msg = _error(_write(tmp_path, "kaksi.csv", "Aikaleima,Yhdistyksen nimi,Jäsenmäärä (noin)\n"))
    assert ("pakollisia kysymyksiä puuttuu: \u201dYhdistyksen kotikunta\u201d (kotikunta); "
            "\u201dYhdistyksen päätoimiala\u201d (paatoimiala)") in msg
    assert "palauta otsikko lomakkeen mukaiseksi" in msg


def test_ragged_row(tmp_path):
    msg = _error(_write(tmp_path, "rikki.csv", HEAD + "\nA ry;Laukaa;Nuorisotoiminta;1\nB ry;Muurame;x;2;3\n"))
    assert msg.startswith("rikki.csv, rivi 3: rivillä on 5 kenttää, kun otsikkorivillä on 4")


def test_broken_old_excel_and_unknown_formats(tmp_path):
    # .xls is read (python-calamine); a broken one says what to do
    msg = _error(_write(tmp_path, "vanha.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))
    assert msg.startswith("vanha.xls: tiedosto on vioittunut tai keskeneräinen")
    assert "tallenna se uudelleen .xlsx-muodossa" in msg
    assert "tuntematon tiedostomuoto .pdf" in _error(_write(tmp_path, "x.pdf", b"%PDF"))
    assert "tiedostoa ei löydy" in _error(tmp_path / "eiole.csv")


def test_password_protected_xlsx(tmp_path):
    # An encrypted workbook is an OLE compound file, not a zip.
    msg = _error(_write(tmp_path, "salattu.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500))
    assert msg.startswith("salattu.xlsx: tiedosto ei ole tavallinen .xlsx-tiedosto vaan salasanalla suojattu")
    assert "poista salasanasuojaus" in msg


@pytest.mark.parametrize("keep", ["start", "half", "most"])
def test_truncated_xlsx(tmp_path, keep):
    good = make_xlsx(tmp_path / "hyva.xlsx").read_bytes()
    n = {"start": 100, "half": len(good) // 2, "most": len(good) - 300}[keep]
    msg = _error(_write(tmp_path, "katkennut.xlsx", good[:n]))
    assert msg.startswith("katkennut.xlsx: tiedosto on vioittunut tai keskeneräinen")
    assert "tallenna se uudelleen .xlsx-muodossa" in msg


def test_xlsx_not_a_workbook(tmp_path):
    msg = _error(_write(tmp_path, "teksti.xlsx", "Yhdistyksen nimi;Kunta\n"))
    assert msg.startswith("teksti.xlsx: tiedosto ei ole .xlsx-muodossa")


def test_empty_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "tyhja.xlsx")
    assert "tiedosto on tyhjä" in _error(tmp_path / "tyhja.xlsx")


def test_xlsx_without_survey_header(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Nimi", "Puhelin"])
    wb.save(tmp_path / "muu.xlsx")
    assert _error(tmp_path / "muu.xlsx").startswith("muu.xlsx: tiedosto ei näytä kummaltakaan kyselyltä")


def test_required_check_respects_year(tmp_path):
    # A required question not asked in the wave's year is not demanded.
    from dataclasses import replace
    from kartoitus.settings.codebook import Codebook
    s = CB.association
    qs = tuple(replace(q, since=2030) if q.id == "paatoimiala" else q for q in s.questions)
    cb = Codebook({**CB.surveys, s.id: replace(s, questions=qs)}, CB.municipalities, CB.version)
    p = _write(tmp_path, "v.csv", "Yhdistyksen nimi,Yhdistyksen kotikunta\nA ry,Laukaa\n")
    assert read_file(p, cb, year=2024).frame.to_dict("index") == {2: {"nimi": "A ry", "kotikunta": "Laukaa"}}
    with pytest.raises(InputError, match="paatoimiala"):
        read_file(p, cb, year=2030)


# -- waves --------------------------------------------------------------------------------


def test_read_wave(tmp_path):
    for name in ["b.csv", "a.csv", "kysely.toml", "korjaukset.csv", ".hidden.csv", "~$lukko.xlsx",
                 "muistio.docx"]:
        src = FIXTURES / ("jarjestokysely_forms_fi.csv" if name.endswith(".csv") else "kuntakysely_forms_fi.csv")
        (tmp_path / name).write_bytes(src.read_bytes())
    (tmp_path / "c.TXT").write_bytes((FIXTURES / "kuntakysely_forms_fi.csv").read_bytes())
    (tmp_path / "alikansio").mkdir()
    make_xlsx(tmp_path / "d.xlsx")
    (tmp_path / "alikansio" / "e.csv").write_bytes(
        (FIXTURES / "jarjestokysely_forms_en.csv").read_bytes())
    wave = scan_wave(tmp_path, CB, 2024)
    assert [t.name for t in wave.tables] == ["a.csv", "alikansio/e.csv", "c.TXT", "d.xlsx"]
    assert [t.survey for t in wave.tables] == ["jarjestokysely", "jarjestokysely", "kuntakysely",
                                               "jarjestokysely"]
    # nothing is left out in silence: every other file has its reason
    reasons = {s.name: s.reason for s in wave.skipped}
    assert set(reasons) == {".hidden.csv", "b.csv", "korjaukset.csv", "kysely.toml", "muistio.docx",
                            "~$lukko.xlsx"}
    assert reasons["b.csv"] == "sama sisältö kuin tiedostossa a.csv: luettu kerran"
    assert "lukitustiedosto" in reasons["~$lukko.xlsx"] and "docx" in reasons["muistio.docx"]
    assert [t.name for t in read_wave(tmp_path, CB, 2024)] == [t.name for t in wave.tables]


def test_read_wave_stops_at_first_bad_file(tmp_path):
    (tmp_path / "a.csv").write_bytes((FIXTURES / "jarjestokysely_forms_fi.csv").read_bytes())
    (tmp_path / "b.csv").write_bytes(b"")
    (tmp_path / "c.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"^b\.csv: tiedosto on tyhjä"):
        read_wave(tmp_path, CB)
    (tmp_path / "b.csv").unlink()
    with pytest.raises(InputError, match=r"^c\.xls: tiedosto on vioittunut"):
        read_wave(tmp_path, CB)
    with pytest.raises(InputError, match="kansiota ei löydy"):
        read_wave(tmp_path / "ei", CB)


# -- timestamps ------------------------------------------------------------------------------


@pytest.mark.parametrize("value, utc", [
    ("2019/10/15 12:34:56 PM GMT+3", "2019-10-15 09:34:56"),
    ("2019/10/15 12:34:56 AM GMT+3", "2019-10-14 21:34:56"),
    ("2019/10/15 1:05:00 pm GMT+3", "2019-10-15 10:05:00"),
    ("2020/01/15 9:00:00 AM GMT+2", "2020-01-15 07:00:00"),
    ("2019/10/15 12:34:56 GMT+3", "2019-10-15 09:34:56"),
    ("2019/10/15 12:34:56 PM GMT", "2019-10-15 12:34:56"),
    ("2019/10/15 12:34:56 GMT+03:00", "2019-10-15 09:34:56"),
    ("2019/10/15 12:34:56", "2019-10-15 09:34:56"),            # no zone: Helsinki
    ("15.10.2019 12.34.56", "2019-10-15 09:34:56"),             # summer time, +3
    ("15.1.2020 12.34.56", "2020-01-15 10:34:56"),              # winter time, +2
    ("15.10.2019 12:34", "2019-10-15 09:34:00"),
    ("15.10.2019 12:34:56", "2019-10-15 09:34:56"),
    ("05.03.2021 7:04", "2021-03-05 05:04:00"),
    ("10/15/2019 12:34:56", "2019-10-15 09:34:56"),             # US sheet locale
    ("2019-10-15T12:34:56+03:00", "2019-10-15 09:34:56"),
    ("2019-10-15T09:34:56Z", "2019-10-15 09:34:56"),
    ("2019-10-15 12:34:56", "2019-10-15 09:34:56"),
    ("2020-01-15T12:34", "2020-01-15 10:34:00"),
    ("  15.10.2019 12.34.56 ", "2019-10-15 09:34:56"),
    ("31.3.2019 2:30", "2019-03-31 00:30:00"),                  # last winter-time hour
    ("31.3.2019 4:30", "2019-03-31 01:30:00"),                  # first summer-time hour
    ("31.3.2019 3:30", "2019-03-31 01:00:00"),                  # does not exist: moved to 4:00
    ("27.10.2019 3:30", "2019-10-27 00:30:00"),                 # happens twice: summer time
    ("27.10.2019 4:30", "2019-10-27 02:30:00"),
    ("45580.52", "2024-10-15 09:28:48"),
])
def test_timestamp_text_formats(value, utc):
    stamps, bad = parse_timestamps(pd.Series([value], index=[7]))
    assert not bad[7]
    assert stamps[7] == pd.Timestamp(utc, tz="UTC")
    assert str(stamps.dt.tz) == "Europe/Helsinki"


def test_timestamp_cells_and_missing_and_bad():
    values = pd.Series([
        dt.datetime(2024, 10, 15, 12, 28, 48), pd.Timestamp("2024-01-15 12:00"),
        pd.Timestamp("2024-01-15 12:00", tz="UTC"), dt.date(2024, 6, 1), 45580.52, 45580,
        None, np.nan, "", "   ", pd.NaT,
        "nonsense", "31.2.2019 10.00.00", "2019/10/15 13:00:00 PM GMT+3", True, dt.time(12, 0), -5.0,
    ], index=range(10, 27))
    stamps, bad = parse_timestamps(values)
    utc = stamps.dt.tz_convert("UTC")
    assert utc[10] == pd.Timestamp("2024-10-15 09:28:48", tz="UTC")
    assert utc[11] == pd.Timestamp("2024-01-15 10:00", tz="UTC")
    assert utc[12] == pd.Timestamp("2024-01-15 12:00", tz="UTC")
    assert utc[13] == pd.Timestamp("2024-05-31 21:00", tz="UTC")
    assert utc[14] == pd.Timestamp("2024-10-15 09:28:48", tz="UTC")
    assert utc[15] == pd.Timestamp("2024-10-14 21:00", tz="UTC")
    assert stamps.loc[16:].isna().all()
    assert bad.tolist() == [False] * 11 + [True] * 6
    assert list(bad.index) == list(values.index)


def test_timestamps_day_first_slash_dates_when_needed():
    stamps, bad = parse_timestamps(pd.Series(["1/2/2024 10:00:00", "25/2/2024 10:00:00"]))
    assert not bad.any()
    assert stamps.dt.tz_convert("UTC").tolist() == [pd.Timestamp("2024-02-01 08:00", tz="UTC"),
                                                   pd.Timestamp("2024-02-25 08:00", tz="UTC")]


def test_timestamps_many_values_per_distinct_value():
    values = pd.Series(["15.10.2019 12.34.56", "2019/10/15 12:34:56 PM GMT+3", None] * 20_000)
    stamps, bad = parse_timestamps(values)
    assert stamps.notna().sum() == 40_000 and not bad.any()
    assert stamps.dt.tz_convert("UTC").dropna().eq(pd.Timestamp("2019-10-15 09:34:56", tz="UTC")).all()


# -- sniffing: property test ---------------------------------------------------------------

REQUIRED = ["Yhdistyksen nimi", "Yhdistyksen kotikunta", "Yhdistyksen päätoimiala",
            "Terveiset kunnalle ja maakunnalle"]
_TEXT = string.ascii_letters + string.digits + " äöåÄÖÅé-.()'\"\n"


@st.composite
def exports(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    alphabet = _TEXT + delimiter + ("" if encoding == "cp1252" else "€")
    in_cell = draw(st.sampled_from(["\n", "\r\n"]))   # line break inside a cell
    cell = st.text(alphabet=alphabet, max_size=12).map(lambda t: t.replace("\n", in_cell))
    rows = draw(st.lists(st.lists(cell, min_size=4, max_size=4), min_size=0, max_size=8))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    return delimiter, encoding, newline, rows


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(exports())
def test_sniff_and_read_round_trip(tmp_path, export):
    delimiter, encoding, newline, rows = export
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(REQUIRED)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    got_encoding, got_delimiter = sniff_csv(data)
    assert got_delimiter == delimiter
    assert data.decode(got_encoding) == buf.getvalue()
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    table = read_file(path, CB)
    frame = table.frame[["nimi", "kotikunta", "paatoimiala", "vapaa_sana"]]
    expected = [[v if v != "" else None for v in r] for r in rows]
    assert frame.values.tolist() == expected
    assert list(frame.index) == list(range(2, 2 + len(rows)))
