"""The publication of a wave: every published figure, computed once, frozen.

``publish`` takes the processed data of a wave (and of earlier waves, for the
change since the previous one) with the settings, and computes, once:

- ``tables``: the region's indicator tables, suppression applied (report, workbook);
- ``meta``: the data and methods facts (raw rows, kept, replaced, rejected, flags);
- ``kuntatutka``: scores, the region median, the checklist and the two views;
- ``municipalities``: per municipality, its figures (tables with their masks);
- ``sectors``: per main sector, its infographic figures (or that it is hidden).

Every output is a pure function of a :class:`Publication` (``kartoitus.outputs``);
nothing below computes a figure or a suppression mask a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kartoitus.publication.suppression import DEFAULT_THRESHOLD
from kartoitus.settings import Settings

#: the parts of a publication; ``publish(parts=...)`` computes only those asked for
PARTS = ("tables", "kuntatutka", "municipalities", "sectors")


@dataclass(frozen=True)
class PreviousWave:
    """Processed data of an earlier wave (for change over time)."""
    year: int
    association: pd.DataFrame | None
    municipality: pd.DataFrame | None


@dataclass(frozen=True)
class WaveInput:
    """What the data stage hands to the publication: the processed data of one wave."""
    year: int
    association: pd.DataFrame
    municipality: pd.DataFrame
    meta: dict = field(default_factory=dict)        # data and methods facts (build.report_meta)
    population: pd.Series | None = None             # inhabitants by municipality code, if known
    reference: Any = None                           # stages.reference.Reference, if supplied
    previous: tuple[PreviousWave, ...] = ()         # earlier waves, newest first


@dataclass(frozen=True)
class Kuntatutka:
    scores: pd.DataFrame                    # kuntatutka.score_municipalities
    region_median: pd.Series                # kuntatutka.region_summary
    checklist: pd.DataFrame                 # kuntatutka.checklist
    previous_year: int | None = None
    previous_scores: pd.DataFrame | None = None


@dataclass(frozen=True)
class Publication:
    settings: Settings
    year: int
    threshold: int
    meta: dict
    tables: dict | None = None              # table id -> Table (region)
    kuntatutka: Kuntatutka | None = None
    municipalities: dict | None = None      # municipality code -> publication.municipalities figures
    sectors: dict | None = None             # sector key -> publication.sectors figures


def mark_missing(tables: dict, missing, year: int) -> dict:
    """Tables of questions that were asked in the wave but that no file carried: not
    "not asked" (``Table.missing``, a note that says what happened). ``missing``: the
    data stage's list of ``{"kysely", "kysymys", "otsikko"}``."""
    ids = {str(m.get("kysymys")) for m in missing if isinstance(m, dict)}
    if not ids:
        return tables
    out = {}
    for tid, t in tables.items():
        sources = {s.strip() for s in str(t.source).replace(";", ",").split(",") if s.strip()}
        if not t.asked and sources & ids:
            t = t.with_(missing=True, note=(f"Kysymys kysyttiin vuoden {year} kyselyssä, mutta sen vastaukset "
                                            "puuttuvat kaikista aineistotiedostoista."))
        out[tid] = t
    return out


def publish(data: WaveInput, settings: Settings, *, threshold: int = DEFAULT_THRESHOLD,
            parts: tuple[str, ...] = PARTS, sectors: tuple[str, ...] | None = None) -> Publication:
    """Compute the publication of a wave (only ``parts``; ``sectors`` limits the sector figures)."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown publication parts {sorted(unknown)}; choose from {PARTS}")
    tables = tut = munis = secs = None
    if "tables" in parts:
        from kartoitus.publication import indicators
        tables = indicators.compute_all(data.association, data.municipality, data.year, settings,
                                        data.reference, threshold)
        tables = mark_missing(tables, data.meta.get("missing_questions") or (), data.year)
    if "kuntatutka" in parts or "municipalities" in parts:
        from kartoitus.publication import kuntatutka as kt
        tut = kt.kuntatutka_part(data, settings)
    if "municipalities" in parts:
        from kartoitus.publication import municipalities
        munis = municipalities.municipality_figures(data, settings, tut, threshold)
    if "sectors" in parts:
        from kartoitus.publication import sectors as sec
        secs = sec.sector_figures(data, settings, threshold, only=sectors)
    return Publication(settings=settings, year=data.year, threshold=threshold, meta=dict(data.meta),
                       tables=tables, kuntatutka=tut if "kuntatutka" in parts or munis is not None else None,
                       municipalities=munis, sectors=secs)
