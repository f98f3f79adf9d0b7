"""The main report and the workbook of a wave as build jobs, from its publication.

The models are built here (pure: ``kartoitus.outputs``), and each job's payload is
the model and where to write it, so a job's fingerprint changes exactly when what
it prints changes.
"""

from __future__ import annotations

from pathlib import Path

from kartoitus.build.jobs import Job
from kartoitus.build.repro import build_epoch
from kartoitus.outputs.report import report_filename, report_model
from kartoitus.outputs.workbook import workbook_filename, workbook_model
from kartoitus.publication import Publication


def report_and_workbook_jobs(pub: Publication, out_dir: Path) -> list[Job]:
    """The main report (PDF + HTML) and the Excel workbook of ``pub`` into ``out_dir``
    (fingerprints are left to the caller, which knows the common inputs)."""
    out = Path(out_dir)
    year = pub.year
    workbook = out / workbook_filename(year)
    return [
        Job("raportti", "kartoitus.render.report:render_job",
            {"model": report_model(pub), "out_dir": out},
            [out / report_filename(year, ".pdf"), out / report_filename(year, ".html")],
            label="pääraportti"),
        Job("taulukot", "kartoitus.render.workbook:render_job",
            {"model": workbook_model(pub), "path": workbook, "epoch": build_epoch(year=year)},
            [workbook], label="Excel-taulukot"),
    ]
