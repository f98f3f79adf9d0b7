"""Shared fixtures: the settings, loaded once per test session (as the CLI does once per run)."""

import pytest

from kartoitus.settings import Settings, load_settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()
