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
