"""Build manifest: which inputs, codebook and tool version gave which outputs.

A manifest is a small JSON file written next to a wave's outputs. It lists every
input and output file with its SHA-256 and size, plus the codebook and tool
versions. It holds no timestamps and no absolute paths, and its keys are sorted,
so building the same inputs twice gives a byte-identical manifest; comparing two
manifests (:func:`compare_manifests`) tells which outputs changed.

Shape (``format`` is the version of this layout)::

    {
      "codebook_version": "3f2a...",
      "extra": {...},
      "format": 1,
      "inputs":  {"data/raw/2024/vastaukset.csv": {"bytes": 1234, "sha256": "..."}},
      "outputs": {"reports/2024/raportti.pdf":   {"bytes": 5678, "sha256": "..."}},
      "tool_version": "0.1.0"
    }

Paths are relative to ``root`` (default: the manifest's own folder) and written
with ``/`` on every platform.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from kartoitus.atomic import atomic_write_text
from kartoitus.errors import InputError, KartoitusError

__all__ = ["MANIFEST_FORMAT", "file_hash", "write_manifest", "read_manifest",
           "compare_manifests"]

#: Version of the manifest layout; bump when the shape changes.
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20


def file_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, as lowercase hex (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _relative(path: Path, root: Path) -> str:
    rel = os.path.relpath(Path(path).resolve(), root.resolve())
    return Path(rel).as_posix()


def _entries(paths: Iterable[Path], root: Path, role: str, skip: Path,
             hashes: Mapping[Path, str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for p in paths:
        p = Path(p)
        if p.resolve() == skip:
            continue  # a manifest cannot list its own hash
        if not p.is_file():
            raise InputError(p, f"manifestiin merkittävää tiedostoa ({role}) ei löydy; "
                                "aja koonti uudelleen tai poista tiedosto listalta")
        sha = hashes.get(p) or hashes.get(p.resolve()) or file_hash(p)
        out[_relative(p, root)] = {"sha256": sha, "bytes": p.stat().st_size}
    return out


def manifest_text(manifest: Mapping[str, Any]) -> str:
    """The canonical JSON text of a manifest (sorted keys, two-space indent, LF)."""
    try:
        return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False,
                          allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise KartoitusError(
            f"manifestin lisätiedot eivät ole JSON-muotoisia ({exc}); "
            "anna ne tekstinä, lukuina, listoina tai sanakirjoina") from None


def write_manifest(path: str | os.PathLike, inputs: list[Path], outputs: list[Path],
                   codebook_version: str, tool_version: str,
                   extra: dict | None = None, *, root: str | os.PathLike | None = None,
                   hashes: Mapping[Path, str] | None = None) -> Path:
    """Write the manifest of a build to ``path`` (atomically); return the path.

    ``root`` is the folder paths are written relative to (default: the manifest's
    folder). ``extra`` is any JSON-serialisable data (wave year, settings); keep
    timestamps out of it if the manifest should stay byte-stable. ``hashes`` are
    SHA-256 digests already computed (path -> hex, e.g. the output jobs' hashes):
    a listed file found there is not read again.
    """
    path = Path(path)
    root_path = Path(root) if root is not None else path.parent
    me = path.resolve()
    known = {Path(p): str(h) for p, h in (hashes or {}).items()}
    manifest = {
        "format": MANIFEST_FORMAT,
        "codebook_version": str(codebook_version),
        "tool_version": str(tool_version),
        "inputs": _entries(inputs, root_path, "syöte", me, known),
        "outputs": _entries(outputs, root_path, "tuotos", me, known),
        "extra": dict(extra or {}),
    }
    return atomic_write_text(path, manifest_text(manifest))


def read_manifest(path: str | os.PathLike) -> dict:
    """Read a manifest written by :func:`write_manifest`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "manifestia ei löydy; aja koonti ensin") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"manifesti ei ole kelvollista JSONia ({exc}); "
                               "aja koonti uudelleen") from None
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict):
        raise InputError(path, "tiedosto ei ole kartoituksen manifesti (outputs puuttuu)")
    if data.get("format", MANIFEST_FORMAT) > MANIFEST_FORMAT:
        raise InputError(path, f"manifestin muoto {data['format']} on uudempi kuin tämä "
                               "työkalu tuntee; päivitä kartoitus")
    return data


def _as_manifest(m: Mapping | str | os.PathLike) -> Mapping:
    return m if isinstance(m, Mapping) else read_manifest(m)


def _diff_files(a: Mapping, b: Mapping, label: str) -> list[str]:
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in b:
            out.append(f"{label} {name}: vain ensimmäisessä manifestissa")
        elif name not in a:
            out.append(f"{label} {name}: vain toisessa manifestissa")
        elif a[name].get("sha256") != b[name].get("sha256"):
            out.append(f"{label} {name}: sisältö eroaa "
                       f"({str(a[name].get('sha256'))[:12]} → {str(b[name].get('sha256'))[:12]})")
    return out


def compare_manifests(a: Mapping | str | os.PathLike, b: Mapping | str | os.PathLike,
                      *, inputs: bool = False) -> list[str]:
    """Differences between two manifests (dicts or paths), one Finnish line each.

    By default only the outputs are compared (added, missing, changed hash); with
    ``inputs=True`` also the inputs and the codebook and tool versions, which
    explain *why* outputs differ. An empty list means the builds agree.
    """
    ma, mb = _as_manifest(a), _as_manifest(b)
    lines = _diff_files(ma.get("outputs", {}), mb.get("outputs", {}), "tuotos")
    if inputs:
        for key, label in (("codebook_version", "koodikirjan versio"),
                           ("tool_version", "työkalun versio")):
            if ma.get(key) != mb.get(key):
                lines.append(f"{label}: {ma.get(key)} → {mb.get(key)}")
        lines += _diff_files(ma.get("inputs", {}), mb.get("inputs", {}), "syöte")
    return lines
