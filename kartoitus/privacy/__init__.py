"""Privacy checks on outputs, and removal of personal columns from raw exports.

Personal data (questions with ``personal: true`` in the codebook: e-mail address,
contact person, phone number, respondent's name) never leaves the raw layer. This
module checks that, and removes the data from the raw layer when its retention
period ends:

- :func:`find_in_text` (:mod:`~kartoitus.privacy.patterns`): the pure scanner, text
  in, ``(kind, match)`` pairs out; the detection rules are documented there;
- :func:`scan_path` (:mod:`~kartoitus.privacy.scan`): every output file under a folder
  (PDF, HTML/SVG, xlsx, CSV, PNG text chunks, JSON/Markdown/text), one
  :class:`Finding` per hit with where it is (``sivu 3``, ``Taulukko!B4``, ``rivi 12``,
  ``PNG-tekstilohko 'Description'``);
- :func:`personal_values_from_tables` (:mod:`~kartoitus.privacy.values`): the actual
  answers in the personal columns of ingested tables, to look for in outputs;
- :func:`purge_personal` (:mod:`~kartoitus.privacy.purge`): rewrites a wave's raw
  exports without their personal columns (dry run by default) and keeps a record of
  what it removed;
- :func:`check_outputs` (:mod:`~kartoitus.privacy.check`): the ``check-privacy``
  command: a wave's personal values looked for in its outputs.

The package reads and writes files: it sits at the build level, beside
:mod:`kartoitus.build`. The worker pool calls ``kartoitus.privacy:scan_path`` and
``kartoitus.privacy:compile_personal_values`` by name.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kartoitus.privacy.check import CheckResult, check_outputs
from kartoitus.privacy.patterns import (
    KIND_LABELS, KINDS, MIN_VALUE_LENGTH, Finding, PersonalValues, compile_personal_values, find_in_text,
)
from kartoitus.privacy.purge import RECORD_FILE, PurgeReport, RemovedColumn, purge_personal
from kartoitus.privacy.scan import SCANNED_SUFFIXES, scan_path
from kartoitus.privacy.values import personal_cells, personal_values_from_cells, personal_values_from_tables

__all__ = [
    "KINDS", "KIND_LABELS", "MIN_VALUE_LENGTH", "SCANNED_SUFFIXES", "RECORD_FILE", "Finding", "PersonalValues",
    "RemovedColumn", "PurgeReport", "CheckResult", "find_in_text", "compile_personal_values",
    "scan_path", "personal_values_from_tables", "personal_cells", "personal_values_from_cells",
    "purge_personal", "check_outputs", "rules_digest",
]


def rules_digest() -> str:
    """A digest of the scanner's code (every module of this package): part of the
    cache key of a privacy scan, so a change of the rules rescans every output."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
