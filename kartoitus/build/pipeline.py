"""Runs the stages for a wave: the wiring of the pipeline, in one place.

``build_data`` turns a wave's raw exports into processed data and the audit;
``validate_file`` does the same for one file without writing anything. Stages
are pure functions; this module does the reading and writing around them and
reports progress through a callback so the CLI can draw progress bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from kartoitus.settings import default_settings
from kartoitus import __version__
from kartoitus.settings.codebook import Codebook, default_codebook
from kartoitus.stages.wave import Wave, read_window

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class SurveyResult:
    survey: str
    data: pd.DataFrame              # kept rows, processed columns + derived
    flags: pd.DataFrame
    rejected: pd.DataFrame
    replaced: pd.DataFrame
    decisions: pd.DataFrame | None = None


@dataclass
class DataResult:
    wave: Wave
    results: dict[str, SurveyResult]
    audit: pd.DataFrame
    mapping: pd.DataFrame
    extras: pd.DataFrame
    corrections: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    tables: list = field(default_factory=list)   # the raw tables (personal columns included); empty
                                                 # after build_data, which lets the raw frames go
    reused: bool = False    # read back from data/processed/<year>/ (inputs unchanged): no raw tables
    personal: list | None = None   # distinct cells of the raw personal columns (privacy.personal_cells)

    def summary(self):
        from kartoitus.stages.audit import summarise
        return summarise(self.audit)


def _mapping_frame(tables) -> pd.DataFrame:
    rows = []
    for t in tables:
        for m in t.mapping:
            rows.append({"tiedosto": t.path.name, "kysely": t.survey, "sarake": m.source,
                         "tunnus": m.column or "", "kysymys": m.question or "",
                         "tapa": m.method, "osuvuus": round(float(m.score), 1)})
    return pd.DataFrame(rows, columns=["tiedosto", "kysely", "sarake", "tunnus", "kysymys", "tapa", "osuvuus"])


def _extras_frame(tables) -> pd.DataFrame:
    rows = []
    for t in tables:
        for col in t.extras.columns:
            values = t.extras[col]
            filled = values.notna() & (values.astype(str).str.strip() != "")
            rows.append({"tiedosto": t.path.name, "sarake": col, "taytettyja": int(filled.sum())})
    return pd.DataFrame(rows, columns=["tiedosto", "sarake", "taytettyja"])


def raw_rows(tables) -> pd.DataFrame:
    """``tiedosto, rivi, survey`` for every raw data row of the tables."""
    parts = [pd.DataFrame({"tiedosto": t.path.name, "rivi": t.frame.index.astype(int), "survey": t.survey})
             for t in tables]
    if not parts:
        return pd.DataFrame(columns=["tiedosto", "rivi", "survey"])
    return pd.concat(parts, ignore_index=True)


def _drop_rows(tables, rows: pd.DataFrame):
    """Tables without the given (tiedosto, rivi) rows."""
    from dataclasses import replace
    if rows.empty:
        return tables
    out = []
    for t in tables:
        gone = rows.loc[rows["tiedosto"] == t.path.name, "rivi"].astype(int)
        out.append(replace(t, frame=t.frame.drop(index=[r for r in gone if r in t.frame.index])))
    return out


def _override_parts(tables) -> list[pd.DataFrame]:
    """``tiedosto, rivi, _dedupe_override`` of the tables that carry corrections' overrides."""
    from kartoitus.stages.corrections import OVERRIDE_COLUMN
    return [pd.DataFrame({"tiedosto": t.path.name, "rivi": t.frame.index.astype(int),
                          OVERRIDE_COLUMN: t.frame[OVERRIDE_COLUMN].values})
            for t in tables if OVERRIDE_COLUMN in t.frame.columns]


def _handover(items: list):
    """Yield the items of ``items``, removing each from the list first (so that a
    consumer that lets an item go frees it)."""
    while items:
        yield items.pop(0)


def _attach_overrides(data: pd.DataFrame, tables=None, parts: list | None = None) -> pd.DataFrame:
    """Carry the corrections' de-duplication overrides from raw rows to clean rows
    (from the raw ``tables``, or from their ``parts`` taken with :func:`_override_parts`)."""
    from kartoitus.stages.corrections import OVERRIDE_COLUMN
    if parts is None:
        parts = _override_parts(tables)
    if not parts or data.empty:
        return data
    over = pd.concat(parts, ignore_index=True)
    base = data.drop(columns=[OVERRIDE_COLUMN], errors="ignore")
    merged = base.merge(over, on=["tiedosto", "rivi"], how="left")
    merged.index = data.index
    return merged


def _row_flags(data: pd.DataFrame, flags: pd.DataFrame) -> pd.Series:
    """Flag codes of each kept row, ';'-joined (the ``liput`` column)."""
    if flags.empty or data.empty:
        return pd.Series("", index=data.index)
    codes = (flags[["tiedosto", "rivi", "lippu"]].drop_duplicates()
             .sort_values(["tiedosto", "rivi", "lippu"])
             .groupby(["tiedosto", "rivi"])["lippu"].agg(";".join))
    keys = pd.MultiIndex.from_arrays([data["tiedosto"], data["rivi"].astype(int)])
    return pd.Series(codes.reindex(keys).fillna("").values, index=data.index)


def process_tables(tables, codebook: Codebook, year: int, window=None, corrections_path: Path | None = None,
                   corrections=None, progress: Progress = _quiet, *,
                   release: bool = False) -> tuple[dict[str, SurveyResult], pd.DataFrame, pd.DataFrame]:
    """The pure part of the data stage: raw tables -> per-survey results + audit.

    Returns ``(results, audit, corrections_log)``. With ``release`` the caller hands
    the list ``tables`` over: it is emptied as soon as its frames have been read
    (corrected, then cleaned survey by survey), so the raw frames can be freed
    while the rest of the stage runs.
    """
    from kartoitus.stages import classify
    from kartoitus.stages import clean
    from kartoitus.stages.audit import build_audit
    from kartoitus.stages.corrections import apply_corrections

    handed = tables if release and isinstance(tables, list) else None
    tables = list(tables)
    all_rows = raw_rows(tables)
    corr_log = pd.DataFrame(columns=["tiedosto", "rivi", "kentta", "vanha", "uusi", "syy", "toiminto"])
    corr_rejected = pd.DataFrame(columns=["tiedosto", "rivi", "syy"])
    if corrections:
        progress("korjaukset")
        tables, corr_rejected, corr_log = apply_corrections(tables, corrections, codebook, corrections_path)
        tables = _drop_rows(tables, corr_rejected)
    if handed is not None:
        handed.clear()

    results: dict[str, SurveyResult] = {}
    rules = list(default_settings().classification.rules)
    for survey in codebook.surveys.values():
        progress(f"siivous: {survey.id}")
        mine = [t for t in tables if t.survey == survey.id]
        overrides = _override_parts(mine)
        if handed is not None:
            # each raw table goes as soon as clean has read it
            tables = [t for t in tables if t.survey != survey.id]
            res = clean.clean_survey(_handover(mine), survey, codebook.municipalities, year, window)
        else:
            res = clean.clean_survey(mine, survey, codebook.municipalities, year, window)
        del mine
        data = _attach_overrides(res.data, parts=overrides)
        res.data = None   # ``data`` is the survey's cleaned frame from here on
        kept, replaced = clean.deduplicate(data, survey)
        del data
        decisions = None
        flags = res.flags
        if survey.id == codebook.association.id:
            progress("luokittelu")
            kept, decisions = classify.classify(kept, survey, rules, codebook.municipalities)
            corrected = corr_log[corr_log["kentta"] == "paatoimiala"][["tiedosto", "rivi"]]
            if len(corrected) and "paatoimiala_lahde" in kept.columns:
                keys = pd.MultiIndex.from_arrays([corrected["tiedosto"].astype(str),
                                                  corrected["rivi"].astype(int)])
                mask = pd.MultiIndex.from_arrays([kept["tiedosto"].astype(str),
                                                  kept["rivi"].astype(int)]).isin(keys)
                kept.loc[mask, "paatoimiala_lahde"] = "korjaus"
            if decisions is not None and len(decisions):
                auto = decisions[decisions["lahde"] != "vastaus"]
                flags = pd.concat([flags, pd.DataFrame({
                    "tiedosto": auto["tiedosto"], "rivi": auto["rivi"], "sarake": "paatoimiala",
                    "arvo": auto["paatoimiala"], "lippu": "luokiteltu_" + auto["lahde"].astype(str),
                    "selite": auto["selite"]})], ignore_index=True)
        kept = kept.assign(liput=_row_flags(kept, flags))
        results[survey.id] = SurveyResult(survey.id, kept, flags, res.rejected, replaced, decisions)

    progress("auditointi")
    rejected = pd.concat([corr_rejected] + [r.rejected for r in results.values()], ignore_index=True)
    replaced = pd.concat([r.replaced for r in results.values()], ignore_index=True)
    flags = pd.concat([r.flags for r in results.values()], ignore_index=True)
    audit = build_audit(all_rows, rejected, replaced, flags, corr_log)
    return results, audit, corr_log


# -- the data stage's own cache ------------------------------------------------------

#: fingerprint of the data stage's inputs, kept with the processed wave
SOURCES_FILE = ".lahteet.json"
#: the package's settings (codebook, classification rules, flag texts)
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "data"


def data_fingerprint(wave: Wave, codebook: Codebook) -> str:
    """Hash of everything the data stage reads: every file of the raw wave folder
    (exports, ``korjaukset.csv``, ``kysely.toml``), the package settings, the
    codebook, the tool version and its code."""
    from kartoitus.build.jobs import code_digest, fingerprint, folder_digest

    raw = folder_digest(wave.raw) if wave.raw.is_dir() else ""
    return fingerprint("data", wave.year, raw, folder_digest(PACKAGE_DATA), codebook.version, __version__,
                       code_digest())


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns}


def read_sources(wave: Wave) -> dict:
    """The data stage's record of a processed wave (empty when missing or unreadable)."""
    import json
    try:
        record = json.loads((wave.processed / SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def write_sources(wave: Wave, record: dict) -> None:
    from kartoitus.atomic import atomic_write_text
    import json
    atomic_write_text(wave.processed / SOURCES_FILE, json.dumps(record, indent=1, sort_keys=True) + "\n")


def _sources_current(wave: Wave, record: dict, fp: str) -> bool:
    """The record's fingerprint is ``fp`` and every processed file is as it was written."""
    from kartoitus.stages import bank

    if record.get("fingerprint") != fp or not isinstance(record.get("outputs"), dict):
        return False
    for name, stamp in record["outputs"].items():
        path = wave.processed / name
        if not path.is_file() or _stamp(path) != stamp:
            return False
    return wave.database.is_file() and wave.year in bank.database_waves(wave.database)


def _read_text_csv(path: Path) -> pd.DataFrame:
    """An Excel-facing processed file (audit, flags, mapping, ...) as text, formula escapes undone."""
    from kartoitus.stages.bank import read_excel_facing_csv
    return read_excel_facing_csv(path)


def load_data_result(wave: Wave, codebook: Codebook, record: dict) -> DataResult:
    """A :class:`DataResult` read back from a processed wave (no raw tables)."""
    from kartoitus.stages import bank

    folder = wave.processed
    audit = _read_text_csv(folder / bank.AUDIT_FILE)
    flags = _read_text_csv(folder / bank.FLAGS_FILE)
    mapping = _read_text_csv(folder / bank.MAPPING_FILE)
    if "osuvuus" in mapping.columns:
        mapping["osuvuus"] = pd.to_numeric(mapping["osuvuus"], errors="coerce").fillna(0.0)
    extras = _read_text_csv(folder / bank.EXTRAS_FILE)
    if "taytettyja" in extras.columns:
        extras["taytettyja"] = pd.to_numeric(extras["taytettyja"]).astype(int)
    corr_log = _read_text_csv(folder / bank.CORRECTIONS_LOG_FILE)
    decisions_path = folder / bank.DECISIONS_FILE
    survey_of_file = audit.drop_duplicates("file").set_index("file")["survey"]
    results = {}
    for survey in codebook.surveys.values():
        mine = audit[audit["survey"] == survey.id]
        rejected = mine[mine["status"] == "rejected"]
        replaced = mine[mine["status"] == "replaced"]
        results[survey.id] = SurveyResult(
            survey.id,
            bank.read_processed_csv(folder / bank.SURVEY_FILE.format(survey=survey.id)),
            flags[flags["tiedosto"].map(survey_of_file) == survey.id].reset_index(drop=True),
            pd.DataFrame({"tiedosto": rejected["file"], "rivi": rejected["row"].astype(int),
                          "syy": rejected["reason"]}).reset_index(drop=True),
            pd.DataFrame({"tiedosto": replaced["file"], "rivi": replaced["row"].astype(int)}).reset_index(drop=True),
            _read_text_csv(decisions_path) if survey.id == codebook.association.id and decisions_path.exists()
            else None,
        )
    return DataResult(wave=wave, results=results, audit=audit, mapping=mapping, extras=extras,
                      corrections=corr_log, files=[wave.raw / n for n in record.get("inputs", [])],
                      written=[folder / n for n in record["outputs"]] + [wave.database], reused=True)


def build_data(wave: Wave, codebook: Codebook | None = None, progress: Progress = _quiet,
               write: bool = True, reuse: bool = False) -> DataResult:
    """Raw exports of a wave -> ``data/processed/<year>/`` and the data bank.

    With ``reuse``, a processed wave whose inputs (raw files, corrections, survey
    window, codebook, settings, tool version) are unchanged since it was written is
    read back instead of rebuilt (``result.reused``). Every build that writes
    records the inputs' fingerprint in ``data/processed/<year>/.lahteet.json``.
    """
    from kartoitus.stages import bank
    from kartoitus.stages import ingest
    from kartoitus.stages.corrections import read_corrections

    codebook = codebook or default_codebook()
    fp = data_fingerprint(wave, codebook) if write else ""
    if write and reuse:
        record = read_sources(wave)
        if _sources_current(wave, record, fp):
            progress("data ennallaan")
            result = load_data_result(wave, codebook, record)
            result.summary()
            return result
    from kartoitus.privacy import personal_cells

    progress("luku")
    tables = ingest.read_wave(wave.raw, codebook, wave.year)
    window = read_window(wave.raw)
    corrections = read_corrections(wave.corrections)
    # what is needed of the raw tables after the stage; then they are handed over and freed
    mapping, extras, files = _mapping_frame(tables), _extras_frame(tables), [t.path for t in tables]
    personal = personal_cells(tables, codebook)
    results, audit, corr_log = process_tables(tables, codebook, wave.year, window, wave.corrections,
                                              corrections, progress, release=True)
    result = DataResult(wave=wave, results=results, audit=audit, mapping=mapping, extras=extras,
                        corrections=corr_log, files=files, personal=personal)
    result.summary()  # raises if the audit does not add up
    if write:
        progress("tallennus")
        assoc = results[codebook.association.id]
        files = {bank.SURVEY_FILE.format(survey=sid): r.data for sid, r in results.items()}
        flags = pd.concat([r.flags for r in results.values()], ignore_index=True)
        files.update({
            bank.AUDIT_FILE: audit,
            bank.FLAGS_FILE: flags,
            bank.MAPPING_FILE: result.mapping,
            bank.EXTRAS_FILE: result.extras,
            bank.CORRECTIONS_LOG_FILE: corr_log,
        })
        if assoc.decisions is not None:
            files[bank.DECISIONS_FILE] = assoc.decisions
        result.written = bank.write_wave(wave.processed, files)
        bank.write_database(
            wave.database, wave.year,
            {**{sid: r.data for sid, r in results.items()}, "audit": audit},
            {"jarjestokysely_n": len(assoc.data),
             "kuntakysely_n": len(results[codebook.municipality.id].data),
             "raakarivit": len(audit), "koodikirja": codebook.version, "versio": __version__},
        )
        result.written.append(wave.database)
        write_sources(wave, {"format": 1, "fingerprint": fp, "year": wave.year,
                             "inputs": sorted(p.name for p in result.files),
                             "outputs": {p.name: _stamp(p) for p in result.written if p.parent == wave.processed}})
    return result


@dataclass
class Validation:
    path: Path
    survey: str
    mapping: pd.DataFrame
    extras: list[str]
    audit: pd.DataFrame
    flags: pd.DataFrame
    encoding: str | None
    delimiter: str | None


def validate_file(path: Path, year: int, codebook: Codebook | None = None) -> Validation:
    """Read and clean one file as a build would; write nothing."""
    from kartoitus.stages import ingest

    codebook = codebook or default_codebook()
    table = ingest.read_file(Path(path), codebook, year)
    window = read_window(Path(path).parent)
    results, audit, _ = process_tables([table], codebook, year, window)
    flags = pd.concat([r.flags for r in results.values()], ignore_index=True)
    return Validation(path=Path(path), survey=table.survey, mapping=_mapping_frame([table]),
                      extras=list(table.extras.columns), audit=audit, flags=flags,
                      encoding=table.encoding, delimiter=table.delimiter)


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
    }
    if window:
        meta["survey_open"], meta["survey_close"] = window
    return meta


def _previous_scores(wave: Wave, codebook: Codebook):
    """Kuntatutka scores of the newest earlier wave in the data bank, if any."""
    from kartoitus.stages import bank
    from kartoitus.publication import kuntatutka
    from kartoitus.stages.wave import year_folders

    earlier = [y for y in year_folders(wave.processed_root) if y < wave.year]
    for year in reversed(earlier):
        path = wave.processed_root / str(year) / bank.SURVEY_FILE.format(survey=codebook.municipality.id)
        if path.exists():
            muni = bank.read_processed_csv(path)
            return year, kuntatutka.score_municipalities(muni, year, codebook.municipalities, codebook=codebook)
    return None, None


def report_jobs(wave: Wave, assoc: pd.DataFrame, muni: pd.DataFrame, tables: dict, meta: dict,
                codebook: Codebook, *, population=None, threshold: int = 5) -> list:
    """Every output of a wave as an independent, fingerprinted job."""
    from kartoitus.publication import kuntatutka
    from kartoitus.build.jobs import Job, code_digest, fingerprint, folder_digest
    from kartoitus.outputs import infographic, municipality
    from kartoitus.render.document import TEMPLATES

    common = (folder_digest(Path(TEMPLATES)), codebook.version, __version__, code_digest())
    out = wave.reports
    title = f"Keski-Suomen järjestökartoitus {wave.year}: taulukot"
    jobs = [
        Job("raportti", "kartoitus.outputs.report:render_job",
            {"tables": tables, "year": wave.year, "meta": meta, "out_dir": out},
            [out / f"jarjestokartoitus-{wave.year}.pdf", out / f"jarjestokartoitus-{wave.year}.html"],
            label="pääraportti"),
        Job("taulukot", "kartoitus.render.workbook:render_job",
            {"tables": tables, "path": out / f"taulukot-{wave.year}.xlsx", "title": title, "year": wave.year,
             "meta": {"codebook_version": codebook.version}},
            [out / f"taulukot-{wave.year}.xlsx"], label="Excel-taulukot"),
    ]
    scores = kuntatutka.score_municipalities(muni, wave.year, codebook.municipalities, population=population,
                                             codebook=codebook)
    prev_year, prev_scores = _previous_scores(wave, codebook)
    for p in municipality.municipality_jobs(wave.year, out, assoc, muni, scores, previous_scores=prev_scores,
                                            previous_year=prev_year, codebook=codebook, threshold=threshold):
        jobs.append(Job(f"kunta/{p['code']}", "kartoitus.outputs.municipality:render_job", p, [p["out"]],
                        label=f"kunta {p['name']}"))
    for p in infographic.infographic_jobs(wave.year, out, assoc, threshold=threshold, codebook=codebook):
        jobs.append(Job(f"infografiikka/{p['sector']}", "kartoitus.outputs.infographic:render_job", p,
                        list(p["outputs"]), label=f"infografiikka {p['sector']}"))
    for job in jobs:
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


def build_report(wave: Wave, codebook: Codebook | None = None, *, workers: int | None = None,
                 force: bool = False, reference_dir: Path | None = None, threshold: int = 5,
                 progress: Progress = _quiet) -> ReportResult:
    """The whole mapping of a wave: data stage, then every output, the privacy check, the manifest.

    Nothing is redone that did not change: the data stage is skipped when its
    inputs are unchanged, an output whose inputs are unchanged is not rebuilt, and
    an output already found clean is not scanned again. ``force`` redoes everything.
    """
    from kartoitus.stages import bank
    from kartoitus.publication import indicators
    from kartoitus.build.jobs import CACHE_FILE, OutputCheck, default_workers, run_jobs
    from kartoitus.build.manifest import write_manifest
    from kartoitus.stages.reference import load_reference
    from kartoitus.stages.wave import DEFAULT_REFERENCE

    codebook = codebook or default_codebook()
    data = build_data(wave, codebook, progress, reuse=not force)
    record = read_sources(wave)
    personal = _PersonalValues(data, codebook, record)
    if not data.reused or "henkilotiedot" not in record or "tietopankki" not in record:
        record["henkilotiedot"] = personal.digest()
        record["tietopankki"] = bank.wave_digest(wave.database, wave.year)
        write_sources(wave, record)
    progress("indikaattorit")
    processed = bank.load_wave(wave.processed, wave.year)
    assoc, muni = processed.association, processed.municipality
    reference_dir = Path(reference_dir) if reference_dir is not None else DEFAULT_REFERENCE
    reference = load_reference(reference_dir) if reference_dir.is_dir() else None
    tables = indicators.compute_all(assoc, muni, wave.year, codebook, reference, threshold)
    population = None
    if reference is not None and reference.population is not None:
        population, _ = reference.population_for(wave.year)
    meta = report_meta(data, codebook)
    jobs = report_jobs(wave, assoc, muni, tables, meta, codebook, population=population, threshold=threshold)
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
        return ReportResult(data, ran.outputs, ran.built, ran.skipped, None, findings)
    progress("manifesti")
    inputs = sorted(set(data.files) | {p for p in (wave.corrections, wave.raw / "kysely.toml") if p.exists()}
                    | set(sorted(reference_dir.glob("*.csv")) if reference_dir.is_dir() else []))
    outputs = sorted(set(ran.outputs) | {p for p in data.written if p.suffix == ".csv"})
    manifest = write_manifest(wave.reports / MANIFEST_FILE, inputs, outputs, codebook.version, __version__,
                              {"vuosi": wave.year, "tietopankki": record["tietopankki"]},
                              root=_common_root(wave), hashes=ran.hashes)
    return ReportResult(data, ran.outputs, ran.built, ran.skipped, manifest, [])
