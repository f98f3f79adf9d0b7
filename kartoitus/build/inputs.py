"""The edge between the data bank and the publication: a processed wave read from
disk into a :class:`kartoitus.publication.WaveInput`.

``build-report`` hands the data stage's frames over directly; the commands that
make one output from an already processed wave (``infographic``, ``workshop-pack``,
``slides``, ``site``) read it here, together with the reference data and the
earlier waves of the data bank.
"""

from __future__ import annotations

from pathlib import Path

from kartoitus.publication import PreviousWave, WaveInput
from kartoitus.settings import Settings
from kartoitus.stages import bank
from kartoitus.stages.reference import Reference, load_reference
from kartoitus.stages.wave import year_folders


def reference_data(reference_dir: Path | None) -> Reference | None:
    """The reference files of ``reference_dir`` (None when the folder or both files are missing)."""
    if reference_dir is None or not Path(reference_dir).is_dir():
        return None
    return load_reference(reference_dir)


def population_of(reference: Reference | None, year: int):
    """Inhabitants by municipality code for ``year`` (None when not known)."""
    if reference is None or reference.population is None:
        return None
    values, _years = reference.population_for(year)
    return values if len(values) else None


def previous_waves(processed_root: Path, year: int, settings: Settings, *, columns: str = "all",
                   limit: int | None = None) -> tuple[PreviousWave, ...]:
    """Earlier processed waves under ``processed_root``, newest first.

    ``columns="municipality"`` reads only the municipality survey (what the kuntatutka
    change needs); ``"all"`` reads both surveys.
    """
    cb = settings.codebook
    out = []
    for y in reversed([y for y in year_folders(Path(processed_root)) if y < year]):
        folder = Path(processed_root) / str(y)
        muni_path = folder / bank.SURVEY_FILE.format(survey=cb.municipality.id)
        assoc_path = folder / bank.SURVEY_FILE.format(survey=cb.association.id)
        if not muni_path.exists() and not assoc_path.exists():
            continue
        muni = bank.read_processed_csv(muni_path) if muni_path.exists() else None
        assoc = (bank.read_processed_csv(assoc_path) if columns == "all" and assoc_path.exists() else None)
        out.append(PreviousWave(year=y, association=assoc, municipality=muni))
        if limit is not None and len(out) >= limit:
            break
    return tuple(out)


def read_wave_input(processed_root: Path, year: int, settings: Settings, *,
                    reference_dir: Path | None = None, meta: dict | None = None,
                    previous: str = "municipality") -> WaveInput:
    """A processed wave (``<processed_root>/<year>/``) as the publication's input."""
    folder = Path(processed_root) / str(year)
    processed = bank.load_wave(folder, year, settings.codebook)
    reference = reference_data(reference_dir)
    return WaveInput(year=year, association=processed.association, municipality=processed.municipality,
                     meta=dict(meta or {}), population=population_of(reference, year), reference=reference,
                     previous=previous_waves(processed_root, year, settings, columns=previous)
                     if previous else ())
