"""The Excel workbook of the wave's tables as a plain model (``kartoitus.render.workbook``
writes it).

Model::

    {"tables": {table id: Table},   # the publication's tables, in report order
     "title": str, "year": int,
     "meta": {key: value}}           # printed on the contents sheet (scalars only)
"""

from __future__ import annotations

from kartoitus.publication import Publication


def workbook_title(year: int) -> str:
    return f"Keski-Suomen järjestökartoitus {year}: taulukot"


def workbook_filename(year: int) -> str:
    return f"taulukot-{year}.xlsx"


def workbook_model(pub: Publication) -> dict:
    """Every table of the publication, with the title and the facts the contents sheet prints."""
    if pub.tables is None:
        raise ValueError("the workbook needs the publication's tables: publish(..., parts=('tables', ...))")
    return {"tables": dict(pub.tables), "title": workbook_title(pub.year), "year": pub.year,
            "meta": {"codebook_version": pub.settings.codebook.version}}
