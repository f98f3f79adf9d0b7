"""Every real export read right, or refused out loud (issue 10).

Each shape of ``fixtures/exports/make_exports.py`` is a wave folder holding the same
association answers exported some real-world way. ``kartoitus build-data`` either
gives exactly the processed data of the clean Google Forms CSV of those answers, or
exits 1 with one Finnish line that names the file and says what to do (and writes
nothing). Then what each shape is about: Microsoft Forms' own columns, the files
not read, the flags.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kartoitus.cli import app
from kartoitus.stages import bank

HERE = Path(__file__).parent / "fixtures" / "exports"
_spec = importlib.util.spec_from_file_location("make_exports", HERE / "make_exports.py")
fx = importlib.util.module_from_spec(_spec)
sys.modules["make_exports"] = fx   # dataclasses look their module up while the script runs
_spec.loader.exec_module(fx)

YEAR = fx.YEAR
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: what a spreadsheet would run as a formula (see tests/test_injection.py)
DANGEROUS = re.compile(r"^(?:[\t\r]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])")
SAFE_PLAIN = re.compile(r"^(?:[+-]?\d+(?:[.,]\d+)?|-)$")


def _build(tmp: Path, name: str, command: str = "build-data"):
    raw, processed = tmp / "raw", tmp / "processed"
    fx.write_shape(name, raw)
    args = [command, "--raw", str(raw), "--processed", str(processed), "--year", str(YEAR)]
    if command == "build-report":
        args += ["--reports", str(tmp / "reports"), "--jobs", "1"]
    return CliRunner().invoke(app, args), processed / str(YEAR)


def _answers(folder: Path) -> pd.DataFrame:
    """The processed answers without where they came from (file, row) and the flags."""
    data = pd.read_csv(folder / "jarjestokysely.csv", dtype=str, keep_default_na=False)
    data = data.drop(columns=["tiedosto", "rivi", "liput"])
    return data.sort_values("nimi").reset_index(drop=True)


def _flags(folder: Path) -> pd.DataFrame:
    return bank.read_excel_facing_csv(folder / bank.FLAGS_FILE)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The clean Google Forms CSV of the answers, processed."""
    tmp = tmp_path_factory.mktemp("viite")
    result, folder = _build(tmp, "google_csv")
    assert result.exit_code == 0, result.output
    return _answers(folder)


def _names(rows) -> set[str]:
    return {fx.ANSWERS[i].cells["nimi"] for i in rows}


@pytest.mark.parametrize("name", list(fx.SHAPES))
def test_every_shape_gives_the_google_csv_data_or_one_finnish_error(name, tmp_path, reference):
    shape = fx.SHAPES[name]
    if shape.needs_soffice and SOFFICE is None:
        pytest.skip("LibreOffice is needed to write .xls and .ods fixtures")
    result, folder = _build(tmp_path, name)
    if shape.same:
        assert result.exit_code == 0, (result.output, result.exception)
        expected = reference[reference["nimi"].isin(_names(shape.rows))].reset_index(drop=True)
        pd.testing.assert_frame_equal(_answers(folder), expected)
        return
    assert result.exit_code == 1, (result.output, result.exception)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("virhe: ") and shape.error_file in line and shape.error_words in line, line
    assert "odottamaton" not in line and "Traceback" not in result.output
    assert not folder.exists()   # nothing written


def test_the_reference_reads_counts_with_thousands_separators(tmp_path):
    result, folder = _build(tmp_path, "google_csv")
    data = pd.read_csv(folder / "jarjestokysely.csv", dtype=str, keep_default_na=False).set_index("nimi")
    assert data.loc["Jyväskylän Eläkkeensaajat ry", "jasenmaara"] == "1200"     # "1,200", never 1.2
    assert data.loc["Kyyjärven Kyläyhdistys ry", "jasenmaara"] == "1200"        # "1 200"
    assert data.loc["Kyyjärven Kyläyhdistys ry", "vapaaehtoiset"] == "1200"     # "1.200"
    flags = _flags(folder)
    thousands = flags[flags["lippu"] == "luku_tuhaterotin"]
    assert sorted(zip(thousands["sarake"], thousands["arvo"])) == [
        ("jasenmaara", "1 200"), ("jasenmaara", "1,200"), ("vapaaehtoiset", "1.200")]


# -- Microsoft Forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ms_forms_xlsx", "ms_forms_csv", "ms_forms_fi_xlsx", "ms_forms_fi_csv"])
def test_microsoft_forms_columns(name, tmp_path):
    result, folder = _build(tmp_path, name)
    assert result.exit_code == 0, result.output
    mapping = bank.read_excel_facing_csv(folder / bank.MAPPING_FILE).set_index("sarake")
    ident, started, completed, email, person, *rest = fx.MS_COLUMNS_FI if "_fi_" in name \
        else fx.MS_COLUMNS
    assert mapping.loc[completed, ["tunnus", "tapa"]].tolist() == ["aikaleima", "tool"]
    assert mapping.loc[email, "tapa"] == mapping.loc[person, "tapa"] == "personal"
    assert {mapping.loc[c, "tapa"] for c in [ident, started, *rest]} == {"tool"}
    extras = bank.read_excel_facing_csv(folder / bank.EXTRAS_FILE)
    assert extras.empty   # nothing of Microsoft's own is an "ignored extra column"
    # the respondent's name and e-mail reach no processed file
    everything = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.csv"))
    for a in fx.ANSWERS:
        assert a.person not in everything and a.email not in everything
    # multi-selects were split at the semicolons (the bug: every option 0, all in "Muu")
    data = pd.read_csv(folder / "jarjestokysely.csv", dtype=str, keep_default_na=False).set_index("nimi")
    assert data.loc["Jyväskylän Eläkkeensaajat ry", "rahoitus__jasenmaksut"] == "1"
    assert data.loc["Äänekosken VPK", "toimialat__muu"] == "Ensiapu"


def test_an_address_column_named_username_is_personal(tmp_path):
    from kartoitus import privacy
    from kartoitus.settings import load_settings
    from kartoitus.stages import ingest

    result, folder = _build(tmp_path, "google_username")
    assert result.exit_code == 0, result.output
    mapping = bank.read_excel_facing_csv(folder / bank.MAPPING_FILE).set_index("sarake")
    assert mapping.loc["Käyttäjänimi", "tunnus"] == "sahkoposti"   # not an ignored extra
    settings = load_settings()
    raw = fx.write_shape("google_username", tmp_path / "raw2")
    values = privacy.personal_values_from_tables(ingest.read_wave(raw, settings.codebook, YEAR), settings.codebook)
    assert {a.email for a in fx.ANSWERS} <= values


def test_microsoft_forms_personal_columns_in_check_privacy_and_purge(tmp_path):
    from kartoitus import privacy
    from kartoitus.settings import load_settings
    from kartoitus.stages import ingest

    settings = load_settings()
    folder = fx.write_shape("ms_forms_xlsx", tmp_path / "raw")
    values = privacy.personal_values_from_tables(ingest.read_wave(folder, settings.codebook, YEAR),
                                                 settings.codebook)
    assert {"Maija Meikäläinen", "Pekka Palomies", "sihteeri@example.fi"} <= values
    (tmp_path / "out.html").write_text("<p>Kiitos, Pekka Palomies!</p>", encoding="utf-8")
    assert privacy.scan_path(tmp_path / "out.html", values)
    csv_folder = fx.write_shape("ms_forms_csv", tmp_path / "raw2")
    report = privacy.purge_personal(csv_folder, settings.codebook, dry_run=False)
    assert {r.column for r in report.removed} >= {"Email", "Name"}
    text = (csv_folder / "jarjestokysely_msforms.csv").read_text(encoding="utf-8-sig")
    assert "Pekka Palomies" not in text and "vpk@example.fi" not in text
    assert "Äänekosken VPK" in text   # the answers stay
    report = privacy.purge_personal(folder, settings.codebook, dry_run=False)
    assert {r.column for r in report.removed} >= {"Email", "Name"}
    again = ingest.read_wave(folder, settings.codebook, YEAR)[0]
    assert again.personal.empty and len(again.frame) == 4


def test_the_newest_answer_wins_across_sources_and_formats(tmp_path):
    """The same association answered in Google Forms and later in Microsoft Forms (and
    the reverse): the later Completion time / timestamp stands."""
    import openpyxl  # noqa: F401  (fixtures write xlsx)
    later = fx.Answer((2025, 10, 20, 8, 0, 0), "x@example.fi", "X", dict(fx.ANSWERS[0].cells, jasenmaara="1500"))
    earlier = fx.Answer((2025, 9, 1, 8, 0, 0), "x@example.fi", "X", dict(fx.ANSWERS[0].cells, jasenmaara="900"))
    for ms_answer, expected in ((later, "1500"), (earlier, "1200")):
        raw = tmp_path / f"raw{expected}" / str(YEAR)
        raw.mkdir(parents=True)
        (raw / "google.csv").write_bytes(fx.csv_bytes(fx.google_rows([fx.ANSWERS[0]])))
        (raw / "ms.xlsx").write_bytes(fx.xlsx_bytes({"Sheet1": fx.ms_rows([ms_answer])}))
        result = CliRunner().invoke(app, ["build-data", "--raw", str(raw.parent), "--processed",
                                          str(tmp_path / f"p{expected}"), "--year", str(YEAR)])
        assert result.exit_code == 0, result.output
        data = pd.read_csv(tmp_path / f"p{expected}" / str(YEAR) / "jarjestokysely.csv", dtype=str)
        assert data["jasenmaara"].tolist() == [expected]
        audit = bank.read_excel_facing_csv(tmp_path / f"p{expected}" / str(YEAR) / bank.AUDIT_FILE)
        assert sorted(audit["tila"]) == ["korvattu", "mukana"]


# -- nothing skipped in silence ----------------------------------------------------------------


def test_files_not_read_are_listed_with_the_reason(tmp_path):
    result, folder = _build(tmp_path, "identical_files")
    assert result.exit_code == 0
    skipped = bank.read_excel_facing_csv(folder / bank.SKIPPED_FILE)
    assert skipped.to_dict("records") == [{"tiedosto": "jarjestokysely.csv", "syy":
                                           "sama sisältö kuin tiedostossa jarjestokysely (1).csv: luettu kerran"}]
    assert "Ei luettu: jarjestokysely.csv (sama sisältö" in " ".join(result.output.split())
    audit = bank.read_excel_facing_csv(folder / bank.AUDIT_FILE)
    assert set(audit["tiedosto"]) == {"jarjestokysely (1).csv"} and len(audit) == 4

    result, folder = _build(tmp_path / "b", "two_sheets")
    skipped = bank.read_excel_facing_csv(folder / bank.SKIPPED_FILE)
    assert skipped["tiedosto"].tolist() == ["vastaukset.xlsx/Ohjeet"]
    audit = bank.read_excel_facing_csv(folder / bank.AUDIT_FILE)
    assert sorted(set(audit["tiedosto"])) == ["vastaukset.xlsx/Lomakkeen vastaukset 1", "vastaukset.xlsx/Paperilomakkeet"]

    result, folder = _build(tmp_path / "s", "summary_sheet")
    skipped = bank.read_excel_facing_csv(folder / bank.SKIPPED_FILE).set_index("tiedosto")["syy"]
    assert sorted(skipped.index) == ["vastaukset_ja_yhteenveto.xlsx/Pivot", "vastaukset_ja_yhteenveto.xlsx/Yhteenveto"]
    assert all("ei vastauksia (esim. yhteenveto)" in why for why in skipped)

    result, folder = _build(tmp_path / "c", "subfolder")
    skipped = bank.read_excel_facing_csv(folder / bank.SKIPPED_FILE)
    assert skipped["tiedosto"].tolist() == ["lataukset/muistiinpanot.txt.md"]
    assert set(bank.read_excel_facing_csv(folder / bank.AUDIT_FILE)["tiedosto"]) == {"lataukset/jarjestokysely.csv"}

    result, folder = _build(tmp_path / "d", "google_zip")
    assert set(bank.read_excel_facing_csv(folder / bank.AUDIT_FILE)["tiedosto"]) == {
        "Järjestökysely (vastaukset).csv.zip/Järjestökysely (vastaukset).csv"}


def test_a_question_in_no_file_is_a_loud_warning_and_recorded(tmp_path):
    result, folder = _build(tmp_path, "google_csv")
    text = " ".join(result.output.split())
    assert "VAROITUS:" in text and "puuttuu kaikista tiedostoista" in text
    missing = bank.read_excel_facing_csv(folder / bank.MISSING_FILE)
    assert "taidelajit" in set(missing["kysymys"]) and "nimi" not in set(missing["kysymys"])
    assert "yhteyshenkilo" not in set(missing["kysymys"])   # personal questions are never published


def test_duplicate_titles_are_one_question(tmp_path):
    result, folder = _build(tmp_path, "duplicate_titles")
    mapping = bank.read_excel_facing_csv(folder / bank.MAPPING_FILE)
    twice = mapping[mapping["sarake"] == fx.TITLES["jasenmaara"]]
    assert sorted(twice["tapa"]) == ["duplicate", "exact"] and set(twice["tunnus"]) == {"jasenmaara"}
    assert "sarake_ristiriita" not in set(_flags(folder)["lippu"])


# -- dates, formulas ---------------------------------------------------------------------------------


def test_day_month_order_is_decided_per_file_and_flagged_without_evidence(tmp_path):
    _, folder = _build(tmp_path, "ambiguous_dates")
    assert "aika_paivajarjestys" not in set(_flags(folder)["lippu"])
    _, folder = _build(tmp_path / "b", "ambiguous_dates_no_evidence")
    flags = _flags(folder)
    assert sorted(flags.loc[flags["lippu"] == "aika_paivajarjestys", "arvo"]) == [
        "03/10/2025 18:40:00", "12/10/2025 20:01:02"]


def test_formula_text_never_becomes_a_formula_and_the_bank_keeps_it(tmp_path):
    _, folder = _build(tmp_path, "formula_text")
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for cell in (c for row in csv.reader(fh) for c in row):
                assert not DANGEROUS.match(cell) or SAFE_PLAIN.match(cell), (path.name, cell)
    original = fx.ANSWERS[3].cells["vapaa_sana"]
    assert original in set(bank.read_processed_csv(folder / "jarjestokysely.csv")["vapaa_sana"])
    with sqlite3.connect(folder.parent / "kartoitus.sqlite") as db:
        stored = {r[0] for r in db.execute(f"SELECT vapaa_sana FROM jarjestokysely_{YEAR}")}
    assert original in stored


# -- a wave with one survey -----------------------------------------------------------------------


def test_a_wave_without_the_association_survey_says_so_in_finnish(tmp_path):
    raw = tmp_path / "raw" / str(YEAR)
    raw.mkdir(parents=True)
    (raw / "kuntakysely.csv").write_text(
        "Aikaleima,Kunta,Onko järjestöyhteistyö kirjattu kuntastrategiaan?\n"
        "2.9.2025 8.00.00,Laukaa,Kyllä\n", encoding="utf-8")
    args = ["--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "processed"), "--year", str(YEAR)]
    result = CliRunner().invoke(app, ["build-data", *args])
    assert result.exit_code == 0, result.output
    assert "ei ole kyselyn jarjestokysely vastauksia" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["build-report", *args, "--reports", str(tmp_path / "reports")])
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("virhe: ") and "järjestökyselyn" in lines[0]
    assert "odottamaton" not in result.output
    assert (tmp_path / "processed" / str(YEAR) / "kuntakysely.csv").exists()   # built what it could


def test_the_fixture_script_writes_every_shape(tmp_path):
    names = [n for n, s in fx.SHAPES.items() if not s.needs_soffice]
    for name in names:
        folder = fx.write_shape(name, tmp_path / name)
        assert any(folder.rglob("*")), name
    assert {"ms_forms_xlsx", "ms_forms_csv", "google_zip", "two_sheets", "duplicate_titles", "merged_header",
            "mac_roman", "lone_cr", "stale_correction", "malformed_correction", "identical_files",
            "ambiguous_dates", "formula_text"} <= set(fx.SHAPES)


@pytest.mark.parametrize("shape, file, codec", [("lone_cr", "jarjestokysely_cr.csv", "utf-8"),
                                                 ("mac_roman", "jarjestokysely_mac.csv", "mac_roman")])
def test_purge_keeps_lone_cr_files_whole(shape, file, codec, tmp_path, reference):
    """purge-personal rewrites a CR-only file column by column, answers intact."""
    from kartoitus import privacy
    from kartoitus.settings import load_settings

    folder = fx.write_shape(shape, tmp_path / "raw")
    report = privacy.purge_personal(folder, load_settings().codebook, dry_run=False)
    assert {r.question for r in report.removed} == {"sahkoposti", "yhteyshenkilo"}
    text = (folder / file).read_bytes().decode(codec)
    assert "sihteeri@example.fi" not in text and "Kalle Keuruulainen" not in text
    assert text.count("\r") > 4 and "terveisin hallitus" in text
    result = CliRunner().invoke(app, ["build-data", "--raw", str(tmp_path / "raw"), "--processed",
                                      str(tmp_path / "processed"), "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(_answers(tmp_path / "processed" / str(YEAR)), reference)
