"""Kuntatutka charts: the municipality radar and the region heat table.

``radar_figure``: one municipality's dimension scores (0-100) as a filled polygon
on polar axes, the region median as a dashed line. A dimension without data
("ei tietoa") is never drawn as 0: the outline breaks there, the sector is greyed
and hatched, and its label says "ei tietoa". A municipality that did not answer
gets the empty grid with the median and the text "Kunta ei vastannut
kuntakyselyyn". ``heat_table_figure``: every municipality x dimension with the
score printed in each cell (Finnish format, no decimals), empty cells grey with
"–". Both build ``matplotlib.figure.Figure`` directly (no pyplot) in the shared
style of ``kartoitus.render.charts.base``.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kartoitus.render.charts.base import MUTED, PALETTE, TEXT, WIDTH, style, wrap
from kartoitus.fmt import fi_integer, fi_number

#: Colour of the municipality polygon and of the median line.
MUNI_COLOR = PALETTE[0]
MEDIAN_COLOR = PALETTE[1]
#: Fill of cells and sectors without data.
NO_DATA = "#D9D9D9"
NO_DATA_TEXT = "ei tietoa"
NOT_ANSWERED_TEXT = "Kunta ei vastannut kuntakyselyyn"
DASH = "\u2013"
#: Radial gridlines of the radar.
RINGS = (25, 50, 75, 100)
#: gid of the artists, for tests and SVG post-processing.
GID_MUNI_OUTLINE = "kunta"
GID_MUNI_FILL = "kunta_alue"
GID_MEDIAN = "mediaani"
GID_NO_DATA = "ei_tietoa"


class RadarError(ValueError):
    """The data cannot be drawn as a radar (e.g. fewer than three dimensions)."""


_VOWELS = set("aeiouyäöåAEIOUYÄÖÅ")


def _hyphen_points(word: str) -> list[int]:
    """Finnish syllable breaks: before a consonant that is followed by a vowel
    (hy-vin-voin-ti-suun-nit-te-luun), never leaving fewer than two letters."""
    return [i for i in range(2, len(word) - 2)
            if word[i].isalpha() and word[i] not in _VOWELS and word[i + 1] in _VOWELS]


def _split_long(word: str, width: int) -> list[str]:
    """Hyphenate a word longer than ``width`` at the syllable break nearest its middle."""
    if len(word) <= width:
        return [word]
    points = [i for i in _hyphen_points(word) if i + 1 <= width]
    if not points:
        return [word]
    cut = min(points, key=lambda i: abs(i - len(word) / 2))
    return [word[:cut] + "-", *_split_long(word[cut:], width)]


def wrap_fi(label: str, width: int) -> str:
    """Wrap a label into lines of at most ``width`` characters, hyphenating words
    longer than a line at a Finnish syllable break."""
    words = [p for w in str(label).split() for p in _split_long(w, width)]
    lines: list[str] = []
    for w in words:
        if lines and not lines[-1].endswith("-") and len(lines[-1]) + 1 + len(w) <= width:
            lines[-1] += " " + w
        else:
            lines.append(w)
    return "\n".join(lines)


def _value(row: Mapping | pd.Series, key: str) -> float:
    try:
        v = row[key]
    except (KeyError, IndexError):
        return math.nan
    try:
        return math.nan if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return math.nan


def _answered(row: Mapping | pd.Series, values: np.ndarray) -> bool:
    try:
        v = row["vastannut"]
    except (KeyError, IndexError):
        return bool(np.isfinite(values).any())
    return bool(v) if not pd.isna(v) else False


def _score_text(v: float) -> str:
    return NO_DATA_TEXT if math.isnan(v) else fi_number(v, 0)


def _label_alignment(theta: float) -> tuple[str, str]:
    # zero at north, clockwise: x = sin, y = cos
    s, c = math.sin(theta), math.cos(theta)
    ha = "left" if s > 0.15 else "right" if s < -0.15 else "center"
    va = "bottom" if c > 0.15 else "top" if c < -0.15 else "center"
    return ha, va


def _closed(a: np.ndarray) -> np.ndarray:
    return np.concatenate([a, a[:1]])


def _runs(finite: np.ndarray) -> list[list[int]]:
    """Runs of consecutive finite positions around the circle (wrapping)."""
    n = len(finite)
    if finite.all():
        return [list(range(n))]
    start = int(np.flatnonzero(~finite)[0])
    runs, cur = [], []
    for k in range(1, n + 1):
        i = (start + k) % n
        if finite[i]:
            cur.append(i)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def radar_figure(scores_row: Mapping | pd.Series, region_median: Mapping | pd.Series | None,
                 dims_labels: Mapping[str, str], title: str, *, label_width: int = 16,
                 size: tuple[float, float] = (5.6, 5.4), median_n: int | None = None) -> Figure:
    """A municipality's kuntatutka: polygon of scores 0-100 with the region median.

    ``scores_row``: a row of ``kuntatutka.score_municipalities`` (dimension ids,
    ``vastannut``, ``kunta_nimi``); ``region_median``: ``kuntatutka.region_summary``
    (its ``attrs["n"]``, or ``median_n``, is shown in the legend) or None; ``dims_labels``: dimension
    id -> Finnish label, in the order of the axes (clockwise from the top).
    """
    dims = list(dims_labels)
    n = len(dims)
    if n < 3:
        raise RadarError(f"a radar needs at least three dimensions, got {n}: {dims}")
    values = np.array([_value(scores_row, d) for d in dims], dtype=float)
    answered = _answered(scores_row, values)
    if not answered:
        values = np.full(n, np.nan)
    median = (np.array([_value(region_median, d) for d in dims], dtype=float)
              if region_median is not None else None)
    name = str(scores_row.get("kunta_nimi", "") or "Kunta") if hasattr(scores_row, "get") else "Kunta"
    theta = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    finite = np.isfinite(values)

    with style():
        fig = Figure(figsize=size, layout="constrained")
        fig.get_layout_engine().set(w_pad=0.08, h_pad=0.06)
        ax = fig.add_subplot(projection="polar")
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        ax.set_ylim(0, 100)
        ax.set_yticks(RINGS)
        ax.set_yticklabels([fi_integer(r) for r in RINGS], fontsize=6.5, color=MUTED)
        ax.set_rlabel_position(math.degrees(math.pi / n))  # between the first two axes
        ax.set_xticks(theta)
        ax.set_xticklabels([])
        ax.grid(True, color="#CCCCCC", linewidth=0.6)
        ax.spines["polar"].set_color("#AAAAAA")
        ax.spines["polar"].set_linewidth(0.6)

        # labels outside the circle: the label, then the municipality's score
        for d, t, v in zip(dims, theta, values):
            ha, va = _label_alignment(t)
            text = wrap_fi(dims_labels[d], label_width)
            if answered:
                text += "\n" + (f"{_score_text(v)} p." if math.isfinite(v) else f"({NO_DATA_TEXT})")
            ax.text(t, 110, text, ha=ha, va=va, fontsize=8, color=TEXT, clip_on=False,
                    linespacing=1.15, multialignment="center")

        handles = []
        if answered:
            # no-data sectors: hatched grey, never a 0 vertex
            width = 2 * math.pi / n
            for t in theta[~finite]:
                ax.bar(t, 100, width=width * 0.9, bottom=0, color=NO_DATA, alpha=0.45,
                       hatch="///", edgecolor="#9E9E9E", linewidth=0, gid=GID_NO_DATA, zorder=1)
            # filled area: each run of consecutive answered dimensions, with the centre
            for run in _runs(finite):
                if len(run) < 2:
                    continue
                if len(run) == n:
                    ft, fr = _closed(theta), _closed(values)
                else:
                    ft = np.concatenate([[theta[run[0]]], theta[run], [theta[run[-1]]]])
                    fr = np.concatenate([[0.0], values[run], [0.0]])
                ax.fill(ft, fr, color=MUNI_COLOR, alpha=0.22, linewidth=0, gid=GID_MUNI_FILL, zorder=2)
            # outline through the answered vertices, broken at dimensions without data
            ax.plot(_closed(theta), _closed(values), color=MUNI_COLOR, linewidth=1.8,
                    marker="o", markersize=4, gid=GID_MUNI_OUTLINE, zorder=4)
            handles.append(Patch(facecolor=MUNI_COLOR + "38", edgecolor=MUNI_COLOR, linewidth=1.5,
                                 label=name))
        if median is not None and np.isfinite(median).any():
            ax.plot(_closed(theta), _closed(median), color=MEDIAN_COLOR, linewidth=1.5,
                    linestyle=(0, (4, 2.5)), gid=GID_MEDIAN, zorder=3)
            m_n = median_n if median_n is not None else getattr(region_median, "attrs", {}).get("n")
            label = "Maakunnan mediaani"
            if m_n:
                label += f" (n = {fi_integer(m_n)} kuntaa)"
            handles.append(Line2D([], [], color=MEDIAN_COLOR, linewidth=1.5, linestyle=(0, (4, 2.5)),
                                  label=label))
        if answered and (~finite).any():
            handles.append(Patch(facecolor=NO_DATA, edgecolor="#9E9E9E", hatch="///", linewidth=0,
                                 label="Ei tietoa"))
        if not answered:
            ax.text(0.5, 0.5, NOT_ANSWERED_TEXT, transform=ax.transAxes, ha="center", va="center",
                    fontsize=10, fontweight="bold", color=TEXT, zorder=6,
                    bbox=dict(boxstyle="round,pad=0.6", facecolor="white", edgecolor="#AAAAAA"))
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)),
                       fontsize=7.5, handlelength=2.2, columnspacing=1.2)
        fig.suptitle(wrap(title, 70), x=0.02, ha="left", fontsize=10.5, fontweight="bold", color=TEXT)
    return fig


def heat_table_figure(scores: pd.DataFrame, dims_labels: Mapping[str, str], title: str, *,
                      name_column: str = "kunta_nimi", label_width: int = 12,
                      width: float = WIDTH) -> Figure:
    """All municipalities (rows, in the order given) x dimensions (columns) as a
    heat table with the score printed in every cell; no data: grey with "–".

    A municipality that did not answer (``vastannut`` False) is written in grey
    italics with "(ei vastannut)". Sized for an A4 page (``width`` inches).
    """
    dims = list(dims_labels)
    if not dims:
        raise ValueError("heat table needs at least one dimension")
    names = scores[name_column].astype(str).tolist() if name_column in scores else [str(i) for i in scores.index]
    answered = (scores["vastannut"].astype(bool).to_numpy() if "vastannut" in scores
                else np.ones(len(scores), dtype=bool))
    vals = np.column_stack([pd.to_numeric(scores[d], errors="coerce").to_numpy(dtype=float)
                            if d in scores else np.full(len(scores), np.nan) for d in dims]) \
        if len(scores) else np.zeros((0, len(dims)))
    nrows, ncols = vals.shape
    base = colormaps["Blues"]
    cmap = ListedColormap(base(np.linspace(0.06, 0.85, 256))).with_extremes(bad=NO_DATA)
    headers = [wrap_fi(dims_labels[d], label_width) for d in dims]
    header_lines = max(h.count("\n") + 1 for h in headers)
    height = 1.15 + 0.14 * header_lines + 0.235 * max(nrows, 1)

    with style():
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        mesh = ax.pcolormesh(np.ma.masked_invalid(vals), cmap=cmap, vmin=0, vmax=100,
                             edgecolors="white", linewidth=1.2)
        ax.set_xlim(0, ncols)
        ax.set_ylim(nrows, 0)
        for i in range(nrows):
            for j in range(ncols):
                v = vals[i, j]
                if np.isnan(v):
                    ax.text(j + 0.5, i + 0.5, DASH, ha="center", va="center", fontsize=8, color=MUTED)
                else:
                    rgba = cmap(v / 100)
                    lum = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]
                    ax.text(j + 0.5, i + 0.5, fi_number(v, 0), ha="center", va="center", fontsize=8,
                            color="white" if lum < 0.5 else TEXT,
                            fontweight="bold" if dims[j] == "kokonaispisteet" else "normal")
        ax.xaxis.tick_top()
        ax.set_xticks(np.arange(ncols) + 0.5, headers, fontsize=7.2, linespacing=1.1)
        ax.set_yticks(np.arange(nrows) + 0.5,
                      [nm if a else f"{nm} (ei vastannut)" for nm, a in zip(names, answered)], fontsize=8)
        for lbl, a in zip(ax.get_yticklabels(), answered):
            if not a:
                lbl.set_color(MUTED)
                lbl.set_fontstyle("italic")
        ax.tick_params(length=0)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        if "kokonaispisteet" in dims:
            j = dims.index("kokonaispisteet")
            ax.axvline(j, color=TEXT, linewidth=1.2)
        n_ans = int(answered.sum())
        cb = fig.colorbar(mesh, ax=ax, location="bottom", shrink=0.45, aspect=35, pad=0.01)
        cb.set_ticks([0, 25, 50, 75, 100])
        cb.ax.tick_params(labelsize=7, length=2)
        cb.outline.set_linewidth(0.4)
        cb.set_label(f"Pisteet 0{DASH}100  \u00b7  {DASH} = ei tietoa  \u00b7  kuntakyselyyn vastasi "
                     f"{fi_integer(n_ans)}/{fi_integer(nrows)} kuntaa", fontsize=7.5, color=TEXT)
        fig.suptitle(wrap(title, 80), x=0.01, ha="left", fontsize=10.5, fontweight="bold", color=TEXT)
    return fig
