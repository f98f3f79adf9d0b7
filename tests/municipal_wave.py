"""A small wave and the wave before it, made by the real pipeline, published once per session.

``demo-data`` writes the raw exports of 2024 and 2025 (120 associations each),
``build-data`` runs ingest, cleaning, classification and the data bank on them, and
:func:`kartoitus.build.inputs.read_wave_input` reads the processed 2025 wave with
the population of ``tests/fixtures/reference`` and the 2024 wave for the change.
:func:`publication` publishes its kuntatutka and municipality figures (cached per
threshold), so every test of the municipality PDFs, the workshop packs and the
kuntatutka checks the same real objects.

The wave (seeds 5 and 7) has Jyväskylä with over 20 associations, several
municipalities with 2-4, Toivakka that did not answer the municipality survey and
Karstula that did not answer it in 2024.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from kartoitus.build.inputs import read_wave_input
from kartoitus.cli import app
from kartoitus.publication import Publication, WaveInput, publish

YEAR = 2025
PREVIOUS = 2024
REFERENCE = Path(__file__).parent / "fixtures" / "reference"
_cache: dict = {}


def _run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def root() -> Path:
    """The folder of the built waves (``raw/``, ``processed/``, ``reports/``)."""
    if "root" not in _cache:
        folder = Path(tempfile.mkdtemp(prefix="kartoitus-kunnat-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        for year, seed in ((PREVIOUS, 5), (YEAR, 7)):
            _run("demo-data", "--year", str(year), "--size", "120", "--seed", str(seed),
                 "--raw", str(folder / "raw"))
            _run("build-data", "--raw", str(folder / "raw"), "--processed", str(folder / "processed"),
                 "--year", str(year))
        _cache["root"] = folder
    return _cache["root"]


def wave_input(settings) -> WaveInput:
    if "input" not in _cache:
        _cache["input"] = read_wave_input(root() / "processed", YEAR, settings, reference_dir=REFERENCE)
    return _cache["input"]


def publication(settings, threshold: int = 5) -> Publication:
    key = ("pub", threshold)
    if key not in _cache:
        _cache[key] = publish(wave_input(settings), settings, threshold=threshold,
                              parts=("kuntatutka", "municipalities"))
    return _cache[key]
