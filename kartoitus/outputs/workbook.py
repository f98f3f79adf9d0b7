"""The Excel workbook of the wave's tables as a plain model (``kartoitus.render.workbook``
writes it).

Model::

    {"tables": {table id: Table},   # the publication's tables, in report order
     "title": str, "year": int,
     "meta": {Finnish label: value}, # printed on the contents sheet (scalars only)
     "sources": {table id: str}}     # the questions behind each table, by their Finnish titles

Only Finnish labels reach the reader: no question ids, file names or hashes.
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
    cb = pub.settings.codebook
    meta = {"Aineisto": f"Keski-Suomen järjestökartoituksen yhdistys- ja kuntakysely {pub.year}",
            "Merkinnät": "<5 = 1–4 vastaajaa; .. = luku peitetty tietosuojan vuoksi"}
    return {"tables": dict(pub.tables), "title": workbook_title(pub.year), "year": pub.year,
            "meta": meta, "sources": {tid: source_text(t.source, cb) for tid, t in pub.tables.items()}}


def source_titles(source: str, codebook) -> list[str]:
    """``jasenmaara,vapaaehtoiset`` -> the questions' Finnish titles (ids never printed);
    a derived column without a question is left out."""
    titles: list[str] = []
    for qid in (source or "").split(","):
        for survey in (codebook.association, codebook.municipality):
            try:
                title = survey.question(qid.strip()).title
            except KeyError:
                continue
            if title not in titles:
                titles.append(title)
            break
    return titles


def source_text(source: str, codebook) -> str:
    """The questions of a table, for its sheet: at most four titles, then "ym."."""
    titles = source_titles(source, codebook)
    return "; ".join(titles[:4]) + (" ym." if len(titles) > 4 else "")
