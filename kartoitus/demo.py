"""Demo data: realistic, messy exports of both surveys for one wave.

``write_demo_wave`` writes what a researcher gets from the field in one autumn: the
Google Forms export of the association survey, paper forms typed into Excel, late
answers downloaded from Google Sheets as ``.xlsx``, the municipality survey, and the
survey window (``kysely.toml``). Every kind of mess listed in the instrument README
is in there, planted explicitly so that even a tiny wave has one of each.

``make_answers`` is the pure part: it builds the answers as DataFrames whose columns
are the form's column titles (``Title [Row]`` for grids), with cells as the form
shows them (text; the timestamp as a tz-aware ``Europe/Helsinki`` datetime) plus
internal columns starting with ``_``:

- ``_kanava``: which file the answer belongs to (``lomake``, ``paperi``,
  ``myohastynyt``; the municipality survey has only ``lomake``);
- ``_sotku``: the planted mess kinds of the row, ``;``-joined (see ``MESS_KINDS``);
- ``_kasitelty``, ``_huom``: the hand-added columns of the paper-form sheet.

Generation is vectorised with numpy (per municipality or per distinct value, never
per row), so 1,000,000 answers take seconds. Titles, option labels, grid labels and
municipalities come from the codebook; the hand-written strings (names, typos,
drifted titles) live in ``kartoitus/data/demo.yaml``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from kartoitus.settings.codebook import (
    ASSOCIATION_SURVEY,
    MUNICIPALITY_SURVEY,
    Codebook,
    Municipality,
    Survey,
    data_dir,
    default_codebook,
)
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

_NUMBER_IDS = ("jasenmaara", "vapaaehtoiset", "palkatut_htv")
_HOUR_WEIGHTS = np.array([0.3, 0.1, 0, 0, 0, 0, 0.2, 0.6, 1.2, 1.8, 2, 2, 1.8, 1.8, 1.8, 1.6,
                          1.5, 1.5, 1.7, 2, 2, 1.6, 1.0, 0.6])


# -- configuration -------------------------------------------------------------


@lru_cache(maxsize=4)
def load_demo_config(path: Path | None = None) -> dict:
    """The hand-written part of the demo data (``kartoitus/data/demo.yaml``)."""
    path = Path(path) if path is not None else data_dir() / DEMO_FILE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KartoitusError(f"{path}: demo-aineiston asetustiedosto puuttuu") from None


def survey_window(year: int, config: Mapping | None = None) -> tuple[dt.date, dt.date]:
    """Opening and closing date of the demo survey of ``year``."""
    cfg = config or load_demo_config()
    opened = dt.date.fromisoformat(f"{year}-{cfg['ikkuna']['avautui']}")
    closed = dt.date.fromisoformat(f"{year}-{cfg['ikkuna']['sulkeutui']}")
    return opened, closed


def _check_keys(where: str, keys: Iterable[str], known: Iterable[str]) -> None:
    unknown = sorted(set(keys) - set(known))
    if unknown:
        raise KartoitusError(
            f"{DEMO_FILE}: {where} has keys the codebook does not know: {', '.join(unknown)}; "
            "fix demo.yaml to use the codebook's option keys"
        )


# -- small vectorised helpers -------------------------------------------------------


def _fold(text: str) -> str:
    """ASCII folding: Jyväskylä -> Jyvaskyla, Åberg -> Aberg."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row from a row-wise probability matrix (rows need not sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def _label_array(labels: Sequence[str]) -> np.ndarray:
    """Labels plus a trailing empty string, so that index -1 gives ``""``."""
    return np.array([*labels, ""], dtype=object)


def _format_unique(values: np.ndarray, fmt) -> np.ndarray:
    """``fmt`` applied once per distinct value, mapped back to every row."""
    inv, uniq = pd.factorize(np.asarray(values))  # hashing: O(n), no sort
    return np.array([fmt(v) for v in np.asarray(uniq).tolist()], dtype=object)[inv]


def _join_multi(mask: np.ndarray, labels: Sequence[str], other: np.ndarray | None = None,
                other_pool: Sequence[str] = ()) -> np.ndarray:
    """A multi-select cell per row: ticked labels joined with ", " (+ other text)."""
    n, k = mask.shape
    codes = mask.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
    if other is not None:
        codes = codes * (len(other_pool) + 1) + (other + 1)
    inv, uniq = pd.factorize(codes)
    out = []
    for code in uniq.tolist():
        other_idx = -1
        if other is not None:
            code, other_idx = divmod(code, len(other_pool) + 1)
            other_idx -= 1
        parts = [labels[j] for j in range(k) if code >> j & 1]
        if other_idx >= 0:
            parts.append(other_pool[other_idx])
        out.append(", ".join(parts))
    return np.array(out, dtype=object)[inv]


def _round_count(v: np.ndarray) -> np.ndarray:
    """Counts as people type them: 7, 35, 120, 1 250."""
    v = np.asarray(v, dtype=float)
    step = np.select([v < 30, v < 100, v < 1000], [1, 5, 10], 50)
    return (np.round(v / step) * step).astype(np.int64)


def _nice_floor(v: np.ndarray) -> np.ndarray:
    """The round number someone writes after "yli": 230 -> 200, 57 -> 50."""
    v = np.maximum(np.asarray(v, dtype=np.int64), 1)
    step = np.select([v < 20, v < 100, v < 1000], [5, 10, 100], 500)
    return np.maximum(v // step * step, step)


_PAD3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
_PAD4 = np.array([f"{i:04d}" for i in range(10000)], dtype=object)


def _int_text(v: np.ndarray) -> np.ndarray:
    return _format_unique(np.asarray(v, dtype=np.int64), str)


def _thousands_text(v: np.ndarray, sep: str = " ") -> np.ndarray:
    """1200 -> "1 200" (values below 1000 unchanged)."""
    v = np.asarray(v, dtype=np.int64)
    head = _int_text(v // 1000)
    tail = _PAD3[v % 1000]
    return np.where(v >= 1000, head + sep + tail, _int_text(v))


def _split_template(template: str) -> tuple[str, str]:
    before, _, after = template.partition("{v}")
    return before, after


# -- the generator of association answers ---------------------------------------------


@dataclass
class _Muni:
    items: list[Municipality]
    pop: np.ndarray
    genitive: list[str]
    villages: list[list[tuple[str, str]]]


def _municipalities(cb: Codebook, cfg: Mapping, year: int) -> _Muni:
    items = cb.municipalities.for_year(year)
    if not items:
        raise KartoitusError(f"codebook: no municipalities for year {year}; check kunnat.csv")
    table = cfg["kunnat"]
    missing = [m.code for m in items if m.code not in table]
    if missing:
        raise KartoitusError(
            f"{DEMO_FILE}: municipalities {', '.join(missing)} have no population; add them under kunnat"
        )
    return _Muni(
        items=items,
        pop=np.array([float(table[m.code]["asukkaat"]) for m in items]),
        genitive=[str(table[m.code]["genetiivi"]) for m in items],
        villages=[[(str(a), str(b)) for a, b in table[m.code].get("kylat") or []] for m in items],
    )


def _municipality_latent(munis: _Muni, seed: int, year: int) -> np.ndarray:
    """How association-friendly each municipality is (shared by both surveys)."""
    rng = np.random.default_rng([seed, year, 0])
    return rng.normal(0.0, 0.6, len(munis.items))


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer counts summing to ``total``: ``minimum`` each, the rest by weight."""
    base = np.full(len(weights), minimum, dtype=np.int64)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    counts = np.floor(share).astype(np.int64)
    left = rest - counts.sum()
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[:left]] += 1
    return base + counts


class _AssociationGenerator:
    """Builds the association answers; arrays first, strings at the end."""

    def __init__(self, cb: Codebook, cfg: Mapping, year: int, n: int, seed: int,
                 munis: _Muni, latent: np.ndarray):
        self.cb, self.cfg, self.year, self.n_total = cb, cfg, year, n
        self.survey: Survey = cb.association
        self.munis, self.latent = munis, latent
        self.rng = np.random.default_rng([seed, year, 1])
        self.opened, self.closed = survey_window(year, cfg)
        self.days = (self.closed - self.opened).days + 1
        self.n_dup = max(3, round(0.03 * n))
        self.n_empty = max(1, round(0.002 * n))
        self.n = n - self.n_dup - self.n_empty
        self.a: dict[str, np.ndarray] = {}
        self.mess: dict[str, np.ndarray] = {}
        self.used: dict[str, np.ndarray] = {}
        self._sectors()

    # -- bookkeeping ---------------------------------------------------------
    def _sectors(self) -> None:
        cfg = self.cfg["toimialat"]
        q = self.survey.question("paatoimiala")
        _check_keys("toimialat", [k for k in cfg if k != "muu"], q.option_keys())
        self.sector_keys = list(cfg)
        self.sote = set(self.cfg["sote_toimialat"])
        self.templates: list[str] = []
        self.hints: list[str | None] = []
        self.tmpl_off, self.tmpl_n = [], []
        for key in self.sector_keys:
            self.tmpl_off.append(len(self.templates))
            for entry in cfg[key]["nimet"]:
                tmpl, hint = (entry, None) if isinstance(entry, str) else (entry[0], entry[1])
                self.templates.append(str(tmpl))
                self.hints.append(None if hint is None else str(hint))
            self.tmpl_n.append(len(cfg[key]["nimet"]))
        self.tmpl_off, self.tmpl_n = np.array(self.tmpl_off), np.array(self.tmpl_n)
        kinds = []
        for t in self.templates:
            found = re.findall(r"\{(\w+)\}", t)
            if len(found) != 1 or found[0] not in ("kunta", "paikka", "kyla", "nimi"):
                raise KartoitusError(f"{DEMO_FILE}: name template {t!r} needs exactly one of "
                                     "{kunta}, {paikka}, {kyla}, {nimi}")
            kinds.append(found[0])
        self.tmpl_kind = np.array(kinds, dtype=object)

    def _mark(self, kind: str, rows: np.ndarray) -> None:
        assert kind in MESS_KINDS, kind
        if kind not in self.mess:
            self.mess[kind] = np.zeros(self.n, dtype=bool)
        self.mess[kind][rows] = True

    def _pick(self, k: int, candidates: np.ndarray | None, group: str) -> np.ndarray:
        """``k`` rows from ``candidates`` not yet used by ``group``."""
        used = self.used.setdefault(group, np.zeros(self.n, dtype=bool))
        free = ~used if candidates is None else candidates & ~used
        idx = np.flatnonzero(free)
        if len(idx) == 0 or k <= 0:
            return np.array([], dtype=np.int64)
        chosen = np.sort(self.rng.choice(idx, size=min(k, len(idx)), replace=False))
        used[chosen] = True
        return chosen

    def _rate_rows(self, p: float, candidates: np.ndarray | None = None) -> np.ndarray:
        mask = self.rng.random(self.n) < p
        if candidates is not None:
            mask &= candidates
        return np.flatnonzero(mask)

    # -- generation ----------------------------------------------------------
    def build(self) -> pd.DataFrame:
        if self.n_total < MIN_ASSOCIATIONS:
            raise KartoitusError(
                f"demo-aineistoon tarvitaan vähintään {MIN_ASSOCIATIONS} yhdistysvastausta "
                f"(pyydettiin {self.n_total}); anna suurempi määrä"
            )
        self._municipality_and_sector()
        self._channels_and_times()
        self._names()
        self._register_numbers()
        self._reach()
        self._main_sector()
        self._multis()
        self._numbers()
        self._singles()
        self._grid()
        self._texts()
        self._personal()
        self._plant_rows()
        rows, dup_kind = self._duplicates()
        frame = self._render(rows, dup_kind)
        return frame

    def _municipality_and_sector(self) -> None:
        m_count = len(self.munis.items)
        counts = _allocate(self.n, self.munis.pop ** 0.95, min(3, self.n // m_count))
        muni = np.repeat(np.arange(m_count), counts)
        muni = self.rng.permutation(muni)
        cfg = self.cfg["toimialat"]
        weights = np.array([float(cfg[k]["paino"]) for k in self.sector_keys])
        village = self.sector_keys.index("kyla_asukas")
        sector = np.empty(self.n, dtype=np.int64)
        for m in range(m_count):
            rows = np.flatnonzero(muni == m)
            w = weights.copy()
            if self.munis.pop[m] < 10000:  # small municipalities: village life matters more
                w[village] *= 2.0
            sector[rows] = self.rng.choice(len(w), size=len(rows), p=w / w.sum())
        self.a["muni"], self.a["sector"] = muni, sector
        # names that the classification rules recognise, with a missing or typed sector
        self.rule_rows: list[tuple[np.ndarray, int, str]] = []
        self.a["fixed_template"] = np.full(self.n, -1, dtype=np.int64)
        for entry in self.cfg["saantonimet"]:
            s = self.sector_keys.index(entry["toimiala"])
            start, count = self.tmpl_off[s], self.tmpl_n[s]
            try:
                t = self.templates.index(entry["pohja"], start, start + count)
            except ValueError:
                raise KartoitusError(f"{DEMO_FILE}: saantonimet template {entry['pohja']!r} "
                                     f"is not a name template of {entry['toimiala']}") from None
            rows = self._pick(max(1, round(0.003 * self.n)), None, "nimi")
            sector[rows] = s
            self.a["fixed_template"][rows] = t
            self.rule_rows.append((rows, t, str(entry["muu"])))

    def _channels_and_times(self) -> None:
        shares = self.cfg["kanavat"]
        n_paper = max(4, round(float(shares["paperi"]) * self.n))
        n_late = max(4, round(float(shares["myohastynyt"]) * self.n))
        order = self.rng.permutation(self.n)
        channel = np.zeros(self.n, dtype=np.int64)
        channel[order[:n_paper]] = 1
        channel[order[n_paper:n_paper + n_late]] = 2
        rng, days = self.rng, self.days
        comp = rng.choice(4, size=self.n, p=[0.4, 0.25, 0.2, 0.15])
        day = np.select(
            [comp == 0, comp == 1, comp == 2],
            [rng.exponential(4, self.n), 20 + rng.exponential(3, self.n), rng.uniform(0, days, self.n)],
            days - 1 - rng.exponential(2, self.n),
        )
        day = np.clip(np.floor(day), 0, days - 1).astype(np.int64)
        hour = rng.choice(24, size=self.n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
        # paper forms are typed in on a few office days in the second half of the window
        batch_days = np.sort(rng.choice(np.arange(days // 2, days), size=5, replace=False))
        paper = channel == 1
        day = np.where(paper, batch_days[rng.integers(0, 5, self.n)], day)
        hour = np.where(paper, rng.integers(9, 16, self.n), hour)
        late = channel == 2
        day = np.where(late, rng.integers(max(0, days - 8), days, self.n), day)
        sod = hour * 3600 + rng.integers(0, 3600, self.n)
        start = np.datetime64(self.opened.isoformat(), "s")
        local = start + (day * 86400 + sod).astype("timedelta64[s]")
        # paper batches fall on weekdays: move Saturday and Sunday to Monday
        weekday = (local.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
        shift = np.where(paper & (weekday >= 5), 7 - weekday, 0)
        local = local + (shift * 86400).astype("timedelta64[s]")
        end = np.datetime64(self.closed.isoformat(), "s") + np.timedelta64(86399, "s")
        local = np.where(paper & (local > end), local - np.timedelta64(3 * 86400, "s"), local)
        self.a["channel"], self.a["ts"] = channel, local

    def _place_tables(self) -> None:
        places: list[str] = []
        self.p_gen, self.p_name, self.p_kk, self.p_seutu = [], [], [], []
        self.v_off, self.vn_off, self.v_n = [], [], []
        kk, seutu = self.cfg["kirkonkyla"], self.cfg["seutu"]
        places.append(str(self.cfg["maakunta"]))
        for m, item in enumerate(self.munis.items):
            gen = self.munis.genitive[m]
            self.p_gen.append(len(places)); places.append(gen)
            self.p_name.append(len(places)); places.append(item.name)
            self.p_kk.append(len(places)); places.append(kk.format(kunta=gen))
            self.p_seutu.append(len(places)); places.append(seutu.format(kunta=gen))
            self.v_off.append(len(places)); self.v_n.append(len(self.munis.villages[m]))
            places.extend(g for _, g in self.munis.villages[m])
            self.vn_off.append(len(places))
            places.extend(nom for nom, _ in self.munis.villages[m])
        self.places = places
        for attr in ("p_gen", "p_name", "p_kk", "p_seutu", "v_off", "vn_off", "v_n"):
            setattr(self, attr, np.array(getattr(self, attr)))

    def _draw_names(self, rows: np.ndarray, widen: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Template and place of each row; ``widen``: a taken name may use the sub-region,
        the region or a village instead of the municipality."""
        rng, muni, sector = self.rng, self.a["muni"][rows], self.a["sector"][rows]
        k = len(rows)
        t = self.tmpl_off[sector] + np.floor(rng.random(k) * self.tmpl_n[sector]).astype(np.int64)
        fixed = self.a["fixed_template"][rows]
        t = np.where(fixed >= 0, fixed, t)
        nv = self.v_n[muni]
        vill = self.v_off[muni] + np.floor(rng.random(k) * np.maximum(nv, 1)).astype(np.int64)
        kind = self.tmpl_kind[t]
        paikka = np.where((nv > 0) & (rng.random(k) < 0.3), vill, self.p_gen[muni])
        kyla = np.where((nv > 0) & (rng.random(k) < nv / (nv + 1.0)), vill, self.p_kk[muni])
        kunta, nimi = self.p_gen[muni], self.p_name[muni]
        if widen:
            u = rng.random(k)
            has_v = nv > 0
            kunta = np.select([u < 0.35, u < 0.5, has_v & (u < 0.8)],
                              [self.p_seutu[muni], 0, vill], kunta)
            nimi = np.where(has_v & (u < 0.6), vill - self.v_off[muni] + self.vn_off[muni], nimi)
        place = np.select([kind == "kunta", kind == "nimi", kind == "paikka"],
                          [kunta, nimi, paikka], kyla)
        return t, place

    def _name_strings(self, t: np.ndarray, place: np.ndarray) -> np.ndarray:
        code = t * len(self.places) + place

        def fmt(c: int) -> str:
            tt, pp = divmod(c, len(self.places))
            return self.templates[tt].format(**{self.tmpl_kind[tt]: self.places[pp]})

        return _format_unique(code, fmt)

    def _names(self) -> None:
        self._place_tables()
        rows = np.arange(self.n)
        t, place = self._draw_names(rows)
        names = self._name_strings(t, place)
        fixed = self.a["fixed_template"] >= 0
        order = np.argsort(~fixed, kind="stable")  # planted rule names keep their name
        m_count = len(self.munis.items)
        last = None
        for round_ in range(20):
            key = pd.factorize(names)[0].astype(np.int64) * m_count + self.a["muni"]
            dup = np.zeros(self.n, dtype=bool)
            dup[order] = pd.Series(key[order]).duplicated().to_numpy()
            count = int(dup.sum())
            if count == 0 or (round_ >= 2 and count > 0.7 * last):
                break
            last = count
            redo = np.flatnonzero(dup)
            t2, p2 = self._draw_names(redo, widen=True)
            t[redo], place[redo] = t2, p2
            names[redo] = self._name_strings(t2, p2)
        key = pd.Series(pd.factorize(names)[0].astype(np.int64) * m_count + self.a["muni"])
        k = key.groupby(key, sort=False).cumcount().to_numpy()
        clash = k > 0
        if clash.any():  # the pool is exhausted (huge benchmark waves): number the rest
            s = pd.Series(names[clash])
            stem = s.str.removesuffix(" ry")
            names[clash] = (stem + " " + (k[clash] + 1).astype(str) + " ry").to_numpy()
        self.a["template"], self.a["place"], self.a["name"] = t, place, names
        # e-mail local part of the association, per distinct base name
        self.a["name_mail"] = _format_unique(
            t * len(self.places) + place,
            lambda c: re.sub(r"[^a-z0-9]", "", _fold(self.templates[c // len(self.places)].format(
                **{self.tmpl_kind[c // len(self.places)]: self.places[c % len(self.places)]}
            ).removesuffix(" ry").lower())),
        )

    def _register_numbers(self) -> None:
        rng = self.rng
        has = rng.random(self.n) < 0.65
        k = int(has.sum())
        span = max(140000, 2 * k)  # PRH numbers run from about 100.000 to 240.000
        reg = np.zeros(self.n, dtype=np.int64)
        reg[has] = 100000 + rng.choice(span, size=k, replace=False)
        self.a["reg"] = reg
        self.a["reg_style"] = rng.choice(3, size=self.n, p=[0.9, 0.06, 0.04])

    def _reach(self) -> None:
        q = self.survey.question("toiminta_alue")
        shares = self.cfg["yksivalinnat"]["toiminta_alue"]
        _check_keys("yksivalinnat.toiminta_alue", shares, q.option_keys())
        base = np.array([float(shares.get(k, 0)) for k in q.option_keys()])
        probs = np.tile(base, (self.n, 1))
        biggest = int(np.argmax(self.munis.pop))
        regional = [i for i, k in enumerate(q.option_keys()) if k in ("maakunnallinen", "valtakunnallinen")]
        probs[np.ix_(self.a["muni"] == biggest, regional)] *= 2.0
        alue = _pick_rows(self.rng, probs)
        alue[self.rng.random(self.n) < 0.05] = -1
        self.a["alue"] = alue
        keys = list(q.option_keys())
        m_count = len(self.munis.items)
        own = np.zeros((self.n, m_count), dtype=bool)
        own[np.arange(self.n), self.a["muni"]] = True
        sub = np.array([m.subregion_code for m in self.munis.items])
        same_sub = (sub[:, None] == sub[None, :])[self.a["muni"]]
        u = self.rng.random((self.n, m_count), dtype=np.float32)
        a_key = np.array([*keys, ""], dtype=object)[alue]
        mask = own.copy()
        mask |= (a_key == "seudullinen")[:, None] & ((same_sub & (u < 0.5)) | (u < 0.04))
        mask |= (a_key == "maakunnallinen")[:, None] & (u < 0.6)
        mask |= (a_key == "valtakunnallinen")[:, None] & (u < 0.35)
        mask |= (a_key == "")[:, None] & (u < 0.05)
        mask[self.rng.random(self.n) < 0.07] = False
        self.a["m:toimintakunnat"] = mask

    def _main_sector(self) -> None:
        q = self.survey.question("paatoimiala")
        labels = [q.label_of(k) if k != "muu" else "" for k in self.sector_keys]
        text = _label_array(labels)[self.a["sector"]]
        hints = np.array([h or "" for h in self.hints], dtype=object)
        muu = np.array(self.sector_keys, dtype=object)[self.a["sector"]] == "muu"
        text = np.where(muu, hints[self.a["template"]], text)
        text[muu & (text == "")] = "Muu"
        self._mark_where("paatoimiala_muu_teksti", muu)
        # random: a few hand-edited empty cells
        rows = self._rate_rows(0.01)
        text[rows] = ""
        self._mark("paatoimiala_tyhja", rows)
        # planted: rule names, half without a sector, half with a typed "Other"
        for i, (rows, _t, other) in enumerate(self.rule_rows):
            empty = rows[(np.arange(len(rows)) + i) % 2 == 0]
            typed = rows[(np.arange(len(rows)) + i) % 2 == 1]
            text[empty] = ""
            text[typed] = other
            self._mark("saantonimi", rows)
            self._mark("paatoimiala_tyhja", empty)
            self._mark("paatoimiala_muu_teksti", typed)
        # planted: a hand-edited sheet still holds the word "Muu" (paper forms)
        rows = self._pick(max(1, round(0.002 * self.n)), self.a["channel"] == 1, "paatoimiala")
        text[rows] = "Muu"
        self._mark("paatoimiala_muu_sana", rows)
        self.a["paatoimiala"] = text

    def _template_sector(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.sector_keys)), self.tmpl_n)

    def _mark_where(self, kind: str, mask: np.ndarray) -> None:
        if mask.any():
            self._mark(kind, np.flatnonzero(mask))

    def _multi_probs(self, qid: str) -> np.ndarray:
        q = self.survey.question(qid)
        cfg = self.cfg["monivalinnat"][qid]
        _check_keys(f"monivalinnat.{qid}", cfg.get("oletus", {}), q.option_keys())
        base = np.array([float(cfg["oletus"].get(k, 0.0)) for k in q.option_keys()])
        table = np.tile(base, (len(self.sector_keys), 1))
        for s, key in enumerate(self.sector_keys):
            boost = (self.cfg["toimialat"][key].get("korostus") or {}).get(qid, [])
            _check_keys(f"toimialat.{key}.korostus.{qid}", boost, q.option_keys())
            for k in boost:
                j = q.option_keys().index(k)
                table[s, j] = max(table[s, j], 0.75)
        for k, since in (cfg.get("alkaen") or {}).items():
            if self.year < int(since):
                table[:, q.option_keys().index(k)] = 0.0
        return table[self.a["sector"]]

    def _other(self, qid: str, p: float) -> np.ndarray:
        pool = (self.cfg["monivalinnat"].get(qid) or {}).get("muut") or []
        other = np.full(self.n, -1, dtype=np.int64)
        if pool:
            rows = self._rate_rows(p)
            other[rows] = self.rng.integers(0, len(pool), len(rows))
        return other

    def _multis(self) -> None:
        rng, n = self.rng, self.n
        sector_names = np.array(self.sector_keys, dtype=object)[self.a["sector"]]
        is_sote = np.isin(sector_names, list(self.sote))
        # toimialat: the main sector, sometimes neighbours
        q = self.survey.question("toimialat")
        keys = list(q.option_keys())
        key_idx = {k: j for j, k in enumerate(keys)}
        probs = np.full((n, len(keys)), 0.03)
        sote_cols = [key_idx[k] for k in self.sote]
        probs[np.ix_(is_sote, sote_cols)] = 0.12
        main = np.array([key_idx.get(k, -1) for k in self.sector_keys])[self.a["sector"]]
        has_main = main >= 0
        probs[np.flatnonzero(has_main), main[has_main]] = 0.92
        self.a["m:toimialat"] = rng.random(probs.shape, dtype=np.float32) < probs
        other = self._other("toimialat", 0.01)
        muu = sector_names == "muu"
        pool = list((self.cfg["monivalinnat"]["toimialat"].get("muut") or []))
        extra = sorted({h for s, h in zip(self._template_sector(), self.hints)
                        if h and self.sector_keys[s] == "muu"})
        self.pool_toimialat = pool + [h for h in extra if h not in pool]
        hint_idx = {h: i for i, h in enumerate(self.pool_toimialat)}
        use_hint = muu & (rng.random(n) < 0.6)
        tmpl_hint = np.array([hint_idx.get(h or "", -1) for h in self.hints])
        other = np.where(use_hint, tmpl_hint[self.a["template"]], other)
        self.a["o:toimialat"] = other
        # taidelajit and ammattilaisuus: culture associations (and a few others)
        q = self.survey.question("taidelajit")
        keys = list(q.option_keys())
        culture = sector_names == "kulttuuri"
        answers = (culture & (rng.random(n) < 0.92)) | (~culture & (rng.random(n) < 0.04))
        probs = np.where(answers[:, None], 0.07, 0.0) * np.ones((1, len(keys)))
        mask = rng.random(probs.shape, dtype=np.float32) < probs
        hint_key = np.array([keys.index(h) if h in keys else -1 for h in (x or "" for x in self.hints)])
        hk = hint_key[self.a["template"]]
        rand_key = rng.integers(0, len(keys), n)
        pick = np.where(hk >= 0, hk, rand_key)
        mask[np.flatnonzero(answers), pick[answers]] = True
        self.a["m:taidelajit"] = mask
        self.a["o:taidelajit"] = np.where(answers, self._other("taidelajit", 0.05), -1)
        self.a["taide"] = answers
        # the rest by sector profile
        for qid in ("toimintamuodot", "kohderyhmat", "rahoitus", "kumppanit", "haasteet",
                    "yhteistyotoiveet"):
            probs = self._multi_probs(qid)
            if qid == "rahoitus":
                j = self.survey.question(qid).option_keys().index("kunta")
                probs[:, j] = np.clip(probs[:, j] + 0.1 * self.latent[self.a["muni"]], 0, 1)
                j = self.survey.question(qid).option_keys().index("stea")
                probs[is_sote, j] = np.maximum(probs[is_sote, j], 0.2)
            if qid == "kumppanit":
                j = self.survey.question(qid).option_keys().index("hyvinvointialue")
                if self.year >= 2023:
                    probs[is_sote, j] = np.maximum(probs[is_sote, j], 0.4)
            mask = rng.random(probs.shape, dtype=np.float32) < probs
            mask[rng.random(n) < 0.04] = False  # left blank
            self.a["m:" + qid] = mask
            self.a["o:" + qid] = self._other(qid, 0.02)
        # planted: options whose label contains a comma, and other texts
        for q in self.survey.of_type("multi"):
            if q.options_from:
                continue
            for j, opt in enumerate(q.options):
                if "," in opt.label:
                    rows = self._pick(1, None, "pilkku:" + q.id)
                    self.a["m:" + q.id][rows, j] = True
                    if q.id == "taidelajit":
                        self.a["taide"][rows] = True
                    self._mark("monivalinta_pilkku", rows)
            if q.allow_other and (self.cfg["monivalinnat"].get(q.id) or {}).get("muut"):
                rows = self._pick(1, None, "muu:" + q.id)
                self.a["o:" + q.id][rows] = 0
                if q.id == "taidelajit":
                    self.a["taide"][rows] = True
                self._mark("monivalinta_muu_teksti", rows)
            others = self.a["o:" + q.id] >= 0
            self._mark_where("monivalinta_muu_teksti", others)
            comma = np.zeros(self.n, dtype=bool)
            for j, opt in enumerate(q.options):
                if "," in opt.label:
                    comma |= self.a["m:" + q.id][:, j]
            self._mark_where("monivalinta_pilkku", comma)

    def _numbers(self) -> None:
        rng, n = self.rng, self.n
        cfg = self.cfg["toimialat"]
        median = np.array([float(cfg[k]["jasenet"]) for k in self.sector_keys])[self.a["sector"]]
        members = _round_count(np.clip(median * np.exp(rng.normal(0, 0.9, n)), 3, 25000))
        volunteers = _round_count(np.clip(members * rng.beta(1.2, 6, n) + rng.integers(0, 4, n), 0, None))
        sector_names = np.array(self.sector_keys, dtype=object)[self.a["sector"]]
        p_paid = np.select([np.isin(sector_names, list(self.sote)), sector_names == "liikunta",
                            sector_names == "kulttuuri"], [0.22, 0.12, 0.08], 0.04)
        p_paid = np.clip(p_paid * (1 + np.minimum(members / 400, 3)), 0, 0.9)
        paid = rng.random(n) < p_paid
        htv = np.exp(np.log(0.8) + rng.normal(0, 0.9, n))
        htv = np.where(htv < 3, np.round(htv * 2) / 2, np.round(htv))
        htv = np.where(paid, np.maximum(htv, 0.5), 0.0)
        self.a["v:jasenmaara"], self.a["v:vapaaehtoiset"], self.a["v:palkatut_htv"] = (
            members.astype(float), volunteers.astype(float), htv)
        for qid in _NUMBER_IDS:
            values = self.a["v:" + qid]
            values[rng.random(n) < 0.05] = np.nan
            self.a["t:" + qid] = np.full(n, None, dtype=object)  # text overrides (mess)
        self.a["comma"] = rng.random(n) < 0.9  # decimals typed with a comma
        # random mess, a few percent per column
        luvut = self.cfg["luvut"]
        for qid in _NUMBER_IDS:
            rows = self._rate_rows(0.04, ~np.isnan(self.a["v:" + qid]))
            kinds = rng.choice(["noin", "yli", "vali", "puuttuva", "nolla"], size=len(rows),
                               p=[0.35, 0.15, 0.2, 0.25, 0.05])
            if qid == "palkatut_htv":
                kinds = np.where(np.isin(kinds, ["yli", "vali"]), "noin", kinds)
            for kind in ("noin", "yli", "vali", "puuttuva", "nolla"):
                sel = rows[kinds == kind]
                self._number_mess(qid, sel, kind, rng.integers(0, len(luvut[kind]), len(sel)))
        # planted: every kind at least once
        plants = [("jasenmaara", "noin", 0), ("jasenmaara", "yli", 0), ("jasenmaara", "vali", 0),
                  ("jasenmaara", "tuhat", 0)]
        plants += [("vapaaehtoiset", "puuttuva", i) for i in range(len(luvut["puuttuva"]))]
        plants += [("vapaaehtoiset", "nolla", 0), ("palkatut_htv", "desimaali", 0),
                   ("palkatut_htv", "desimaali", 1)]
        for qid, kind, variant in plants:
            cand = ~np.isnan(self.a["v:" + qid])
            if variant == 1 and kind == "desimaali":  # typed as 0.5 on paper, Excel shows 0,5
                cand = self.a["channel"] == 1
            rows = self._pick(1, cand, "luku:" + qid)
            if kind in ("tuhat", "desimaali"):  # typed plainly: no other mess in this cell
                self.a["t:" + qid][rows] = None
            if kind == "tuhat":
                self.a["v:" + qid][rows] = 1200.0
                self._mark("luku_tuhaterotin", rows)
            elif kind == "desimaali":
                self.a["v:" + qid][rows] = 0.5
                self.a["comma"][rows] = variant == 0
                self._mark("luku_desimaalipilkku", rows)
            else:
                self._number_mess(qid, rows, kind, np.full(len(rows), variant))
        htv = self.a["v:palkatut_htv"]
        frac = ~np.isnan(htv) & (np.nan_to_num(htv) % 1 != 0) & self.a["comma"]
        self._mark_where("luku_desimaalipilkku", frac & _is_none(self.a["t:palkatut_htv"]))

    def _number_mess(self, qid: str, rows: np.ndarray, kind: str, variant: np.ndarray) -> None:
        if len(rows) == 0:
            return
        templates = self.cfg["luvut"][kind]
        values = self.a["v:" + qid][rows]
        out = np.empty(len(rows), dtype=object)
        if kind in ("puuttuva", "nolla"):
            out[:] = np.array(templates, dtype=object)[variant]
            self.a["v:" + qid][rows] = np.nan if kind == "puuttuva" else 0.0
        else:
            v = np.maximum(np.nan_to_num(values), 1)
            if kind == "yli":
                shown = _nice_floor(v)
            else:
                shown = _round_count(v) if qid != "palkatut_htv" else v
            if kind == "vali":
                lo = _nice_floor(v * 0.85)
                hi = lo + np.maximum(_nice_floor(v * 0.3), 5)
                parts = [_split_template(t.replace("{a}", "{v}", 1)) for t in templates]
                for j, (head, rest) in enumerate(parts):
                    mid, _, tail = rest.partition("{b}")
                    sel = variant == j
                    out[sel] = head + _int_text(lo[sel]) + mid + _int_text(hi[sel]) + tail
            else:
                if qid == "palkatut_htv":
                    text = _format_unique(shown, lambda x: f"{x:g}".replace(".", ","))
                else:
                    text = _int_text(shown)
                for j, tmpl in enumerate(templates):
                    head, tail = _split_template(tmpl)
                    sel = variant == j
                    out[sel] = head + text[sel] + tail
        self.a["t:" + qid][rows] = out
        self._mark("luku_" + kind, rows)

    def _singles(self) -> None:
        rng, n = self.rng, self.n
        single = self.cfg["yksivalinnat"]
        sector_names = np.array(self.sector_keys, dtype=object)[self.a["sector"]]
        mu = self.latent[self.a["muni"]]

        def by_key(qid: str, key: str) -> int:
            return self.survey.question(qid).option_keys().index(key)

        # budjetti from size and paid staff
        members = np.nan_to_num(self.a["v:jasenmaara"], nan=50.0)
        score = 0.8 * np.log10(np.maximum(members, 3)) \
            + 0.9 * np.sqrt(np.nan_to_num(self.a["v:palkatut_htv"])) + rng.normal(0, 0.3, n)
        bins = np.digitize(score, [1.3, 2.0, 2.9, 3.6])
        order = ["alle_1k", "1k_10k", "10k_50k", "50k_250k", "yli_250k"]
        budget = np.array([by_key("budjetti", k) for k in order])[bins]
        budget[rng.random(n) < 0.06] = by_key("budjetti", "eos")
        budget[rng.random(n) < 0.03] = -1
        self.a["s:budjetti"] = budget
        # kunta_avustus agrees with the municipal grant ticked in rahoitus
        grant = self.a["m:rahoitus"][:, self.survey.question("rahoitus").option_keys().index("kunta")]
        u = rng.random(n)
        yes, no, eos = (by_key("kunta_avustus", k) for k in ("kylla", "ei", "eos"))
        self.a["s:kunta_avustus"] = np.where(grant, np.where(u < 0.93, yes, eos),
                                             np.select([u < 0.08, u < 0.18], [yes, eos], no))
        self.a["s:kunta_avustus"][rng.random(n) < 0.03] = -1
        # kunta_tilat by municipality
        u = rng.random(n)
        free = np.clip(0.35 + 0.12 * mu, 0.05, 0.8)
        self.a["s:kunta_tilat"] = np.select(
            [u < free, u < free + 0.2], [by_key("kunta_tilat", "maksutta"), by_key("kunta_tilat", "maksullinen")],
            by_key("kunta_tilat", "ei"))
        self.a["s:kunta_tilat"][rng.random(n) < 0.03] = -1
        # toimitilat by sector
        q = self.survey.question("toimitilat")
        default = single["toimitilat"]
        table = []
        for key in self.sector_keys:
            shares = self.cfg["toimialat"][key].get("toimitilat") or default
            _check_keys(f"toimialat.{key}.toimitilat", shares, q.option_keys())
            table.append([float(shares.get(k, 0.0)) for k in q.option_keys()])
        self.a["s:toimitilat"] = _pick_rows(rng, np.array(table)[self.a["sector"]])
        self.a["s:toimitilat"][rng.random(n) < 0.03] = -1
        rows = self._pick(1, self.a["s:toimitilat"] != by_key("toimitilat", "muu_yhteiso"), "toimitilat")
        self.a["s:toimitilat"][rows] = by_key("toimitilat", "muu_yhteiso")
        # ammattilaisuus for those who answered taidelajit
        q = self.survey.question("ammattilaisuus")
        probs = np.array([float(single["ammattilaisuus"][k]) for k in q.option_keys()])
        amm = rng.choice(len(probs), size=n, p=probs / probs.sum())
        self.a["s:ammattilaisuus"] = np.where(self.a["taide"] & (rng.random(n) < 0.95), amm, -1)
        # hva_avustus (asked since 2023): sote associations get county money
        q = self.survey.question("hva_avustus")
        sote = np.isin(sector_names, list(self.sote))
        rows_p = [[float(single[f"hva_avustus_{g}"][k]) for k in q.option_keys()] for g in ("sote", "muut")]
        self.a["s:hva_avustus"] = _pick_rows(rng, np.array(rows_p)[np.where(sote, 0, 1)])
        self.a["s:hva_avustus"][rng.random(n) < 0.04] = -1
        # tulevaisuus: bigger associations in friendlier municipalities are more hopeful
        z = rng.normal(0, 1, n) + 0.25 * np.log(np.maximum(members, 3) / 60) + 0.3 * mu
        fut = np.select([z > 1.0, z > -0.9, z > -1.8],
                        [by_key("tulevaisuus", "laajenee"), by_key("tulevaisuus", "ennallaan"),
                         by_key("tulevaisuus", "supistuu")], by_key("tulevaisuus", "loppuu"))
        fut[rng.random(n) < 0.1] = by_key("tulevaisuus", "eos")
        fut[rng.random(n) < 0.02] = -1
        self.a["s:tulevaisuus"] = fut

    def _grid(self) -> None:
        rng, n = self.rng, self.n
        q = self.survey.question("yhteistyo")
        labels = [c for c, _ in q.columns]
        values = [v for _, v in q.columns]
        eos = values.index(None)
        to_col = np.array([values.index(float(v)) for v in range(1, 6)])
        offsets = np.linspace(0.3, -0.6, len(q.rows))
        person = rng.normal(0, 0.8, n)
        mu = self.latent[self.a["muni"]]
        grid = np.empty((n, len(q.rows)), dtype=np.int64)
        for j in range(len(q.rows)):
            v = np.clip(np.round(3.2 + mu + person + offsets[j] + rng.normal(0, 0.5, n)), 1, 5)
            col = to_col[v.astype(np.int64) - 1]
            col[rng.random(n) < (0.06 + 0.06 * j / len(q.rows))] = eos
            col[rng.random(n) < 0.02] = -1
            grid[:, j] = col
        grid[rng.random(n) < 0.03] = -1  # whole grid skipped
        rows = self._pick(1, None, "ruudukko")
        grid[rows] = eos
        self._mark_where("ruudukko_eos", (grid == eos).any(axis=1))
        self.a["g:yhteistyo"] = grid
        self.grid_labels, self.grid_eos = labels, eos

    def _texts(self) -> None:
        pool = self.cfg["vapaa_sana"]
        idx = np.where(self.rng.random(self.n) < 0.25, self.rng.integers(0, len(pool), self.n), -1)
        multiline = [i for i, t in enumerate(pool) if "\n" in t]
        if multiline:
            rows = self._pick(1, None, "vapaa_sana")
            idx[rows] = multiline[0]
            self._mark_where("monirivinen_teksti", np.isin(idx, multiline))
        self.a["vapaa_sana"] = _label_array(pool)[idx]

    def _personal(self) -> None:
        rng, n, cfg = self.rng, self.n, self.cfg
        first, last = cfg["etunimet"], cfg["sukunimet"]
        fi, la = rng.integers(0, len(first), n), rng.integers(0, len(last), n)
        code = fi * len(last) + la
        self.a["yhteyshenkilo"] = _format_unique(code, lambda c: f"{first[c // len(last)]} {last[c % len(last)]}")
        person_mail = _format_unique(
            code, lambda c: _fold(f"{first[c // len(last)]}.{last[c % len(last)]}").lower())
        domains = np.array(cfg["sahkopostit"], dtype=object)
        domain = domains[rng.integers(0, len(domains), n)]
        personal = rng.random(n) < 0.55
        self.a["sahkoposti"] = np.where(personal, person_mail, self.a["name_mail"]) + "@" + domain
        number = rng.integers(0, 10**7, n)
        head, tail = _PAD3[number // 10000], _PAD4[number % 10000]
        alut = cfg["puhelin_alut"]
        which = rng.integers(0, len(alut), n)
        prefix = np.array(alut, dtype=object)[which]
        international = np.array(["+358 " + a.removeprefix("0") for a in alut], dtype=object)[which]
        style = rng.choice(5, size=n, p=[0.4, 0.15, 0.15, 0.05, 0.25])  # 4: not given
        phone = np.full(n, "", dtype=object)
        for j, (sep1, sep2, intl) in enumerate([(" ", " ", False), (" ", "", True), ("", "", False),
                                                ("-", "", False)]):
            sel = style == j
            phone[sel] = (international[sel] if intl else prefix[sel]) + sep1 + head[sel] + sep2 + tail[sel]
        self.a["puhelin"] = phone
        self.a["sahkoposti"][rng.random(n) < 0.06] = ""
        self.a["yhteyshenkilo"][rng.random(n) < 0.1] = ""
        # hand-added columns of the paper-form sheet
        paper = self.a["channel"] == 1
        self.a["_kasitelty"] = np.where(paper & (rng.random(n) < 0.8), cfg["paperi"]["merkki"], "").astype(object)
        notes = _label_array(cfg["paperi"]["huomautukset"])
        self.a["_huom"] = np.where(paper & (rng.random(n) < 0.3),
                                   notes[rng.integers(0, len(notes) - 1, n)], "").astype(object)

    def _kotikunta(self) -> np.ndarray:
        """The home municipality as typed: the option label, or a hand-typed variant."""
        q = self.survey.question("kotikunta")
        names = [m.name for m in self.munis.items]
        text = np.array(names, dtype=object)[self.a["muni"]]
        variants: list[list[tuple[str, str]]] = []
        typos = self.cfg["kunta_kirjoitusvirheet"]
        for m, item in enumerate(self.munis.items):
            v = []
            if _fold(item.name) != item.name:
                v.append((_fold(item.name), "kunta_ascii"))
            v += [(item.name.upper(), "kunta_isot"), (item.name.lower(), "kunta_pienet"),
                  (item.name + " ", "kunta_valilyonti")]
            v += [(o, "kunta_muu_nimi") for o in item.other_names]
            v += [(nom, "kunta_kyla") for nom, _ in self.munis.villages[m][:3]]
            v += [(t, "kunta_kirjoitusvirhe") for t in typos.get(item.code, [])]
            variants.append(v)
        # random: about 5 % typed by hand
        rows = self._rate_rows(0.05)
        for m in range(len(self.munis.items)):
            sel = rows[self.a["muni"][rows] == m]
            choice = self.rng.integers(0, len(variants[m]), len(sel))
            for j, (typed, kind) in enumerate(variants[m]):
                hit = sel[choice == j]
                if len(hit):
                    text[hit] = typed
                    self._mark(kind, hit)
        # planted: one of every variant kind, from the largest municipality that has it
        by_size = [int(m) for m in np.argsort(-self.munis.pop, kind="stable")]
        planted: set[str] = set()

        def plant(m: int, typed: str, kind: str) -> bool:
            if typed in planted:
                return True
            rows = self._pick(1, self.a["muni"] == m, "kotikunta")
            if len(rows):
                text[rows] = typed
                self._mark(kind, rows)
                planted.add(typed)
            return bool(len(rows))

        kinds = ["kunta_ascii", "kunta_isot", "kunta_muu_nimi", "kunta_kyla", "kunta_kirjoitusvirhe",
                 "kunta_valilyonti", "kunta_pienet"]
        for kind in kinds:
            for m in by_size:
                typed = [t for t, k in variants[m] if k == kind]
                if typed and plant(m, typed[0], kind):
                    break
        # and more: every other name and typo, villages of the largest, spaces in the big ones
        for rank, m in enumerate(by_size):
            villages = [t for t, k in variants[m] if k == "kunta_kyla"][:2]
            for typed, kind in variants[m]:
                if kind in ("kunta_muu_nimi", "kunta_kirjoitusvirhe") \
                        or (kind == "kunta_kyla" and rank == 0 and typed in villages) \
                        or (kind in ("kunta_valilyonti", "kunta_ascii") and rank < 4):
                    plant(m, typed, kind)
        # cannot be resolved, and outside the region
        unknown = self.cfg["kunta_tuntemattomat"]
        rows = self._rate_rows(0.003)
        text[rows] = np.array(unknown, dtype=object)[self.rng.integers(0, len(unknown), len(rows))]
        self._mark("kunta_tuntematon", rows)
        for typed in unknown[:2]:
            rows = self._pick(1, None, "kotikunta")
            text[rows] = typed
            self._mark("kunta_tuntematon", rows)
        outside = q.extra_options[0]
        rows = np.union1d(self._rate_rows(0.01), self._pick(1, None, "kotikunta"))
        text[rows] = outside
        self._mark("kunta_ulkopuolella", rows)
        return text

    def _plant_rows(self) -> None:
        """Whole-row plants: outside the window, nameless, register number as a number."""
        self.a["kotikunta"] = self._kotikunta()
        channel = self.a["channel"]
        open_s = np.datetime64(self.opened.isoformat(), "s")
        close_s = np.datetime64(self.closed.isoformat(), "s") + np.timedelta64(86400, "s")
        plants = [(0, open_s - np.timedelta64(2 * 3600 + 1234, "s")),   # the evening before
                  (0, close_s + np.timedelta64(12 * 60 + 5, "s")),       # just after midnight
                  (2, close_s + np.timedelta64(3 * 86400 + 10 * 3600 + 421, "s"))]  # days late
        for ch, when in plants:
            rows = self._pick(1, channel == ch, "rivi")
            self.a["ts"][rows] = when
            self._mark("ikkunan_ulkopuolella", rows)
        rows = self._pick(max(1, round(0.001 * self.n)), channel == 0, "rivi")
        self.a["name"][rows] = ""
        self._mark("ei_nimea", rows)
        # a late (xlsx) answer whose register number ends in 0: 105.230 -> 105.23
        rows = self._pick(1, channel == 2, "rivi")
        taken = set(self.a["reg"].tolist())
        value = 105230
        while value in taken:
            value += 1010
        self.a["reg"][rows] = value
        self.a["reg_style"][rows] = 0
        late_zero = (channel == 2) & (self.a["reg"] % 10 == 0) & (self.a["reg"] > 0) & (self.a["reg_style"] == 0)
        self._mark_where("rekisterinumero_luvuksi", late_zero)

    def _duplicates(self) -> tuple[np.ndarray, np.ndarray]:
        """Row index of every output row into the base rows, and the duplicate kind."""
        channel, reg = self.a["channel"], self.a["reg"]
        ok = self.used.setdefault("rivi", np.zeros(self.n, dtype=bool))
        kinds, sources = [], []
        plans = [("kaksoisvastaus_rekisterinumero", (channel != 1) & (reg > 0)),
                 ("kaksoisvastaus_nimi", channel != 1),
                 ("kaksoisvastaus_tiedostojen_valilla", channel == 1)]
        for kind, cand in plans:  # one of each for sure
            rows = self._pick(1, cand & ~ok, "kaksoisvastaus")
            if len(rows):
                kinds.append(kind)
                sources.append(int(rows[0]))
        rest = self._pick(self.n_dup - len(sources), (channel != 1) & ~ok, "kaksoisvastaus")
        by_reg = (reg[rest] > 0) & (self.rng.random(len(rest)) < 0.5)
        kinds += np.where(by_reg, plans[0][0], plans[1][0]).tolist()
        sources += rest.tolist()
        sources_arr = np.array(sources, dtype=np.int64)
        kinds_arr = np.array(kinds, dtype=object)
        by_name = kinds_arr == "kaksoisvastaus_nimi"
        self.a["reg"][sources_arr[by_name]] = 0
        cross = kinds_arr == "kaksoisvastaus_tiedostojen_valilla"
        self.a["reg"][sources_arr[cross & (self.rng.random(len(kinds_arr)) < 0.5)]] = 0
        rows = np.concatenate([np.arange(self.n), sources_arr])
        dup_kind = np.concatenate([np.full(self.n, "", dtype=object), kinds_arr])
        return rows, dup_kind

    # -- rendering -----------------------------------------------------------
    def _render(self, rows: np.ndarray, dup_kind: np.ndarray) -> pd.DataFrame:
        rng = self.rng
        a = {k: v[rows] for k, v in self.a.items()}
        mess = {k: v[rows] for k, v in self.mess.items()}
        total = len(rows)
        is_dup = dup_kind != ""
        dup = np.flatnonzero(is_dup)
        for kind in set(dup_kind[is_dup].tolist()):
            mess.setdefault(kind, np.zeros(total, dtype=bool))[dup_kind == kind] = True
        # the later answer differs: new time, new numbers, one grid cell, the future
        if len(dup):
            end = np.datetime64(self.closed.isoformat(), "s") + np.timedelta64(86399 - 3600, "s")
            later = a["ts"][dup] + rng.integers(2 * 3600, 10 * 86400, len(dup)).astype("timedelta64[s]")
            floor = a["ts"][dup] + np.timedelta64(3600, "s")
            a["ts"][dup] = np.maximum(np.minimum(later, end), floor)
            a["channel"][dup] = np.where(a["channel"][dup] == 2, 2, 0)
            a["_kasitelty"][dup] = ""
            a["_huom"][dup] = ""
            members = a["v:jasenmaara"][dup]
            a["v:jasenmaara"][dup] = np.where(
                np.isnan(members), 40.0,
                _round_count(np.nan_to_num(members) * rng.uniform(1.02, 1.2, len(dup)) + 5))
            for qid in _NUMBER_IDS:
                a["t:" + qid][dup] = None
            g = a["g:yhteistyo"]
            j = rng.integers(0, g.shape[1], len(dup))
            cell = g[dup, j]
            scale = (cell >= 0) & (cell != self.grid_eos)
            g[dup, j] = np.where(scale, np.where(cell > 0, cell - 1, cell + 1), 0)
            fut = a["s:tulevaisuus"]
            fut[dup] = (np.maximum(fut[dup], 0) + 1) % 4
            for kind in list(mess):
                if kind.startswith("luku_") or kind in ("ikkunan_ulkopuolella",):
                    mess[kind][dup] = False
            # by name: the later answer types the name differently and leaves out the number
            named = dup[dup_kind[dup] == "kaksoisvastaus_nimi"]
            if len(named):
                s = pd.Series(a["name"][named])
                variant = np.arange(len(named)) % 4
                typed = np.select(
                    [variant == 0, variant == 1, variant == 2],
                    [s.str.upper().to_numpy(), s.str.replace(" ", "  ", n=1).to_numpy(),
                     (s + " ").to_numpy()], s.str.lower().to_numpy())
                a["name"][named] = typed
        big = np.zeros(total, dtype=bool)
        for qid in _NUMBER_IDS:
            big |= (np.nan_to_num(a["v:" + qid]) >= 1000) & _is_none(a["t:" + qid])
        mess["luku_tuhaterotin"] = big
        cols: dict[str, object] = {}
        cols["_kanava"] = np.array(CHANNELS, dtype=object)[a["channel"]]
        for q in self.survey.asked_in(self.year):
            if q.type == "timestamp":
                cols[q.title] = a["ts"]
            elif q.id == "nimi":
                cols[q.title] = a["name"]
            elif q.id == "rekisterinumero":
                cols[q.title] = self._reg_text(a["reg"], a["reg_style"])
            elif q.id == "kotikunta":
                cols[q.title] = a["kotikunta"]
            elif q.id == "toiminta_alue":
                cols[q.title] = _label_array([o.label for o in q.options])[a["alue"]]
            elif q.id == "toimintakunnat":
                cols[q.title] = _join_multi(a["m:toimintakunnat"], [m.name for m in self.munis.items])
            elif q.id == "paatoimiala":
                cols[q.title] = a["paatoimiala"]
            elif q.type == "multi":
                pool = self.pool_toimialat if q.id == "toimialat" else \
                    (self.cfg["monivalinnat"].get(q.id) or {}).get("muut") or []
                other = a.get("o:" + q.id)
                cols[q.title] = _join_multi(a["m:" + q.id], [o.label for o in q.options],
                                            other if pool else None, pool)
            elif q.type == "number":
                cols[q.title] = self._number_text(q.id, a)
            elif q.type == "single":
                cols[q.title] = _label_array([o.label for o in q.options])[a["s:" + q.id]]
            elif q.type == "grid":
                labels = _label_array(self.grid_labels)
                for j, row in enumerate(q.rows):
                    cols[f"{q.title} [{row.label}]"] = labels[a["g:" + q.id][:, j]]
            elif q.id in a:
                cols[q.title] = a[q.id]
            else:
                raise KartoitusError(f"demo: no generator for question {q.id!r} ({q.type}); "
                                     "add one to kartoitus/demo.py")
        cols["_kasitelty"] = a["_kasitelty"]
        cols["_huom"] = a["_huom"]
        cols["_sotku"] = _mess_text(mess, total)
        # rows with nothing but a timestamp (rejected as empty)
        ts_col = self.survey.question("aikaleima").title
        k = self.n_empty
        start = np.datetime64(self.opened.isoformat(), "s")
        empty_ts = start + self.rng.integers(3600 * 8, (self.days - 1) * 86400, k).astype("timedelta64[s]")
        for c, values in cols.items():
            filler = {ts_col: empty_ts, "_kanava": np.full(k, CHANNEL_FORM, dtype=object),
                      "_sotku": np.full(k, "tyhja_rivi", dtype=object)}.get(c)
            if filler is None:
                filler = np.full(k, "", dtype=object)
            cols[c] = np.concatenate([np.asarray(values, dtype=object if c != ts_col else None), filler])
        # each file in submission order
        rank = pd.factorize(cols["_kanava"])[0]
        rank = np.array([CHANNELS.index(c) for c in pd.unique(cols["_kanava"])])[rank]
        order = np.lexsort((cols[ts_col], rank))
        frame = pd.DataFrame({c: v[order] for c, v in cols.items() if c != ts_col},
                             dtype=object, copy=False)
        stamps = pd.DatetimeIndex(cols[ts_col][order].astype("datetime64[ns]")).tz_localize(
            TZ, ambiguous=np.ones(len(order), dtype=bool), nonexistent="shift_forward")
        frame.insert(1, ts_col, stamps)
        return frame

    @staticmethod
    def _reg_text(reg: np.ndarray, style: np.ndarray) -> np.ndarray:
        head = _int_text(reg // 1000)
        tail = _PAD3[reg % 1000]
        text = np.select([style == 0, style == 1], [head + "." + tail, head + " " + tail], head + tail)
        return np.where(reg > 0, text, "").astype(object)

    def _number_text(self, qid: str, a: Mapping[str, np.ndarray]) -> np.ndarray:
        values, override = a["v:" + qid], a["t:" + qid]
        missing = np.isnan(values)
        v = np.nan_to_num(values)
        if qid == "palkatut_htv":
            comma = _format_unique(v, lambda x: f"{x:g}".replace(".", ","))
            point = _format_unique(v, lambda x: f"{x:g}")
            text = np.where(a["comma"], comma, point)
        else:
            text = _thousands_text(v.astype(np.int64), " ")
        text = np.where(missing, "", text)
        return np.where(_is_none(override), text, override).astype(object)


def _is_none(values: np.ndarray) -> np.ndarray:
    """Elementwise ``is None`` of an object array."""
    return np.equal(values, None)


def _mess_text(mess: Mapping[str, np.ndarray], total: int) -> np.ndarray:
    kinds = [k for k in MESS_KINDS if k in mess]
    if not kinds:
        return np.full(total, "", dtype=object)
    mask = np.column_stack([mess[k] for k in kinds])
    codes = mask.astype(np.int64) @ (np.int64(1) << np.arange(len(kinds), dtype=np.int64))
    return _format_unique(codes, lambda c: ";".join(k for j, k in enumerate(kinds) if c >> j & 1))


# -- the municipality survey ----------------------------------------------------------


def _municipality_answers(cb: Codebook, cfg: Mapping, year: int, seed: int, munis: _Muni,
                          latent: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """One answer per municipality (a few dozen rows: plain loops are fine here)."""
    survey = cb.municipality
    rng = np.random.default_rng([seed, year, 2])
    kcfg = cfg["kuntakysely"]
    opened, closed = survey_window(year, cfg)
    m_count = len(munis.items)
    biggest = int(np.argmax(munis.pop))
    others = [m for m in range(m_count) if m != biggest]
    silent, twice, partial = rng.choice(others, size=3, replace=False).tolist()
    first, last = cfg["etunimet"], cfg["sukunimet"]

    def label(qid: str, key: str) -> str:
        return survey.question(qid).label_of(key)

    def answer(m: int) -> dict[str, object]:
        item, mu = munis.items[m], float(latent[m])
        size = np.log10(munis.pop[m] / 5000)
        z = lambda: mu + 0.3 * size + rng.normal(0, 0.6)  # noqa: E731
        row: dict[str, object] = {}
        day = int(rng.integers(14, (closed - opened).days))
        local = dt.datetime.combine(opened, dt.time()) + dt.timedelta(
            days=day, hours=int(rng.integers(8, 16)), minutes=int(rng.integers(0, 60)),
            seconds=int(rng.integers(0, 60)))
        row["aikaleima"] = pd.Timestamp(local).tz_localize(TZ)
        fn, ln = first[rng.integers(len(first))], last[rng.integers(len(last))]
        row["sahkoposti"] = _fold(f"{fn}.{ln}@{item.name}.fi").lower().replace(" ", "")
        row["kunta"] = item.name
        row["vastaaja"] = f"{fn} {ln}"
        row["vastaajan_tehtava"] = kcfg["tehtavat"][rng.integers(len(kcfg["tehtavat"]))]
        s = z()
        row["strategia"] = label("strategia", "kylla" if s > 0.1 else "valmisteilla" if s > -0.4 else "ei")
        if rng.random() < 0.05:
            row["strategia"] = label("strategia", "eos")
        row["yhdyshenkilo"] = label("yhdyshenkilo", "kylla" if z() > -0.2 else "ei")
        s = z()
        row["toimintamalli"] = label("toimintamalli", "kylla" if s > 0.4 else "valmisteilla" if s > -0.2 else "ei")
        s = z()
        row["hyte_osallisuus"] = label("hyte_osallisuus", "saannollisesti" if s > 0.3 else
                                       "satunnaisesti" if s > -0.6 else "ei")
        forums = int(max(0, round(1.5 + 1.5 * mu + size + rng.normal(0, 0.8))))
        styles = kcfg["foorumit"]
        tmpl = styles[rng.integers(len(styles))]
        if forums == 0 and rng.random() < 0.5:
            row["foorumit"] = cfg["luvut"]["nolla"][0]
        else:
            row["foorumit"] = (tmpl.replace("{a}", str(max(forums - 1, 0)))
                               .replace("{b}", str(forums + 1)).replace("{v}", str(forums)))
        eur = munis.pop[m] * float(kcfg["euroja_asukasta_kohden"]) * np.exp(rng.normal(0, 0.4) + 0.3 * mu)
        eur = int(round(eur, -3 if eur > 20000 else -2))
        if eur >= 1_000_000 and rng.random() < 0.7:
            row["avustukset_eur"] = kcfg["miljoonat"].replace("{v}", f"{eur / 1e6:.1f}".replace(".", ","))
        else:
            tmpl = kcfg["eurot"][rng.integers(len(kcfg["eurot"]))]
            v = (f"{eur:,}".replace(",", " ") if "€" in tmpl else
                 f"{eur:,}".replace(",", ".") if ",00" in tmpl else str(eur))
            row["avustukset_eur"] = tmpl.replace("{v}", v)
        row["avustusperusteet"] = label("avustusperusteet", "kylla" if z() > -0.5 else "ei")
        s = z()
        row["tilat"] = label("tilat", "maksutta" if s > 0.2 else "alennettu" if s > -0.5 else
                             "markkinahinta" if s > -1.2 else "ei_tiloja")
        q = survey.question("tukipalvelut")
        picked = [o.label for o in q.options if rng.random() < 0.35 + 0.2 * mu]
        if rng.random() < 0.15:
            muut = kcfg["tukipalvelut_muut"]
            picked.append(muut[rng.integers(len(muut))])
        row["tukipalvelut"] = ", ".join(picked)
        row["verkkosivut"] = label("verkkosivut", "kylla" if z() > -0.3 else "ei")
        s = z()
        row["palveluohjaus"] = label("palveluohjaus", "jarjestelmallisesti" if s > 0.5 else
                                     "satunnaisesti" if s > -0.7 else "ei")
        grid = survey.question("yhteistyo_toimialat")
        by_value = {v: c for c, v in grid.columns}
        for r in grid.rows:
            if rng.random() < 0.07:
                row[f"{grid.title} [{r.label}]"] = by_value[None]
            else:
                s = z()
                row[f"{grid.title} [{r.label}]"] = by_value[2.0 if s > 0.3 else 1.0 if s > -0.8 else 0.0]
        row["kokonaisarvio"] = str(int(np.clip(round(3.2 + mu + rng.normal(0, 0.6)), 1, 5)))
        texts = kcfg["kehittamistarpeet"]
        row["kehittamistarpeet"] = texts[rng.integers(len(texts))] if rng.random() < 0.8 else ""
        row["_sotku"] = ""
        return row

    rows = []
    for m in range(m_count):
        if m == silent:
            continue
        row = answer(m)
        if m == partial:
            blank = ["toimintamalli", "foorumit", "avustukset_eur", "tukipalvelut", "palveluohjaus",
                     "kokonaisarvio", "kehittamistarpeet"]
            for qid in blank:
                row[qid] = ""
            row["_sotku"] = "kunta_osittainen"
        rows.append(row)
        if m == twice:
            again = answer(m)
            again["aikaleima"] = row["aikaleima"] + pd.Timedelta(days=int(rng.integers(2, 9)), minutes=17)
            again["sahkoposti"], again["vastaaja"] = row["sahkoposti"], row["vastaaja"]
            again["_sotku"] = "kunta_kaksoisvastaus"
            rows.append(again)
    columns: dict[str, list] = {"_kanava": [CHANNEL_FORM] * len(rows)}
    for q in survey.asked_in(year):
        if q.type == "grid":
            for title in (f"{q.title} [{r.label}]" for r in q.rows):
                columns[title] = [r.get(title, "") for r in rows]
        else:
            columns[q.title] = [r.get(q.id, "") for r in rows]
    columns["_sotku"] = [r["_sotku"] for r in rows]
    frame = pd.DataFrame(columns)
    ts = survey.question("aikaleima").title
    frame[ts] = pd.to_datetime(frame[ts])
    frame = frame.sort_values(ts, kind="stable").reset_index(drop=True)
    return frame, [munis.items[silent].code]


# -- public: answers --------------------------------------------------------------


def make_answers(year: int = 2025, n: int = 900, seed: int = 2025,
                 codebook: Codebook | None = None) -> dict:
    """The answers of one demo wave as DataFrames (pure: nothing is written).

    Returns ``{"jarjestokysely": frame, "kuntakysely": frame, "ikkuna": (opened,
    closed), "vastaamatta": [municipality codes that did not answer]}``. ``n`` is
    the number of association answer rows across all three files (duplicates and
    rejected rows included). Same arguments, same frames.
    """
    cb = codebook or default_codebook()
    cfg = load_demo_config()
    munis = _municipalities(cb, cfg, year)
    latent = _municipality_latent(munis, seed, year)
    assoc = _AssociationGenerator(cb, cfg, year, int(n), int(seed), munis, latent).build()
    muni_frame, silent = _municipality_answers(cb, cfg, year, int(seed), munis, latent)
    return {
        ASSOCIATION_SURVEY: assoc,
        MUNICIPALITY_SURVEY: muni_frame,
        "ikkuna": survey_window(year, cfg),
        "vastaamatta": silent,
    }


# -- public: writing exports --------------------------------------------------------


@lru_cache(maxsize=8)
def _clock_table(style: str) -> np.ndarray:
    """Time-of-day text for every second of a day, in the style's format."""
    out = []
    for s in range(86400):
        h, rest = divmod(s, 3600)
        mi, se = divmod(rest, 60)
        if style == STYLE_FORMS_EN:
            h12 = h % 12 or 12
            out.append(f"{h12}:{mi:02d}:{se:02d} {'AM' if h < 12 else 'PM'}")
        elif style == STYLE_FORMS_FI:
            out.append(f"{h}.{mi:02d}.{se:02d}")
        else:
            out.append(f"{h}:{mi:02d}")
    return np.array(out, dtype=object)


def format_timestamps(values: pd.Series, style: str) -> np.ndarray:
    """Timestamps as the export of ``style`` writes them (vectorised via lookups).

    ``forms_en``: ``2025/10/15 12:34:56 PM GMT+3``; ``forms_fi``:
    ``15.10.2025 12.34.56``; ``excel_fi``: ``15.10.2025 12:34``.
    """
    if style not in STYLES:
        raise KartoitusError(f"unknown export style {style!r}; use one of {', '.join(STYLES)}")
    ts = pd.Series(values, copy=False)
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts.where(ts != "", None))
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="shift_forward")
    ts = ts.dt.tz_convert(TZ)
    missing = ts.isna().to_numpy()
    wall = ts.dt.tz_localize(None)
    offset = (wall - ts.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    offset = (offset.fillna(0).to_numpy() // 3600).astype(np.int64)
    local = wall.to_numpy().astype("datetime64[s]")
    local = np.where(missing, np.datetime64("2000-01-01T00:00:00", "s"), local)
    days = local.astype("datetime64[D]")
    sod = (local - days).astype(np.int64)
    if style == STYLE_FORMS_EN:
        date = _format_unique(days, lambda d: d.strftime("%Y/%m/%d"))
        text = date + " " + _clock_table(style)[sod] + " GMT+" + _int_text(offset)
    else:
        date = _format_unique(days, lambda d: f"{d.day}.{d.month}.{d.year}")
        text = date + " " + _clock_table(style)[sod]
    return np.where(missing, "", text).astype(object)


def _export_titles(survey: Survey, cfg: Mapping, style: str) -> dict[str, str]:
    """Renames of the form's titles in ``style`` (locale and drift)."""
    renames: dict[str, str] = {}
    if style == STYLE_FORMS_EN:
        for qid, title in cfg["englanti"].items():
            q = survey.question(qid)
            if title not in q.titles():
                raise KartoitusError(f"{DEMO_FILE}: englanti.{qid} {title!r} is not a title or alias "
                                     f"of {qid} in the codebook; add it there first")
            renames[q.title] = title
    if style == STYLE_EXCEL_FI and survey.id == ASSOCIATION_SURVEY:
        for qid, title in cfg["paperi"]["otsikot"].items():
            renames[survey.question(qid).title] = title
    return renames


def _excel_order(survey: Survey, columns: list[str], columns_all: Iterable[str]) -> list[str]:
    """Columns as someone rearranged them in Excel: home municipality before the name,
    contact details next to it, the "handled" mark right after the timestamp."""
    def title(qid: str) -> str:
        return survey.question(qid).title

    cols = [c for c in columns]
    moved = [title("kotikunta"), title("yhteyshenkilo"), title("puhelin"), title("sahkoposti")]
    cols = [c for c in cols if c not in moved]
    at = cols.index(title("nimi"))
    cols[at:at] = [title("kotikunta")]
    at = cols.index(title("nimi")) + 1
    cols[at:at] = [title("yhteyshenkilo"), title("puhelin"), title("sahkoposti")]
    if "_kasitelty" in columns_all:
        cols.insert(1, "_kasitelty")
    if "_huom" in columns_all:
        cols.append("_huom")
    return cols


def export_frame(frame: pd.DataFrame, style: str, survey: Survey | None = None,
                 config: Mapping | None = None) -> pd.DataFrame:
    """The cells of ``frame`` exactly as an export of ``style`` holds them (all text)."""
    cfg = config or load_demo_config()
    survey = survey or default_codebook().association
    ts_title = survey.question("aikaleima").title
    out = frame.copy()
    if ts_title in out.columns:
        out[ts_title] = format_timestamps(out[ts_title], style)
    if style == STYLE_EXCEL_FI:
        numbers = [q.title for q in survey.of_type("number") if q.title in out.columns]
        for c in numbers:  # Excel shows decimals with a comma
            out[c] = out[c].astype(object).str.replace(r"^(\d+)\.(\d+)$", r"\1,\2", regex=True)
        out = out[_excel_order(survey, [c for c in out.columns if not c.startswith("_")], out.columns)]
        out = out.rename(columns={"_kasitelty": cfg["paperi"]["kasitelty"], "_huom": cfg["paperi"]["huom"]})
    else:
        out = out[[c for c in out.columns if not c.startswith("_")]]
    out = out.rename(columns=_export_titles(survey, cfg, style))
    return out.fillna("")


_CSV_FORMAT = {
    STYLE_FORMS_EN: (",", "utf-8"),
    STYLE_FORMS_FI: (",", "utf-8-sig"),
    STYLE_EXCEL_FI: (";", "cp1252"),
}


def write_csv(frame: pd.DataFrame, path: Path, style: str, survey: Survey | None = None,
              chunk_rows: int = 100_000) -> Path:
    """Write answers as a CSV export of ``style``, ``chunk_rows`` rows at a time."""
    if style not in _CSV_FORMAT:
        raise KartoitusError(f"unknown export style {style!r}; use one of {', '.join(_CSV_FORMAT)}")
    sep, encoding = _CSV_FORMAT[style]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg = load_demo_config()
    with path.open("w", encoding=encoding, errors="strict", newline="") as fh:
        for start in range(0, max(len(frame), 1), chunk_rows):
            chunk = export_frame(frame.iloc[start:start + chunk_rows], style, survey, cfg)
            chunk.to_csv(fh, sep=sep, index=False, header=start == 0, lineterminator="\r\n")
    return path


def write_association_csv(frame: pd.DataFrame, path: Path, style: str = STYLE_FORMS_EN,
                          codebook: Codebook | None = None, chunk_rows: int = 100_000) -> Path:
    """Association answers (``make_answers(...)["jarjestokysely"]``) as one CSV export."""
    cb = codebook or default_codebook()
    return write_csv(frame, path, style, cb.association, chunk_rows)


def write_municipality_csv(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None) -> Path:
    """Municipality answers as a Finnish-locale Google Forms export (UTF-8 with BOM)."""
    cb = codebook or default_codebook()
    return write_csv(frame, path, STYLE_FORMS_FI, cb.municipality)


_INT_RE = re.compile(r"^-?\d+$")
_FLOAT_RE = re.compile(r"^-?\d+\.\d+$")


def _sheet_cell(value: object) -> object:
    """A cell as Google Sheets stores typed text: numbers become numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    if isinstance(value, str):
        if _INT_RE.match(value) and len(value) < 16:
            return int(value)
        if _FLOAT_RE.match(value):
            return float(value)
    return value


def write_association_xlsx(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None,
                           sheet: str = "Lomakevastaukset 1") -> Path:
    """Association answers as Google Sheets' ``.xlsx`` download: date cells, number
    cells for number-like text (``105.230`` -> 105.23), Finnish titles. The file is
    byte-for-byte reproducible (fixed zip and document times)."""
    from openpyxl import Workbook

    cb = codebook or default_codebook()
    ts_title = cb.association.question("aikaleima").title
    cols = [c for c in frame.columns if not c.startswith("_")]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(cols)
    ts = pd.to_datetime(frame[ts_title]).dt.tz_convert(TZ).dt.tz_localize(None) \
        if ts_title in frame.columns else None
    data = frame[cols].astype(object).to_numpy()
    ts_at = cols.index(ts_title) if ts is not None else -1
    stamps = [t.to_pydatetime() for t in ts] if ts is not None else None
    for i, row in enumerate(data):
        cells = [_sheet_cell(v) for v in row]
        if ts_at >= 0:
            cells[ts_at] = stamps[i]
        ws.append(cells)
    fixed = dt.datetime(2000, 1, 1)
    if ts is not None and len(ts):
        fixed = ts.max().to_pydatetime().replace(microsecond=0)
    wb.properties.creator = "kartoitus demo-data"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_reproducible_zip(buf.getvalue(), fixed))
    return path


def _reproducible_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with fixed entry times and document dates."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms)",
                                 rb"\g<1>" + stamp + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def write_survey_window(out_dir: Path, year: int, config: Mapping | None = None) -> Path:
    """``kysely.toml``: the survey window of the wave."""
    opened, closed = survey_window(year, config)
    path = Path(out_dir) / FILE_WINDOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Kyselyn vastausaika (demoaineisto). Tämän ulkopuolella annetut vastaukset\n"
        "# merkitään auditissa, mutta niitä ei hylätä.\n"
        f"avautui = {opened.isoformat()}\n"
        f"sulkeutui = {closed.isoformat()}\n",
        encoding="utf-8",
    )
    return path


def write_demo_wave(out_dir: Path, year: int = 2025, n_associations: int = 900, seed: int = 2025,
                    codebook: Codebook | None = None) -> list[Path]:
    """Write a whole demo wave into ``out_dir`` (e.g. ``data/raw/2025``).

    Files: the association survey's Google Forms export (English locale), the paper
    forms re-saved by Excel (``;``, cp1252), the late answers as ``.xlsx``, the
    municipality survey (Finnish locale, BOM) and ``kysely.toml``. Deterministic for
    ``seed``. Returns the files written.
    """
    cb = codebook or default_codebook()
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KartoitusError(f"{out_dir}: ei ole kansio; anna aallon kansio, esim. data/raw/{year}")
    out_dir.mkdir(parents=True, exist_ok=True)
    answers = make_answers(year, n_associations, seed, cb)
    assoc = answers[ASSOCIATION_SURVEY]
    by_channel = {c: assoc[assoc["_kanava"] == c] for c in CHANNELS}
    written = [
        write_association_csv(by_channel[CHANNEL_FORM], out_dir / FILE_FORM, STYLE_FORMS_EN, cb),
        write_association_csv(by_channel[CHANNEL_PAPER], out_dir / FILE_PAPER, STYLE_EXCEL_FI, cb),
        write_association_xlsx(by_channel[CHANNEL_LATE], out_dir / FILE_LATE, cb),
        write_municipality_csv(answers[MUNICIPALITY_SURVEY], out_dir / FILE_MUNICIPALITY, cb),
        write_survey_window(out_dir, year),
    ]
    return written
