"""The researcher's corrections (``korjaukset.csv`` in the wave folder).

What the toolkit flagged, the researcher settles here, once, and every build
applies it again. One line per correction::

    tiedosto,rivi,yhdistys,kentta,arvo,syy
    jarjestokysely.csv,57,Jyväskylän Latu ry,kotikunta,Jyväskylä,Jyvskla = Jyväskylä
    ,,Laukaan Latu ry,paatoimiala,liikunta,toimii liikunnan alalla
    jarjestokysely.csv,88,Testi,hylkaa,,testivastaus
    jarjestokysely.csv,90,MLL Keuruu,sama_kuin,Mannerheimin Lastensuojeluliitto Keuruu,"sama yhdistys, eri nimi"
    jarjestokysely.csv,91,Kuoro ry,eri_yhdistys,,kaksi eri yhdistystä samalla nimellä
    kuntakysely.csv,23,Muurame,sama_kuin,kuntakysely.csv:4 Muurame,kunta vastasi kahdesti

A line names its rows by ``tiedosto`` + ``rivi`` (the row as a spreadsheet shows
it) or by ``yhdistys`` alone (an association's name or register number: every
answer of that association). A row number is pinned to the answer it meant: the
line also gives the row's ``yhdistys`` (its name or register number; in the
municipality survey its municipality) and/or its ``aikaleima`` (an optional
column), and a row that no longer holds that answer (a test answer deleted, the
form exported again) stops the build, saying what the row holds now. Every line
has exactly the fields of the header (a comma inside a value needs quotes). ``kentta`` is a question id (a grid row id for a grid) whose
raw answer is replaced by ``arvo`` before cleaning, so the corrected value goes
through the same parsing as any answer; or one of the actions:

- ``hylkaa``: reject the row (the audit gives ``syy`` as the reason);
- ``sama_kuin``: the row is the same respondent as the answer named in ``arvo``:
  an association's name or register number (every answer of it), or a row pinned
  like any row number, ``tiedosto.csv:12 <its name or register number>`` (in the
  municipality survey, its municipality); de-duplication keeps the later one. A
  target row that no longer holds the answer named stops the build, as above;
- ``eri_yhdistys``: the row is not a duplicate of any other row.

A correction that matches no row is an error, never silence: the data changed
and the correction must be looked at again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from kartoitus.settings.codebook import Codebook
from kartoitus.errors import ConfigError
from kartoitus.stages.ingest.files import CSV_SUFFIXES
from kartoitus.stages.ingest.workbook import WORKBOOK_SUFFIXES

REJECT = "hylkaa"
SAME_AS = "sama_kuin"
DIFFERENT = "eri_yhdistys"
ACTIONS = (REJECT, SAME_AS, DIFFERENT)
COLUMNS = ("tiedosto", "rivi", "yhdistys", "kentta", "arvo", "syy")
#: optional column: the row's timestamp, pinning a row-numbered correction to its answer
TIMESTAMP_COLUMN = "aikaleima"
#: raw-frame column that overrides the de-duplication key of a row
OVERRIDE_COLUMN = "_dedupe_override"
#: columns of the log of applied corrections
LOG_COLUMNS = ["tiedosto", "rivi", "kentta", "vanha", "uusi", "syy", "toiminto"]


@dataclass(frozen=True)
class Correction:
    line: int            # line in korjaukset.csv (header is line 1)
    tiedosto: str
    rivi: int | None
    yhdistys: str
    kentta: str
    arvo: str
    syy: str
    aikaleima: str = ""

    def where(self, path: Path) -> str:
        return f"{path.name}, rivi {self.line}"


def read_corrections(path: Path) -> list[Correction]:
    """Parse ``korjaukset.csv`` (``,`` or ``;``, UTF-8 or cp1252). Missing file: none.

    Every line must have exactly the fields of the header: an unquoted comma in
    ``arvo`` or ``syy`` would shift the rest of the line, so such a line is an error
    naming it, never applied.
    """
    if not path.exists():
        return []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    if not text.strip():
        return []
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [h.strip().casefold() for h in records[0]]
    missing = [c for c in ("kentta", "syy") if c not in header]
    if missing:
        raise ConfigError(
            f"{path.name}: otsikkorivi ei kelpaa, puuttuu {', '.join(missing)}; "
            f"sarakkeet ovat {','.join(COLUMNS)} (ja valinnainen {TIMESTAMP_COLUMN})"
        )
    unknown = [h for h in header if h not in COLUMNS + (TIMESTAMP_COLUMN,)]
    if unknown:
        raise ConfigError(
            f"{path.name}: tuntematon sarake {', '.join(repr(h) for h in unknown)}; sarakkeet ovat "
            f"{','.join(COLUMNS)} (ja valinnainen {TIMESTAMP_COLUMN})")
    out = []
    for i, record in enumerate(records[1:], start=2):
        if not any(v.strip() for v in record):
            continue
        if len(record) != len(header):
            sep = "puolipiste" if delimiter == ";" else "pilkku"
            raise ConfigError(
                f"{path.name}, rivi {i}: rivillä on {len(record)} kenttää, otsikkorivillä {len(header)}: "
                f"jossakin arvossa on todennäköisesti {sep} ilman lainausmerkkejä. Kirjoita arvo "
                f"lainausmerkkeihin (esim. \"sama yhdistys{delimiter} eri nimi\") ja aja uudelleen.")
        row = {h: v.strip() for h, v in zip(header, record)}
        c = Correction(
            line=i,
            tiedosto=row.get("tiedosto", ""),
            rivi=_row_number(row.get("rivi", ""), path, i),
            yhdistys=row.get("yhdistys", ""),
            kentta=row.get("kentta", ""),
            arvo=row.get("arvo", ""),
            syy=row.get("syy", ""),
            aikaleima=row.get(TIMESTAMP_COLUMN, ""),
        )
        if not c.kentta:
            raise ConfigError(f"{c.where(path)}: kentta puuttuu (kysymyksen tunnus tai {', '.join(ACTIONS)})")
        if not c.syy:
            raise ConfigError(f"{c.where(path)}: kirjoita korjauksen syy sarakkeeseen syy")
        if not (c.tiedosto and c.rivi is not None) and not c.yhdistys:
            raise ConfigError(f"{c.where(path)}: anna joko tiedosto ja rivi tai yhdistys")
        if c.kentta == SAME_AS and not c.arvo.strip():
            raise ConfigError(f"{c.where(path)}: sama_kuin tarvitsee arvoksi toisen vastauksen: yhdistyksen nimi "
                              "tai rekisterinumero, tai rivi ja sen nimi muodossa tiedosto.csv:12 Yhdistys ry")
        out.append(c)
    return out


def _row_number(text: str, path: Path, line: int) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{path.name}, rivi {line}: rivi {text!r} ei ole rivinumero") from None
    if value < 2:
        raise ConfigError(f"{path.name}, rivi {line}: rivi {value} on otsikkorivi; vastaukset alkavat riviltä 2")
    return value


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def _norm_series(values: pd.Series) -> pd.Series:
    """``_norm`` of every cell ("" for missing), computed once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype("string").fillna("")
    normed = text.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    table = pd.array(list(normed) + [""], dtype="string")
    return pd.Series(table.take(codes), index=values.index)


def _column_for(kentta: str, survey) -> str | None:
    """The raw-frame column a field correction replaces, None if unknown."""
    for q in survey.questions:
        if q.id == kentta and q.type != "grid":
            return q.id
        if q.type == "grid" and kentta in {r.key for r in q.rows}:
            return kentta
    return None


def _raw_value(kentta: str, value: str, survey) -> str:
    """A corrected value as the form would have exported it (option keys -> labels)."""
    question = next((q for q in survey.questions if q.id == kentta), None)
    if question is not None and question.type in ("single", "multi") and question.options:
        by_key = {o.key: o.label for o in question.options}
        parts = [p.strip() for p in value.split(",")] if question.type == "multi" else [value]
        if all(p in by_key for p in parts):
            return ", ".join(by_key[p] for p in parts)
    return value


def _table_name(t) -> str:
    return getattr(t, "name", "") or t.path.name


def apply_corrections(tables: list, corrections: list[Correction], codebook: Codebook,
                      path: Path, *, strict: bool = True) -> tuple[list, pd.DataFrame, pd.DataFrame]:
    """Apply the corrections to the raw tables of a wave, before cleaning.

    Returns ``(tables, rejected, log)``: the corrected tables (copies), rows
    rejected by a correction (``tiedosto, rivi, syy``) and one log row per
    changed row (``LOG_COLUMNS``). Raises ConfigError for a correction that
    names an unknown field or matches no row, and for a row-numbered one whose
    row no longer holds the answer it names (or that names none). With
    ``strict=False`` (``kartoitus validate`` of one file) a correction of another
    file, or one naming an association not in these tables, is left out instead.
    """
    # copy-on-write: a frame is copied only where a correction writes into it
    frames = {_table_name(t): t.frame.copy(deep=False) for t in tables}
    surveys = {_table_name(t): codebook.survey(t.survey) for t in tables}
    log: list[dict] = []
    rejected: list[dict] = []
    names: dict = {}   # (file, column) -> normalised names, until a correction writes the column
    for c in corrections:
        if not strict and not _concerns(c, frames):
            continue
        try:
            targets = _targets(c, frames, surveys, codebook, path, names)
        except ConfigError:
            if strict or (c.tiedosto and c.rivi is not None):
                raise
            continue
        for name, rows in targets:
            frame, survey = frames[name], surveys[name]
            if c.kentta == REJECT:
                for r in rows:
                    rejected.append({"tiedosto": name, "rivi": int(r), "syy": f"hylätty korjauksella: {c.syy}"})
                    log.append(_log(name, r, c, "", "", "hylkaa"))
            elif c.kentta == DIFFERENT:
                frame = _ensure_override(frame)
                for r in rows:
                    frame.at[r, OVERRIDE_COLUMN] = f"erillinen:{name}:{r}"
                    log.append(_log(name, r, c, "", "", "erota"))
            elif c.kentta == SAME_AS:
                try:
                    others = _same_as_targets(c, frames, surveys, codebook, path, names)
                except ConfigError:
                    if strict:
                        raise
                    continue   # validate of one file: the target is in another file
                _join(frames, others + [(name, int(r)) for r in rows])
                frame = frames[name]
                for r in rows:
                    log.append(_log(name, r, c, "", c.arvo, "yhdista"))
            else:
                column = _column_for(c.kentta, survey)
                if column is None:
                    raise ConfigError(
                        f"{c.where(path)}: kyselyssä {survey.id} ei ole kenttää {c.kentta!r}; käytä "
                        f"kysymyksen tunnusta (esim. kotikunta, paatoimiala) tai {', '.join(ACTIONS)}"
                    )
                new = _raw_value(c.kentta, c.arvo, survey)
                names.pop((name, column), None)
                if column not in frame.columns:
                    frame = frame.assign(**{column: None})
                for r in rows:
                    old = frame.at[r, column]
                    frame.at[r, column] = new if new != "" else None
                    log.append(_log(name, r, c, "" if old is None or old != old else str(old), new, "aseta"))
            frames[name] = frame
    out = [replace(t, frame=frames[_table_name(t)]) for t in tables]
    rejected_df = pd.DataFrame(rejected, columns=["tiedosto", "rivi", "syy"]).drop_duplicates(["tiedosto", "rivi"])
    return out, rejected_df, pd.DataFrame(log, columns=LOG_COLUMNS)


def _join(frames: dict, members: list[tuple[str, int]]) -> None:
    """Make ``members`` (file, row) one respondent for de-duplication. Groups that earlier
    ``sama_kuin`` lines made are joined, not split: a row already in a group brings
    its whole group along."""
    tokens = []
    for name, row in members:
        frame = frames[name]
        if OVERRIDE_COLUMN in frame.columns:
            t = frame.at[row, OVERRIDE_COLUMN]
            if isinstance(t, str) and t.startswith("sama:") and t not in tokens:
                tokens.append(t)
    token = tokens[0] if tokens else "sama:{}:{}".format(*members[0])
    if len(tokens) > 1:
        for name, frame in frames.items():
            if OVERRIDE_COLUMN in frame.columns:
                hit = frame[OVERRIDE_COLUMN].isin(tokens[1:])
                if hit.any():
                    frame.loc[hit, OVERRIDE_COLUMN] = token
    for name, row in members:
        frames[name] = _ensure_override(frames[name])
        frames[name].at[row, OVERRIDE_COLUMN] = token


def _ensure_override(frame: pd.DataFrame) -> pd.DataFrame:
    if OVERRIDE_COLUMN not in frame.columns:
        frame = frame.assign(**{OVERRIDE_COLUMN: None})
    return frame


def _log(name, row, c: Correction, old, new, action) -> dict:
    return {"tiedosto": name, "rivi": int(row), "kentta": c.kentta, "vanha": old, "uusi": new,
            "syy": c.syy, "toiminto": action}


def _identity_columns(survey) -> tuple[str, ...]:
    """Columns that name an association: the survey's key (its name) and its first
    de-duplication key (the register number)."""
    first = survey.dedupe[0] if survey.dedupe else ()
    return tuple(dict.fromkeys(c for c in (survey.key, *first) if c))


def _targets(c: Correction, frames: dict, surveys: dict, codebook: Codebook, path: Path,
             names: dict | None = None):
    """(file name, row numbers) pairs the correction applies to; error when none."""
    if c.tiedosto and c.rivi is not None:
        if c.tiedosto not in frames:
            raise ConfigError(
                f"{c.where(path)}: aallossa ei ole tiedostoa {c.tiedosto!r} "
                f"(tiedostot: {', '.join(sorted(frames))}); korjaa tai poista korjaus"
            )
        if c.rivi not in frames[c.tiedosto].index:
            raise ConfigError(
                f"{c.where(path)}: tiedostossa {c.tiedosto} ei ole riviä {c.rivi}; korjaa tai poista korjaus"
            )
        _check_pin(c, frames[c.tiedosto], surveys[c.tiedosto], codebook, path)
        return [(c.tiedosto, [c.rivi])]
    wanted = _norm(c.yhdistys)
    hits = []
    for name, frame in frames.items():
        if surveys[name].id != codebook.association.id:
            continue
        mask = pd.Series(False, index=frame.index)
        for column in _identity_columns(surveys[name]):
            if column in frame.columns:
                key = (name, column)
                normed = names.get(key) if names is not None else None
                if normed is None:
                    normed = _norm_series(frame[column])
                    if names is not None:
                        names[key] = normed
                mask |= normed == wanted
        if c.tiedosto:
            mask &= name == c.tiedosto
        if mask.any():
            hits.append((name, list(frame.index[mask])))
    if not hits:
        raise ConfigError(
            f"{c.where(path)}: yhdistystä {c.yhdistys!r} ei löydy yhdestäkään vastauksesta; "
            "tarkista nimi tai rekisterinumero tai poista korjaus"
        )
    return hits


#: a ``sama_kuin`` target by row: ``tiedosto.csv:12`` and the answer it holds
_ROW_TARGET = re.compile(r"(?P<file>.+?):(?P<row>\d+)(?:\s+(?P<pin>\S.*))?")


def _same_as_targets(c: Correction, frames: dict, surveys: dict, codebook: Codebook, path: Path,
                     names: dict | None = None) -> list[tuple[str, int]]:
    """The rows a ``sama_kuin`` line names in ``arvo``: a row pinned to its answer, or
    every answer of an association named by its name or register number."""
    value = c.arvo.strip()
    m = _ROW_TARGET.fullmatch(value)
    if m is None or m["file"] not in frames and not m["file"].lower().endswith(CSV_SUFFIXES + WORKBOOK_SUFFIXES):
        by_name = replace(c, tiedosto="", rivi=None, yhdistys=value, aikaleima="")
        return [(name, int(r)) for name, rows in _targets(by_name, frames, surveys, codebook, path, names)
                for r in rows]
    other_name, other_row = m["file"], int(m["row"])
    if other_name not in frames or other_row not in frames[other_name].index:
        raise ConfigError(f"{c.where(path)}: riviä {other_name}:{other_row} ei ole aallon tiedostoissa; "
                          "tarkista tiedoston nimi ja rivi")
    target = replace(c, tiedosto=other_name, rivi=other_row, yhdistys=m["pin"] or "", aikaleima="")
    try:
        _check_pin(target, frames[other_name], surveys[other_name], codebook, path)
    except ConfigError:
        holds = _shown(_row_identity(frames[other_name], surveys[other_name], other_row))
        if not m["pin"]:
            raise ConfigError(
                f"{c.where(path)}: sama_kuin-rivin kohde tarvitsee myös vastauksen tunnisteen, jottei se osu "
                f"toiseen vastaukseen, jos tiedosto viedään uudelleen: kirjoita arvoksi "
                f"{other_name}:{other_row} {holds.strip(chr(39))} (tai pelkkä yhdistyksen nimi)") from None
        raise ConfigError(
            f"{c.where(path)}: sama_kuin-rivin kohde {other_name}:{other_row} ei ole enää sama vastaus: "
            f"korjaus on kirjattu vastaukselle {m['pin']!r}, mutta rivillä on nyt {holds}. Etsi vastauksen "
            "uusi rivinumero tai nimeä kohde pelkällä yhdistyksen nimellä.") from None
    return [(other_name, other_row)]


def _concerns(c: Correction, frames: dict) -> bool:
    """Whether a correction may touch these tables (``kartoitus validate`` of one file)."""
    if c.tiedosto:
        return c.tiedosto in frames
    return True


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "(tyhjä)"
    return repr(" ".join(str(value).split()))


def _same_time(pin: str, value) -> bool:
    """The pinned timestamp and the row's, to the minute (a re-save may drop seconds)."""
    from kartoitus.stages.ingest.timestamps import parse_timestamps

    if value is None or (isinstance(value, float) and value != value):
        return False
    if isinstance(value, str) and _norm(value) == _norm(pin):
        return True
    stamps, bad = parse_timestamps(pd.Series([pin, value], dtype=object))
    if bad.any() or stamps.isna().any():
        return False
    a, b = stamps.dt.tz_convert("UTC").dt.floor("min")
    return a == b


def _same_key(pin: str, frame: pd.DataFrame, row: int, survey, codebook: Codebook) -> bool:
    """The pinned ``yhdistys`` is the row's name or register number (municipality
    survey: its municipality, by name or code)."""
    wanted = _norm(pin)
    for column in _identity_columns(survey):
        if column in frame.columns and _norm(frame.at[row, column] if frame.at[row, column] is not None
                                             else "") == wanted:
            return True
    key = survey.key
    if key in survey and survey.question(key).type == "municipality" and key in frame.columns:
        cell = frame.at[row, key]
        a = codebook.municipalities.find(str(pin))
        b = codebook.municipalities.find(str(cell)) if cell is not None else None
        return a is not None and b is not None and a.code == b.code
    return False


def _row_identity(frame: pd.DataFrame, survey, row: int):
    """What identifies the answer on ``row``: its name (or register number); in the
    municipality survey its municipality. None when the file has no such column."""
    key_cols = [col for col in _identity_columns(survey) if col in frame.columns]
    if not key_cols and survey.key in frame.columns:
        key_cols = [survey.key]
    return frame.at[row, key_cols[0]] if key_cols else None


def _check_pin(c: Correction, frame: pd.DataFrame, survey, codebook: Codebook, path: Path) -> None:
    """A row-numbered correction names the answer it is for; the row must still hold it."""
    ts_q = next((q.id for q in survey.of_type("timestamp")), None)
    holds_key = _row_identity(frame, survey, c.rivi)
    holds_time = frame.at[c.rivi, ts_q] if ts_q and ts_q in frame.columns else None
    now = f"{_shown(holds_key)}" + (f" (aikaleima {_shown(holds_time)})" if ts_q else "")
    if not c.yhdistys and not c.aikaleima:
        raise ConfigError(
            f"{c.where(path)}: rivinumerolla nimetty korjaus tarvitsee myös vastauksen tunnisteen, jottei se "
            f"osu toiseen vastaukseen, jos tiedosto viedään uudelleen: kirjoita sarakkeeseen yhdistys rivin "
            f"{c.tiedosto}:{c.rivi} nimi {_shown(holds_key)}" +
            (f" (tai lisää sarake aikaleima ja siihen {_shown(holds_time)})" if ts_q else "") + ".")
    ok = True
    if c.yhdistys and not _same_key(c.yhdistys, frame, c.rivi, survey, codebook):
        ok = False
    if c.aikaleima and not (ts_q and ts_q in frame.columns and _same_time(c.aikaleima, holds_time)):
        ok = False
    if not ok:
        meant = " ".join(x for x in (repr(c.yhdistys) if c.yhdistys else "",
                                     f"(aikaleima {c.aikaleima!r})" if c.aikaleima else "") if x)
        raise ConfigError(
            f"{c.where(path)}: tiedoston {c.tiedosto} rivi {c.rivi} ei ole enää sama vastaus: korjaus on "
            f"kirjattu vastaukselle {meant}, mutta rivillä on nyt {now}. Vastauksia on ehkä poistettu tai "
            "lomake viety uudelleen: etsi vastauksen uusi rivinumero ja korjaa se korjausriville (tai "
            "nimeä vastaus pelkällä yhdistys-sarakkeella ilman riviä).")
