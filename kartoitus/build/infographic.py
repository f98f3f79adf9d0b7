"""The sector infographics of a wave: jobs for a build, and the ``infographic`` command.

:func:`infographic_jobs` turns a :class:`~kartoitus.publication.Publication` with
its ``sectors`` part into one job per page: the page's model
(:func:`kartoitus.outputs.infographic.infographic_model`) and its two files,
rendered by :func:`kartoitus.render.infographic.render_job`. The model is the
job's payload, so the build cache redoes a page exactly when what it prints
changes.

``kartoitus infographic SECTOR`` (:func:`make_infographics`) reads only the
columns of the processed association survey that the pages and their wave-wide
masks need (:func:`sector_columns`), computes the publication's ``sectors`` part
for the one sector and renders it: the page equals the page of a full build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from kartoitus.build.jobs import Job
from kartoitus.errors import KartoitusError
from kartoitus.outputs.infographic import infographic_model, resolve_sector
from kartoitus.publication import Publication, WaveInput, publish
from kartoitus.publication.suppression import DEFAULT_THRESHOLD
from kartoitus.render.infographic import render_job
from kartoitus.settings import Settings
from kartoitus.settings.codebook import NAME_SUFFIX, OTHER_SUFFIX
from kartoitus.stages.wave import Wave

#: Sub-folder of ``reports/<year>/`` for the infographics.
SUBFOLDER = "infograafit"
RENDER = "kartoitus.render.infographic:render_job"


def output_paths(out_dir: Path | str, sector: str) -> list[Path]:
    """``<out_dir>/infograafit/<key>.pdf`` and ``.png``; ``out_dir`` is ``reports/<year>``."""
    folder = Path(out_dir) / SUBFOLDER
    return [folder / f"{sector}.pdf", folder / f"{sector}.png"]


def infographic_jobs(pub: Publication, out_dir: Path | str) -> list[Job]:
    """One job per sector page of ``pub.sectors`` (in page order); no fingerprints yet
    (the caller sets them with the build's common inputs)."""
    jobs = []
    for key in pub.sectors or {}:
        outputs = output_paths(out_dir, key)
        jobs.append(Job(f"infografiikka/{key}", RENDER, {"model": infographic_model(pub, key), "outputs": outputs},
                        list(outputs), label=f"infografiikka {key}"))
    return jobs


# -- the single-page command ----------------------------------------------------------------

def sector_columns(header: Iterable[str], settings: Settings) -> list[str]:
    """Columns of the processed association survey the pages and their masks read:
    the main sector and every sector named, the home municipality and sub-region,
    the sector group and reach, the people questions and every column of the option
    and cooperation questions (the report counts an answer given only as other
    text). Never names."""
    cb, n = settings.codebook, settings.names
    wanted = {n.q_sector, cb.home_column, n.subregion, n.group, n.reach, n.q_members, n.q_volunteers,
              n.q_staff}
    prefixes = tuple(f"{q}__" for q in (n.q_targets, n.q_forms, n.q_challenges, n.q_sectors))
    rows = {r.key for r in cb.association.question(n.q_cooperation).rows}
    return [c for c in header if (c in wanted or c in rows or str(c).startswith(prefixes))
            and not str(c).endswith(NAME_SUFFIX)]


def _sector_frame(path: Path, settings: Settings) -> pd.DataFrame:
    from kartoitus.stages.bank import TEXT_COLUMNS

    header = list(pd.read_csv(path, nrows=0).columns)
    use = sector_columns(header, settings)
    text = {c for c in use if c in TEXT_COLUMNS or c.endswith(NAME_SUFFIX) or c.endswith(OTHER_SUFFIX)}
    text.add(settings.names.q_sector)
    return pd.read_csv(path, usecols=use, dtype={c: str for c in text if c in use},
                       keep_default_na=False, na_values=[""])


def read_sector_input(wave: Wave, settings: Settings) -> WaveInput:
    """The wave's association survey, only :func:`sector_columns` (read as
    :func:`kartoitus.stages.bank.read_processed_csv` reads it: codes as text), and the
    same columns of the earlier waves of the data bank (for the change since the
    previous wave)."""
    from kartoitus.publication import PreviousWave
    from kartoitus.stages.bank import SURVEY_FILE
    from kartoitus.stages.wave import year_folders

    name = SURVEY_FILE.format(survey=settings.codebook.association.id)
    path = wave.processed / name
    if not path.exists():
        raise KartoitusError(f"{path} puuttuu: aja ensin kartoitus build-data")
    previous = tuple(PreviousWave(year=y, association=_sector_frame(wave.processed_root / str(y) / name, settings),
                                  municipality=None)
                     for y in reversed(year_folders(wave.processed_root))
                     if y < wave.year and (wave.processed_root / str(y) / name).exists())
    return WaveInput(year=wave.year, association=_sector_frame(path, settings), municipality=pd.DataFrame(),
                     previous=previous)


def make_infographics(wave: Wave, settings: Settings, sectors: Iterable[str] | None = None, *,
                      threshold: int = DEFAULT_THRESHOLD) -> list[Path]:
    """``kartoitus infographic SECTOR`` / ``--all``: render the pages of ``sectors``
    (keys or Finnish names; None = every page) of a processed wave into
    ``reports/<year>/infograafit/``. Returns the files written."""
    keys = None if sectors is None else tuple(dict.fromkeys(resolve_sector(s, settings) for s in sectors))
    data = read_sector_input(wave, settings)
    pub = publish(data, settings, threshold=threshold, parts=("sectors", "trends"), sectors=keys)
    paths: list[Path] = []
    for job in infographic_jobs(pub, wave.reports):
        paths += render_job(job.payload)
    return paths
