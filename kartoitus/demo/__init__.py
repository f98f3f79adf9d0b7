"""Demo data: realistic, messy exports of both surveys for one wave.

``write_demo_wave`` writes what a researcher gets from the field in one autumn: the
Google Forms export of the association survey, paper forms typed into Excel, late
answers downloaded from Google Sheets as ``.xlsx``, the municipality survey, and the
survey window (``kysely.toml``). Every kind of mess listed in the instrument README
is in there, planted explicitly so that even a tiny wave has one of each.

``make_answers`` is the pure part: it builds the answers as DataFrames whose columns
are the form's column titles (``Title [Row]`` for grids), with cells as the form
shows them (text; the timestamp as a tz-aware ``Europe/Helsinki`` datetime) plus
internal columns starting with ``_``:

- ``_kanava``: which file the answer belongs to (``lomake``, ``paperi``,
  ``myohastynyt``; the municipality survey has only ``lomake``);
- ``_sotku``: the planted mess kinds of the row, ``;``-joined (see ``MESS_KINDS``);
- ``_kasitelty``, ``_huom``: the hand-added columns of the paper-form sheet.

Generation is vectorised with numpy (per municipality or per distinct value, never
per row), so 1,000,000 answers take seconds. Titles, option labels, grid labels and
municipalities come from the codebook (``settings``); the hand-written strings
(names, typos, drifted titles) live in ``demo.yaml`` in the settings' data folder.

The package, in the order a wave is made:

- :mod:`~kartoitus.demo.config`: file names, export styles, mess kinds, ``demo.yaml``;
- :mod:`~kartoitus.demo.people`: the fictional population (municipalities,
  associations, names, contact people);
- :mod:`~kartoitus.demo.answers`: what they answer;
- :mod:`~kartoitus.demo.mess`: what real exports do wrong, planted;
- :mod:`~kartoitus.demo.generator`: the association answers, drawn and rendered;
- :mod:`~kartoitus.demo.municipality`: the municipality survey;
- :mod:`~kartoitus.demo.exports`: the export writers (CSV styles, xlsx, ``kysely.toml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from kartoitus.demo.config import (
    CHANNEL_FORM, CHANNEL_LATE, CHANNEL_PAPER, CHANNELS, DEMO_FILE, FILE_FORM, FILE_LATE,
    FILE_MUNICIPALITY, FILE_PAPER, FILE_WINDOW, MESS_KINDS, MIN_ASSOCIATIONS, STYLE_EXCEL_FI,
    STYLE_FORMS_EN, STYLE_FORMS_FI, STYLES, TZ, load_demo_config, survey_window,
)
from kartoitus.demo.exports import (
    export_frame, format_timestamps, write_association_csv, write_association_xlsx, write_csv,
    write_municipality_csv, write_survey_window,
)
from kartoitus.demo.generator import AssociationGenerator
from kartoitus.demo.municipality import municipality_answers
from kartoitus.demo.people import municipalities, wave_latent
from kartoitus.errors import KartoitusError
from kartoitus.settings import Settings
from kartoitus.settings.codebook import ASSOCIATION_SURVEY, MUNICIPALITY_SURVEY

__all__ = [
    "ASSOCIATION_SURVEY", "MUNICIPALITY_SURVEY", "CHANNEL_FORM", "CHANNEL_LATE", "CHANNEL_PAPER",
    "CHANNELS", "DEMO_FILE", "FILE_FORM", "FILE_LATE", "FILE_MUNICIPALITY", "FILE_PAPER", "FILE_WINDOW",
    "MESS_KINDS", "MIN_ASSOCIATIONS", "STYLE_EXCEL_FI", "STYLE_FORMS_EN", "STYLE_FORMS_FI", "STYLES", "TZ",
    "load_demo_config", "survey_window", "export_frame", "format_timestamps", "write_association_csv",
    "write_association_xlsx", "write_csv", "write_municipality_csv", "write_survey_window",
    "make_answers", "write_demo_wave", "write_demo_waves", "wave_size",
]


def make_answers(settings: Settings, year: int = 2025, n: int = 900, seed: int = 2025, *,
                 config: Mapping | None = None, base_n: int | None = None) -> dict:
    """The answers of one demo wave as DataFrames (pure: nothing is written).

    Returns ``{"jarjestokysely": frame, "kuntakysely": frame, "ikkuna": (opened,
    closed), "vastaamatta": [municipality codes that did not answer]}``. ``n`` is
    the number of association answer rows across all three files (duplicates and
    rejected rows included). ``config`` is ``demo.yaml`` as read by
    :func:`load_demo_config` (by default the one in ``settings.data_dir``). Same
    arguments, same frames. ``base_n``: for a wave before the base wave
    (``aallot.perusvuosi`` of ``demo.yaml``), the base wave's size; most associations
    then carry the base wave's names (:mod:`kartoitus.demo.continuity`).
    """
    cfg = config if config is not None else load_demo_config(settings.data_dir)
    munis = municipalities(settings.codebook, cfg, year)
    latent = wave_latent(settings.codebook, cfg, munis, seed, year)
    assoc = AssociationGenerator(settings, cfg, year, int(n), int(seed), munis, latent).build()
    base_year = int((cfg.get("aallot") or {}).get("perusvuosi", year))
    if base_n is not None and year < base_year:
        from kartoitus.demo.continuity import carry_over
        base_munis = municipalities(settings.codebook, cfg, base_year)
        base = AssociationGenerator(settings, cfg, base_year, int(base_n), int(seed), base_munis,
                                    wave_latent(settings.codebook, cfg, base_munis, seed, base_year)).build()
        names = settings.names
        assoc = carry_over(assoc, base, settings.codebook.association, names.q_home, names.q_sector,
                           names.q_name)
    muni_frame, silent = municipality_answers(settings, cfg, year, int(seed), munis, latent)
    return {
        ASSOCIATION_SURVEY: assoc,
        MUNICIPALITY_SURVEY: muni_frame,
        "ikkuna": survey_window(year, cfg),
        "vastaamatta": silent,
    }


def write_demo_wave(out_dir: Path, settings: Settings, year: int = 2025, n_associations: int = 900,
                    seed: int = 2025, base_n: int | None = None) -> list[Path]:
    """Write a whole demo wave into ``out_dir`` (e.g. ``data/raw/2025``).

    Files: the association survey's Google Forms export (English locale), the paper
    forms re-saved by Excel (``;``, cp1252), the late answers as ``.xlsx``, the
    municipality survey (Finnish locale, BOM) and ``kysely.toml``. Deterministic for
    ``seed``. Returns the files written.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KartoitusError(f"{out_dir}: ei ole kansio; anna aallon kansio, esim. data/raw/{year}")
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = load_demo_config(settings.data_dir)
    answers = make_answers(settings, year, n_associations, seed, config=cfg, base_n=base_n)
    assoc = answers[ASSOCIATION_SURVEY]
    by_channel = {c: assoc[assoc["_kanava"] == c] for c in CHANNELS}
    return [
        write_association_csv(by_channel[CHANNEL_FORM], out_dir / FILE_FORM, settings, cfg, STYLE_FORMS_EN),
        write_association_csv(by_channel[CHANNEL_PAPER], out_dir / FILE_PAPER, settings, cfg, STYLE_EXCEL_FI),
        write_association_xlsx(by_channel[CHANNEL_LATE], out_dir / FILE_LATE, settings),
        write_municipality_csv(answers[MUNICIPALITY_SURVEY], out_dir / FILE_MUNICIPALITY, settings, cfg),
        write_survey_window(out_dir, year, cfg),
    ]


def wave_size(n_newest: int, year: int, newest: int, config: Mapping) -> int:
    """Association answers of a demo wave: ``aallot.koko`` of ``demo.yaml`` gives an
    earlier wave's size relative to the newest (associations stop and start)."""
    if year >= newest:
        return int(n_newest)
    factor = float(((config.get("aallot") or {}).get("koko") or {}).get(year, 1.0))
    return max(MIN_ASSOCIATIONS, int(round(n_newest * factor)))


def write_demo_waves(raw_root: Path, settings: Settings, years, n_associations: int = 900,
                     seed: int = 2025) -> list[Path]:
    """Several demo waves side by side (``<raw_root>/<year>/``), e.g. 2021, 2023, 2025.

    The newest wave has ``n_associations`` answers and is the same as
    :func:`write_demo_wave` writes alone; earlier waves are a little smaller, their
    municipalities cooperate a little less where cooperation improves, most of their
    associations are the newest wave's (same name and register number; some stop, some
    start), the question
    added later is missing and a renamed option has its earlier label (the codebook's
    ``since`` and ``renamed``).
    """
    years = sorted({int(y) for y in years})
    cfg = load_demo_config(settings.data_dir)
    out: list[Path] = []
    for y in years:
        out += write_demo_wave(Path(raw_root) / str(y), settings, year=y,
                               n_associations=wave_size(n_associations, y, years[-1], cfg), seed=seed,
                               base_n=n_associations)
    return out

