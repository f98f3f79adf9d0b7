"""Materials for meetings as build jobs: the region's slide deck, one discussion sheet
and one newsletter text per municipality (:func:`meeting_jobs`), and the deck theme
read from the template folders (:func:`deck_theme`).

The look of the decks comes from ``diat.yaml`` and ``logo.png`` of the first template
folder that has them (``settings.templates``: the organisation's ``templates/`` first,
then the package's): colours (``varit``), font (``fontti``), footer (``alatunniste``)
and the logo.
"""

from __future__ import annotations

from pathlib import Path

from kartoitus.build.jobs import Job
from kartoitus.errors import ConfigError
from kartoitus.outputs.discussion import discussion_model
from kartoitus.outputs.newsletter import newsletter_model
from kartoitus.outputs.slides import region_deck
from kartoitus.publication import Publication
from kartoitus.render import discussion as rd
from kartoitus.render import newsletter as rn
from kartoitus.settings import Settings
from kartoitus.settings.files import read_yaml

THEME_FILE = "diat.yaml"
DECK_FOLDER = "diat"
DECK_RENDER = "kartoitus.render.slides:render_job"


def deck_theme(settings: Settings) -> dict:
    """The deck theme from the template folders (the first ``diat.yaml`` found; its
    ``logo`` file beside it, when it exists)."""
    for folder in settings.templates:
        path = Path(folder) / THEME_FILE
        if not path.is_file():
            continue
        raw = read_yaml(path, "odotettiin avaimia varit, fontti, alatunniste, logo")
        colors = raw.get("varit") or []
        if not isinstance(colors, list):
            raise ConfigError(f"{path.name}: varit pitää olla luettelo, esim. [\"#1b4f72\", \"#d35400\"]")
        theme = {"colors": [str(c) for c in colors], "font": raw.get("fontti") or None,
                 "footer": str(raw.get("alatunniste") or ""), "logo": None}
        logo = Path(folder) / str(raw.get("logo") or "logo.png")
        if logo.is_file():
            theme["logo"] = logo.read_bytes()
        return theme
    return {}


def region_deck_path(out_dir: Path | str, year: int) -> Path:
    """``<out_dir>/diat/jarjestokartoitus-<year>.pptx``; ``out_dir`` is ``reports/<year>``."""
    return Path(out_dir) / DECK_FOLDER / f"jarjestokartoitus-{year}.pptx"


def region_deck_job(pub: Publication, out_dir: Path, theme: dict) -> Job:
    path = region_deck_path(out_dir, pub.year)
    return Job("diat/maakunta", DECK_RENDER, {"model": region_deck(pub, theme), "path": path}, [path],
               label="diaesitys")


def discussion_jobs(pub: Publication, out_dir: Path) -> list[Job]:
    jobs = []
    for code, f in pub.municipalities.items():
        out = rd.output_path(out_dir, code, f.name)
        jobs.append(Job(f"kehityskeskustelu/{code}", "kartoitus.render.discussion:render_job",
                        {"model": discussion_model(pub, code), "out": out}, [out],
                        label=f"kehityskeskustelu {f.name}"))
    return jobs


def newsletter_jobs(pub: Publication, out_dir: Path) -> list[Job]:
    jobs = []
    for code, f in pub.municipalities.items():
        outs = rn.output_paths(out_dir, code, f.name)
        jobs.append(Job(f"kuntakirje/{code}", "kartoitus.render.newsletter:render_job",
                        {"model": newsletter_model(pub, code), "out": outs}, list(outs),
                        label=f"kuntakirje {f.name}"))
    return jobs


def meeting_jobs(pub: Publication, out_dir: Path, settings: Settings) -> list[Job]:
    """The region's deck, the discussion sheets and the newsletter texts of a full
    publication; fingerprints are left to ``build.pipeline.report_jobs``."""
    return ([region_deck_job(pub, Path(out_dir), deck_theme(settings))] + discussion_jobs(pub, Path(out_dir))
            + newsletter_jobs(pub, Path(out_dir)))


# -- the slides command ------------------------------------------------------------------

def make_region_deck(settings: Settings, *, year: int | None = None, processed: Path | None = None,
                     reports: Path | None = None, reference_dir: Path | None = None,
                     threshold: int | None = None) -> Path:
    """``kartoitus slides``: the region's deck from a processed wave on disk (the same
    deck ``build-report`` writes); returns its path."""
    from kartoitus.build.inputs import read_wave_input
    from kartoitus.publication import publish
    from kartoitus.publication.suppression import DEFAULT_THRESHOLD
    from kartoitus.render.slides import write_deck
    from kartoitus.stages.wave import DEFAULT_REFERENCE, resolve_wave

    wave = resolve_wave(None, processed, reports, year, need_raw=False)
    if reference_dir is None:
        candidate = Path(wave.processed_root).parent / "reference"
        reference_dir = candidate if candidate.is_dir() else DEFAULT_REFERENCE
    data = read_wave_input(wave.processed_root, wave.year, settings,
                           reference_dir=reference_dir if Path(reference_dir).is_dir() else None)
    pub = publish(data, settings, threshold=threshold or DEFAULT_THRESHOLD, parts=("tables", "kuntatutka"))
    return write_deck(region_deck(pub, deck_theme(settings)), region_deck_path(wave.reports, wave.year))
