"""Indicator tables: processed survey frames -> :class:`~kartoitus.tables.Table`.

Every indicator is a pure function of the processed frames of one wave and the
settings (as
``data/processed/<year>/*.csv`` hold them, see docs/design.md). Each builds the
table *and* a :class:`~kartoitus.publication.suppression.SuppressionPlan` saying which cells
count respondents and which add up to which published total; the public
functions apply disclosure control before returning. ``compute_all`` returns
every table of the wave in report order.

Conventions of the tables built here:

- the first label column ``avain`` holds the row's stable key (option key,
  municipality code, ``yhteensa``) and has no Finnish header, so outputs hide it
  while code can find rows by key; the next label column is the Finnish label;
- distributions have no total row: their counts add up to the table's ``n``
  (published), which is what secondary suppression protects against; tables by
  sector or municipality likewise add up to the overall table;
- percentages are numbers 0-100 of those who answered the question (a
  multi-select left blank is not in the base); numeric value columns are float64
  and NaN means no value (nobody to compute from) or suppressed (see the mask);
- the municipality survey describes municipalities, not people: its tables are
  published without suppression, but personal fields never appear and free
  text only as answered yes/no.

Column names and labels come from the codebook; nothing about a question is
written here twice. Everything is vectorised (group-bys over the data, loops
only over questions, options and table cells).

The modules: ``common`` (conventions, :class:`Context`, helpers), ``shapes``
(distribution, multi-select, grid), ``respondents`` (who answered, reach, size,
people), ``activities`` (economy, premises, activities), ``cooperation``
(cooperation, future, challenges, item response), ``municipal`` (the municipality
survey). This module holds the registry, :func:`compute_all` and
:func:`report_masks`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import pandas as pd

from kartoitus.publication import disclosure, suppression
from kartoitus.publication.indicators.activities import (
    _ammattilaisuus, _budjetti, _hva_avustus, _kohderyhmat, _kohderyhmat_toimiala, _kumppanit,
    _kunta_avustus, _kunta_tilat, _rahoitus, _taidelajit, _toimintamuodot, _toimintamuodot_toimiala,
    _toimitilat,
)
from kartoitus.publication.indicators.common import (
    KEY, TOTAL_KEY, Built, Context, group_labels, people, source_labels,
)
from kartoitus.publication.indicators.cooperation import (
    _haasteet, _tulevaisuus, _vapaa_sana, _vastauskattavuus, _yhteistyo, _yhteistyo_kunta,
    _yhteistyo_toimiala, _yhteistyotoiveet,
)
from kartoitus.publication.indicators.municipal import (
    _kunnat_luvut, _kunnat_toimialayhteistyo, _kunnat_tukipalvelut, _kunnat_vastaukset,
    _kunnat_yhteenveto,
)
from kartoitus.publication.indicators.respondents import (
    _henkilot_toimiala, _kokoluokka, _paatoimiala_lahde, _toimialat_kattavuus, _toiminta_alue,
    _toimintakunnat, _ulottuvuus, _vastaajat_kunta, _vastaajat_ryhma, _vastaajat_seutukunta,
    _vastaajat_toimiala, _vastausajat,
)
from kartoitus.publication.suppression import DEFAULT_THRESHOLD
from kartoitus.settings import Settings
from kartoitus.models import Reference
from kartoitus.tables import Table

# -- public API ---------------------------------------------------------------------------

ASSOCIATION_INDICATORS: dict[str, Callable[[pd.DataFrame, Context], Built]] = {
    "vastaajat_toimiala": _vastaajat_toimiala,
    "vastaajat_ryhma": _vastaajat_ryhma,
    "vastaajat_seutukunta": _vastaajat_seutukunta,
    "vastaajat_kunta": _vastaajat_kunta,
    "vastausajat": _vastausajat,
    "paatoimiala_lahde": _paatoimiala_lahde,
    "toimialat_kattavuus": _toimialat_kattavuus,
    "toiminta_alue": _toiminta_alue,
    "toimintakunnat": _toimintakunnat,
    "ulottuvuus": _ulottuvuus,
    "kokoluokka": _kokoluokka,
    "henkilot_toimiala": _henkilot_toimiala,
    "budjetti": _budjetti,
    "rahoitus": _rahoitus,
    "kunta_avustus": _kunta_avustus,
    "kunta_tilat": _kunta_tilat,
    "toimitilat": _toimitilat,
    "hva_avustus": _hva_avustus,
    "kohderyhmat": _kohderyhmat,
    "kohderyhmat_toimiala": _kohderyhmat_toimiala,
    "toimintamuodot": _toimintamuodot,
    "toimintamuodot_toimiala": _toimintamuodot_toimiala,
    "taidelajit": _taidelajit,
    "ammattilaisuus": _ammattilaisuus,
    "kumppanit": _kumppanit,
    "yhteistyo": _yhteistyo,
    "yhteistyo_toimiala": _yhteistyo_toimiala,
    "yhteistyo_kunta": _yhteistyo_kunta,
    "tulevaisuus": _tulevaisuus,
    "haasteet": _haasteet,
    "yhteistyotoiveet": _yhteistyotoiveet,
    "vapaa_sana": _vapaa_sana,
    "vastauskattavuus": _vastauskattavuus,
}

MUNICIPALITY_INDICATORS: dict[str, Callable[[pd.DataFrame | None, Context], Built]] = {
    "kunnat_vastaukset": _kunnat_vastaukset,
    "kunnat_yhteenveto": _kunnat_yhteenveto,
    "kunnat_luvut": _kunnat_luvut,
    "kunnat_toimialayhteistyo": _kunnat_toimialayhteistyo,
    "kunnat_tukipalvelut": _kunnat_tukipalvelut,
}


def _context(year: int, settings: Settings, reference: Reference | None,
             threshold: int = DEFAULT_THRESHOLD) -> Context:
    return Context(settings=settings, year=int(year), reference=reference, threshold=int(threshold))


def _finish(built: Built, threshold: int) -> Table:
    table, plan = built
    return suppression.apply(table, plan, threshold)


def _public(tid: str, builder, municipal: bool = False):
    def indicator(data: pd.DataFrame | None, year: int, settings: Settings,
                  reference: Reference | None = None,
                  threshold: int = DEFAULT_THRESHOLD) -> Table:
        return _finish(builder(data, _context(year, settings, reference, threshold)), threshold)

    indicator.__name__ = indicator.__qualname__ = tid
    indicator.__doc__ = (builder.__doc__ or "") + (
        "\n\nPublished without suppression (describes municipalities)." if municipal else
        "\n\nReturns the table with disclosure control applied (``threshold``).")
    return indicator


for _tid, _builder in ASSOCIATION_INDICATORS.items():
    globals()[_tid] = _public(_tid, _builder)
for _tid, _builder in MUNICIPALITY_INDICATORS.items():
    globals()[_tid] = _public(_tid, _builder, municipal=True)


def compute_all(assoc: pd.DataFrame, muni: pd.DataFrame | None, year: int, settings: Settings,
                reference: Reference | None = None,
                threshold: int = DEFAULT_THRESHOLD) -> dict[str, Table]:
    """Every indicator table of a wave, in report order, suppression applied."""
    ctx = _context(year, settings, reference, threshold)
    ctx = replace(ctx, home_hidden=disclosure.home_hidden(assoc, ctx.year, ctx.threshold, settings))
    out: dict[str, Table] = {}
    for tid, builder in ASSOCIATION_INDICATORS.items():
        out[tid] = _finish(builder(assoc, ctx), threshold)
    for tid, builder in MUNICIPALITY_INDICATORS.items():
        out[tid] = _finish(builder(muni, ctx), threshold)
    return out


def report_masks(assoc: pd.DataFrame, year: int, threshold: int, settings: Settings,
                 tables: tuple[str, ...] = disclosure.REPORT_TABLES) -> dict[str, Any]:
    """Hidden cells of the report's ``tables`` computed over the whole wave (only those
    tables are built): ``{table id: {avain: [hidden value columns]}}`` plus ``"home"``:
    :func:`kartoitus.publication.disclosure.home_hidden` (see
    :func:`kartoitus.publication.disclosure.masks_of`)."""
    home = disclosure.home_hidden(assoc, year, threshold, settings)
    ctx = Context(settings=settings, year=int(year), threshold=threshold, home_hidden=home)
    built = {tid: _finish(ASSOCIATION_INDICATORS[tid](assoc, ctx), threshold) for tid in tables}
    return disclosure.masks_of(built, home, tables)


def cooperation_hidden(assoc: pd.DataFrame, year: int, threshold: int,
                       settings: Settings) -> dict[tuple[str, str], list[str]]:
    """``(municipality code, statement)`` -> the columns the report's
    ``yhteistyo_kunta`` hides (``n``, ``samaa_mielta``, ``keskiarvo``, ``p_<i>``)."""
    return disclosure.views_mask(report_masks(assoc, year, threshold, settings, ("yhteistyo_kunta",)))


__all__ = ["compute_all", "report_masks", "cooperation_hidden", "Context", "KEY", "TOTAL_KEY",
           "group_labels", "people", "source_labels", "ASSOCIATION_INDICATORS",
           "MUNICIPALITY_INDICATORS", *ASSOCIATION_INDICATORS, *MUNICIPALITY_INDICATORS]
