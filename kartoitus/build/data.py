"""The data stage of a wave: raw exports -> processed data, the audit and the data bank.

``build_data`` reads a wave's raw exports, runs the stages (corrections, clean,
classify, audit) through :func:`process_tables` and writes the processed wave and
the data bank; ``validate_file`` does the same for one file without writing
anything. The stages are pure functions; this module does the reading and writing
around them and reports progress through a callback so the CLI can draw progress
bars. The settings are built at the edge (the CLI) and passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from kartoitus import __version__
from kartoitus.errors import KartoitusError
from kartoitus.settings import Settings
from kartoitus.stages.wave import Wave, read_window
from kartoitus.stages import catalog

Progress = Callable[[str], None]
#: Columns of :attr:`DataResult.skipped`.
SKIPPED_COLUMNS = ["tiedosto", "syy"]
MISSING_COLUMNS = ["kysely", "kysymys", "otsikko"]


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
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SKIPPED_COLUMNS))
    # every file, sheet or zip member of the wave folder that was not read: tiedosto, syy
    missing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MISSING_COLUMNS))
    # questions asked in the wave that no file carries: kysely, kysymys, otsikko
    absent: list[str] = field(default_factory=list)   # surveys without any file in the wave

    def summary(self):
        from kartoitus.stages.audit import summarise
        return summarise(self.audit)


def _mapping_frame(tables) -> pd.DataFrame:
    rows = []
    for t in tables:
        for m in t.mapping:
            rows.append({"tiedosto": t.name, "kysely": t.survey, "sarake": m.source,
                         "tunnus": m.column or "", "kysymys": m.question or "",
                         "tapa": m.method, "osuvuus": round(float(m.score), 1)})
    return pd.DataFrame(rows, columns=["tiedosto", "kysely", "sarake", "tunnus", "kysymys", "tapa", "osuvuus"])


def _extras_frame(tables) -> pd.DataFrame:
    rows = []
    for t in tables:
        for col in t.extras.columns:
            values = t.extras[col]
            filled = values.notna() & (values.astype(str).str.strip() != "")
            rows.append({"tiedosto": t.name, "sarake": col, "taytettyja": int(filled.sum())})
    return pd.DataFrame(rows, columns=["tiedosto", "sarake", "taytettyja"])


def raw_rows(tables) -> pd.DataFrame:
    """``tiedosto, rivi, survey`` for every raw data row of the tables."""
    parts = [pd.DataFrame({"tiedosto": t.name, "rivi": t.frame.index.astype(int), "survey": t.survey})
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
        gone = rows.loc[rows["tiedosto"] == t.name, "rivi"].astype(int)
        out.append(replace(t, frame=t.frame.drop(index=[r for r in gone if r in t.frame.index])))
    return out


def _override_parts(tables) -> list[pd.DataFrame]:
    """``tiedosto, rivi, _dedupe_override`` of the tables that carry corrections' overrides."""
    from kartoitus.stages.corrections import OVERRIDE_COLUMN
    return [pd.DataFrame({"tiedosto": t.name, "rivi": t.frame.index.astype(int),
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


def _preset_sources(kept: pd.DataFrame, corr_log: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """``kept`` with the main-sector source preset (``korjaus``) on the rows whose main
    sector a correction set: classify keeps their sector and runs no rule for them."""
    names = settings.names
    corrected = corr_log[corr_log["kentta"] == names.q_sector]
    if not len(corrected) or kept.empty:
        return kept
    keys = pd.MultiIndex.from_arrays([corrected["tiedosto"].astype(str), corrected["rivi"].astype(int)])
    mask = pd.MultiIndex.from_arrays([kept[names.file].astype(str), kept[names.row].astype(int)]).isin(keys)
    if not mask.any():
        return kept
    preset = pd.Series(None, index=kept.index, dtype=object)
    preset[mask] = names.source_correction
    return kept.assign(**{names.sector_source: preset})


def process_tables(tables, settings: Settings, year: int, window=None, corrections_path: Path | None = None,
                   corrections=None, progress: Progress = _quiet, *, release: bool = False,
                   strict: bool = True) -> tuple[dict[str, SurveyResult], pd.DataFrame, pd.DataFrame]:
    """The pure part of the data stage: raw tables -> per-survey results + audit.

    Returns ``(results, audit, corrections_log)``. A correction of the main sector
    reaches ``classify`` as the row's preset source (``korjaus``), so the corrected
    sector stands and no rule decides that row. With ``release`` the caller hands
    the list ``tables`` over: it is emptied as soon as its frames have been read
    (corrected, then cleaned survey by survey), so the raw frames can be freed
    while the rest of the stage runs. ``strict=False`` (validating one file) leaves
    out the corrections that concern other files.
    """
    from kartoitus.stages import classify
    from kartoitus.stages import clean
    from kartoitus.stages.audit import build_audit
    from kartoitus.stages.corrections import LOG_COLUMNS, apply_corrections

    codebook, names = settings.codebook, settings.names
    handed = tables if release and isinstance(tables, list) else None
    tables = list(tables)
    all_rows = raw_rows(tables)
    corr_log = pd.DataFrame(columns=LOG_COLUMNS)
    corr_rejected = pd.DataFrame(columns=clean.REJECT_COLUMNS)
    if corrections:
        progress("korjaukset")
        tables, corr_rejected, corr_log = apply_corrections(tables, corrections, codebook, corrections_path,
                                                            strict=strict)
        tables = _drop_rows(tables, corr_rejected)
    if handed is not None:
        handed.clear()

    results: dict[str, SurveyResult] = {}
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
            kept = _preset_sources(kept, corr_log, settings)
            kept, decisions = classify.classify(kept, survey, settings.classification, names,
                                                codebook.municipalities)
            if decisions is not None and len(decisions):
                auto = decisions[decisions["lahde"] != names.source_answer]
                flags = pd.concat([flags, pd.DataFrame({
                    "tiedosto": auto[names.file], "rivi": auto[names.row], "sarake": names.q_sector,
                    "arvo": auto[names.q_sector], "lippu": "luokiteltu_" + auto["lahde"].astype(str),
                    "selite": auto["selite"]})], ignore_index=True)
        kept = kept.assign(**{names.flags: _row_flags(kept, flags)})
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
def data_fingerprint(wave: Wave, settings: Settings) -> str:
    """Hash of everything the data stage reads: every file of the raw wave folder
    (exports, ``korjaukset.csv``, ``kysely.toml``), the settings' data folder (codebook,
    classification rules, names, flag texts), the tool version and its code."""
    from kartoitus.build.jobs import code_digest, fingerprint, folder_digest

    raw = folder_digest(wave.raw) if wave.raw.is_dir() else ""
    return fingerprint("data", wave.year, raw, folder_digest(settings.data_dir), settings.codebook.version,
                       __version__, code_digest())


def _skipped_text(skipped) -> str:
    shown = "; ".join(f"{k.name} ({k.reason})" for k in skipped[:5])
    return shown + (f" ja {len(skipped) - 5} muuta" if len(skipped) > 5 else "")


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


def load_data_result(wave: Wave, settings: Settings, record: dict) -> DataResult:
    """A :class:`DataResult` read back from a processed wave (no raw tables)."""
    from kartoitus.stages import bank

    codebook = settings.codebook

    folder = wave.processed
    audit = catalog.audit_from_finnish(_read_text_csv(folder / bank.AUDIT_FILE))
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
    skipped = _read_optional(folder / bank.SKIPPED_FILE, SKIPPED_COLUMNS)
    missing = _read_optional(folder / bank.MISSING_FILE, MISSING_COLUMNS)
    return DataResult(wave=wave, results=results, audit=audit, mapping=mapping, extras=extras,
                      corrections=corr_log, files=[wave.raw / n for n in record.get("inputs", [])],
                      written=[folder / n for n in record["outputs"]] + [wave.database], reused=True,
                      skipped=skipped, missing=missing, absent=list(record.get("absent", [])))


def _read_optional(path: Path, columns: list[str]) -> pd.DataFrame:
    return _read_text_csv(path) if path.is_file() else pd.DataFrame(columns=columns)


def build_data(wave: Wave, settings: Settings, progress: Progress = _quiet,
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

    codebook = settings.codebook
    fp = data_fingerprint(wave, settings) if write else ""
    if write and reuse:
        record = read_sources(wave)
        if _sources_current(wave, record, fp):
            progress("data ennallaan")
            result = load_data_result(wave, settings, record)
            result.summary()
            return result
    from kartoitus.privacy import personal_cells

    from kartoitus.stages.audit import absent_surveys, missing_questions

    progress("luku")
    scanned = ingest.scan_wave(wave.raw, codebook, wave.year)
    tables = scanned.tables
    if not tables:
        raise KartoitusError(
            f"aallon {wave.year} kansiossa {wave.raw} ei ole yhtään kyselyn vientitiedostoa"
            + (f" (ei luettu: {_skipped_text(scanned.skipped)})" if scanned.skipped else "")
            + ": vie järjestökyselyn ja kuntakyselyn vastaukset kansioon (.csv, .xlsx, .xls, .ods tai "
              "Google Formsin .zip) ja aja uudelleen.")
    window = read_window(wave.raw)
    corrections = read_corrections(wave.corrections)
    # what is needed of the raw tables after the stage; then they are handed over and freed
    mapping, extras, files = _mapping_frame(tables), _extras_frame(tables), list(scanned.files)
    personal = personal_cells(tables, codebook)
    missing = missing_questions(tables, codebook, wave.year)
    absent = absent_surveys(tables, codebook)
    skipped = pd.DataFrame([{"tiedosto": k.name, "syy": k.reason} for k in scanned.skipped],
                           columns=SKIPPED_COLUMNS)
    results, audit, corr_log = process_tables(tables, settings, wave.year, window, wave.corrections,
                                              corrections, progress, release=True)
    result = DataResult(wave=wave, results=results, audit=audit, mapping=mapping, extras=extras,
                        corrections=corr_log, files=files, personal=personal, skipped=skipped,
                        missing=missing, absent=absent)
    result.summary()  # raises if the audit does not add up
    if write:
        progress("tallennus")
        assoc = results[codebook.association.id]
        files = {bank.SURVEY_FILE.format(survey=sid): r.data for sid, r in results.items()}
        flags = pd.concat([r.flags for r in results.values()], ignore_index=True)
        files.update({
            bank.AUDIT_FILE: catalog.audit_in_finnish(audit),
            bank.FLAGS_FILE: flags,
            bank.MAPPING_FILE: result.mapping,
            bank.EXTRAS_FILE: result.extras,
            bank.CORRECTIONS_LOG_FILE: corr_log,
            bank.SKIPPED_FILE: skipped,
            bank.MISSING_FILE: missing,
        })
        if assoc.decisions is not None:
            files[bank.DECISIONS_FILE] = assoc.decisions
        result.written = bank.write_wave(wave.processed, files)
        bank.write_database(
            wave.database, wave.year,
            {**{sid: r.data for sid, r in results.items()}, catalog.AUDIT_TABLE: catalog.audit_in_finnish(audit)},
            {**{f"{sid}_n": len(r.data) for sid, r in results.items()},
             "raakarivit": len(audit), "koodikirja": codebook.version, "versio": __version__},
            codebook=codebook, flags=dict(settings.flags), classification=settings.classification,
        )
        result.written.append(wave.database)
        write_sources(wave, {"format": 1, "fingerprint": fp, "year": wave.year,
                             "inputs": sorted(p.relative_to(wave.raw).as_posix() for p in result.files),
                             "absent": absent,
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
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)   # what korjaukset.csv would do
    skipped: list = field(default_factory=list)                         # sheets not read (Skipped)


def validate_file(path: Path, year: int, settings: Settings) -> Validation:
    """Read and clean one file as a build would, with the corrections of its wave folder
    that concern it (``korjaukset.csv`` beside it); write nothing."""
    from kartoitus.stages import ingest
    from kartoitus.stages.corrections import read_corrections
    from kartoitus.stages.wave import CORRECTIONS_FILE

    path = Path(path)
    tables, skipped = ingest.read_export(path, settings.codebook, year)
    window = read_window(path.parent)
    corrections_path = path.parent / CORRECTIONS_FILE
    corrections = read_corrections(corrections_path)
    results, audit, corr_log = process_tables(tables, settings, year, window, corrections_path,
                                              corrections, strict=False)
    flags = pd.concat([r.flags for r in results.values()], ignore_index=True)
    first = tables[0]
    return Validation(path=path, survey=", ".join(dict.fromkeys(t.survey for t in tables)),
                      mapping=_mapping_frame(tables), extras=[c for t in tables for c in t.extras.columns],
                      audit=audit, flags=flags, encoding=first.encoding, delimiter=first.delimiter,
                      corrections=corr_log, skipped=list(skipped))
