"""Plain building blocks of output models, shared by outputs (which build them) and
render (which turns them into files).

A model is plain data: dicts, lists, strings, numbers, :class:`~kartoitus.tables.Table`
objects and :class:`ChartSpec` objects. A chart in a model is a ``ChartSpec``: which
drawing function of ``kartoitus.render.charts`` to call and with what data; render
draws it (PNG data URI, SVG) when it writes the file. So building a model needs
neither matplotlib nor WeasyPrint, and a model can be compared, hashed and pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: ``kind`` names a function in ``kartoitus.render.charts.KINDS``,
    ``args``/``kwargs`` are its arguments (plain data and Tables only)."""
    kind: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    dpi: int | None = None        # None: the charts' default resolution


def map_charts(model: Any, draw: Callable[[ChartSpec], Any]) -> Any:
    """A copy of ``model`` with every :class:`ChartSpec` replaced by ``draw(spec)``
    (dicts, lists and tuples are walked; anything else is kept as it is)."""
    if isinstance(model, ChartSpec):
        return draw(model)
    if isinstance(model, dict):
        return {k: map_charts(v, draw) for k, v in model.items()}
    if isinstance(model, list):
        return [map_charts(v, draw) for v in model]
    if isinstance(model, tuple) and not hasattr(model, "_fields"):
        return tuple(map_charts(v, draw) for v in model)
    return model


# -- reference data (loaded by kartoitus.stages.reference) ---------------------------------

@dataclass(frozen=True)
class Reference:
    """Reference data; either frame may be None when its file was not supplied."""

    population: pd.DataFrame | None = None    # kuntanumero (str), vuosi (int), vaesto (int)
    associations: pd.DataFrame | None = None  # kuntanumero (str), vuosi (int), yhdistyksia (int)

    def population_for(self, year: int) -> tuple[pd.Series, list[int]]:
        """Population per municipality code: the latest figure of a year <= ``year``.

        Returns the values (index: municipality code) and the years they come from.
        """
        return _latest(self.population, "vaesto", year)

    def associations_for(self, year: int) -> tuple[pd.Series, list[int]]:
        """Registered associations per municipality code, latest year <= ``year``."""
        return _latest(self.associations, "yhdistyksia", year)


def _latest(frame: pd.DataFrame | None, column: str, year: int) -> tuple[pd.Series, list[int]]:
    if frame is None or frame.empty:
        return pd.Series(dtype="float64"), []
    usable = frame[frame["vuosi"] <= year]
    if usable.empty:
        return pd.Series(dtype="float64"), []
    latest = usable.sort_values(["kuntanumero", "vuosi"]).groupby("kuntanumero", sort=True).tail(1)
    values = latest.set_index("kuntanumero")[column].astype("float64")
    return values, sorted(int(y) for y in latest["vuosi"].unique())
