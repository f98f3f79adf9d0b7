"""Submission times as tz-aware local datetimes (the parser itself is ``ingest.parse_timestamps``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kartoitus.stages.clean.values import LOCAL_TZ, _factorize, _is_blank_scalar

# =============================================================================
# Timestamps
# =============================================================================

def _parse_timestamps(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Timestamps via ``ingest.read_timestamps``, as datetime64[ns, Europe/Helsinki], with
    the masks of unreadable values and of dates read day first without evidence."""
    from kartoitus.stages.ingest.timestamps import read_timestamps

    times, unparsed, undecided = read_timestamps(values)
    unparsed = pd.Series(np.asarray(unparsed, dtype=bool), index=values.index)
    undecided = pd.Series(np.asarray(undecided, dtype=bool), index=values.index)
    if isinstance(times, pd.Series):
        times = times.set_axis(values.index)
    else:
        times = pd.Series(times, index=values.index)
    return _to_local(times), unparsed, undecided


def _to_local(times: pd.Series) -> pd.Series:
    """Timestamps (tz-aware, naive local time, or a mix) -> datetime64[ns, Europe/Helsinki]."""
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return times.dt.tz_convert(LOCAL_TZ)
    if pd.api.types.is_datetime64_dtype(times.dtype):
        return times.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")

    def one(v):
        if _is_blank_scalar(v):
            return pd.NaT
        ts = pd.Timestamp(v)
        if ts.tzinfo is None:
            return ts.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")
        return ts.tz_convert(LOCAL_TZ)

    codes, uniques = _factorize(times)
    local = pd.DatetimeIndex([one(u) for u in uniques] + [pd.NaT], tz=LOCAL_TZ)
    return pd.Series(local[codes], index=times.index)
