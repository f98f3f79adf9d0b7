"""The whole pipeline on a small demo wave: data, every report, privacy, reproducibility.

One wave is generated and built once per session (``built``) and many tests look
at it. A second build into other folders checks that the same inputs give the same
manifest of output hashes.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from kartoitus.build.pipeline import build_report
from kartoitus.cli import app
from kartoitus.demo import write_demo_wave
from kartoitus.stages.wave import resolve_wave

YEAR = 2025
PLANTED = {
    "Email Address": "pirkko.planted@example.fi",
    "Yhteyshenkilön nimi": "Pirkko Istutettu-Testinen",
    "Yhteyshenkilön puhelinnumero": "040 765 4321",
    "Yhdistyksen nimi": "Istutettu Testiyhdistys ry",
}


def plant_personal_row(path: Path) -> None:
    """Append an answer carrying recognisable personal data to a Forms export."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, template = rows[0], rows[1]
    row = list(template)
    for title, value in PLANTED.items():
        row[header.index(title)] = value
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(row)


def make_wave(root: Path, settings) -> Path:
    raw = root / "raw" / str(YEAR)
    write_demo_wave(raw, settings, year=YEAR, n_associations=60, seed=7)
    plant_personal_row(raw / "jarjestokysely_vastaukset.csv")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory, settings):
    root = make_wave(tmp_path_factory.mktemp("wave"), settings)
    wave = resolve_wave(root / "raw", root / "processed", root / "reports", YEAR)
    result = build_report(wave, settings, workers=2, force=True)
    return wave, result


def test_every_raw_row_is_accounted_for(built):
    wave, result = built
    audit = pd.read_csv(wave.processed / "audit.csv", dtype=str, keep_default_na=False)
    # the researcher's file speaks Finnish (issue 13), like the data bank's auditointi_<year>
    assert list(audit.columns) == ["tiedosto", "rivi", "kysely", "tila", "syy", "liput", "korjaukset",
                                   "korvaava_rivi"]
    counts = audit.groupby("kysely")["tila"].value_counts().unstack(fill_value=0)
    # 60 generated association rows + the planted one; every municipality of 2025 but one answered
    assert counts.loc["jarjestokysely"].sum() == 61
    assert set(audit["tila"]) <= {"mukana", "korvattu", "hylätty"}
    kept = pd.read_csv(wave.processed / "jarjestokysely.csv", dtype=str)
    assert len(kept) == (audit[(audit.kysely == "jarjestokysely")]["tila"] == "mukana").sum()
    # each kept row traces back to its file and spreadsheet row
    keys = set(zip(kept["tiedosto"], kept["rivi"]))
    kept_audit = audit[(audit.kysely == "jarjestokysely") & (audit.tila == "mukana")]
    assert keys == set(zip(kept_audit["tiedosto"], kept_audit["rivi"]))
    assert (audit.loc[audit.tila == "hylätty", "syy"] != "").all()
    assert (audit.loc[audit.tila == "korvattu", "korvaava_rivi"] != "").all()


def test_personal_columns_never_reach_processed_data_or_the_bank(built, settings):
    wave, _ = built
    personal = {q.id for s in settings.codebook.surveys.values() for q in s.personal()}
    for name in ("jarjestokysely.csv", "kuntakysely.csv"):
        header = pd.read_csv(wave.processed / name, nrows=0).columns
        assert personal.isdisjoint(header)
    text = "".join(p.read_text(encoding="utf-8") for p in wave.processed.glob("*.csv"))
    for value in (PLANTED["Email Address"], PLANTED["Yhteyshenkilön nimi"], PLANTED["Yhteyshenkilön puhelinnumero"]):
        assert value not in text
    con = sqlite3.connect(wave.database)
    cols = {r[1] for r in con.execute(f"pragma table_info(jarjestokysely_{YEAR})")}
    assert personal.isdisjoint(cols)
    assert con.execute("select vuosi from aallot").fetchall() == [(YEAR,)]


def test_every_output_is_there(built, settings):
    wave, result = built
    out = wave.reports
    assert result.findings == []
    assert (out / f"jarjestokartoitus-{YEAR}.pdf").exists()
    assert (out / f"jarjestokartoitus-{YEAR}.html").exists()
    assert (out / f"taulukot-{YEAR}.xlsx").exists()
    munis = settings.codebook.municipalities.for_year(YEAR)
    assert len(list((out / "kunnat").glob("*.pdf"))) == len(munis) == 22
    assert (out / "kunnat" / "179-jyvaskyla.pdf").exists()
    sote = ["elakelaiset", "lapsi_perhe", "omaiset", "potilas_kansanterveys", "vammaiset",
            "paihde_riippuvuus", "mielenterveys", "muu_sote"]
    for key in sote:
        assert (out / "infograafit" / f"{key}.pdf").exists()
        assert (out / "infograafit" / f"{key}.png").exists()


def test_report_text_names_the_wave_and_its_numbers(built):
    wave, result = built
    reader = PdfReader(wave.reports / f"jarjestokartoitus-{YEAR}.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    kept = len(pd.read_csv(wave.processed / "jarjestokysely.csv"))
    assert "Keski-Suomen järjestökartoitus 2025" in text
    assert "Aineisto ja menetelmät" in text
    assert f"{kept} yhdistyksen vastaukset" in text
    assert reader.metadata.title == "Keski-Suomen järjestökartoitus 2025"


def test_manifest_lists_inputs_and_outputs_with_hashes(built, settings):
    wave, result = built
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["codebook_version"] == settings.codebook.version
    inputs = set(manifest["inputs"])
    assert f"raw/{YEAR}/jarjestokysely_vastaukset.csv" in inputs
    assert f"raw/{YEAR}/kysely.toml" in inputs
    outputs = set(manifest["outputs"])
    assert f"reports/{YEAR}/jarjestokartoitus-{YEAR}.pdf" in outputs
    assert f"processed/{YEAR}/audit.csv" in outputs
    assert all(len(v["sha256"]) == 64 for v in manifest["outputs"].values())


def _relative(obj, root: Path):
    """``obj`` with every path under ``root`` made relative (payloads of two folders compared)."""
    if isinstance(obj, Path):
        return obj.resolve().relative_to(root.resolve()) if obj.resolve().is_relative_to(root.resolve()) else obj
    if isinstance(obj, str) and obj.startswith(str(root)):
        return _relative(Path(obj), root)
    if isinstance(obj, dict):
        return {k: _relative(v, root) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_relative(v, root) for v in obj)
    return obj


def test_two_builds_give_the_same_bytes(built, tmp_path, settings):
    """Reproducible builds: the same raw wave built again in another folder gives the same
    processed data, the same model for every one of its ~80 outputs, and for one job of
    every kind but the main report (report, municipality PDF, infographic, deck, discussion
    sheet, newsletter, site...) the same bytes as the first build's manifest records.
    The main report's 30 pages take 20 s to lay out; its model is compared here and PDF
    rendering is shown reproducible in test_render."""
    from kartoitus.build.jobs import file_digest, fingerprint, run_jobs
    from kartoitus.build.pipeline import build_data, report_jobs, report_meta, wave_input
    from kartoitus.publication import publish

    wave, result = built
    first = json.loads(result.manifest.read_text(encoding="utf-8"))
    other = make_wave(tmp_path, settings)
    wave2 = resolve_wave(other / "raw", other / "processed", other / "reports", YEAR)
    data = build_data(wave2, settings, reuse=False)
    for path in data.written:
        rel = path.resolve().relative_to(other.resolve()).as_posix()
        if rel in first["outputs"]:
            assert file_digest(path) == first["outputs"][rel]["sha256"], rel

    def jobs_of(w, d):
        return report_jobs(publish(wave_input(w, settings, report_meta(d, settings.codebook), None), settings),
                           w, settings)

    root1 = result.manifest.parents[2]           # <root>/reports/<year>/manifest.json
    jobs1 = {j.id: fingerprint(_relative(j.payload, root1)) for j in jobs_of(wave, result.data)}
    jobs2 = jobs_of(wave2, data)
    assert jobs1 == {j.id: fingerprint(_relative(j.payload, other)) for j in jobs2}
    one_each = [j for j in {job.func: job for job in jobs2}.values() if j.id != "raportti"]
    assert len(one_each) >= 6
    ran = run_jobs(one_each, wave2.reports / "valimuisti.json", workers=1, force=True)
    compared = 0
    for path in ran.outputs:
        rel = Path(path).resolve().relative_to(other.resolve()).as_posix()
        assert file_digest(Path(path)) == first["outputs"][rel]["sha256"], rel
        compared += 1
    assert compared >= len(one_each)


def test_check_privacy_passes_on_the_build_and_fails_on_a_planted_file(built, tmp_path):
    wave, _ = built
    runner = CliRunner()
    ok = runner.invoke(app, ["check-privacy", str(wave.reports), "--raw", str(wave.raw_root), "--year", str(YEAR)])
    assert ok.exit_code == 0, ok.output
    leak = wave.reports / "muistiinpanot.html"
    try:
        leak.write_text(f"<p>Soita: {PLANTED['Yhteyshenkilön nimi']}</p>", encoding="utf-8")
        bad = runner.invoke(app, ["check-privacy", str(wave.reports), "--raw", str(wave.raw_root),
                                  "--year", str(YEAR)])
    finally:
        leak.unlink()
    assert bad.exit_code == 1
    assert "muistiinpanot.html" in bad.output
    assert "Pirkko" in bad.output


def test_build_data_cli_prints_the_audit_sum(tmp_path, settings):
    root = make_wave(tmp_path, settings)
    result = CliRunner().invoke(app, ["build-data", "--raw", str(root / "raw"),
                                      "--processed", str(root / "processed")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    found = re.search(r"Rivejä sisään (\d+) = säilytetty (\d+) \+ korvattu (\d+) \+ hylätty (\d+)", text)
    rows_in, kept, replaced, rejected = map(int, found.groups())
    # 61 association rows, 22 municipality rows (21 municipalities, one of them twice)
    assert rows_in == 83 == kept + replaced + rejected


def test_a_wrong_file_is_one_clear_error_and_keeps_earlier_data(tmp_path, settings):
    root = make_wave(tmp_path, settings)
    runner = CliRunner()
    args = ["build-data", "--raw", str(root / "raw"), "--processed", str(root / "processed")]
    assert runner.invoke(app, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in (root / "processed" / str(YEAR)).iterdir()}
    (root / "raw" / str(YEAR) / "muistiinpanot.csv").write_text("Päivä,Asia\n1.9.,kokous\n", encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output.count("virhe:") == 1
    assert "muistiinpanot.csv" in result.output
    after = {p.name: p.read_bytes() for p in (root / "processed" / str(YEAR)).iterdir()}
    assert after == before


def test_corrections_are_applied_on_every_build_and_recorded(tmp_path, settings):
    root = make_wave(tmp_path, settings)
    runner = CliRunner()
    args = ["build-data", "--raw", str(root / "raw"), "--processed", str(root / "processed")]
    assert runner.invoke(app, args).exit_code == 0
    processed = root / "processed" / str(YEAR)
    audit = pd.read_csv(processed / "audit.csv", dtype=str, keep_default_na=False)
    unsure = audit[audit["liput"].str.contains("kotikunta: kunta_tuntematon") & (audit.tila == "mukana")]
    assert len(unsure), "the demo wave plants municipalities that cannot be resolved"
    fix, other, drop = unsure.iloc[0], audit[audit.tila == "mukana"].iloc[1], audit[audit.tila == "mukana"].iloc[2]
    names = pd.read_csv(processed / "jarjestokysely.csv", dtype=str).set_index(["tiedosto", "rivi"])["nimi"]

    def name(r):   # a row-numbered correction names the answer it is for (issue 10)
        return '"' + names[(r.tiedosto, r.rivi)].replace('"', '""') + '"'

    (root / "raw" / str(YEAR) / "korjaukset.csv").write_text(
        "tiedosto,rivi,yhdistys,kentta,arvo,syy\n"
        f"{fix.tiedosto},{fix.rivi},{name(fix)},kotikunta,Jyväskylä,tarkistettu puhelimitse\n"
        f"{other.tiedosto},{other.rivi},{name(other)},paatoimiala,omaiset,yhdistyksen säännöt\n"
        f"{drop.tiedosto},{drop.rivi},{name(drop)},hylkaa,,testivastaus\n", encoding="utf-8")
    assert runner.invoke(app, args).exit_code == 0
    audit = pd.read_csv(processed / "audit.csv", dtype=str, keep_default_na=False).set_index(["tiedosto", "rivi"])
    assert "kotikunta:" in audit.loc[(fix.tiedosto, fix.rivi), "korjaukset"]
    assert "tarkistettu puhelimitse" in audit.loc[(fix.tiedosto, fix.rivi), "korjaukset"]
    assert audit.loc[(drop.tiedosto, drop.rivi), "tila"] == "hylätty"
    assert audit.loc[(drop.tiedosto, drop.rivi), "syy"] == "hylätty korjauksella: testivastaus"
    data = pd.read_csv(processed / "jarjestokysely.csv", dtype=str).set_index(["tiedosto", "rivi"])
    assert data.loc[(fix.tiedosto, fix.rivi), "kotikunta"] == "179"
    assert data.loc[(other.tiedosto, other.rivi), ["paatoimiala", "paatoimiala_lahde"]].tolist() == ["omaiset", "korjaus"]
    # a correction that no longer matches any row stops the build and names the line
    with (root / "raw" / str(YEAR) / "korjaukset.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{fix.tiedosto},9999,{name(fix)},kotikunta,Laukaa,vanha korjaus\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "korjaukset.csv, rivi 5" in " ".join(result.output.split())


def test_validate_is_a_dry_run(tmp_path, settings):
    root = make_wave(tmp_path, settings)
    path = root / "raw" / str(YEAR) / "jarjestokysely_paperilomakkeet.csv"
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "kysely jarjestokysely" in text and "cp1252" in text
    assert "Käsitelty" in text  # a hand-added column, listed as extra
    assert not (root / "processed").exists()
    # the corrections that would apply to this file, as the audit will word them
    from kartoitus.stages.ingest import read_file

    names = read_file(path, settings.codebook).frame["nimi"]
    (a, name_a), (b, name_b) = list(names.items())[:2]
    (path.parent / "korjaukset.csv").write_text(
        "tiedosto,rivi,yhdistys,kentta,arvo,syy\n"
        f'{path.name},{a},"{name_a}",sama_kuin,"{name_b}",sama yhdistys\n'
        f'{path.name},{b},"{name_b}",toiminta_alue,paikallinen,tarkistettu\n', encoding="utf-8")
    text = " ".join(CliRunner().invoke(app, ["validate", str(path)]).output.split())
    assert "jotka tehtäisiin: 2" in text
    assert f"rivi {a}: sama vastaaja kuin {name_b} (sama yhdistys)" in text
    assert f"rivi {b}: toiminta_alue: " in text and "-> Paikallinen (yksi kunta) (tarkistettu)" in text
    assert not (root / "processed").exists()


def test_a_new_wave_sits_beside_the_old_and_municipality_pdfs_compare_with_it(tmp_path, settings):
    from kartoitus.build.inputs import previous_waves
    from kartoitus.build.pipeline import build_data, report_jobs, wave_input
    from kartoitus.publication import publish
    from kartoitus.outputs.municipality import NO_PREVIOUS_TEXT
    from kartoitus.publication import indicators
    from kartoitus.publication import kuntatutka as kt
    from kartoitus.stages import bank

    for year, seed in ((2024, 5), (YEAR, 7)):
        write_demo_wave(tmp_path / "raw" / str(year), settings, year=year, n_associations=60, seed=seed)
        build_data(resolve_wave(tmp_path / "raw", tmp_path / "processed", tmp_path / "reports", year), settings)
    assert bank.database_waves(tmp_path / "processed" / "kartoitus.sqlite") == [2024, YEAR]
    wave = resolve_wave(tmp_path / "raw", tmp_path / "processed", tmp_path / "reports", YEAR)
    previous = previous_waves(wave.processed_root, YEAR, settings, columns="municipality")
    assert [p.year for p in previous] == [2024]
    scores = kt.score_municipalities(previous[0].municipality, 2024, settings.scoring, settings.codebook)
    assert len(scores) == 22
    pub = publish(wave_input(wave, settings, {}, None), settings)
    jobs = report_jobs(pub, wave, settings)
    models = [j.payload["model"] for j in jobs if j.id.startswith("kunta/")]
    assert len(models) == 22
    assert all(m["change"]["text"] != NO_PREVIOUS_TEXT for m in models)
    tables = [m["change"]["table"] for m in models if m["change"]["table"] is not None]
    assert tables and all(t["headers"][1]["text"] == "Edellinen aalto 2024" for t in tables)
