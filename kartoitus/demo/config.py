"""The demo generator's configuration: file names, export styles, mess kinds, ``demo.yaml``.

``demo.yaml`` (beside the codebook in the settings' data folder) holds the
hand-written part of the demo data: names, typos, drifted titles, answer shares.
Keys of options refer to the codebook; :func:`check_keys` refuses unknown ones.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from kartoitus.errors import KartoitusError

TZ = "Europe/Helsinki"
DEMO_FILE = "demo.yaml"

#: Channels of association answers and the file each goes to.
CHANNEL_FORM = "lomake"
CHANNEL_PAPER = "paperi"
CHANNEL_LATE = "myohastynyt"
CHANNELS = (CHANNEL_FORM, CHANNEL_PAPER, CHANNEL_LATE)

FILE_FORM = "jarjestokysely_vastaukset.csv"
FILE_PAPER = "jarjestokysely_paperilomakkeet.csv"
FILE_LATE = "jarjestokysely_myohastyneet.xlsx"
FILE_MUNICIPALITY = "kuntakysely.csv"
FILE_WINDOW = "kysely.toml"

#: Export styles of ``write_association_csv``.
STYLE_FORMS_EN = "forms_en"  # Google Forms, English locale, UTF-8, ","
STYLE_FORMS_FI = "forms_fi"  # Google Forms, Finnish locale, UTF-8 with BOM, ","
STYLE_EXCEL_FI = "excel_fi"  # re-saved by Excel in Finland: ";", cp1252, no seconds
STYLES = (STYLE_FORMS_EN, STYLE_FORMS_FI, STYLE_EXCEL_FI)

#: Planted mess kinds (values of ``_sotku``).
MESS_KINDS = (
    "kunta_ascii", "kunta_isot", "kunta_pienet", "kunta_valilyonti", "kunta_muu_nimi",
    "kunta_kyla", "kunta_kirjoitusvirhe", "kunta_tuntematon", "kunta_ulkopuolella",
    "luku_noin", "luku_yli", "luku_vali", "luku_tuhaterotin", "luku_puuttuva",
    "luku_nolla", "luku_desimaalipilkku",
    "paatoimiala_tyhja", "paatoimiala_muu_teksti", "paatoimiala_muu_sana", "saantonimi",
    "monivalinta_pilkku", "monivalinta_muu_teksti", "ruudukko_eos", "monirivinen_teksti",
    "tyhja_rivi", "ei_nimea", "kaksoisvastaus_rekisterinumero", "kaksoisvastaus_nimi",
    "kaksoisvastaus_tiedostojen_valilla", "ikkunan_ulkopuolella", "rekisterinumero_luvuksi",
    "kunta_kaksoisvastaus", "kunta_osittainen",
)

#: The smallest association wave that can hold one of every planted mess.
MIN_ASSOCIATIONS = 40


@lru_cache(maxsize=4)
def load_demo_config(data_dir: Path) -> dict:
    """The hand-written part of the demo data: ``demo.yaml`` in ``data_dir``
    (``settings.data_dir``)."""
    path = Path(data_dir) / DEMO_FILE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KartoitusError(f"{path}: demo-aineiston asetustiedosto puuttuu") from None


def survey_window(year: int, config: Mapping) -> tuple[dt.date, dt.date]:
    """Opening and closing date of the demo survey of ``year``."""
    opened = dt.date.fromisoformat(f"{year}-{config['ikkuna']['avautui']}")
    closed = dt.date.fromisoformat(f"{year}-{config['ikkuna']['sulkeutui']}")
    return opened, closed


def check_keys(where: str, keys: Iterable[str], known: Iterable[str]) -> None:
    """Refuse keys of ``demo.yaml`` that the codebook does not know."""
    unknown = sorted(set(keys) - set(known))
    if unknown:
        raise KartoitusError(
            f"{DEMO_FILE}: {where} has keys the codebook does not know: {', '.join(unknown)}; "
            "fix demo.yaml to use the codebook's option keys"
        )
