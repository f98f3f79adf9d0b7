"""Optional reference data supplied by the researcher (``data/reference/``).

Two small CSV files, both optional:

- ``vaesto.csv``: ``kuntanumero, vuosi, vaesto`` (population by municipality and year);
- ``yhdistysrekisteri.csv``: ``kuntanumero, vuosi, yhdistyksia`` (registered
  associations by municipality and year, from the PRH association register).

Indicator tables use them for respondents per 1,000 inhabitants and for the
response rate. When a file is absent the tables say so in their note instead of
inventing numbers. A malformed file is an ``InputError`` naming the file, the row
and the column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kartoitus.errors import InputError
from kartoitus.models import Reference  # noqa: F401  (the loaded data; defined with the models)

POPULATION_FILE = "vaesto.csv"
REGISTRY_FILE = "yhdistysrekisteri.csv"

#: file name -> its value column
VALUE_COLUMNS = {POPULATION_FILE: "vaesto", REGISTRY_FILE: "yhdistyksia"}
KEY_COLUMNS = ("kuntanumero", "vuosi")


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise InputError(path, "tiedosto on tyhjä; odotettiin otsikkorivi "
                               f"{', '.join((*KEY_COLUMNS, VALUE_COLUMNS[path.name]))}")
    sep = ";" if first.count(";") > first.count(",") else ","
    from io import StringIO

    return pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def _parse_int(path: Path, frame: pd.DataFrame, column: str) -> pd.Series:
    text = frame[column].astype(str).str.replace(r"[\s\u00a0]", "", regex=True)
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() | (values < 0) | (values != values.round())
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"arvo {frame[column].iloc[pos]!r} ei ole ei-negatiivinen kokonaisluku; "
            "korjaa arvo tai poista rivi",
            row=pos + 2, column=column,
        )
    return values.astype("int64")


def _load_file(path: Path) -> pd.DataFrame:
    value_col = VALUE_COLUMNS[path.name]
    frame = _read_csv(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in (*KEY_COLUMNS, value_col) if c not in frame.columns]
    if missing:
        raise InputError(
            path,
            f"sarakkeet puuttuvat: {', '.join(missing)}; tiedostossa pitää olla otsikkorivi "
            f"{','.join((*KEY_COLUMNS, value_col))}",
        )
    codes = frame["kuntanumero"].astype(str).str.strip()
    bad = ~codes.str.fullmatch(r"\d{1,3}")
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"kuntanumero {codes.iloc[pos]!r} ei ole kolminumeroinen kuntakoodi "
                               "(esim. 077)", row=pos + 2, column="kuntanumero")
    out = pd.DataFrame({
        "kuntanumero": codes.str.zfill(3),
        "vuosi": _parse_int(path, frame, "vuosi"),
        value_col: _parse_int(path, frame, value_col),
    })
    dupes = out.duplicated(["kuntanumero", "vuosi"], keep="first")
    if dupes.any():
        pos = int(dupes.to_numpy().nonzero()[0][0])
        raise InputError(path, f"kunta {out['kuntanumero'].iloc[pos]} vuosi {out['vuosi'].iloc[pos]} "
                               "on tiedostossa kahdesti; jätä yksi rivi", row=pos + 2)
    return out


def load_reference(folder: Path | str | None) -> Reference | None:
    """Read the reference files in ``folder``; None when neither file exists."""
    if folder is None:
        return None
    folder = Path(folder)
    pop_path, reg_path = folder / POPULATION_FILE, folder / REGISTRY_FILE
    if not pop_path.is_file() and not reg_path.is_file():
        return None
    return Reference(
        population=_load_file(pop_path) if pop_path.is_file() else None,
        associations=_load_file(reg_path) if reg_path.is_file() else None,
    )
