"""The fictional population: municipalities, associations and the people behind them.

:class:`People` is the part of the association generator that decides who answers:
each association's municipality and main sector, the channel and time of its
answer, its name (from ``demo.yaml``'s templates and the municipality's places),
its register number and its contact person. It works on the generator's arrays
(``self.a``) and random generator (``self.rng``); see
:class:`kartoitus.demo.generator.AssociationGenerator`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from kartoitus.demo.arrays import PAD3, PAD4, format_unique, fold, label_array
from kartoitus.demo.config import DEMO_FILE, check_keys
from kartoitus.errors import KartoitusError
from kartoitus.settings.codebook import Codebook, Municipality

_HOUR_WEIGHTS = np.array([0.3, 0.1, 0, 0, 0, 0, 0.2, 0.6, 1.2, 1.8, 2, 2, 1.8, 1.8, 1.8, 1.6,
                          1.5, 1.5, 1.7, 2, 2, 1.6, 1.0, 0.6])


@dataclass
class Munis:
    """The wave's municipalities with the demo's extra facts (population, genitive, villages)."""

    items: list[Municipality]
    pop: np.ndarray
    genitive: list[str]
    villages: list[list[tuple[str, str]]]


def municipalities(cb: Codebook, cfg: Mapping, year: int) -> Munis:
    items = cb.municipalities.for_year(year)
    if not items:
        raise KartoitusError(f"codebook: no municipalities for year {year}; check kunnat.csv")
    table = cfg["kunnat"]
    missing = [m.code for m in items if m.code not in table]
    if missing:
        raise KartoitusError(
            f"{DEMO_FILE}: municipalities {', '.join(missing)} have no population; add them under kunnat"
        )
    return Munis(
        items=items,
        pop=np.array([float(table[m.code]["asukkaat"]) for m in items]),
        genitive=[str(table[m.code]["genetiivi"]) for m in items],
        villages=[[(str(a), str(b)) for a, b in table[m.code].get("kylat") or []] for m in items],
    )


def municipality_latent(munis: Munis, seed: int, year: int) -> np.ndarray:
    """How association-friendly each municipality is (shared by both surveys)."""
    rng = np.random.default_rng([seed, year, 0])
    return rng.normal(0.0, 0.6, len(munis.items))


def allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer counts summing to ``total``: ``minimum`` each, the rest by weight."""
    base = np.full(len(weights), minimum, dtype=np.int64)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    counts = np.floor(share).astype(np.int64)
    left = rest - counts.sum()
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[:left]] += 1
    return base + counts


class People:
    """Mixin of the association generator: who the associations are."""

    # -- sectors and name templates (from demo.yaml) -----------------------------
    def _sectors(self) -> None:
        cfg = self.cfg["toimialat"]
        q = self.survey.question(self.names.q_sector)
        check_keys("toimialat", [k for k in cfg if k != self.names.other], q.option_keys())
        self.sector_keys = list(cfg)
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

    # -- where, what, when ------------------------------------------------------
    def _municipality_and_sector(self) -> None:
        m_count = len(self.munis.items)
        counts = allocate(self.n, self.munis.pop ** 0.95, min(3, self.n // m_count))
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

    # -- names -------------------------------------------------------------------
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

        return format_unique(code, fmt)

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
        self.a["name_mail"] = format_unique(
            t * len(self.places) + place,
            lambda c: re.sub(r"[^a-z0-9]", "", fold(self.templates[c // len(self.places)].format(
                **{self.tmpl_kind[c // len(self.places)]: self.places[c % len(self.places)]}
            ).removesuffix(" ry").lower())),
        )

    # -- register numbers and contact people ----------------------------------
    def _register_numbers(self) -> None:
        rng = self.rng
        has = rng.random(self.n) < 0.65
        k = int(has.sum())
        span = max(140000, 2 * k)  # PRH numbers run from about 100.000 to 240.000
        reg = np.zeros(self.n, dtype=np.int64)
        reg[has] = 100000 + rng.choice(span, size=k, replace=False)
        self.a["reg"] = reg
        self.a["reg_style"] = rng.choice(3, size=self.n, p=[0.9, 0.06, 0.04])

    def _personal(self) -> None:
        rng, n, cfg = self.rng, self.n, self.cfg
        first, last = cfg["etunimet"], cfg["sukunimet"]
        fi, la = rng.integers(0, len(first), n), rng.integers(0, len(last), n)
        code = fi * len(last) + la
        self.a["yhteyshenkilo"] = format_unique(code, lambda c: f"{first[c // len(last)]} {last[c % len(last)]}")
        person_mail = format_unique(
            code, lambda c: fold(f"{first[c // len(last)]}.{last[c % len(last)]}").lower())
        domains = np.array(cfg["sahkopostit"], dtype=object)
        domain = domains[rng.integers(0, len(domains), n)]
        personal = rng.random(n) < 0.55
        self.a["sahkoposti"] = np.where(personal, person_mail, self.a["name_mail"]) + "@" + domain
        number = rng.integers(0, 10**7, n)
        head, tail = PAD3[number // 10000], PAD4[number % 10000]
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
        notes = label_array(cfg["paperi"]["huomautukset"])
        self.a["_huom"] = np.where(paper & (rng.random(n) < 0.3),
                                   notes[rng.integers(0, len(notes) - 1, n)], "").astype(object)


def wave_latent(cb: Codebook, cfg: Mapping, munis: Munis, seed: int, year: int) -> np.ndarray:
    """How association-friendly each municipality is in ``year``, continuous across waves.

    The base wave (``aallot.perusvuosi`` of ``demo.yaml``) and later ones draw it as
    :func:`municipality_latent` always has, so the shipped base wave does not change.
    An earlier wave starts from the base wave's values: in the municipalities chosen to
    improve (the same ones in every wave) cooperation was weaker by
    ``aallot.paraneminen_vuodessa`` a year; elsewhere it only wobbles a little.
    """
    waves = cfg.get("aallot") or {}
    base_year = int(waves.get("perusvuosi", year))
    if year >= base_year:
        return municipality_latent(munis, seed, year)
    base = municipalities(cb, cfg, base_year)
    by_code = dict(zip((m.code for m in base.items), municipality_latent(base, seed, base_year)))
    codes = sorted(by_code)
    pick = np.random.default_rng([seed, 0, 3])
    improving = set(pick.choice(codes, size=round(float(waves.get("paranevat", 0.3)) * len(codes)),
                                replace=False).tolist())
    step = float(waves.get("paraneminen_vuodessa", 0.15))
    wobble = np.random.default_rng([seed, year, 0]).normal(0.0, 0.08, len(munis.items))
    return np.array([by_code.get(m.code, 0.0) - (step * (base_year - year) if m.code in improving else 0.0)
                     + wobble[i] for i, m in enumerate(munis.items)])


def improving_municipalities(cb: Codebook, cfg: Mapping, seed: int) -> list[str]:
    """Codes of the municipalities whose cooperation improves over the demo waves."""
    waves = cfg.get("aallot") or {}
    base = municipalities(cb, cfg, int(waves.get("perusvuosi", 2025)))
    codes = sorted(m.code for m in base.items)
    pick = np.random.default_rng([seed, 0, 3])
    return sorted(pick.choice(codes, size=round(float(waves.get("paranevat", 0.3)) * len(codes)),
                              replace=False).tolist())

