"""Small vectorised helpers of the demo generator (numpy arrays in, arrays out).

Strings are formatted once per distinct value and mapped back to every row, so a
million answers take seconds.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

import numpy as np
import pandas as pd


def fold(text: str) -> str:
    """ASCII folding: Jyväskylä -> Jyvaskyla, Åberg -> Aberg."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row from a row-wise probability matrix (rows need not sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def label_array(labels: Sequence[str]) -> np.ndarray:
    """Labels plus a trailing empty string, so that index -1 gives ``""``."""
    return np.array([*labels, ""], dtype=object)


def format_unique(values: np.ndarray, fmt) -> np.ndarray:
    """``fmt`` applied once per distinct value, mapped back to every row."""
    inv, uniq = pd.factorize(np.asarray(values))  # hashing: O(n), no sort
    return np.array([fmt(v) for v in np.asarray(uniq).tolist()], dtype=object)[inv]


def join_multi(mask: np.ndarray, labels: Sequence[str], other: np.ndarray | None = None,
                other_pool: Sequence[str] = ()) -> np.ndarray:
    """A multi-select cell per row: ticked labels joined with ", " (+ other text)."""
    n, k = mask.shape
    codes = mask.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
    if other is not None:
        codes = codes * (len(other_pool) + 1) + (other + 1)
    inv, uniq = pd.factorize(codes)
    out = []
    for code in uniq.tolist():
        other_idx = -1
        if other is not None:
            code, other_idx = divmod(code, len(other_pool) + 1)
            other_idx -= 1
        parts = [labels[j] for j in range(k) if code >> j & 1]
        if other_idx >= 0:
            parts.append(other_pool[other_idx])
        out.append(", ".join(parts))
    return np.array(out, dtype=object)[inv]


def round_count(v: np.ndarray) -> np.ndarray:
    """Counts as people type them: 7, 35, 120, 1 250."""
    v = np.asarray(v, dtype=float)
    step = np.select([v < 30, v < 100, v < 1000], [1, 5, 10], 50)
    return (np.round(v / step) * step).astype(np.int64)


def nice_floor(v: np.ndarray) -> np.ndarray:
    """The round number someone writes after "yli": 230 -> 200, 57 -> 50."""
    v = np.maximum(np.asarray(v, dtype=np.int64), 1)
    step = np.select([v < 20, v < 100, v < 1000], [5, 10, 100], 500)
    return np.maximum(v // step * step, step)


PAD3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
PAD4 = np.array([f"{i:04d}" for i in range(10000)], dtype=object)


def int_text(v: np.ndarray) -> np.ndarray:
    return format_unique(np.asarray(v, dtype=np.int64), str)


def thousands_text(v: np.ndarray, sep: str = " ") -> np.ndarray:
    """1200 -> "1 200" (values below 1000 unchanged)."""
    v = np.asarray(v, dtype=np.int64)
    head = int_text(v // 1000)
    tail = PAD3[v % 1000]
    return np.where(v >= 1000, head + sep + tail, int_text(v))


def split_template(template: str) -> tuple[str, str]:
    before, _, after = template.partition("{v}")
    return before, after


def is_none(values: np.ndarray) -> np.ndarray:
    """Elementwise ``is None`` of an object array."""
    return np.equal(values, None)
