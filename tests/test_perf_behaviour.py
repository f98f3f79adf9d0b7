"""Behaviour of the build cache (never timings): what a rebuild skips and what it redoes.

A 60-answer demo wave; the builds keep only a few of the outputs (the workbook, one
municipality's newsletter text and one infographic: a workbook, text files and a PDF
with its PNG) so the file stays fast.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kartoitus import privacy
from kartoitus.build import pipeline as build
from kartoitus.build.pipeline import SOURCES_FILE, build_data, build_report
from kartoitus.demo import write_demo_wave
from kartoitus.build.jobs import CACHE_FILE, CLEAN_KEY, Job, OutputCheck, fingerprint, read_cache, run_jobs
from kartoitus.stages.wave import Wave

YEAR = 2025


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory, settings) -> Path:
    root = tmp_path_factory.mktemp("raw")
    write_demo_wave(root / str(YEAR), settings, year=YEAR, n_associations=60, seed=11)
    return root


@pytest.fixture
def wave(demo_raw, tmp_path) -> Wave:
    shutil.copytree(demo_raw, tmp_path / "raw")
    return Wave(YEAR, tmp_path / "raw", tmp_path / "processed", tmp_path / "reports")


@pytest.fixture(autouse=True)
def few_outputs(monkeypatch):
    """Only three outputs per build: the workbook, the first newsletter text, the first infographic."""
    real = build.report_jobs

    def some_jobs(*args, **kwargs):
        jobs = real(*args, **kwargs)
        keep = ["taulukot", next(j.id for j in jobs if j.id.startswith("kuntakirje/")),
                next(j.id for j in jobs if j.id.startswith("infografiikka/"))]
        return [j for j in jobs if j.id in keep]

    monkeypatch.setattr(build, "report_jobs", some_jobs)


def _stamps(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def _count_scans(monkeypatch) -> list[Path]:
    scanned: list[Path] = []
    real = privacy.scan_path

    def counting(path, *args, **kwargs):
        scanned.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(privacy, "scan_path", counting)
    return scanned


def test_rebuild_with_nothing_changed_redoes_nothing(wave, monkeypatch, settings):
    first = build_report(wave, settings, workers=1)
    assert not first.data.reused and len(first.built) == 3 and first.skipped == []
    processed, outputs = _stamps(wave.processed), _stamps(wave.reports)
    manifest = first.manifest.read_bytes()
    record = build.read_sources(wave)
    assert record["fingerprint"] == build.data_fingerprint(wave, settings)
    assert {"jarjestokysely.csv", "audit.csv"} <= set(record["outputs"])

    scanned = _count_scans(monkeypatch)
    second = build_report(wave, settings, workers=1)
    assert second.data.reused
    assert second.built == [] and sorted(second.skipped) == sorted(first.built)
    assert _stamps(wave.processed) == processed       # the data stage wrote nothing
    for name, stamp in outputs.items():               # no output was written again
        if name.endswith((".pdf", ".png", ".xlsx")):
            assert _stamps(wave.reports)[name] == stamp
    # only the cache and the manifest (which changed after the last scan) were read again
    assert {p.name for p in scanned} <= {CACHE_FILE, build.MANIFEST_FILE}
    assert second.manifest.read_bytes() == manifest
    assert second.data.summary() == first.data.summary()
    assert build.report_meta(second.data, settings.codebook) == \
        build.report_meta(first.data, settings.codebook)
    # --force: everything again
    again = build_report(wave, settings, workers=1, force=True)
    assert not again.data.reused
    assert len(again.built) == 3 and again.skipped == []


def test_a_changed_raw_file_reruns_the_data_stage(wave, settings):
    first = build_report(wave, settings, workers=1)
    export = wave.raw / "jarjestokysely_vastaukset.csv"
    lines = export.read_bytes().split(b"\r\n")
    export.write_bytes(b"\r\n".join(lines[:-2] + lines[-1:]))   # the last answer withdrawn
    second = build_report(wave, settings, workers=1)
    assert not second.data.reused
    assert second.data.summary()["yhteensä"].rows_in == first.data.summary()["yhteensä"].rows_in - 1
    assert "taulukot" in second.built                 # the workbook's tables changed
    third = build_report(wave, settings, workers=1)
    assert third.data.reused and third.built == []


def test_an_edited_processed_file_or_settings_rerun_the_data_stage(wave, settings):
    assert not build_data(wave, settings, reuse=True).reused
    assert build_data(wave, settings, reuse=True).reused
    assert not build_data(wave, settings, reuse=False).reused   # reuse is opt-in
    (wave.processed / "audit.csv").write_text("file,row\n", encoding="utf-8")
    again = build_data(wave, settings, reuse=True)
    assert not again.reused and len(again.audit) > 1
    (wave.raw / "kysely.toml").write_text((wave.raw / "kysely.toml").read_text() + "\n", encoding="utf-8")
    assert not build_data(wave, settings, reuse=True).reused
    (wave.processed / SOURCES_FILE).unlink()
    assert not build_data(wave, settings, reuse=True).reused


def _summary_lines(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "mitä jokaiselle riville tapahtui" in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("Tuotoksia tehty"))
    return lines[start:end]


def test_a_cached_run_prints_the_same_audit_summary(wave, monkeypatch):
    from kartoitus.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    args = ["build-report", "--raw", str(wave.raw_root), "--processed", str(wave.processed_root),
            "--reports", str(wave.reports_root), "--jobs", "1"]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert _summary_lines(second.output) == _summary_lines(first.output)
    assert any(re.search(r"Rivejä sisään \d+ = säilytetty", line) for line in _summary_lines(second.output))
    assert "Tuotoksia tehty 0, ennallaan (välimuisti) 3" in second.output


# -- run_jobs: the output check and the order of jobs ---------------------------------------

def write_text(payload) -> list[Path]:
    path, text = payload
    path.write_text(text, encoding="utf-8")
    with open(path.parent / "calls.log", "a", encoding="utf-8") as fh:
        fh.write(path.name + "\n")
    return [path]


def find_secret(path: Path, secret: str) -> list[str]:
    with open(path.parent / "checks.log", "a", encoding="utf-8") as fh:
        fh.write(path.name + "\n")
    return [secret] if secret in path.read_text(encoding="utf-8") else []


def _jobs(tmp_path, texts):
    return [Job(id=name, func="test_perf_behaviour:write_text", payload=(tmp_path / name, text),
                outputs=[tmp_path / name], fingerprint=fingerprint(text)) for name, text in texts.items()]


def _log(tmp_path, name):
    path = tmp_path / name
    lines = path.read_text().split() if path.exists() else []
    path.unlink(missing_ok=True)
    return lines


@pytest.mark.parametrize("workers", [1, 2])
def test_outputs_are_checked_where_built_and_clean_ones_are_remembered(tmp_path, workers):
    cache = tmp_path / "cache.json"
    loads = []

    def load():
        loads.append(1)
        return "Salainen"

    check = OutputCheck("test_perf_behaviour:find_secret", "k1", load)
    texts = {"a.txt": "kunta 179", "b.txt": "Salainen Nimi", "c.txt": "ok"}
    r = run_jobs(_jobs(tmp_path, texts), cache, workers=workers, initializer=None, check=check)
    assert r.findings[tmp_path / "b.txt"] == ["Salainen"]
    assert r.findings[tmp_path / "a.txt"] == [] and r.findings[tmp_path / "c.txt"] == []
    assert set(r.hashes) == {tmp_path / n for n in texts}
    clean = read_cache(cache)[CLEAN_KEY]
    assert {f"k1:{r.hashes[tmp_path / n]}" for n in ("a.txt", "c.txt")} == set(clean)
    if workers == 1:
        assert sorted(_log(tmp_path, "checks.log")) == ["a.txt", "b.txt", "c.txt"]
    # nothing changed: nothing built, nothing checked, the check's argument never loaded
    loads.clear()
    r = run_jobs(_jobs(tmp_path, texts), cache, workers=workers, initializer=None, check=check)
    assert r.built == [] and r.findings == {} and loads == []
    assert set(r.hashes) == {tmp_path / n for n in texts}


def test_longest_job_starts_first(tmp_path):
    cache = tmp_path / "cache.json"
    texts = {"a.txt": "A", "b.txt": "B", "c.txt": "C"}
    run_jobs(_jobs(tmp_path, texts), cache, initializer=None)
    assert _log(tmp_path, "calls.log") == ["a.txt", "b.txt", "c.txt"]   # unknown: given order
    entries = read_cache(cache)
    entries["c.txt"]["seconds"], entries["b.txt"]["seconds"] = 9.0, 3.0
    cache.write_text(json.dumps(entries), encoding="utf-8")
    for name in texts:   # every output gone: all three are rebuilt, the longest first
        (tmp_path / name).unlink()
    run_jobs(_jobs(tmp_path, texts), cache, initializer=None)
    assert _log(tmp_path, "calls.log") == ["c.txt", "b.txt", "a.txt"]
