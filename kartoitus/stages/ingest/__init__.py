"""Ingest: survey exports (CSV in any of its real-world shapes, workbooks, zips) -> raw tables.

``read_export`` turns one export into :class:`RawTable` objects and ``scan_wave``
reads every export of a wave folder, listing what it did not read. What this
stage decides:

- which files are exports (``folder``: subfolders, Google Forms' ``.zip``,
  identical files read once, everything else listed with a reason);
- the file format, text encoding (``encoding``: legacy code pages by content)
  and delimiter (``sniff``: ``sniff_csv``);
- where the header is (``header``: a title row above it, two header rows,
  merged title cells) and every sheet of a workbook that holds a survey
  (``workbook``: ``.xlsx``, ``.xls``, ``.ods`` through python-calamine);
- which survey a table is (``titles``: ``detect_survey``), from its header row,
  and which tool wrote it (``settings.exports``: Microsoft Forms' own columns);
- which column is which question (``titles``: ``match_columns``): exact title,
  known alias, then a fuzzy match for titles that drifted between years; two
  columns of one question are merged cell by cell (``files``);
- that every required question is there (``files``).

Every problem with a file is an :class:`~kartoitus.errors.InputError` naming the
file and saying, in Finnish, what to do. ``parse_timestamps`` (``timestamps``) is
the shared parser of the form's submission times. Nothing here interprets
answers; that is ``clean``'s job.
"""

from kartoitus.stages.ingest.files import (
    CONFLICT_FLAG,
    CSV_SUFFIXES,
    NOTE_COLUMNS,
    XLSX_SUFFIXES,
    RawTable,
    read_export,
    read_file,
)
from kartoitus.stages.ingest.folder import Skipped, WaveFiles, read_wave, scan_wave
from kartoitus.stages.ingest.sniff import MAX_CELL_CHARS, sniff_csv
from kartoitus.stages.ingest.timestamps import read_timestamps
from kartoitus.stages.ingest.timestamps import TIMEZONE, parse_timestamps
from kartoitus.stages.ingest.titles import (
    ALIAS,
    DUPLICATE,
    EXACT,
    PERSONAL,
    TOOL,
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
    "read_export",
    "read_wave",
    "scan_wave",
    "Skipped",
    "WaveFiles",
    "NOTE_COLUMNS",
    "CONFLICT_FLAG",
    "sniff_csv",
    "match_columns",
    "detect_survey",
    "parse_timestamps",
    "normalise_title",
    "CSV_SUFFIXES",
    "XLSX_SUFFIXES",
    "TIMEZONE",
    "MAX_CELL_CHARS",
    "EXACT", "ALIAS", "FUZZY", "EXTRA", "DUPLICATE", "TOOL", "PERSONAL",
]
