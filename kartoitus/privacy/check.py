"""The ``check-privacy`` driver: a wave's personal values looked for in its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kartoitus.privacy.patterns import Finding
from kartoitus.privacy.scan import scan_path
from kartoitus.privacy.values import personal_values_from_tables
from kartoitus.settings import Settings
from kartoitus.stages import ingest
from kartoitus.stages.wave import resolve_wave, year_folders


@dataclass(frozen=True)
class CheckResult:
    target: Path
    findings: list[Finding]
    values: int          # personal values of the wave looked for (besides e-mails and phones)


def check_outputs(target: Path, settings: Settings, raw_root: Path, year: int | None = None) -> CheckResult:
    """Scan ``target`` (a folder or a file of outputs) for e-mail addresses, phone
    numbers, identity codes and the personal values of the wave ``year`` under
    ``raw_root`` (the newest wave when ``year`` is None; none when ``raw_root`` holds
    no wave folders and no year is given)."""
    values: set[str] = set()
    if year is not None or year_folders(raw_root):
        wave = resolve_wave(raw_root, None, None, year)
        cb = settings.codebook
        values = personal_values_from_tables(ingest.read_wave(wave.raw, cb, wave.year), cb)
    return CheckResult(Path(target), scan_path(target, values), len(values))
