"""Names of derived columns and special keys, read from ``data/sarakkeet.yaml``.

The instrument names the columns of its questions; the toolkit adds a few
columns (main-sector source, sector group, sub-region, size class, reach, flags)
and keys (other, unknown, outside the region). They are named once, in the data
file, and every stage asks :class:`Names` for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from kartoitus.errors import ConfigError
from kartoitus.settings.files import read_yaml

NAMES_FILE = "sarakkeet.yaml"

_QUESTIONS = ("nimi", "paatoimiala", "toimialat", "kotikunta", "jasenmaara", "vapaaehtoiset", "palkatut_htv",
              "toiminta_alue", "toimintakunnat", "yhteistyo", "kohderyhmat", "toimintamuodot", "haasteet", "kunta")
_COLUMNS = ("tiedosto", "rivi", "paatoimiala_lahde", "toimialaryhma", "seutukunta_koodi", "kokoluokka",
            "ulottuvuus", "liput")
_KEYS = ("muu", "ei_tietoa", "tuntematon", "ulkopuolella", "sote", "muut")
_SOURCES = ("vastaus", "korjaus", "muu")


@dataclass(frozen=True)
class Names:
    # question ids by role
    q_name: str
    q_sector: str
    q_sectors: str
    q_home: str
    q_members: str
    q_volunteers: str
    q_staff: str
    q_reach: str
    q_reach_municipalities: str
    q_cooperation: str
    q_targets: str
    q_forms: str
    q_challenges: str
    q_municipality: str
    # derived columns
    file: str
    row: str
    sector_source: str
    group: str
    subregion: str
    size: str
    reach: str
    flags: str
    # keys
    other: str
    no_answer: str
    unknown_home: str
    outside: str
    group_sote: str
    group_other: str
    # main-sector sources
    source_answer: str
    source_correction: str
    source_none: str

    @property
    def derived(self) -> tuple[str, ...]:
        """The derived columns of the association survey's processed data, in order."""
        return (self.sector_source, self.group, self.subregion, self.size, self.reach)


def _section(raw: Mapping, key: str, names: tuple[str, ...], source: str) -> dict[str, str]:
    part = raw.get(key)
    if not isinstance(part, Mapping):
        raise ConfigError(f"{source}: osio {key!r} puuttuu; lisää se (katso paketin oma {NAMES_FILE})")
    missing = [n for n in names if not str(part.get(n) or "").strip()]
    if missing:
        raise ConfigError(f"{source}: osiosta {key!r} puuttuu {', '.join(missing)}")
    return {n: str(part[n]).strip() for n in names}


def load_names(path: Path) -> Names:
    """Read and check ``sarakkeet.yaml``."""
    path = Path(path)
    raw = read_yaml(path, "odotettiin osioita kysymykset ja sarakkeet")
    q = _section(raw, "kysymykset", _QUESTIONS, path.name)
    c = _section(raw, "sarakkeet", _COLUMNS, path.name)
    k = _section(raw, "avaimet", _KEYS, path.name)
    s = _section(raw, "lahteet", _SOURCES, path.name)
    return Names(
        q_name=q["nimi"], q_sector=q["paatoimiala"], q_sectors=q["toimialat"], q_home=q["kotikunta"],
        q_members=q["jasenmaara"], q_volunteers=q["vapaaehtoiset"], q_staff=q["palkatut_htv"],
        q_reach=q["toiminta_alue"], q_reach_municipalities=q["toimintakunnat"], q_cooperation=q["yhteistyo"],
        q_targets=q["kohderyhmat"], q_forms=q["toimintamuodot"], q_challenges=q["haasteet"],
        q_municipality=q["kunta"],
        file=c["tiedosto"], row=c["rivi"], sector_source=c["paatoimiala_lahde"], group=c["toimialaryhma"],
        subregion=c["seutukunta_koodi"], size=c["kokoluokka"], reach=c["ulottuvuus"], flags=c["liput"],
        other=k["muu"], no_answer=k["ei_tietoa"], unknown_home=k["tuntematon"], outside=k["ulkopuolella"],
        group_sote=k["sote"], group_other=k["muut"],
        source_answer=s["vastaus"], source_correction=s["korjaus"], source_none=s["muu"],
    )
