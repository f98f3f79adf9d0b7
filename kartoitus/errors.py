"""The toolkit's own error types.

Library code raises these with a message a researcher can act on: which file,
which row or column, and what to do. The CLI prints the message on one line and
exits non-zero; it never shows a traceback for them.
"""

from __future__ import annotations

from pathlib import Path


class KartoitusError(Exception):
    """An error with a message meant for the user."""


class InputError(KartoitusError):
    """A problem with one input file (names the file, and the row/column if known)."""

    def __init__(self, path: Path | str, message: str, *, row: int | None = None,
                 column: str | None = None, name: str | None = None):
        self.path = Path(path)
        self.row = row
        self.column = column
        self.detail = message
        #: the file as the wave names it (``sub/vastaukset.csv``, ``lataus.zip/vastaukset.csv``)
        self.name = name or self.path.name
        where = self.name
        if row is not None:
            where += f", rivi {row}"
        if column is not None:
            where += f", sarake {column!r}"
        super().__init__(f"{where}: {message}")


class ConfigError(KartoitusError):
    """A problem with a configuration or corrections file."""
