"""Charts: Table -> matplotlib Figure, and Figure -> PNG/SVG bytes.

Everything here uses ``matplotlib.figure.Figure`` directly, never pyplot, so no
global figure state leaks between charts or threads. Importing this package
imports matplotlib: import it lazily from code that the CLI loads at start-up.
"""

from kartoitus.render.charts.base import (
    PALETTE,
    DIVERGING,
    figure_to_png,
    figure_to_svg,
    png_data_uri,
)
from kartoitus.render.charts.bars import (
    ChartError,
    bar_chart,
    stacked_chart,
    describe_bars,
    describe_stacked,
)

__all__ = [
    "PALETTE",
    "DIVERGING",
    "figure_to_png",
    "figure_to_svg",
    "png_data_uri",
    "ChartError",
    "bar_chart",
    "stacked_chart",
    "describe_bars",
    "describe_stacked",
]


def _kinds() -> dict:
    from kartoitus.render.charts import lines, radar
    return {"bar": bar_chart, "stacked": stacked_chart, "radar": radar.radar_figure,
            "heat_table": radar.heat_table_figure, "line": lines.line_chart}


#: chart kinds a :class:`kartoitus.models.ChartSpec` may name (extend here, in one place)
KINDS = ("bar", "stacked", "radar", "heat_table", "line")


def draw_png(spec) -> bytes:
    """PNG bytes of the chart a :class:`kartoitus.models.ChartSpec` describes."""
    kinds = _kinds()
    if spec.kind not in kinds:
        raise ChartError(f"unknown chart kind {spec.kind!r}; known: {', '.join(KINDS)}")
    fig = kinds[spec.kind](*spec.args, **spec.kwargs)
    return figure_to_png(fig) if spec.dpi is None else figure_to_png(fig, dpi=spec.dpi)


def draw_data_uri(spec) -> str:
    """The chart as a PNG data URI (for HTML and PDF)."""
    return png_data_uri(draw_png(spec))


def draw_screen_uri(spec) -> str:
    """The chart for screens: an SVG data URI drawn at the narrow screen width
    (``base.SCREEN_WIDTH``), text kept as text, so it stays legible on a phone."""
    from kartoitus.render.charts.base import SCREEN_WIDTH, chart_width, figure_to_svg, svg_data_uri

    kinds = _kinds()
    if spec.kind not in kinds:
        raise ChartError(f"unknown chart kind {spec.kind!r}; known: {', '.join(KINDS)}")
    with chart_width(SCREEN_WIDTH):
        fig = kinds[spec.kind](*spec.args, **spec.kwargs)
    return svg_data_uri(figure_to_svg(fig, text=True))
