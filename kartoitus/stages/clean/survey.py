"""The survey driver: raw tables of one survey -> cleaned data, flags and rejections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

import numpy as np
import pandas as pd

from kartoitus.errors import InputError
from kartoitus.settings.codebook import (
    NAME_SUFFIX,
    OTHER_SUFFIX,
    Municipalities,
    Question,
    Survey,
)
from kartoitus.stages.clean.dedupe import _dedupe_groups, normalise_register_number
from kartoitus.stages.clean.municipalities import match_municipalities
from kartoitus.stages.clean.numbers import parse_numbers
from kartoitus.stages.clean.options import (
    MULTI_DTYPE,
    parse_grid_cells,
    parse_scale,
    parse_single,
    split_multi,
)
from kartoitus.stages.clean.timestamps import _parse_timestamps
from kartoitus.stages.clean.values import (
    DEDUPE_KEY,
    DEDUPE_OVERRIDE,
    EMPTY_REASON,
    FLAG_COLUMNS,
    LOCAL_TZ,
    REGISTER_NUMBER,
    REJECT_COLUMNS,
    _factorize,
    unresolved_column,
    _is_blank_scalar,
    _raw_text,
    _text,
    blank_mask,
)


@dataclass
class CleanResult:
    data: pd.DataFrame      # tiedosto, rivi, processed columns, helper columns "_..."
    flags: pd.DataFrame     # long: tiedosto, rivi, sarake, arvo, lippu, selite
    rejected: pd.DataFrame  # tiedosto, rivi, syy


# =============================================================================
# The survey
# =============================================================================

def _present(question: Question, frame: pd.DataFrame) -> bool:
    if question.type == "grid":
        return any(r.key in frame.columns for r in question.rows)
    return question.id in frame.columns


def _flag_frame(file: str, rows: pd.Index, column: str, raw: pd.Series, flag: pd.Series,
                note: pd.Series) -> pd.DataFrame | None:
    mask = flag.notna().to_numpy()
    if not mask.any():
        return None
    out = pd.DataFrame({
        "tiedosto": file,
        "rivi": np.asarray(rows)[mask].astype(int),
        "sarake": column,
        "arvo": _raw_text(raw[mask]).to_numpy(),
        "lippu": flag[mask].astype(str).to_numpy(),
        "selite": note[mask].fillna("").astype(str).to_numpy(),
    })
    if out["lippu"].str.contains(";").any():
        out = out.assign(lippu=out["lippu"].str.split(";")).explode("lippu", ignore_index=True)
    return out


def _text_column(values: pd.Series) -> pd.Series:
    codes, uniques = _factorize(values)
    texts = np.array([None if _is_blank_scalar(u) else _text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(texts[codes], index=values.index)


def _own(column: pd.Series) -> pd.Series:
    """An object column taken out of a parse result as its own array: a view would keep
    the result's whole block (flags and notes of every row) alive while the table is
    cleaned."""
    return column.copy() if column.dtype == object else column


def _clean_table(table, survey: Survey, municipalities: Municipalities, year: int,
                 window: tuple[date, date] | None, now: pd.Timestamp):
    frame: pd.DataFrame = table.frame
    file = getattr(table, "name", "") or table.path.name
    rows = frame.index
    cols: dict[str, object] = {}
    flags: list[pd.DataFrame] = []
    present: set[str] = set()

    def add_flags(column, raw, flag, note):
        f = _flag_frame(file, rows, column, raw, flag, note)
        if f is not None:
            flags.append(f)

    for q in survey.asked_in(year):
        if not _present(q, frame) or q.personal:
            continue
        present.add(q.id)
        if q.type == "timestamp":
            raw = frame[q.id]
            times, unparsed, undecided = _parse_timestamps(raw)
            cols[q.id] = times
            flag = pd.Series(None, index=rows, dtype=object)
            note = pd.Series(None, index=rows, dtype=object)
            flag[unparsed] = "aika_tulkitsematon"
            note[unparsed] = "Aikaleimaa ei voitu lukea; jätetty tyhjäksi."
            flag[undecided] = "aika_paivajarjestys"
            note[undecided] = ("Päivän ja kuukauden järjestystä ei voitu päätellä tiedoston muista "
                               "päivämääristä; luettu päivä ensin (5/10 = 5.10.). Tarkista.")
            if window is not None:
                # calendar day as a naive datetime: ``.dt.date`` of an all-NaT column is
                # datetime64, which cannot be compared with a date
                local_day = times.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize()
                first, last = pd.Timestamp(window[0]), pd.Timestamp(window[1])
                outside = times.notna() & ((local_day < first) | (local_day > last))
                flag[outside] = "aika_ikkunan_ulkopuolella"
                note[outside] = (f"Vastattu vastausajan {window[0].strftime('%d.%m.%Y')}–"
                                 f"{window[1].strftime('%d.%m.%Y')} ulkopuolella; pidetty, tarkista.")
            future = times.notna() & (times > now)
            flag[future] = "aika_tulevaisuudessa"
            note[future] = "Aikaleima on tulevaisuudessa; pidetty, tarkista."
            add_flags(q.id, raw, flag, note)
        elif q.type == "text":
            raw = frame[q.id]
            if q.id == REGISTER_NUMBER:
                norm = normalise_register_number(raw)
                bad = norm.isna() & ~blank_mask(raw)
                cols[q.id] = norm
                add_flags(q.id, raw, pd.Series(np.where(bad, "rekisterinumero_tuntematon", None), index=rows),
                          pd.Series(np.where(bad, "Rekisterinumeroa ei voitu lukea (muoto 123.456); "
                                                  "jätetty tyhjäksi.", None), index=rows))
            else:
                cols[q.id] = _text_column(raw)
        elif q.type == "number":
            raw = frame[q.id]
            res = parse_numbers(raw, minimum=q.min if q.min is not None else 0.0, maximum=q.max,
                                count=q.count)
            cols[q.id] = res["value"]
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "single":
            raw = frame[q.id]
            res = parse_single(raw, q)
            cols[q.id] = _own(res[q.id])
            if q.allow_other:
                cols[q.id + OTHER_SUFFIX] = _own(res[q.id + OTHER_SUFFIX])
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "multi":
            raw = frame[q.id]
            pairs = None
            if q.options_from == "municipalities":
                pairs = [(m.code, m.name) for m in municipalities.for_year(year)]
            res = split_multi(raw, q, pairs, dtype=MULTI_DTYPE,
                              separator=getattr(table, "multi_separator", ", "))
            for c in q.processed_columns(municipalities, year):
                cols[c] = _own(res[c])
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "grid":
            for r in q.rows:
                if r.key in frame.columns:
                    raw = frame[r.key]
                    res = parse_grid_cells(raw, q)
                    cols[r.key] = res["value"]
                    add_flags(r.key, raw, res["flag"], res["note"])
        elif q.type == "scale":
            raw = frame[q.id]
            res = parse_scale(raw, q)
            cols[q.id] = res["value"]
            add_flags(q.id, raw, res["flag"], res["note"])
        elif q.type == "municipality":
            raw = frame[q.id]
            res = match_municipalities(raw, municipalities, year, q.extra_options)
            cols[q.id] = _own(res["code"])
            cols[q.id + NAME_SUFFIX] = _own(res["name"])
            # the typed text of an unresolved municipality: de-duplication still tells
            # two answers "same name, same unknown municipality" (helper column)
            unresolved = res["code"].isna() & ~blank_mask(raw)
            cols[unresolved_column(q.id)] = _text_column(raw.where(unresolved, None))
            add_flags(q.id, raw, res["flag"], res["note"])

    # -- rejections: only the instrument's rules ------------------------------
    answer_cols = []
    for q in survey.questions:
        if q.personal or q.type == "timestamp":
            continue
        if q.type == "grid":
            answer_cols += [r.key for r in q.rows if r.key in frame.columns]
        elif q.id in frame.columns:
            answer_cols.append(q.id)
    empty = pd.Series(True, index=rows)
    for c in answer_cols:
        empty &= blank_mask(frame[c])
    reasons = pd.Series(None, index=rows, dtype=object)
    reasons[empty] = EMPTY_REASON
    if survey.key and survey.key in survey:
        kq = survey.question(survey.key)
        if kq.id in frame.columns:
            key_blank = blank_mask(frame[kq.id]) & reasons.isna()
        else:
            key_blank = reasons.isna()
        reasons[key_blank] = (f"{kq.title!r} ({kq.id}) puuttuu: vastausta ei voi kohdistaa "
                              f"{'kuntaan' if kq.type == 'municipality' else 'vastaajaan'}")
        if kq.type == "municipality" and kq.id in cols:
            unresolved = cols[kq.id].isna() & reasons.isna()
            if unresolved.any():
                texts = _raw_text(frame.loc[unresolved, kq.id])
                reasons[unresolved] = ("kuntaa " + texts.map(repr) +
                                       " ei tunnistettu: vastausta ei voi kohdistaa kuntaan")
    rejected_mask = reasons.notna()
    rejected = pd.DataFrame({"tiedosto": file, "rivi": np.asarray(rows)[rejected_mask.to_numpy()].astype(int),
                             "syy": reasons[rejected_mask].to_numpy()}, columns=REJECT_COLUMNS)

    # required (non-key) questions left empty: kept, flagged
    for q in survey.required():
        if q.id == survey.key or q.personal or not _present(q, frame) or q.type == "grid":
            continue
        missing = blank_mask(frame[q.id]) & ~rejected_mask
        if missing.any():
            add_flags(q.id, frame[q.id], pd.Series(np.where(missing, "pakollinen_puuttuu", None), index=rows),
                      pd.Series(np.where(missing, f"Pakollinen kysymys {q.title!r} on jätetty tyhjäksi.", None),
                                index=rows))
    # the kept rows of the cleaned columns, one column at a time (no frame of the rejected rows)
    keep = ~rejected_mask.to_numpy()
    kept: dict[str, object] = {"tiedosto": file, "rivi": np.asarray(rows)[keep].astype(int)}
    for c in list(cols):
        kept[c] = cols.pop(c).array[keep]   # the arrays: a filtered Series would copy the index each time
    if DEDUPE_OVERRIDE in frame.columns:
        kept[DEDUPE_OVERRIDE] = _text_column(frame[DEDUPE_OVERRIDE]).array[keep]
    data = pd.DataFrame(kept, index=rows[keep], copy=False)   # the columns are new: no second copy
    del kept
    notes = getattr(table, "notes", None)
    if notes is not None and len(notes):
        flags.append(notes[FLAG_COLUMNS].assign(tiedosto=file))
    flag_frame = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    if len(rejected) and len(flag_frame):
        gone = set(rejected["rivi"].tolist())
        flag_frame = flag_frame[~flag_frame["rivi"].isin(gone)]
    return data, flag_frame, rejected, present


def clean_survey(tables: Iterable, survey: Survey, municipalities: Municipalities, year: int,
                 window: tuple[date, date] | None = None) -> CleanResult:
    """Raw tables of one survey -> :class:`CleanResult`.

    ``data`` has ``tiedosto``, ``rivi``, then ``survey.processed_columns`` of
    the questions that were present in at least one table (a question absent
    from every file was not asked that year: no columns), then the helper
    ``_dedupe_key`` (and ``_dedupe_override`` when a table carries one).
    Tables are concatenated; a question missing from one file is missing
    (NA) for its rows. ``aikaleima`` is a tz-aware datetime (Europe/Helsinki).
    ``window`` is the answering period (first, last day, inclusive, local
    time). Personal questions never appear. Rejected: empty rows
    (``tyhjä vastaus``), rows without the key question, and in the
    municipality survey rows whose municipality cannot be resolved.

    ``tables`` is read once, in order: an iterator that lets each table go once it
    is yielded (see ``build.process_tables``) frees its raw frame as soon as it is
    cleaned.
    """
    now = pd.Timestamp.now(tz=LOCAL_TZ)
    parts, flag_parts, rejected_parts = [], [], []
    present: set[str] = set()
    for table in tables:
        if table.survey != survey.id:
            raise InputError(table.path, f"tiedosto on kyselyn {table.survey} vienti, ei kyselyn {survey.id}; "
                                         "siivoa kukin kysely erikseen")
        data, flags, rejected, here = _clean_table(table, survey, municipalities, year, window, now)
        del table   # the raw frame can go now (when the caller let it go)
        parts.append(data)
        flag_parts.append(flags)
        rejected_parts.append(rejected)
        present |= here

    columns = ["tiedosto", "rivi"]
    if not parts:
        # no file of this survey in the wave: no answers (every column, no rows), which is
        # not the same as questions left out of the files (those get no columns)
        present = {q.id for q in survey.asked_in(year)}
    for q in survey.asked_in(year):
        if q.id in present:
            columns += q.processed_columns(municipalities, year)
    non_empty = [p for p in parts if len(p)]
    if non_empty:
        data = pd.concat(non_empty, ignore_index=True, sort=False)
    else:
        data = pd.DataFrame(columns=columns)
    del non_empty
    parts.clear()   # the per-table frames go now, not at the end
    for c in columns:
        if c not in data.columns:
            data[c] = None
    helper = [c for c in data.columns if str(c).startswith("_")]
    if list(data.columns) != columns + helper:   # a selection copies the whole frame
        data = data[columns + helper]
    data = data.reset_index(drop=True)
    for q in survey.asked_in(year):
        if q.id not in present:
            continue
        qcols = q.processed_columns(municipalities, year)
        if q.type in ("number", "grid", "scale"):
            data[qcols] = data[qcols].astype(float)
        elif q.type == "multi":
            for c in qcols:
                if not c.endswith(OTHER_SUFFIX):
                    data[c] = data[c].astype(MULTI_DTYPE)
                else:
                    data[c] = data[c].astype(object).where(data[c].notna(), None)
        elif q.type != "timestamp":
            for c in qcols:
                data[c] = data[c].astype(object).where(data[c].notna(), None)
    data["rivi"] = data["rivi"].astype(int)
    if "aikaleima" in data.columns and not isinstance(data["aikaleima"].dtype, pd.DatetimeTZDtype):
        data["aikaleima"] = pd.to_datetime(data["aikaleima"], utc=True).dt.tz_convert(LOCAL_TZ)

    flags = [f for f in flag_parts if len(f)]
    flag_frame = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    key, conflict, ambiguous = _dedupe_groups(data, survey)
    data[DEDUPE_KEY] = key
    extra = []
    if survey.dedupe and (conflict.any() or ambiguous.any()):
        first = survey.dedupe[0]
        later = [p for level in survey.dedupe[1:] for p in level]
        if conflict.any():
            extra.append(pd.DataFrame({
                "tiedosto": data.loc[conflict, "tiedosto"], "rivi": data.loc[conflict, "rivi"],
                "sarake": first[0], "arvo": data.loc[conflict, first[0]].astype(str) if first[0] in data else "",
                "lippu": "duplikaatti_ristiriita",
                "selite": (f"Samoilla tiedoilla ({', '.join(later)}) on vastauksia eri tunnuksilla "
                           f"({', '.join(first)}): pidetty eri vastaajina; yhdistä tarvittaessa korjauksella "
                           "sama_kuin."),
            }))
        if ambiguous.any():
            extra.append(pd.DataFrame({
                "tiedosto": data.loc[ambiguous, "tiedosto"], "rivi": data.loc[ambiguous, "rivi"],
                "sarake": ", ".join(later), "arvo": "",
                "lippu": "duplikaatti_epaselva",
                "selite": (f"Vastaus ilman tunnusta ({', '.join(first)}) sopii usean vastaajan tietoihin; "
                           "pidetty erillisenä, tarkista."),
            }))
    if extra:
        flag_frame = pd.concat([flag_frame, *extra], ignore_index=True)
    flag_frame = flag_frame[FLAG_COLUMNS].reset_index(drop=True)
    if len(flag_frame):
        flag_frame["rivi"] = flag_frame["rivi"].astype(int)
    rejected = [r for r in rejected_parts if len(r)]
    rejected_frame = (pd.concat(rejected, ignore_index=True) if rejected
                      else pd.DataFrame(columns=REJECT_COLUMNS))
    return CleanResult(data=data, flags=flag_frame, rejected=rejected_frame)
