"""Settings: everything the pipeline is configured by, loaded once and frozen.

:func:`load_settings` reads the package's data files (or a folder given in their
place) and the organisation's ``templates/`` folder when there is one, checks
them against each other and returns a :class:`Settings`. It is called at the
edge (the CLI, ``build``, a test's fixture) and the object is passed down; no
stage loads a data file or falls back to a default itself.

- ``codebook``: the surveys, their questions and options, the municipalities;
- ``classification``: main-sector rules, the sote group, size classes (``luokittelu.yaml``);
- ``scoring``: the kuntatutka dimensions, checklist and two-views rules (``kuntatutka.yaml``);
- ``flags``: the Finnish text of every flag code (``liput.yaml``);
- ``names``: derived column names and special keys (``sarakkeet.yaml``);
- ``trends``: the figures compared across waves (``kehitys.yaml``);
- ``templates``: the template folders, the organisation's first, then the package's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping


from kartoitus.settings.classification import (
    RULES_FILE,
    Classification,
    load_classification,
)
from kartoitus.settings.codebook import Codebook, load_codebook
from kartoitus.settings.files import read_yaml
from kartoitus.settings.names import NAMES_FILE, Names, load_names
from kartoitus.settings.scoring import SCORING_FILE, Scoring, load_scoring
from kartoitus.settings.trends import TRENDS_FILE, TrendFigures, load_trend_figures

FLAGS_FILE = "liput.yaml"
#: The organisation's own templates (logo, colours, cover text), beside the data folders.
USER_TEMPLATES = Path("templates")
#: the report's cover text and chapter order, in a template folder
REPORT_FILE = "raportti.yaml"


def package_data() -> Path:
    """The package's data folder (codebook, rules, scoring, names, flag texts)."""
    return Path(str(resources.files("kartoitus") / "data"))


def package_templates() -> Path:
    """The package's default templates."""
    return Path(str(resources.files("kartoitus") / "templates"))


@dataclass(frozen=True)
class Settings:
    codebook: Codebook
    classification: Classification
    scoring: Scoring
    flags: Mapping[str, str]
    names: Names
    trends: TrendFigures
    templates: tuple[Path, ...]          # searched in order: the organisation's, then the package's
    data_dir: Path = field(default_factory=package_data)
    version: str = ""                    # hash of every settings file (cache keys, manifest)
    #: the report's cover text and chapter order (``raportti.yaml``, the first found in
    #: ``templates``: the organisation's, else the package's default)
    report: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sote(self) -> tuple[str, ...]:
        """Main-sector keys of the social and health group."""
        return self.classification.sote

    def flag_text(self, code: str) -> str:
        return str(self.flags.get(code, code))


def _load_flags(path: Path) -> dict[str, str]:
    raw = read_yaml(path, "odotettiin luetteloa lippu: selite")
    return {str(k): str(v) for k, v in raw.items()}


def _digest(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_settings(data_dir: Path | None = None, templates: Path | None = None) -> Settings:
    """Read every settings file once. ``data_dir`` replaces the package's data folder;
    ``templates`` (default ``./templates`` when it exists) is searched before the
    package's templates."""
    folder = Path(data_dir) if data_dir is not None else package_data()
    codebook = load_codebook(folder)
    classification = load_classification(folder / RULES_FILE)
    scoring = load_scoring(folder / SCORING_FILE, codebook)
    flags = _load_flags(folder / FLAGS_FILE)
    names = load_names(folder / NAMES_FILE)
    trends = load_trend_figures(folder / TRENDS_FILE, codebook)
    user = Path(templates) if templates is not None else USER_TEMPLATES
    folders = tuple(p.resolve() for p in (user,) if p.is_dir()) + (package_templates(),)
    report = next((read_yaml(f / REPORT_FILE, "odotettiin osioita kansi ja luvut")
                   for f in folders if (f / REPORT_FILE).is_file()), {})
    return Settings(codebook=codebook, classification=classification, scoring=scoring, flags=flags,
                    names=names, trends=trends, templates=folders, data_dir=folder,
                    version=_digest(folder.glob("*")), report=dict(report))


__all__ = ["Settings", "load_settings", "package_data", "package_templates"]

