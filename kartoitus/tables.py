"""The indicator table: the one shape every output (report, PDFs, workbook) reads.

A ``Table`` is plain data: a tidy frame (label columns first, then values), the
number of respondents it describes, Finnish headers, the kind of each value
column, and a mask of suppressed cells. Outputs never recompute numbers; they
format what a Table holds, so every figure traces back to one table id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

#: Value kinds a column may have; outputs format by kind.
KINDS = ("count", "percent", "mean", "number", "text")
#: Statistics Finland's marks for hidden cells. ``SMALL_MARK`` only for a count that is
#: truly 1-4 (under the threshold); ``PROTECTED_MARK`` for every other hidden cell: a
#: cell hidden so that a small one cannot be worked out (secondary suppression), and
#: percentages, means, medians and sums computed from too few respondents.
SMALL_MARK = "<5"
PROTECTED_MARK = ".."
#: Older name of ``SMALL_MARK``; a hidden cell's mark is ``Table.mark(row, column)``.
SUPPRESSED_MARK = SMALL_MARK
#: What the marks mean, printed wherever they occur.
MARK_TEXTS = {
    SMALL_MARK: "<5 = 1–4 vastaajaa (luku peitetty tietosuojan vuoksi)",
    PROTECTED_MARK: ".. = luku peitetty tietosuojan vuoksi (se perustuu alle viiteen "
                    "vastaajaan tai siitä voisi päätellä pienen luvun)",
}


def marks_note(marks) -> str:
    """The explanation of the marks in ``marks`` (in a fixed order), "" for none."""
    used = [MARK_TEXTS[m] for m in (SMALL_MARK, PROTECTED_MARK) if m in set(marks)]
    return "; ".join(used) + ("." if used else "")


@dataclass(frozen=True)
class Table:
    id: str                      # unique, ascii, at most 31 characters (sheet name)
    title: str                   # Finnish title
    frame: pd.DataFrame          # tidy: label columns first, then values
    n: int                       # respondents described (base of the table)
    columns: dict[str, str] = field(default_factory=dict)   # column -> Finnish header
    kinds: dict[str, str] = field(default_factory=dict)     # value column -> kind
    suppressed: pd.DataFrame | None = None  # bool mask like frame; True = hidden
    source: str = ""             # canonical question id(s) behind the table
    note: str = ""               # Finnish note shown under the table
    asked: bool = True           # False: the question was not asked in this wave
    small: pd.DataFrame | None = None  # bool mask: hidden count truly 1..threshold-1 ("<5")
    missing: bool = False        # asked, but no file of the wave carried its answers (not "not asked")

    def __post_init__(self):
        if len(self.id) > 31 or not self.id.isascii():
            raise ValueError(f"table id {self.id!r} must be ascii and at most 31 characters")
        bad = {k for k in self.kinds.values() if k not in KINDS}
        if bad:
            raise ValueError(f"table {self.id}: unknown kinds {bad}")
        if self.suppressed is not None and self.suppressed.shape != self.frame.shape:
            raise ValueError(f"table {self.id}: suppression mask shape differs from frame")

    @property
    def label_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c not in self.kinds]

    @property
    def value_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c in self.kinds]

    def header(self, column: str) -> str:
        return self.columns.get(column, column)

    def mask(self) -> pd.DataFrame:
        """The suppression mask (all False when nothing is suppressed)."""
        if self.suppressed is None:
            return pd.DataFrame(False, index=self.frame.index, columns=self.frame.columns)
        return self.suppressed

    def is_suppressed(self, row, column) -> bool:
        return self.suppressed is not None and bool(self.suppressed.at[row, column])

    def mark(self, row, column) -> str:
        """The mark of a hidden cell: ``<5`` for a count truly 1-4, else ``..``."""
        s = self.small
        if s is not None and column in s.columns and row in s.index and bool(s.at[row, column]):
            return SMALL_MARK
        return PROTECTED_MARK

    def marks(self) -> set[str]:
        """The marks this table prints (what :meth:`mark` gives its hidden cells)."""
        mask = self.mask()
        cols = self.value_columns
        hidden = mask[cols].to_numpy(dtype=bool)
        if not hidden.any():
            return set()
        s = self.small
        if s is None:
            return {PROTECTED_MARK}
        if not (s.index.is_unique and s.columns.is_unique and mask.index.is_unique):
            return {self.mark(i, c) for c in cols for i in mask.index[mask[c].to_numpy(dtype=bool)]}
        small = s.reindex(index=mask.index, columns=cols, fill_value=False).to_numpy(dtype=bool)
        return ({SMALL_MARK} if (hidden & small).any() else set()) | \
            ({PROTECTED_MARK} if (hidden & ~small).any() else set())

    def with_(self, **changes) -> "Table":
        """A changed copy (tables are never modified in place)."""
        return replace(self, **changes)
