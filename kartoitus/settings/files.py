"""Reading a settings file: one place that turns a missing or broken YAML file into a
Finnish :class:`~kartoitus.errors.ConfigError` naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from kartoitus.errors import ConfigError


def read_yaml(path: Path | str, expected: str) -> Mapping[str, Any]:
    """The mapping in the YAML file ``path`` (an empty file is an empty mapping).

    ``expected`` says in Finnish what the file should hold; it ends the error when the
    file holds something else than a mapping."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: tiedostoa ei löydy") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: YAML-virhe, korjaa tiedosto: {exc}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path.name}: {expected}")
    return raw
