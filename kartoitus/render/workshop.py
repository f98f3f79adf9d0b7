"""Workshop packs: a workshop model (:mod:`kartoitus.outputs.workshop`) drawn and
written to ``reports/<year>/pajat/<slug>.pdf`` (``aanekoski-hankasalmi-konnevesi.pdf``,
or ``seutukunta-135.pdf`` for a whole sub-region)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from kartoitus.render.municipality import slugify, write_document
from kartoitus.settings.codebook import Municipality

SUBFOLDER = "pajat"
TEMPLATE = "workshop.html"
#: Longest file-name slug built from municipality names; longer packs use codes.
MAX_SLUG = 80


def pack_slug(members: Sequence[Municipality], subregion: str | None = None) -> str:
    """``subregion``: the code of the sub-region the pack is about (None: named after the members)."""
    if subregion is not None:
        return f"seutukunta-{subregion}"
    slug = "-".join(sorted(slugify(m.name) for m in members))
    if len(slug) > MAX_SLUG:
        slug = "kunnat-" + "-".join(sorted(m.code for m in members))
    return slug


def pack_path(reports_dir: Path | str, members: Sequence[Municipality], subregion: str | None = None) -> Path:
    """``<reports_dir>/pajat/<slug>.pdf``; ``reports_dir`` is ``reports/<year>``."""
    return Path(reports_dir) / SUBFOLDER / f"{pack_slug(members, subregion)}.pdf"


def write_workshop(model: dict, path: Path | str) -> Path:
    """Write a workshop pack's PDF at ``path``; returns ``path``."""
    return write_document(model, path, TEMPLATE)


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.workshop:render_job``): ``{"model", "out"}``."""
    return [write_workshop(payload["model"], payload["out"])]
