"""Runs a wave: the data stage (``kartoitus.build.data``), then every output.

``build_report`` runs the data stage, computes the wave's figures, builds every
output as a cached job, checks the outputs for personal data and writes the
manifest. The data stage's functions are re-exported here for callers of the
whole pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kartoitus import __version__
from kartoitus.errors import KartoitusError
from kartoitus.build.data import (  # noqa: F401  (the data stage, re-exported)
    SOURCES_FILE,
    DataResult,
    Progress,
    SurveyResult,
    Validation,
    _quiet,
    build_data,
    data_fingerprint,
    load_data_result,
    process_tables,
    raw_rows,
    read_sources,
    validate_file,
    write_sources,
)
from kartoitus.build.inputs import read_wave_input
from kartoitus.publication import Publication, WaveInput, publish
from kartoitus.settings import Settings
from kartoitus.settings.codebook import Codebook
from kartoitus.stages.wave import Wave


# -- the reports of a wave ----------------------------------------------------------

#: manifest of a build, beside the reports
MANIFEST_FILE = "manifest.json"


@dataclass
class ReportResult:
    data: DataResult
    outputs: list[Path]
    built: list[str]
    skipped: list[str]
    manifest: Path | None
    findings: list = field(default_factory=list)
    #: placeholders of the researcher's text that printed a mark (``rivi N: ... -> <5``)
    text_hidden: list = field(default_factory=list)


def report_meta(data: DataResult, codebook: Codebook) -> dict:
    """What the data and methods chapter says, from the audit (association survey)."""
    from kartoitus.stages.wave import read_window

    sid = codebook.association.id
    audit = data.audit[data.audit["survey"] == sid]
    counts = audit["status"].value_counts()
    rejected = audit[audit["status"] == "rejected"]
    flags = data.results[sid].flags
    window = read_window(data.wave.raw)
    files = (data.audit.groupby("file", sort=True).size())
    muni = data.results[codebook.municipality.id].data
    meta = {
        "raw_rows": int(len(audit)),
        "kept": int(counts.get("kept", 0)),
        "replaced": int(counts.get("replaced", 0)),
        "rejected": int(counts.get("rejected", 0)),
        # the researcher's own reasons for a rejection may name someone: the report counts them as one kind
        "rejected_reasons": {str(k): int(v) for k, v in rejected["reason"].str.replace(
            r"^hylätty korjauksella:.*$", "hylätty korjauksella", regex=True).value_counts().items()},
        "files": [{"name": str(name), "rows": int(n)} for name, n in files.items()],
        "municipalities_answered": int(muni["kunta"].isin(
            [m.code for m in codebook.municipalities.for_year(data.wave.year)]).sum()) if "kunta" in muni else 0,
        "municipalities_total": len(codebook.municipalities.for_year(data.wave.year)),
        "flags": {str(k): int(v) for k, v in flags["lippu"].value_counts().items()} if len(flags) else {},
        "codebook_version": codebook.version,
        # asked in the wave but in no file: the methods chapter says so (never "not asked")
        "missing_questions": [{"kysely": str(r.kysely), "kysymys": str(r.kysymys), "otsikko": str(r.otsikko)}
                              for r in data.missing.itertuples()],
        "absent_surveys": list(data.absent),
    }
    if window:
        meta["survey_open"], meta["survey_close"] = window
    text = report_text(data.wave)
    if text is not None:
        meta["report_text"] = text
    return meta


def report_text(wave: Wave) -> str | None:
    """The researcher's own text of the wave (``<raw>/<year>/raportti.md``), or None."""
    from kartoitus.errors import KartoitusError
    from kartoitus.stages.wave import REPORT_TEXT_FILE

    path = wave.raw / REPORT_TEXT_FILE
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise KartoitusError(f"{path}: tiedosto ei ole UTF-8-tekstiä; tallenna se UTF-8-muodossa") from None


def wave_input(wave: Wave, settings: Settings, meta: dict, reference_dir: Path | None) -> WaveInput:
    """The publication's input for ``wave``, read from the data bank that the data stage
    has just written (or reused): a full build and a later one-output command
    (``infographic``, ``workshop-pack``) compute from the same files, so their figures
    agree to the byte."""
    return read_wave_input(wave.processed_root, wave.year, settings, reference_dir=reference_dir, meta=meta,
                           previous="all")


def report_jobs(pub: Publication, wave: Wave, settings: Settings) -> list:
    """Every output of a wave's publication as an independent, fingerprinted job."""
    from kartoitus.build.infographic import infographic_jobs
    from kartoitus.build.jobs import code_digest, fingerprint, folder_digest
    from kartoitus.build.meetings import meeting_jobs
    from kartoitus.build.municipalities import municipality_jobs
    from kartoitus.build.report_jobs import report_and_workbook_jobs
    from kartoitus.build.site import site_jobs

    common = (tuple(folder_digest(Path(t)) for t in settings.templates), settings.version, __version__,
              code_digest())
    out = wave.reports
    jobs = (report_and_workbook_jobs(pub, out) + municipality_jobs(pub, out) + infographic_jobs(pub, out)
            + meeting_jobs(pub, out, settings) + site_jobs(pub, out))
    folders = tuple(str(t) for t in settings.templates)
    for job in jobs:
        if isinstance(job.payload, dict):
            job.payload["templates"] = folders      # render's template search path (render.document)
        job.fingerprint = fingerprint(job.id, job.func, job.payload, common)
    return jobs


def _common_root(wave: Wave) -> Path:
    """The folder every input and output of a wave lies under (manifest paths are relative to it)."""
    import os
    roots = [p.resolve() for p in (wave.raw_root, wave.processed_root, wave.reports_root)]
    return Path(os.path.commonpath(roots))


class _PersonalValues:
    """The respondents' personal values, read from the raw tables only when needed."""

    def __init__(self, data: DataResult, codebook: Codebook, record: dict):
        self.data, self.codebook = data, codebook
        self._values: set[str] | None = None
        self._digest = record.get("henkilotiedot") if data.reused else None

    def values(self) -> set[str]:
        if self._values is None:
            from kartoitus import privacy
            from kartoitus.stages import ingest
            if self.data.personal is not None:
                self._values = privacy.personal_values_from_cells(self.data.personal)
            else:
                tables = self.data.tables
                if self.data.reused:
                    tables = ingest.read_wave(self.data.wave.raw, self.codebook, self.data.wave.year)
                self._values = privacy.personal_values_from_tables(tables, self.codebook)
        return self._values

    def digest(self) -> str:
        if self._digest is None:
            import hashlib
            import json
            self._digest = hashlib.sha256(json.dumps(sorted(self.values()), ensure_ascii=False)
                                          .encode()).hexdigest()
        return self._digest


def privacy_key(values_digest: str) -> str:
    """Cache key of a privacy scan: the personal values, the scanner's rules, the tool version."""
    from kartoitus import privacy
    from kartoitus.build.jobs import fingerprint
    return fingerprint("tietosuoja", values_digest, privacy.rules_digest(), __version__)


def _scan_reports(folder: Path, ran, key: str, values: _PersonalValues, cache_path: Path) -> list:
    """Privacy findings in every file under ``folder``, in path order, as ``privacy.scan_path``
    gives them; files found clean before (same sha256, same key) are not read again."""
    from kartoitus import privacy
    from kartoitus.build.jobs import CLEAN_KEY, file_digest, read_cache, write_cache

    cache = read_cache(cache_path)
    clean = set(cache.get(CLEAN_KEY, []))
    compiled = None
    findings: list = []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in privacy.SCANNED_SUFFIXES)
    for path in files:
        sha = ran.hashes.get(path) or file_digest(path)
        if f"{key}:{sha}" in clean:
            continue
        if path in ran.findings and ran.hashes.get(path) == sha:
            found = ran.findings[path]
        else:
            if compiled is None:
                compiled = privacy.compile_personal_values(values.values())
            found = privacy.scan_path(path, compiled)
        if found:
            findings.extend(found)
        elif path != cache_path:
            clean.add(f"{key}:{sha}")
    cache[CLEAN_KEY] = sorted(clean)
    write_cache(cache_path, cache)
    return findings


def process_earlier_waves(wave: Wave, settings: Settings, progress: Progress = _quiet) -> list[int]:
    """Process the earlier waves under the raw root that the data bank does not hold yet,
    so that the newest wave's outputs can draw the trends (a processed wave is left as
    it is: rebuild it with ``build-data --year``). Returns the years processed."""
    from kartoitus.stages.wave import year_folders

    done = []
    for y in year_folders(wave.raw_root):
        if y >= wave.year or (wave.processed_root / str(y)).exists():
            continue
        progress(f"aiempi aalto {y}")
        build_data(Wave(year=y, raw_root=wave.raw_root, processed_root=wave.processed_root,
                        reports_root=wave.reports_root), settings, progress)
        done.append(y)
    return done


def build_report(wave: Wave, settings: Settings, *, workers: int | None = None,
                 force: bool = False, reference_dir: Path | None = None, threshold: int = 5,
                 progress: Progress = _quiet) -> ReportResult:
    """The whole mapping of a wave: data stage, then every output, the privacy check, the manifest.

    Nothing is redone that did not change: the data stage is skipped when its
    inputs are unchanged, an output whose inputs are unchanged is not rebuilt, and
    an output already found clean is not scanned again. ``force`` redoes everything.
    """
    from kartoitus.build.jobs import CACHE_FILE, OutputCheck, default_workers, run_jobs
    from kartoitus.build.manifest import write_manifest
    from kartoitus.stages import bank
    from kartoitus.stages.wave import DEFAULT_REFERENCE

    codebook = settings.codebook
    process_earlier_waves(wave, settings, progress)
    data = build_data(wave, settings, progress, reuse=not force)
    record = read_sources(wave)
    personal = _PersonalValues(data, codebook, record)
    if not data.reused or "henkilotiedot" not in record or "tietopankki" not in record:
        record["henkilotiedot"] = personal.digest()
        record["tietopankki"] = bank.wave_digest(wave.database, wave.year)
        write_sources(wave, record)
    if codebook.association.id in data.absent:
        # every output describes the associations: without their survey there is nothing to publish
        raise KartoitusError(
            f"aallon {wave.year} kansiossa {wave.raw} ei ole järjestökyselyn ({codebook.association.id}) "
            "vastauksia: raportit, kuntien PDF:t ja infografiikat kuvaavat yhdistyksiä, joten niitä ei tehty. "
            f"Muut aineistot on käsitelty kansioon {wave.processed}. Lisää järjestökyselyn vientitiedosto "
            "aallon kansioon ja aja uudelleen.")
    progress("indikaattorit")
    reference_dir = Path(reference_dir) if reference_dir is not None else DEFAULT_REFERENCE
    pub = publish(wave_input(wave, settings, report_meta(data, codebook), reference_dir), settings,
                  threshold=threshold)
    jobs = report_jobs(pub, wave, settings)
    text_hidden = [line for job in jobs if job.id == "raportti"
                   for line in job.payload["model"].get("hidden_text_figures", ())]
    wave.reports.mkdir(parents=True, exist_ok=True)
    progress(f"tuotokset: {len(jobs)}")
    key = privacy_key(personal.digest())
    check = OutputCheck("kartoitus.privacy:scan_path", key, lambda: sorted(personal.values()),
                        prepare="kartoitus.privacy:compile_personal_values")
    cache_path = wave.reports / CACHE_FILE
    ran = run_jobs(jobs, cache_path, workers=workers or default_workers(), force=force,
                   progress=progress, check=check)
    progress("tietosuojatarkistus")
    findings = _scan_reports(wave.reports, ran, key, personal, cache_path)
    if findings:
        return ReportResult(data, ran.outputs, ran.built, ran.skipped, None, findings, text_hidden)
    progress("manifesti")
    inputs = sorted(set(data.files) | {p for p in (wave.corrections, wave.raw / "kysely.toml",
                                                   wave.raw / "raportti.md") if p.exists()}
                    | set(sorted(reference_dir.glob("*.csv")) if reference_dir.is_dir() else []))
    outputs = sorted(set(ran.outputs) | {p for p in data.written if p.suffix == ".csv"})
    manifest = write_manifest(wave.reports / MANIFEST_FILE, inputs, outputs, codebook.version, __version__,
                              {"vuosi": wave.year, "tietopankki": record["tietopankki"]},
                              root=_common_root(wave), hashes=ran.hashes)
    return ReportResult(data, ran.outputs, ran.built, ran.skipped, manifest, [], text_hidden)
