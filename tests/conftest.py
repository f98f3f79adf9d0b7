"""Shared fixtures: the settings, loaded once per test session (as the CLI does once per run)."""

import pytest
from hypothesis import settings as hypothesis_settings

from kartoitus.settings import Settings, load_settings

# Property tests try the same examples on every run by default, so that whether a
# commit lands never depends on the luck of one CI run; every example a run has
# ever failed on is pinned with ``@example``. Look for new counterexamples with
# ``python -m pytest --hypothesis-profile=explore`` (random examples, a new draw each run).
hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis_settings.load_profile("repeatable")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def waves(tmp_path_factory, settings):
    """Three small demo waves (2021, 2023, 2025; 90 association answers in the newest),
    processed into one data bank: ``<root>/raw``, ``<root>/processed``, ``<root>/reports``."""
    from kartoitus.build.data import build_data
    from kartoitus.demo import write_demo_waves
    from kartoitus.stages.wave import resolve_wave

    root = tmp_path_factory.mktemp("aallot")
    years = (2021, 2023, 2025)
    write_demo_waves(root / "raw", settings, years, n_associations=90, seed=11)
    for y in years:
        build_data(resolve_wave(root / "raw", root / "processed", root / "reports", y), settings)
    return root


@pytest.fixture(scope="session")
def waves_pub(waves, settings):
    """The publication of the newest of the ``waves`` (with its trends)."""
    from kartoitus.build.inputs import read_wave_input
    from kartoitus.publication import publish

    return publish(read_wave_input(waves / "processed", 2025, settings, previous="all"), settings)
