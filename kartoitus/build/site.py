"""The static website of a wave: jobs for a build, and the ``site`` command.

:func:`site_jobs` turns a full :class:`~kartoitus.publication.Publication` into three
jobs (front page with the tables and downloads, the municipality pages, the sector
pages) whose payloads are the site models (:mod:`kartoitus.outputs.site`), written by
:func:`kartoitus.render.site.render_job` into ``reports/<year>/sivusto/``.
``kartoitus site`` (:func:`make_site`) reads the processed wave and its earlier waves
from the data bank, publishes it and runs only these jobs.
"""

from __future__ import annotations

from pathlib import Path

from kartoitus.build.jobs import Job
from kartoitus.build.repro import build_epoch
from kartoitus.outputs import site as site_out
from kartoitus.outputs.workbook import workbook_filename, workbook_model
from kartoitus.publication import Publication
from kartoitus.render.site import chart_files

RENDER = "kartoitus.render.site:render_job"


def site_folder(out_dir: Path | str) -> Path:
    return Path(out_dir) / site_out.SITE_FOLDER


def _page_files(site: Path, model: dict) -> list[Path]:
    return [site / model["page"], *(site / f for f in chart_files(model, model["page"]))]


def site_jobs(pub: Publication, out_dir: Path | str) -> list[Job]:
    """The site's jobs (no fingerprints yet: the caller sets them)."""
    site = site_folder(out_dir)
    models = site_out.site_models(pub)
    csv = {site_out.csv_name(tid): t for tid, t in models["csv"].items()}
    workbook = {"model": workbook_model(pub), "name": workbook_filename(pub.year), "epoch": build_epoch(year=pub.year)}
    front = {"front": models["front"], "tables": models["tables"]}
    front_files = (_page_files(site, front["front"]) + _page_files(site, front["tables"])
                   + [site / name for name in csv]
                   + [site / site_out.STYLE, site / site_out.SEARCH_SCRIPT, site / workbook["name"]])
    munis = list(models["municipalities"].values())
    sectors = list(models["sectors"].values())
    return [
        Job("sivusto/etusivu", RENDER, {"part": "front", "site": site, "models": front, "csv": csv,
                                         "search": models["search"], "workbook": workbook},
            front_files, label="verkkosivusto: etusivu ja taulukot"),
        Job("sivusto/kunnat", RENDER, {"part": "municipalities", "site": site, "models": munis},
            [f for m in munis for f in _page_files(site, m)], label="verkkosivusto: kunnat"),
        Job("sivusto/toimialat", RENDER, {"part": "sectors", "site": site, "models": sectors},
            [f for m in sectors for f in _page_files(site, m)], label="verkkosivusto: toimialat"),
    ]


def make_site(wave, settings, *, workers: int | None = None, force: bool = False,
              reference_dir: Path | None = None, threshold: int = 5, progress=lambda _: None) -> list[Path]:
    """``kartoitus site``: the website of an already processed wave (``build-data`` first)."""
    from kartoitus import __version__
    from kartoitus.build.inputs import read_wave_input
    from kartoitus.build.jobs import CACHE_FILE, code_digest, default_workers, fingerprint, folder_digest, run_jobs
    from kartoitus.publication import publish
    from kartoitus.stages.wave import DEFAULT_REFERENCE

    reference_dir = Path(reference_dir) if reference_dir is not None else DEFAULT_REFERENCE
    data = read_wave_input(wave.processed_root, wave.year, settings, reference_dir=reference_dir, previous="all")
    progress("indikaattorit")
    pub = publish(data, settings, threshold=threshold)
    jobs = site_jobs(pub, wave.reports)
    common = (tuple(folder_digest(Path(t)) for t in settings.templates), settings.version, __version__,
              code_digest())
    for job in jobs:
        job.fingerprint = fingerprint(job.id, job.func, job.payload, common)
    wave.reports.mkdir(parents=True, exist_ok=True)
    ran = run_jobs(jobs, wave.reports / CACHE_FILE, workers=workers or default_workers(), force=force,
                   progress=progress)
    return ran.outputs
