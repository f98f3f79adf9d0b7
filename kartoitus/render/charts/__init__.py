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
