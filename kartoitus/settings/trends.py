"""Figures compared across waves (the trends), read from ``data/kehitys.yaml``.

The region's key figures and each sector's figures are listed in the data file:
which published table, row and column each is read from, its Finnish label and the
questions it rests on (a wave is compared only where the codebook says those
questions are the same). :func:`load_trend_figures` checks the questions against
the codebook; the publication checks tables and columns when it reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from kartoitus.errors import ConfigError
from kartoitus.settings.codebook import Codebook
from kartoitus.settings.files import read_yaml

TRENDS_FILE = "kehitys.yaml"
#: the file's lists: the region's key figures, each sector's figures
REGION, SECTOR = "tunnusluvut", "toimialat"
_FIELDS = {"id", "nimi", "taulu", "rivi", "sarake", "kysymykset"}


@dataclass(frozen=True)
class TrendFigure:
    id: str
    label: str                    # Finnish, shown to readers
    table: str                    # the published table it is read from
    row: str | None               # the row key; None: the table's n
    column: str
    questions: tuple[str, ...]    # compared across waves only where these are the same


@dataclass(frozen=True)
class TrendFigures:
    region: tuple[TrendFigure, ...]
    sector: tuple[TrendFigure, ...]


def _figure(entry: Any, where: str, codebook: Codebook) -> TrendFigure:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: odotettiin kuvausta {{id, nimi, taulu, sarake, kysymykset}}")
    unknown = set(map(str, entry)) - _FIELDS
    if unknown:
        raise ConfigError(f"{where}: tuntemattomat kentät {', '.join(sorted(unknown))} "
                          f"(sallitut: {', '.join(sorted(_FIELDS))})")
    missing = [k for k in ("id", "nimi", "taulu", "sarake", "kysymykset") if not entry.get(k)]
    if missing:
        raise ConfigError(f"{where}: puuttuu {', '.join(missing)}")
    where = f"{where} ({entry['id']})"
    questions = entry["kysymykset"]
    if isinstance(questions, str) or not isinstance(questions, (list, tuple)):
        raise ConfigError(f"{where}: kysymykset on luettelo kysymystunnuksia, esim. [kunta_tilat]")
    survey = codebook.association
    for q in questions:
        if str(q) not in survey:
            raise ConfigError(f"{where}: kysymystä {q!s} ei ole järjestökyselyn koodikirjassa; "
                              "käytä koodikirjan kysymystunnusta")
    row = entry.get("rivi")
    return TrendFigure(id=str(entry["id"]), label=str(entry["nimi"]), table=str(entry["taulu"]),
                       row=None if row is None else str(row), column=str(entry["sarake"]),
                       questions=tuple(str(q) for q in questions))


def parse_trend_figures(raw: Mapping, codebook: Codebook, source: str = TRENDS_FILE) -> TrendFigures:
    lists = {}
    for name in (REGION, SECTOR):
        entries = raw.get(name) or []
        if not isinstance(entries, list):
            raise ConfigError(f"{source}: {name} on luettelo tunnuslukuja")
        figures = tuple(_figure(e, f"{source}: {name} #{i}", codebook) for i, e in enumerate(entries, 1))
        seen: set[str] = set()
        for f in figures:
            if f.id in seen:
                raise ConfigError(f"{source}: {name}: tunnus {f.id} on kahdesti; anna jokaiselle oma tunnus")
            seen.add(f.id)
        lists[name] = figures
    return TrendFigures(region=lists[REGION], sector=lists[SECTOR])


def load_trend_figures(path: Path, codebook: Codebook) -> TrendFigures:
    raw = read_yaml(path, f"odotettiin osioita {REGION} ja {SECTOR}")
    return parse_trend_figures(raw, codebook, Path(path).name)


__all__ = ["TRENDS_FILE", "TrendFigure", "TrendFigures", "load_trend_figures", "parse_trend_figures"]
