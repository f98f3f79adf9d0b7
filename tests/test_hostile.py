"""Broken and hostile input: one clear error or a clean audit, never a traceback,
never a half-written wave, never a change to another wave.

A data bank with two demo waves (2024, 2025) is built once; each case drops one
hostile file into the 2025 raw folder, runs ``kartoitus build-data`` through the
CLI and checks the outcome:

- an error: exit code 1, exactly one line on stderr, starting ``virhe:`` and
  naming the file, and the processed 2025 folder, the SQLite file and 2024's
  folder, tables and reports byte-identical to before;
- a clean audit: exit code 0, every raw row of the file in ``audit.csv`` as kept,
  replaced or rejected (with a reason), the expected flags, and 2024 unchanged.

Property-based tests push random bytes through ``ingest.read_file`` and random
cells through ``build.process_tables``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kartoitus.stages import bank
from kartoitus.stages import ingest
from kartoitus.build.pipeline import build_data, process_tables
from kartoitus.cli import app
from kartoitus.settings import load_settings
from kartoitus.demo import write_demo_wave
from kartoitus.errors import InputError, KartoitusError
from kartoitus.stages.wave import read_window, resolve_wave

YEAR, OLD = 2025, 2024
FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
OLE = bytes.fromhex("D0CF11E0A1B11AE1")
SETTINGS = load_settings()   # as the CLI builds it, once
CB = SETTINGS.codebook


def title(qid: str) -> str:
    return CB.association.question(qid).title


# -- the data bank under test ----------------------------------------------------------


@pytest.fixture(scope="module")
def bank_root(tmp_path_factory, settings) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_demo_wave(root / "raw" / str(OLD), settings, year=OLD, n_associations=40, seed=2)
    write_demo_wave(root / "raw" / str(YEAR), settings, year=YEAR, n_associations=40, seed=1)
    for year in (OLD, YEAR):
        build_data(resolve_wave(root / "raw", root / "processed", None, year), SETTINGS)
    reports = root / "reports" / str(OLD)        # stands for 2024's finished reports
    reports.mkdir(parents=True)
    (reports / f"jarjestokartoitus-{OLD}.pdf").write_bytes(b"%PDF-1.7 raportti 2024")
    return root


def _hashes(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _old_wave(root: Path) -> dict:
    """2024 as the researcher would see it: processed files, bank tables and rows, reports."""
    db = root / "processed" / "kartoitus.sqlite"
    return {"processed": _hashes(root / "processed" / str(OLD)),
            "bank": bank.wave_digest(db, OLD),
            "reports": _hashes(root / "reports" / str(OLD))}


def _snapshot(root: Path) -> dict:
    db = root / "processed" / "kartoitus.sqlite"
    return {"old": _old_wave(root), "new": _hashes(root / "processed" / str(YEAR)),
            "db": hashlib.sha256(db.read_bytes()).hexdigest(),
            "reports_new": (root / "reports" / str(YEAR)).exists()}


def _base_rows(root: Path) -> list[list[str]]:
    path = root / "raw" / str(YEAR) / "jarjestokysely_vastaukset.csv"
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _answers(root: Path, edits: list[dict[str, str]]) -> list[list[str]]:
    """Header + one answer per edit dict (title -> cell), each a distinct association."""
    rows = _base_rows(root)
    header, template = rows[0], rows[1]
    out = [header]
    for i, edit in enumerate(edits):
        row = list(template)
        row[header.index(title("nimi"))] = f"Vihamielisen syötteen testiyhdistys {i} ry"
        row[header.index(title("rekisterinumero"))] = ""
        for t, v in edit.items():
            row[header.index(t)] = v
        out.append(row)
    return out


def _run(root: Path, name: str, data: bytes, command: str = "build-data"):
    target = root / "raw" / str(YEAR) / name
    target.write_bytes(data)
    try:
        args = [command, "--raw", str(root / "raw"), "--processed", str(root / "processed"),
                "--year", str(YEAR)]
        if command == "build-report":
            args += ["--reports", str(root / "reports")]
        return CliRunner().invoke(app, args)
    finally:
        target.unlink()


def _assert_one_error_line(result, name: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("virhe:") and name in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


# -- broken files: one clear error, nothing written ----------------------------------------


def _mixed(root: Path) -> bytes:
    rows = _answers(root, [{}, {}, {}])
    lines = _csv_bytes(rows).split(b"\n")
    lines[2] = lines[2].decode("utf-8").encode("cp1252", errors="replace")   # one line saved by Excel
    return b"\n".join(lines)


def _big_cell(root: Path) -> bytes:
    return _csv_bytes(_answers(root, [{title("nimi"): "A" * 1_000_000}]))


def _truncated_xlsx(root: Path) -> bytes:
    data = (root / "raw" / str(YEAR) / "jarjestokysely_myohastyneet.xlsx").read_bytes()
    return data[: len(data) // 2]


BROKEN = {
    # name: (file bytes, words the error must contain)
    "tyhja.csv": (lambda root: b"", "tyhjä"),
    "vain_nolla.csv": (lambda root: b"\x00" * 64 + b"\r\n", "tyhjä"),
    "salattu.xlsx": (lambda root: (FIXTURES / "salattu.xlsx").read_bytes(), "salasana"),
    "katkennut.xlsx": (_truncated_xlsx, "vioittunut"),
    "roskaa.xlsx": (lambda root: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, ".xlsx"),
    "vaara_kysely.csv": (lambda root: (FIXTURES / "vaara_kysely.csv").read_bytes(), "kummaltakaan kyselyltä"),
    "sekamerkisto.csv": (_mixed, "3. rivillä"),
    "iso_solu.csv": (_big_cell, "1\u00a0000\u00a0000 merkkiä"),
    "vanha.xls": (lambda root: OLE + b"\x00" * 512, ".xlsx"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_file_is_one_clear_error_and_changes_nothing(bank_root, name):
    make, words = BROKEN[name]
    before = _snapshot(bank_root)
    result = _run(bank_root, name, make(bank_root))
    line = _assert_one_error_line(result, name)
    assert words in line
    assert _snapshot(bank_root) == before


def test_password_protected_xlsx_names_the_file_through_the_library(bank_root, tmp_path):
    path = tmp_path / "salattu.xlsx"
    path.write_bytes(OLE + b"junk" * 200)
    with pytest.raises(InputError) as exc:
        ingest.read_file(path, CB, YEAR)
    assert str(exc.value).startswith("salattu.xlsx: ") and "salasana" in str(exc.value)


def test_a_broken_2025_keeps_2024_and_its_reports_through_build_report(bank_root):
    before = _snapshot(bank_root)
    result = _run(bank_root, "katkennut.xlsx", _truncated_xlsx(bank_root), command="build-report")
    _assert_one_error_line(result, "katkennut.xlsx")
    after = _snapshot(bank_root)
    assert after == before
    assert not (bank_root / "reports" / str(YEAR)).exists()


def test_markup_in_a_title_is_still_one_error_line(bank_root):
    result = _run(bank_root, "merkinta.csv", b"id,[/x],[bold]hinta\n1,2,3\n")
    _assert_one_error_line(result, "merkinta.csv")


# -- hostile but readable files: a clean audit ------------------------------------------------


def _audit_of(root: Path, name: str) -> pd.DataFrame:
    audit = bank.read_excel_facing_csv(root / "processed" / str(YEAR) / bank.AUDIT_FILE)
    return audit[audit["tiedosto"] == name]


def _flags_of(root: Path, name: str) -> pd.DataFrame:
    flags = bank.read_excel_facing_csv(root / "processed" / str(YEAR) / bank.FLAGS_FILE)
    return flags[flags["tiedosto"] == name]


def _run_clean(root: Path, name: str, data: bytes, rows: int) -> pd.DataFrame:
    """Build with the file; assert exit 0, 2024 untouched and the file's audit adds up."""
    old = _old_wave(root)
    result = _run(root, name, data)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    audit = _audit_of(root, name)
    assert len(audit) == rows
    assert sorted(audit["rivi"].astype(int)) == list(range(2, 2 + rows))
    assert set(audit["tila"]) <= {"mukana", "korvattu", "hylätty"}
    assert (audit.loc[audit["tila"] == "hylätty", "syy"] != "").all()
    kept = pd.read_csv(root / "processed" / str(YEAR) / "jarjestokysely.csv", dtype=str)
    assert (kept["tiedosto"] == name).sum() == (audit["tila"] == "mukana").sum()
    summary = pd.read_csv(root / "processed" / str(YEAR) / bank.AUDIT_FILE, dtype=str)
    assert summary["tila"].value_counts().sum() == len(summary)
    assert _old_wave(root) == old
    return audit


def test_header_only_adds_no_rows(bank_root):
    rows = _base_rows(bank_root)[:1]
    _run_clean(bank_root, "vain_otsikot.csv", _csv_bytes(rows), rows=0)
    mapping = bank.read_excel_facing_csv(bank_root / "processed" / str(YEAR) / bank.MAPPING_FILE)
    assert (mapping["tiedosto"] == "vain_otsikot.csv").sum() == len(rows[0])


def test_every_answer_empty_is_rejected_as_empty(bank_root):
    header = _base_rows(bank_root)[0]
    rows = [header] + [[""] * len(header) for _ in range(3)]
    audit = _run_clean(bank_root, "tyhjat_vastaukset.csv", _csv_bytes(rows), rows=3)
    assert (audit["tila"] == "hylätty").all()
    assert set(audit["syy"]) == {"tyhjä vastaus"}


def test_duplicated_header_title_is_listed_and_the_first_column_counts(bank_root):
    rows = _answers(bank_root, [{}, {}])
    rows[0] = rows[0] + [title("nimi")]
    rows[1] = rows[1] + ["Toinen nimi samalla otsikolla"]
    rows[2] = rows[2] + [""]
    audit = _run_clean(bank_root, "tuplaotsikko.csv", _csv_bytes(rows), rows=2)
    assert (audit["tila"] == "mukana").all()
    mapping = bank.read_excel_facing_csv(bank_root / "processed" / str(YEAR) / bank.MAPPING_FILE)
    mine = mapping[(mapping["tiedosto"] == "tuplaotsikko.csv") & (mapping["sarake"] == title("nimi"))]
    assert sorted(mine["tapa"]) == ["duplicate", "exact"]
    kept = pd.read_csv(bank_root / "processed" / str(YEAR) / "jarjestokysely.csv", dtype=str)
    names = set(kept.loc[kept["tiedosto"] == "tuplaotsikko.csv", "nimi"])
    assert names == {"Vihamielisen syötteen testiyhdistys 0 ry", "Vihamielisen syötteen testiyhdistys 1 ry"}


def test_nul_bytes_are_dropped_before_anything_is_written(bank_root):
    rows = _answers(bank_root, [{title("nimi"): "Nolla\x00tavu ry"}, {}])
    data = b"\x00\x00" + _csv_bytes(rows).replace(b"ry,", b"r\x00y,", 1)
    audit = _run_clean(bank_root, "nollatavut.csv", data, rows=2)
    assert (audit["tila"] == "mukana").all()
    for path in (bank_root / "processed" / str(YEAR)).glob("*.csv"):
        assert b"\x00" not in path.read_bytes(), path.name
    kept = pd.read_csv(bank_root / "processed" / str(YEAR) / "jarjestokysely.csv", dtype=str)
    assert "Nollatavu ry" in set(kept["nimi"])


def test_dates_in_the_future_and_before_the_survey_opened_are_kept_and_flagged(bank_root):
    opened, _ = read_window(bank_root / "raw" / str(YEAR))
    ts = _base_rows(bank_root)[0][0]
    rows = _answers(bank_root, [{ts: "2099/01/01 12:00:00 PM GMT+2"},
                                {ts: f"{opened.year - 1}/01/15 10:00:00 AM GMT+2"},
                                {ts: "ei päivämäärä"}])
    audit = _run_clean(bank_root, "paivat.csv", _csv_bytes(rows), rows=3)
    assert (audit["tila"] == "mukana").all()
    flags = _flags_of(bank_root, "paivat.csv")
    by_row = flags.groupby("rivi")["lippu"].agg(set)
    assert "aika_tulevaisuudessa" in by_row["2"]     # the more specific of the two
    assert "aika_ikkunan_ulkopuolella" in by_row["3"]
    assert "aika_tulkitsematon" in by_row["4"]


def test_negative_and_absurd_numbers_are_kept_and_flagged(bank_root):
    members = title("jasenmaara")
    rows = _answers(bank_root, [{members: "-5"}, {members: "1000000"}, {members: "1e308"},
                                {members: "9" * 400}])
    audit = _run_clean(bank_root, "luvut.csv", _csv_bytes(rows), rows=4)
    assert (audit["tila"] == "mukana").all()
    flags = _flags_of(bank_root, "luvut.csv")
    mine = flags[flags["sarake"] == "jasenmaara"]
    assert set(mine["rivi"]) == {"2", "3", "4", "5"}
    assert set(mine["lippu"]) <= {"luku_epatavallinen", "luku_tulkitsematon"}
    kept = pd.read_csv(bank_root / "processed" / str(YEAR) / "jarjestokysely.csv")
    values = kept.loc[kept["tiedosto"] == "luvut.csv", "jasenmaara"]
    # whatever is kept is a finite number (or missing): no inf reaches the data bank
    assert values.dropna().map(lambda v: abs(v) < float("inf")).all()


def test_utf16_export_of_a_valid_file_reads_like_utf8(bank_root):
    rows = _answers(bank_root, [{}, {}])
    audit = _run_clean(bank_root, "utf16.csv", _csv_bytes(rows).decode("utf-8").encode("utf-16"), rows=2)
    assert (audit["tila"] == "mukana").all()


# -- property-based: random bytes and random cells -------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=2000),
                      st.builds(lambda a, b: a + b,
                                st.sampled_from([b"Aikaleima,", b"\xef\xbb\xbf", b"\xff\xfe", b"sep=;\n"]),
                                st.binary(max_size=1000))))
def test_random_bytes_as_csv_read_or_one_input_error(tmp_path, data):
    path = tmp_path / "satunnainen.csv"
    path.write_bytes(data)
    try:
        table = ingest.read_file(path, CB, YEAR)
    except InputError as exc:
        assert str(exc).startswith("satunnainen.csv")
        return
    assert table.survey in CB.surveys
    assert list(table.frame.index) == list(table.extras.index)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from([b"", OLE, b"PK\x03\x04", b"PK\x05\x06" + b"\x00" * 18]),
       data=st.binary(max_size=3000))
def test_random_bytes_as_xlsx_are_one_input_error(tmp_path, prefix, data):
    path = tmp_path / "satunnainen.xlsx"
    path.write_bytes(prefix + data)
    with pytest.raises(InputError) as exc:
        ingest.read_file(path, CB, YEAR)
    assert str(exc.value).startswith("satunnainen.xlsx: ")


_TRICKY = ["", " ", "-", "?", "eos", "-1", "0", "1000000", "1e308", "nan", "inf", "yli 200", "100-150",
           "=1+1", "@SUM(A1)", "\t", "\x00", "Jyväskylä", "Jkl", "JYVÄSKYLÄ ", "Muu", "31.12.2099 12.00",
           "1.1.1900 0.00", "45000", "ä" * 300, "Kyllä, Ei", ",,,", '"', "\r\n", "<script>alert(1)</script>"]
_cell = st.one_of(st.sampled_from(_TRICKY),
                  st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))


@pytest.fixture(scope="module")
def header_file(bank_root) -> list[str]:
    return _base_rows(bank_root)[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(_cell, min_size=4, max_size=40), min_size=1, max_size=6))
def test_random_cells_give_an_audit_that_adds_up(tmp_path, header_file, cells):
    width = len(header_file)
    rows = [header_file] + [(r * (width // len(r) + 1))[:width] for r in cells]
    path = tmp_path / "solut.csv"
    path.write_bytes(_csv_bytes(rows))
    try:
        table = ingest.read_file(path, CB, YEAR)
    except KartoitusError as exc:   # e.g. a quote or line break turned into a ragged row
        assert str(exc).startswith("solut.csv")
        return
    results, audit, _ = process_tables([table], SETTINGS, YEAR, None)
    n = len(table.frame)
    assert len(audit) == n
    assert sorted(audit["row"].astype(int)) == sorted(table.frame.index.astype(int))
    counts = audit["status"].value_counts()
    assert set(counts.index) <= {"kept", "replaced", "rejected"}
    survey = results[table.survey]
    assert counts.get("kept", 0) == len(survey.data)
    assert counts.get("rejected", 0) == len(survey.rejected)
    assert counts.get("kept", 0) + counts.get("replaced", 0) + counts.get("rejected", 0) == n
    assert (audit.loc[audit["status"] == "rejected", "reason"].str.len() > 0).all()
    personal = [q.id for q in CB.survey(table.survey) if q.personal]
    assert not set(personal) & set(survey.data.columns)
    numbers = [q.id for q in CB.survey(table.survey) if q.type == "number" and q.id in survey.data]
    for c in numbers:
        v = pd.to_numeric(survey.data[c], errors="coerce").dropna()
        assert v.map(lambda x: abs(x) < float("inf")).all()


def test_fixture_folder_is_what_the_tests_expect():
    names = sorted(p.name for p in FIXTURES.iterdir())
    assert {"salattu.xlsx", "vaara_kysely.csv", "README.md"} <= set(names)
    assert (FIXTURES / "salattu.xlsx").read_bytes().startswith(OLE)
    assert re.match(r"^[a-z_]+,", (FIXTURES / "vaara_kysely.csv").read_text(encoding="utf-8"))


def test_rebuilding_after_the_hostile_files_restores_the_plain_wave(bank_root, tmp_path):
    """The hostile files are gone again: a rebuild gives the plain demo wave and 2024 as it was."""
    old = _old_wave(bank_root)
    result = CliRunner().invoke(app, ["build-data", "--raw", str(bank_root / "raw"), "--processed",
                                      str(bank_root / "processed"), "--year", str(YEAR)])
    assert result.exit_code == 0
    audit = _audit_of(bank_root, "jarjestokysely_vastaukset.csv")
    assert len(audit) > 0
    files = set(bank.read_excel_facing_csv(bank_root / "processed" / str(YEAR) / bank.AUDIT_FILE)["tiedosto"])
    assert files == {p.name for p in (bank_root / "raw" / str(YEAR)).iterdir()
                     if p.suffix in (".csv", ".xlsx")}
    assert _old_wave(bank_root) == old
    shutil.rmtree(tmp_path, ignore_errors=True)
