"""Personal values: the actual answers in the personal columns of a wave's raw exports.

The scanner looks for them in outputs (see ``henkilotieto`` in
:mod:`kartoitus.privacy.patterns`). A build keeps only the distinct cells of the
personal columns (:func:`personal_cells`) and lets the raw frames go.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from kartoitus.privacy.patterns import MIN_VALUE_LENGTH, lookable, norm_words
from kartoitus.settings.codebook import Codebook

def _cell_strings(series: pd.Series) -> set[str]:
    """Distinct non-empty cell texts; integral numbers without ``.0``.

    A spreadsheet turns a phone number typed as ``0401234567`` into the number
    401234567: a whole number of six digits or more also gives its ``0``-prefixed
    form.
    """
    out: set[str] = set()
    for value in series.dropna().unique():  # distinct values only
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not text:
            continue
        out.add(text)
        if isinstance(value, int) and not isinstance(value, bool) and len(text) >= 6:
            out.add("0" + text)
    return out


def personal_cells(tables: Iterable, codebook: Codebook) -> list[pd.Series]:
    """The distinct raw cells of the personal columns of ingested tables, one Series
    per column: all :func:`personal_values_from_cells` needs, without the tables (a
    build keeps these and lets the raw frames go)."""
    out: list[pd.Series] = []
    for table in tables:
        survey = codebook.survey(table.survey)
        for question in survey.personal():
            if question.id in table.frame.columns:
                column = table.frame[question.id]
                out.append(pd.Series(column.dropna().unique(), dtype=object, name=question.id))
        # the form tool's own personal columns (Microsoft Forms' Email and Name)
        personal = getattr(table, "personal", None)
        if personal is not None:
            for title in personal.columns:
                out.append(pd.Series(personal[title].dropna().unique(), dtype=object, name=str(title)))
    return out


def personal_values_from_cells(cells: Iterable[pd.Series]) -> set[str]:
    """The personal values (5+ characters, not only no-answer words or roles) of the
    cells of personal columns (see :func:`personal_cells`)."""
    out: set[str] = set()
    for column in cells:
        out.update(t for t in _cell_strings(column)
                   if len(t) >= MIN_VALUE_LENGTH and lookable(norm_words(t)))
    return out


def personal_values_from_tables(tables: Iterable, codebook: Codebook) -> set[str]:
    """The answers in the personal columns of ingested tables (5+ characters).

    ``tables`` are :class:`kartoitus.stages.ingest.RawTable`-like objects: ``.survey`` is
    the survey id and ``.frame`` has canonical ids as columns. Values that are
    only no-answer words or roles (``ei ole``, ``puheenjohtaja``) are left out.
    """
    return personal_values_from_cells(personal_cells(tables, codebook))
