"""Cleaning: raw cells of survey exports -> canonical answers, flags and rejects.

The stage reads like its steps: ``values`` (per-distinct-value machinery and
text forms), ``numbers``, ``municipalities``, ``options`` (single, multi, grid,
scale), ``timestamps``, ``dedupe`` (register numbers, names, de-duplication) and
``survey`` (the driver, :func:`clean_survey`).

Every function here is pure (tables in, tables out; no file I/O) and works per
DISTINCT value: a column is factorised, each distinct raw value is interpreted
once and the results are mapped back, so a million rows with a few thousand
distinct answers cost a few thousand interpretations.

The rules follow the survey instrument (``shared/instrument/README.md``):

- a row is rejected only when it is empty, when its key question (``nimi``,
  ``kunta``) is empty, or, in the municipality survey, when its municipality
  cannot be resolved (the row cannot be attributed to anyone);
- everything else is kept, and whatever the toolkit had to interpret or doubts
  is recorded as a flag (``tiedosto, rivi, sarake, arvo, lippu, selite``);
- personal questions never reach the cleaned data.

Flag codes (``lippu``) written by this stage:

==============================  ==============================================
``luku_vali``                   a range ``100-150``, kept as its midpoint
``luku_yli`` / ``luku_alle``    ``yli 200`` / ``alle 10``, kept as the bound
``luku_tulkitsematon``          text that is not a number (value missing)
``luku_epatavallinen``          negative, or outside the question's min..max
``luku_tuhaterotin``            a count typed with thousands separators (``1,200``)
``kunta_sumea``                 municipality read from a typo or a longer text
``kunta_tuntematon``            municipality not resolved (code empty)
``kunta_ei_alueella``           municipality outside the region in that year
``monivalinta_tuntematon``      multi-select text that is no option
``valinta_sumea``               option read from a near miss (typo)
``valinta_tuntematon``          single-choice text that is no option
``muu_teksti``                  single-choice text stored as the Other text
``ruudukko_tuntematon``         grid cell that is none of the grid's columns
``asteikko_ulkopuolella``       scale answer outside min..max (value missing)
``rekisterinumero_tuntematon``  register number that could not be read
``aika_tulkitsematon``          timestamp that could not be read
``aika_paivajarjestys``         day/month order not shown by the file (read day first)
``aika_ikkunan_ulkopuolella``   answer outside the wave's answering window
``aika_tulevaisuudessa``        timestamp in the future
``pakollinen_puuttuu``          a required (non-key) question left empty
``duplikaatti_ristiriita``      same name + municipality, different register no.
``duplikaatti_epaselva``        a row without register number matches several
``sarake_ristiriita``           two columns of one question disagree (from ingest)
==============================  ==============================================

Where a parse function returns a ``flag`` column, several codes for one value
are joined with ``;`` (the long flag table has one row per code).
"""

from kartoitus.stages.clean.dedupe import (
    dedupe_keys,
    deduplicate,
    normalise_name,
    normalise_register_number,
)
from kartoitus.stages.clean.municipalities import match_municipalities
from kartoitus.stages.clean.numbers import parse_number_text, parse_numbers
from kartoitus.stages.clean.options import (
    MULTI_DTYPE,
    parse_grid,
    parse_grid_cells,
    parse_scale,
    parse_single,
    split_multi,
)
from kartoitus.stages.clean.survey import CleanResult, clean_survey
from kartoitus.stages.clean.values import (
    DEDUPE_KEY,
    DEDUPE_OVERRIDE,
    EMPTY_REASON,
    FLAG_COLUMNS,
    LOCAL_TZ,
    OTHER_KEY,
    REGISTER_NUMBER,
    REJECT_COLUMNS,
    REPLACED_COLUMNS,
    blank_mask,
)

__all__ = [
    "CleanResult", "clean_survey", "deduplicate", "dedupe_keys", "normalise_name", "normalise_register_number",
    "match_municipalities", "parse_number_text", "parse_numbers", "parse_single", "split_multi", "parse_grid",
    "parse_grid_cells", "parse_scale", "blank_mask", "MULTI_DTYPE", "DEDUPE_KEY", "DEDUPE_OVERRIDE",
    "EMPTY_REASON", "FLAG_COLUMNS", "LOCAL_TZ", "OTHER_KEY", "REGISTER_NUMBER", "REJECT_COLUMNS",
    "REPLACED_COLUMNS",
]
