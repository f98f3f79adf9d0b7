"""Where a wave's files live, and the wave's own settings (``kysely.toml``).

Each root (raw, processed, reports) holds one folder per year: ``<root>/<year>/``.
Nothing here reads survey data; it only resolves paths and small settings files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kartoitus.errors import ConfigError, KartoitusError

DEFAULT_RAW = Path("data/raw")
DEFAULT_PROCESSED = Path("data/processed")
DEFAULT_REPORTS = Path("reports")
DEFAULT_REFERENCE = Path("data/reference")
WINDOW_FILE = "kysely.toml"
CORRECTIONS_FILE = "korjaukset.csv"
#: the researcher's own text of the report (Markdown with placeholders), optional
REPORT_TEXT_FILE = "raportti.md"
#: files in a raw wave folder that are settings, not survey exports
SETTINGS_FILES = {WINDOW_FILE, CORRECTIONS_FILE, REPORT_TEXT_FILE}


@dataclass(frozen=True)
class Wave:
    year: int
    raw_root: Path
    processed_root: Path
    reports_root: Path

    @property
    def raw(self) -> Path:
        return self.raw_root / str(self.year)

    @property
    def processed(self) -> Path:
        return self.processed_root / str(self.year)

    @property
    def reports(self) -> Path:
        return self.reports_root / str(self.year)

    @property
    def database(self) -> Path:
        return self.processed_root / "kartoitus.sqlite"

    @property
    def corrections(self) -> Path:
        return self.raw / CORRECTIONS_FILE


def year_folders(root: Path) -> list[int]:
    """Years that have a folder under ``root``, oldest first."""
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 4)


def resolve_wave(raw_root: Path | None = None, processed_root: Path | None = None,
                 reports_root: Path | None = None, year: int | None = None,
                 *, need_raw: bool = True) -> Wave:
    """The wave to work on: ``year``, or the newest year folder under the raw root."""
    raw_root = Path(raw_root or DEFAULT_RAW)
    processed_root = Path(processed_root or DEFAULT_PROCESSED)
    reports_root = Path(reports_root or DEFAULT_REPORTS)
    if year is None:
        years = year_folders(raw_root) if need_raw else year_folders(processed_root)
        root = raw_root if need_raw else processed_root
        if not years:
            raise KartoitusError(
                f"kansiosta {root} ei löydy vuosikansioita (esim. {root}/2025/): "
                "vie kyselyjen tiedostot sinne tai anna --raw ja --year"
            )
        year = years[-1]
    wave = Wave(year=year, raw_root=raw_root, processed_root=processed_root, reports_root=reports_root)
    if need_raw and not wave.raw.is_dir():
        raise KartoitusError(
            f"aallon {year} raakadatakansiota {wave.raw} ei ole: luo se ja vie kyselyjen tiedostot sinne"
        )
    return wave


def read_window(raw_dir: Path) -> tuple[date, date] | None:
    """The survey's opening and closing dates from ``kysely.toml``, if the file exists.

    ``avautui = 2025-09-01`` and ``sulkeutui = 2025-10-31`` (TOML dates, or text
    ``"1.9.2025"``).
    """
    path = raw_dir / WINDOW_FILE
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: tiedostoa ei voi lukea ({exc}); korjaa TOML-muoto") from None
    try:
        opened, closed = _as_date(data["avautui"]), _as_date(data["sulkeutui"])
    except KeyError as exc:
        raise ConfigError(f"{path}: puuttuu avain {exc.args[0]!r} (avautui = 2025-09-01, sulkeutui = 2025-10-31)") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if closed < opened:
        raise ConfigError(f"{path}: sulkeutui ({closed}) on ennen kuin avautui ({opened})")
    return opened, closed


def _as_date(value) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for sep in (".", "-"):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            return date(a, b, c) if sep == "-" else date(c, b, a)
    raise ValueError(f"päivämäärää {text!r} ei voi lukea; käytä muotoa 2025-09-01")
