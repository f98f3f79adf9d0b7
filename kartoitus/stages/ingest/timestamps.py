"""The form's submission times: ``parse_timestamps``, shared by ingest and clean."""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

#: Local time of every timestamp without a zone.
TIMEZONE = "Europe/Helsinki"

# -- timestamps --------------------------------------------------------------------------
#
# A timestamp string is parsed as DATE, whitespace, TIME (+ AM/PM, zone). A column of a
# million submission times has a million distinct values but only a few dozen distinct
# dates and at most 86,400 distinct times of day per zone: each part is parsed once per
# distinct value and the parts are combined with array arithmetic.

_RX_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")          # 15.10.2019 (Finnish)
_RX_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")      # 2019/10/15, 2019-10-15
_RX_SLASH_YEAR_LAST = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})$")  # 10/15/2019, 05-10-25
_RX_TIME = re.compile(
    r"^(?:klo\s*)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?:\s*(?P<ap>[AaPp])\.?\s?[Mm]\.?|\s*(?P<fi>[aiAI][pP])\.?)?"   # AM/PM; Finnish ap./ip.
    r"\s*(?:(?P<z>GMT|UTC|Z)\s*)?(?P<off>[+-]\d{1,2}(?::?\d{2})?)?$")
_RX_ISO_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_RX_SERIAL = re.compile(r"^\d{4,6}(?:[.,]\d+)?$")
_OFFSET = re.compile(r"^([+-])(\d{1,2})(?::?(\d{2}))?$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 1.0, 109_574.0   # 1900-01-01 .. 2199-12-31
_NAT_US = np.datetime64("NaT", "us")


def _localize(naive: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Helsinki wall-clock times -> UTC. An hour that occurs twice (autumn) is read
    as summer time; one that does not exist (spring) moves forward."""
    local = naive.tz_localize(TIMEZONE, ambiguous=np.ones(len(naive), dtype=bool),
                              nonexistent="shift_forward")
    return local.tz_convert("UTC")


def _utc_values(stamps: pd.DatetimeIndex) -> np.ndarray:
    return stamps.tz_convert("UTC").tz_localize(None).as_unit("us").to_numpy()


def _offset_minutes(text: str) -> float:
    """"+3", "+03:00", "-0230" -> minutes east of UTC (NaN if not an offset)."""
    m = _OFFSET.match(text)
    if not m:
        return float("nan")
    value = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return float(-value if m.group(1) == "-" else value)


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if len(text) == 2 else y


def _parse_dates(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct date texts of one column (one file) -> (datetime64[D], NaT where not a
    date; undecided mask).

    ``d.m.yyyy`` is Finnish and ``yyyy/mm/dd`` year first: never ambiguous. A date
    with the year last and ``/`` or ``-`` between (``05/10/2025``, hand-typed or a
    sheet's locale) may be day or month first. The column decides: a value whose
    first part is over 12 shows day first, one whose second part is over 12 month
    first. Without such evidence (or with both), the values that fit both readings
    are read day first, as Finnish dates are, and marked undecided.
    """
    out = np.full(len(uniques), np.datetime64("NaT", "D"))
    undecided = np.zeros(len(uniques), dtype=bool)
    year_last = [(i, m) for i, u in enumerate(uniques) if (m := _RX_SLASH_YEAR_LAST.match(u))]
    day_evidence = any(int(m.group(1)) > 12 for _, m in year_last)
    month_evidence = any(int(m.group(3)) > 12 for _, m in year_last)
    day_first = day_evidence or not month_evidence
    decided = day_evidence != month_evidence
    for i, u in enumerate(uniques):
        if m := _RX_DMY.match(u):
            d, mo, y = m.groups()
        elif m := _RX_YMD.match(u):
            y, mo, d = m.groups()
        elif m := _RX_SLASH_YEAR_LAST.match(u):
            a, _, b, y = m.groups()
            if int(a) > 12 or int(b) > 12:
                d, mo = (a, b) if int(a) > 12 else (b, a)   # only one reading is a date
            else:
                d, mo = (a, b) if day_first else (b, a)
                undecided[i] = not decided and a != b
        else:
            continue
        try:
            out[i] = np.datetime64(_dt.date(_year(y), int(mo), int(d)), "D")
        except ValueError:
            undecided[i] = False
    return out, undecided


def _parse_times(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct time-of-day texts -> (microseconds since midnight, zone offset in
    minutes, parsed mask). The offset is NaN for local (zoneless) times."""
    n = len(uniques)
    micros = np.zeros(n, dtype="int64")
    offset = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    for i, u in enumerate(uniques):
        u = u.strip()
        if u == "":              # a date without a time: midnight
            ok[i] = True
            continue
        m = _RX_TIME.match(u)
        if not m:
            continue
        h, mi, s = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
        marker = (m["ap"] or m["fi"] or "").lower()
        if marker:
            if not 1 <= h <= 12:
                continue
            h = h % 12 + (12 if marker in ("p", "ip") else 0)
        if h > 23 or mi > 59 or s > 59:
            continue
        frac = int((m["f"] or "0").ljust(6, "0")[:6])
        micros[i] = ((h * 60 + mi) * 60 + s) * 1_000_000 + frac
        if m["off"]:
            offset[i] = _offset_minutes(m["off"])
            if np.isnan(offset[i]):
                continue
        elif m["z"]:
            offset[i] = 0.0
        ok[i] = True
    return micros, offset, ok


def _from_serials(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel serial day numbers (Helsinki wall-clock) -> (UTC datetime64[us], parsed mask)."""
    good = np.isfinite(values) & (values >= _SERIAL_MIN) & (values <= _SERIAL_MAX)
    ms = np.round(np.where(good, values, 0.0) * 86_400_000).astype("int64")
    naive = pd.DatetimeIndex(_EXCEL_EPOCH + pd.to_timedelta(ms, unit="ms")).as_unit("us")
    out = _utc_values(_localize(naive)).copy()
    out[~good] = _NAT_US
    return out, good


def _parse_strings(strings: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stripped non-blank strings -> (UTC datetime64[us], parsed mask, day/month order undecided)."""
    n = len(strings)
    out = np.full(n, _NAT_US)
    ok = np.zeros(n, dtype=bool)
    undecided = np.zeros(n, dtype=bool)
    if n == 0:
        return out, ok, undecided

    # ISO 8601 with a "T": pandas' C parser, zoned and local apart.
    arr = strings.to_numpy(dtype=object)
    iso = np.fromiter((len(u) > 10 and u[10] == "T" and u[4] == "-" for u in arr), dtype=bool, count=n)
    if iso.any():
        sub = strings[iso].str.replace(",", ".", regex=False)
        zoned = sub.str.contains(_RX_ISO_ZONE, regex=True).to_numpy(dtype=bool)
        vals = np.full(len(sub), _NAT_US)
        if zoned.any():
            z = pd.DatetimeIndex(pd.to_datetime(sub[zoned], format="ISO8601", utc=True, errors="coerce"))
            vals[zoned] = z.tz_localize(None).as_unit("us").to_numpy()
        if (~zoned).any():
            local = pd.DatetimeIndex(pd.to_datetime(sub[~zoned], format="ISO8601", errors="coerce"))
            vals[~zoned] = _utc_values(_localize(local.as_unit("us")))
        out[iso] = vals
        ok[iso] = ~np.isnat(vals)

    # DATE [TIME]: each part parsed once per distinct value.
    rest = ~iso
    if rest.any():
        split = [u.partition(" ") for u in arr[rest]]
        d_codes, d_uniques = pd.factorize(np.array([p[0] for p in split], dtype=object))
        t_codes, t_uniques = pd.factorize(np.array([p[2] for p in split], dtype=object))
        dates, unsure = _parse_dates(np.asarray(d_uniques, dtype=object))
        dates, unsure = dates[d_codes], unsure[d_codes]
        micros, offset, t_ok = _parse_times(np.asarray(t_uniques, dtype=object))
        micros, offset, t_ok = micros[t_codes], offset[t_codes], t_ok[t_codes]
        good = ~np.isnat(dates) & t_ok
        naive = dates.astype("datetime64[us]") + micros.astype("timedelta64[us]")
        vals = np.full(len(naive), _NAT_US)
        zoned = good & ~np.isnan(offset)
        local = good & np.isnan(offset)
        if zoned.any():
            vals[zoned] = naive[zoned] - (offset[zoned] * 60_000_000).astype("int64").astype("timedelta64[us]")
        if local.any():
            vals[local] = _utc_values(_localize(pd.DatetimeIndex(naive[local])))
        idx = np.flatnonzero(rest)
        out[idx] = vals
        ok[idx] = good
        undecided[idx] = unsure & good

    # What is left may be an Excel serial number typed or converted to text.
    left = np.flatnonzero(~ok)
    if len(left):
        serial_like = strings.iloc[left].str.match(_RX_SERIAL).to_numpy(dtype=bool)
        if serial_like.any():
            idx = left[serial_like]
            numbers = pd.to_numeric(strings.iloc[idx].str.replace(",", ".", regex=False),
                                    errors="coerce").to_numpy(dtype=float)
            vals, good = _from_serials(numbers)
            out[idx[good]] = vals[good]
            ok[idx[good]] = True
    return out, ok, undecided


def parse_timestamps(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Submission times -> (tz-aware datetimes in Europe/Helsinki, unparseable mask).

    Understands ``2019/10/15 12:34:56 PM GMT+3`` (English Google Forms, with or
    without AM/PM and zone), ``2019/10/15 12.34.56 ip. UTC+3`` (Google Forms in
    Finnish: ``ap.`` before noon, ``ip.`` after), ``10/15/2019 12:34:56`` (US sheets) and hand-typed
    ``5/10/2025``, ``05-10-25`` (day or month first: decided by the column, see
    :func:`read_timestamps`), ``15.10.2019 12.34.56`` / ``15.10.2019 12:34[:56]``
    (Finnish Forms, Excel re-save), ISO 8601, datetime cells and Excel serial
    numbers. Times without a zone are Helsinki local time. Blank cells are
    missing (NaT, not in the mask); the mask is True for non-blank values that
    could not be read. Strings are parsed once per distinct value.
    """
    stamps, bad, _ = read_timestamps(values)
    return stamps, bad


def read_timestamps(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`parse_timestamps` plus a third mask: values read day first without
    evidence. The column is one file's: a date whose first part is over 12 shows the
    file writes the day first, one whose second part is over 12 the month first;
    without such a date (or with both kinds) a date that fits both readings
    (``05/10/2025``) is read day first and marked here, for a flag."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(s)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    bad = np.zeros(n, dtype=bool)
    undecided = np.zeros(n, dtype=bool)
    obj = s.astype(object)
    missing = obj.isna().to_numpy()
    kinds = obj.map(type).to_numpy()
    is_str = np.fromiter((k is str for k in kinds), dtype=bool, count=n) if n else np.zeros(0, bool)

    if is_str.any():
        text = pd.Series(obj[is_str].to_numpy(), dtype=object).str.strip()
        blank = (text == "").to_numpy()
        codes, uniques = pd.factorize(text)
        u_out, u_ok, u_unsure = _parse_strings(pd.Series(uniques, dtype=object))
        idx = np.flatnonzero(is_str)
        out[idx] = u_out[codes]
        bad[idx] = ~u_ok[codes] & ~blank
        undecided[idx] = u_unsure[codes] & ~blank

    other = ~is_str & ~missing
    if other.any():
        idx = np.flatnonzero(other)
        items = obj.to_numpy()[idx]
        is_dt = np.array([isinstance(v, (_dt.datetime, np.datetime64)) for v in items], dtype=bool)
        is_date = np.array([isinstance(v, _dt.date) and not isinstance(v, _dt.datetime)
                            for v in items], dtype=bool)
        is_num = np.array([isinstance(v, (int, float, np.integer, np.floating))
                           and not isinstance(v, (bool, np.bool_)) for v in items], dtype=bool)
        handled = np.zeros(len(idx), dtype=bool)
        if is_dt.any():
            sub = [pd.Timestamp(v) for v in items[is_dt]]
            aware = np.array([t.tzinfo is not None for t in sub], dtype=bool)
            vals = np.full(len(sub), np.datetime64("NaT"), dtype="datetime64[us]")
            if aware.any():
                vals[aware] = pd.DatetimeIndex([t.tz_convert("UTC") for t, a in zip(sub, aware) if a]) \
                    .tz_localize(None).as_unit("us").to_numpy()
            if (~aware).any():
                naive = pd.DatetimeIndex([t for t, a in zip(sub, aware) if not a]).as_unit("us")
                vals[~aware] = _utc_values(_localize(naive))
            out[idx[is_dt]] = vals
            handled[is_dt] = True
        if is_date.any():
            naive = pd.DatetimeIndex([pd.Timestamp(v) for v in items[is_date]]).as_unit("us")
            out[idx[is_date]] = _utc_values(_localize(naive))
            handled[is_date] = True
        if is_num.any():
            vals, good = _from_serials(np.array(items[is_num], dtype=float))
            out[idx[is_num]] = vals
            handled[is_num] = good
        bad[idx[~handled]] = True
        # NaT objects etc. counted as missing above; bools, times, others are unreadable

    stamps = pd.DatetimeIndex(out).tz_localize("UTC").tz_convert(TIMEZONE)
    return (pd.Series(stamps, index=s.index, name=s.name),
            pd.Series(bad, index=s.index, name=s.name),
            pd.Series(undecided, index=s.index, name=s.name))
