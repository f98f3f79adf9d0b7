"""A wave folder -> every table in it, and every file that was not read, with the reason.

Nothing is skipped in silence. :func:`scan_wave` walks the wave folder and its
subfolders: exports are read (``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm``/
``.xls``/``.ods``, and the CSVs and workbooks inside a ``.zip`` such as Google
Forms' "Download responses"); everything else is listed in
:attr:`WaveFiles.skipped` with the reason (settings files, hidden and lock
files, other file types, sheets that hold no survey, a file whose content is the
same as another's). The first export that cannot be read raises its
:class:`~kartoitus.errors.InputError`.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kartoitus.errors import InputError
from kartoitus.settings.codebook import Codebook
from kartoitus.stages.ingest.files import (
    CSV_SUFFIXES,
    UNSUPPORTED_SUFFIXES,
    XLSX_SUFFIXES,
    RawTable,
    read_export,
    same_content,
)
from kartoitus.stages.wave import SETTINGS_FILES

#: What the researcher keeps beside the exports and the toolkit writes there itself.
_SETTINGS = {n.casefold() for n in SETTINGS_FILES} | {"poistetut_henkilotiedot.json"}
#: Biggest zip member read (a survey export is far smaller; a zip bomb is not read).
_MAX_MEMBER_BYTES = 2 << 30


@dataclass(frozen=True)
class Skipped:
    name: str       # as the wave names it: "alikansio/muistio.docx", "tyokirja.xlsx/Ohjeet"
    reason: str     # Finnish, for the build summary


@dataclass
class WaveFiles:
    tables: list[RawTable] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)      # files on disk that were read


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _ignored(name: str) -> str | None:
    """Why a file of this name is not an export (None: it may be one)."""
    low = name.casefold()
    if low in _SETTINGS:
        return "aallon asetustiedosto, luetaan erikseen" if low != "poistetut_henkilotiedot.json" \
            else "henkilötietojen poistokirja"
    if name.startswith("~$") or name.startswith(".~lock"):
        return "taulukko-ohjelman lukitustiedosto (tiedosto on auki jossakin ohjelmassa)"
    if name.startswith("."):
        return "piilotettu tiedosto"
    return None


def _kind(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in CSV_SUFFIXES or suffix in XLSX_SUFFIXES or suffix in UNSUPPORTED_SUFFIXES:
        return "export"
    if suffix == ".zip":
        return "zip"
    return None


class _Reader:
    def __init__(self, codebook: Codebook, year: int | None):
        self.codebook, self.year = codebook, year
        self.out = WaveFiles()
        self.seen: dict[str, str] = {}     # content digest -> name of the first file

    def _duplicate(self, digest: str, name: str) -> bool:
        first = self.seen.get(digest)
        if first is not None:
            self.out.skipped.append(Skipped(name, f"sama sisältö kuin tiedostossa {first}: luettu kerran"))
            return True
        self.seen[digest] = name
        return False

    def _add(self, tables: list[RawTable], skipped_sheets, name: str) -> None:
        for s in skipped_sheets:
            self.out.skipped.append(Skipped(f"{name}/{s.sheet}", s.reason))
        for t in tables:
            twin = next((o for o in self.out.tables if same_content(o, t)), None)
            if twin is not None and len(t.frame):
                self.out.skipped.append(Skipped(t.name, f"samat vastaukset kuin tiedostossa {twin.name}: "
                                                        "luettu kerran"))
                continue
            self.out.tables.append(t)

    def file(self, path: Path, name: str) -> None:
        why = _ignored(path.name)
        if why is not None:
            self.out.skipped.append(Skipped(name, why))
            return
        kind = _kind(path.name)
        if kind is None:
            self.out.skipped.append(Skipped(name, f"ei vientitiedosto (tiedostomuoto "
                                                  f"{path.suffix.lower() or 'ei päätettä'})"))
            return
        if self._duplicate(_file_digest(path), name):
            return
        self.out.files.append(path)
        if kind == "zip":
            self.archive(path, name)
            return
        tables, skipped = read_export(path, self.codebook, self.year, name=name)
        self._add(tables, skipped, name)

    def archive(self, path: Path, name: str) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise InputError(path, f"zip-tiedostoa ei voi avata ({type(e).__name__}): lataa vastaukset "
                                   "lomakkeelta uudelleen tai pura tiedosto ja vie sen CSV-tiedosto "
                                   "aallon kansioon.", name=name) from None
        with zf:
            members = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
            if not members:
                self.out.skipped.append(Skipped(name, "tyhjä zip-tiedosto"))
            for info in members:
                inner = PurePosixPath(info.filename)
                member = f"{name}/{info.filename}"
                if any(p.startswith("__MACOSX") for p in inner.parts):
                    self.out.skipped.append(Skipped(member, "macOS:n lisätieto pakkauksessa"))
                    continue
                why = _ignored(inner.name)
                if why is not None:
                    self.out.skipped.append(Skipped(member, why))
                    continue
                kind = _kind(inner.name)
                if kind == "zip":
                    raise InputError(path, f"pakkauksen sisällä on toinen zip-tiedosto ({info.filename}): "
                                           "pura se ja vie sen tiedostot aallon kansioon.", name=name)
                if kind != "export":
                    self.out.skipped.append(Skipped(member, f"ei vientitiedosto (tiedostomuoto "
                                                            f"{inner.suffix.lower() or 'ei päätettä'})"))
                    continue
                if info.file_size > _MAX_MEMBER_BYTES:
                    raise InputError(path, f"pakkauksen tiedosto {info.filename} on liian suuri "
                                           f"({info.file_size} tavua): pura se ja vie aallon kansioon.",
                                     name=name)
                try:
                    data = zf.read(info)
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as e:
                    raise InputError(path, f"pakkauksen tiedostoa {info.filename} ei voi lukea "
                                           f"({type(e).__name__}): pura pakkaus ja vie tiedosto aallon "
                                           "kansioon.", name=name) from None
                if self._duplicate(_digest(data), member):
                    continue
                tables, skipped = read_export(Path(path.parent / inner.name), self.codebook, self.year,
                                              data=data, name=member)
                self._add(tables, skipped, member)

    def folder(self, folder: Path, prefix: str = "") -> None:
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                if entry.name.startswith("."):
                    self.out.skipped.append(Skipped(name + "/", "piilotettu kansio"))
                    continue
                self.folder(entry, name + "/")
            elif entry.is_file():
                self.file(entry, name)


def scan_wave(folder: Path, codebook: Codebook, year: int | None = None) -> WaveFiles:
    """Every table of a wave folder (subfolders and zip archives included), sorted
    by name, and every file or sheet that was not read, with the reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "kansiota ei löydy: tarkista aallon kansion polku.")
    reader = _Reader(codebook, year)
    reader.folder(folder)
    return reader.out


def read_wave(folder: Path, codebook: Codebook, year: int | None = None) -> list[RawTable]:
    """The tables of :func:`scan_wave` (what was not read is in its ``skipped``)."""
    return scan_wave(folder, codebook, year).tables
