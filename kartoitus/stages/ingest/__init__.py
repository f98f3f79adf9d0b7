"""Ingest: survey exports (CSV in any of its real-world shapes, .xlsx) -> raw tables.

``read_file`` turns one export into a :class:`RawTable` and ``read_wave`` reads
every export of a wave folder. What this stage decides:

- the file format, text encoding and delimiter (``sniff``: ``sniff_csv``);
- which survey the file is (``titles``: ``detect_survey``), from its header row;
- which column is which question (``titles``: ``match_columns``): exact title,
  known alias, then a fuzzy match for titles that drifted between years;
- that every required question is there (``files``).

Every problem with a file is an :class:`~kartoitus.errors.InputError` naming the
file and saying, in Finnish, what to do. ``parse_timestamps`` (``timestamps``) is
the shared parser of the form's submission times. Nothing here interprets
answers; that is ``clean``'s job.
"""

from kartoitus.stages.ingest.files import (
    CSV_SUFFIXES,
    XLSX_SUFFIXES,
    RawTable,
    read_file,
    read_wave,
)
from kartoitus.stages.ingest.sniff import MAX_CELL_CHARS, sniff_csv
from kartoitus.stages.ingest.timestamps import TIMEZONE, parse_timestamps
from kartoitus.stages.ingest.titles import (
    ALIAS,
    DUPLICATE,
    EXACT,
    EXTRA,
    FUZZY,
    ColumnMatch,
    detect_survey,
    match_columns,
    normalise_title,
)

__all__ = [
    "ColumnMatch",
    "RawTable",
    "read_file",
    "read_wave",
    "sniff_csv",
    "match_columns",
    "detect_survey",
    "parse_timestamps",
    "normalise_title",
    "CSV_SUFFIXES",
    "XLSX_SUFFIXES",
    "TIMEZONE",
    "MAX_CELL_CHARS",
    "EXACT", "ALIAS", "FUZZY", "EXTRA", "DUPLICATE",
]
