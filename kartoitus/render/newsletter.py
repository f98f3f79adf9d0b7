"""Newsletter texts (kuntakirje): a newsletter model (:mod:`kartoitus.outputs.newsletter`)
written as Markdown and plain text, ready to paste:
``reports/<year>/kuntakirje/<kuntanumero>-<nimi>.md`` and ``.txt`` (UTF-8, one paragraph)."""

from __future__ import annotations

from pathlib import Path

from kartoitus.atomic import atomic_write_bytes
from kartoitus.render.municipality import output_path as _municipality_path

SUBFOLDER = "kuntakirje"


def output_paths(out_dir: Path | str, code: str, name: str) -> list[Path]:
    """``[<out_dir>/kuntakirje/<code>-<slug>.md, ... .txt]``; ``out_dir`` is ``reports/<year>``."""
    stem = _municipality_path(out_dir, code, name).stem
    folder = Path(out_dir) / SUBFOLDER
    return [folder / f"{stem}.md", folder / f"{stem}.txt"]


def markdown(model: dict) -> str:
    return f"## {model['title']}\n\n{' '.join(model['sentences'])}\n"


def plain_text(model: dict) -> str:
    return f"{model['title']}\n\n{' '.join(model['sentences'])}\n"


def write_newsletter(model: dict, md_path: Path | str, txt_path: Path | str) -> list[Path]:
    return [atomic_write_bytes(Path(md_path), markdown(model).encode("utf-8")),
            atomic_write_bytes(Path(txt_path), plain_text(model).encode("utf-8"))]


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.render.newsletter:render_job``): ``{"model", "out": [md, txt]}``."""
    md, txt = payload["out"]
    return write_newsletter(payload["model"], md, txt)
