"""``kartoitus workshop-pack``: a workshop pack from a processed wave on disk.

Resolves the municipalities and the sub-region the user named, reads the wave
(:func:`kartoitus.build.inputs.read_wave_input`), publishes its kuntatutka and
municipality figures, builds the model (:func:`kartoitus.outputs.workshop.workshop_model`)
and writes the PDF (:mod:`kartoitus.render.workshop`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kartoitus.build.inputs import read_wave_input
from kartoitus.errors import KartoitusError
from kartoitus.outputs.workshop import workshop_model
from kartoitus.publication import publish
from kartoitus.publication.suppression import DEFAULT_THRESHOLD
from kartoitus.render.municipality import slugify
from kartoitus.render.workshop import pack_path, write_workshop
from kartoitus.settings import Settings
from kartoitus.settings.codebook import Municipalities, Municipality


@dataclass(frozen=True)
class Subregion:
    code: str
    name: str
    municipalities: tuple[Municipality, ...]

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.municipalities]


# -- which municipalities -------------------------------------------------------------

def _valid_names(year: int, municipalities: Municipalities) -> str:
    return ", ".join(f"{m.name} ({m.code})" for m in municipalities.for_year(year))


def resolve_municipalities(names_or_codes: list[str], year: int,
                           municipalities: Municipalities) -> list[Municipality]:
    """Municipalities of ``year`` by name or code, with the tolerance of the data
    cleaning (case, missing diacritics, other names, clear typos); in the order
    given, each once. Anything unknown is a ``KartoitusError`` listing the valid names."""
    from kartoitus.stages.clean import match_municipalities

    wanted = [str(x).strip() for x in names_or_codes if str(x).strip()]
    if not wanted:
        raise KartoitusError("anna vähintään yksi kunta (nimi tai kuntanumero); kunnat: "
                             + _valid_names(year, municipalities))
    found = match_municipalities(pd.Series(wanted, dtype=object), municipalities, year)
    valid = {m.code: m for m in municipalities.for_year(year)}
    bad = [w for w, code in zip(wanted, found["code"]) if not isinstance(code, str) or code not in valid]
    if bad:
        raise KartoitusError(
            f"tuntematon kunta: {', '.join(repr(b) for b in bad)}; vuoden {year} kunnat ovat: "
            + _valid_names(year, municipalities))
    out: list[Municipality] = []
    for code in found["code"]:
        if valid[code] not in out:
            out.append(valid[code])
    return out


def _subregion_keys(code: str, name: str) -> set[str]:
    base = name.casefold().replace(" seutukunta", "").strip()
    return {code, name.casefold(), base, slugify(name), slugify(base)}


def resolve_subregion(name_or_code: str, year: int, municipalities: Municipalities) -> Subregion:
    """A sub-region (seutukunta) by code (``135``) or name (``Äänekosken seutukunta``,
    ``äänekosken``, ``aanekosken``) with its municipalities of ``year``."""
    text = str(name_or_code).strip()
    subs = municipalities.subregions(year)
    key = text.casefold()
    for code, name in subs.items():
        if key in _subregion_keys(code, name) or slugify(text) in _subregion_keys(code, name):
            members = tuple(m for m in municipalities.for_year(year) if m.subregion_code == code)
            return Subregion(code, name, members)
    listed = ", ".join(f"{name} ({code})" for code, name in sorted(subs.items()))
    raise KartoitusError(f"tuntematon seutukunta {text!r}; vuoden {year} seutukunnat ovat: {listed}")


def pack_members(names_or_codes: list[str], year: int, municipalities: Municipalities,
                 subregion: str | None = None) -> tuple[list[Municipality], Subregion | None]:
    """The municipalities of a pack (a sub-region's first, then the ones named) and the
    sub-region when the pack is exactly one (it then names the pack)."""
    sub = resolve_subregion(subregion, year, municipalities) if subregion else None
    members = list(sub.municipalities) if sub else []
    if names_or_codes:
        for m in resolve_municipalities(list(names_or_codes), year, municipalities):
            if m not in members:
                members.append(m)
    if not members:
        raise KartoitusError("anna kunnat (nimet tai kuntanumerot) tai --seutukunta")
    if sub is not None and len(members) != len(sub.municipalities):
        sub = None  # extra municipalities: name the file after the municipalities
    return members, sub


# -- the command ---------------------------------------------------------------------------

def _pack_publication(settings: Settings, names_or_codes: list[str], subregion: str | None, year: int | None,
                      processed: Path | None, reports: Path | None, reference_dir: Path | None, threshold: int):
    """The wave, the pack's members and sub-region and the publication its outputs read."""
    from kartoitus.stages.wave import resolve_wave

    wave = resolve_wave(None, processed, reports, year, need_raw=False)
    members, sub = pack_members(names_or_codes, wave.year, settings.codebook.municipalities, subregion)
    if reference_dir is None:
        candidate = Path(wave.processed_root).parent / "reference"
        reference_dir = candidate if candidate.is_dir() else None
    data = read_wave_input(wave.processed_root, wave.year, settings, reference_dir=reference_dir, previous="")
    pub = publish(data, settings, threshold=threshold, parts=("kuntatutka", "municipalities"))
    return wave, members, sub.code if sub is not None else None, pub


def workshop_deck_path(pack_pdf: Path) -> Path:
    """The workshop deck beside its PDF pack: ``pajat/<slug>.pptx``."""
    return Path(pack_pdf).with_suffix(".pptx")


def write_workshop_deck(pub, settings: Settings, codes: list[str], sub_code: str | None, path: Path) -> Path:
    from kartoitus.build.meetings import deck_theme
    from kartoitus.outputs.slides_workshop import workshop_deck
    from kartoitus.render.slides import write_deck

    return write_deck(workshop_deck(pub, codes, sub_code, deck_theme(settings)), path)


def workshop_pack(settings: Settings, names_or_codes: list[str], *, subregion: str | None = None,
                  year: int | None = None, processed: Path | None = None, reports: Path | None = None,
                  reference_dir: Path | None = None, threshold: int = DEFAULT_THRESHOLD,
                  deck: bool = True) -> Path:
    """Read the processed wave and write its workshop pack; returns the PDF path.

    The pack ends with the discussion sheet (kehityskeskustelu) of each of its
    municipalities; with ``deck`` the workshop's slide deck is written beside it
    (:func:`workshop_deck_path`).

    ``names_or_codes``: municipality names or codes (any tolerance of the data cleaning);
    ``subregion``: a sub-region name or code instead (or in addition); ``year``: the
    wave (default: the newest processed one); ``processed`` / ``reports``: the roots of
    the processed data and of the reports (defaults as the CLI's); ``reference_dir``: the
    population file for the grants per inhabitant (default ``<processed>/../reference``
    when it exists).
    """
    wave, members, sub_code, pub = _pack_publication(settings, names_or_codes, subregion, year, processed,
                                                     reports, reference_dir, threshold)
    codes = [m.code for m in members]
    model = workshop_model(pub, codes, sub_code)
    path = write_workshop(model, pack_path(wave.reports, members, sub_code))
    if deck:
        write_workshop_deck(pub, settings, codes, sub_code, workshop_deck_path(path))
    return path


def workshop_slides(settings: Settings, names_or_codes: list[str], *, subregion: str | None = None,
                    year: int | None = None, processed: Path | None = None, reports: Path | None = None,
                    reference_dir: Path | None = None, threshold: int = DEFAULT_THRESHOLD) -> Path:
    """``kartoitus slides KUNTA...`` / ``--seutukunta``: only the workshop deck; returns its path."""
    wave, members, sub_code, pub = _pack_publication(settings, names_or_codes, subregion, year, processed,
                                                     reports, reference_dir, threshold)
    path = workshop_deck_path(pack_path(wave.reports, members, sub_code))
    return write_workshop_deck(pub, settings, [m.code for m in members], sub_code, path)
