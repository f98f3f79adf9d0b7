"""The municipality PDFs of a wave as build jobs (one per municipality)."""

from __future__ import annotations

from pathlib import Path

from kartoitus.build.jobs import Job
from kartoitus.outputs.municipality import municipality_model
from kartoitus.publication import Publication
from kartoitus.render.municipality import output_path

RENDER_FUNC = "kartoitus.render.municipality:render_job"


def municipality_jobs(pub: Publication, out_dir: Path) -> list[Job]:
    """One job per municipality of the wave: payload ``{"model", "out"}`` (the model is
    built here, from the publication; the worker draws the radar and writes the PDF).
    ``out_dir``: the wave's reports folder (``reports/<year>``). Fingerprints are left
    to the caller (``build.pipeline.report_jobs``)."""
    jobs = []
    for code, figures in pub.municipalities.items():
        out = output_path(out_dir, code, figures.name)
        jobs.append(Job(f"kunta/{code}", RENDER_FUNC, {"model": municipality_model(pub, code), "out": out},
                        [out], label=f"kunta {figures.name}"))
    return jobs
