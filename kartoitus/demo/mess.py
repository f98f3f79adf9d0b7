"""The planted mess: what real exports do wrong, one of each kind at least.

:class:`Mess` is the part of the association generator that spoils the answers
the way real exports are spoiled: hand-typed municipalities (ASCII, capitals,
villages, typos, unknown places), numbers typed as text ("n. 50", "20-30",
"1 200"), empty and "Muu" main sectors, options holding commas, multi-line texts,
answers outside the survey window, nameless rows, register numbers turned into
numbers, duplicate answers (by register number, by name, across files). Every
row's kinds are recorded in ``_sotku`` (:data:`kartoitus.demo.config.MESS_KINDS`).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from kartoitus.demo.arrays import (
    fold, format_unique, int_text, is_none, nice_floor, round_count, split_template,
)
from kartoitus.demo.config import MESS_KINDS


class Mess:
    """Mixin of the association generator: the planted mess."""

    def _mark(self, kind: str, rows: np.ndarray) -> None:
        assert kind in MESS_KINDS, kind
        if kind not in self.mess:
            self.mess[kind] = np.zeros(self.n, dtype=bool)
        self.mess[kind][rows] = True

    def _mark_where(self, kind: str, mask: np.ndarray) -> None:
        if mask.any():
            self._mark(kind, np.flatnonzero(mask))

    # -- the main sector ---------------------------------------------------------
    def _plant_main_sector(self, text: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Mess in the main-sector answers: empty cells, rule names, the word "Muu"."""
        self._mark_where("paatoimiala_muu_teksti", other)
        # random: a few hand-edited empty cells
        rows = self._rate_rows(0.01)
        text[rows] = ""
        self._mark("paatoimiala_tyhja", rows)
        # planted: rule names, half without a sector, half with a typed "Other"
        for i, (rows, _t, typed_other) in enumerate(self.rule_rows):
            empty = rows[(np.arange(len(rows)) + i) % 2 == 0]
            typed = rows[(np.arange(len(rows)) + i) % 2 == 1]
            text[empty] = ""
            text[typed] = typed_other
            self._mark("saantonimi", rows)
            self._mark("paatoimiala_tyhja", empty)
            self._mark("paatoimiala_muu_teksti", typed)
        # planted: a hand-edited sheet still holds the word "Muu" (paper forms)
        rows = self._pick(max(1, round(0.002 * self.n)), self.a["channel"] == 1, self.names.q_sector)
        text[rows] = "Muu"
        self._mark("paatoimiala_muu_sana", rows)
        return text

    # -- multi-selects -------------------------------------------------------------
    def _plant_multi_mess(self) -> None:
        """Options whose label holds a comma, and other texts, at least once each."""
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

    # -- numbers -----------------------------------------------------------------
    def _plant_number_mess(self) -> None:
        """Numbers as people type them: "n. 50", "yli 200", "20-30", "-", "0,5", "1 200"."""
        rng, names = self.rng, self.names
        members, volunteers, staff = names.q_members, names.q_volunteers, names.q_staff
        # random mess, a few percent per column
        luvut = self.cfg["luvut"]
        for qid in self.number_ids:
            rows = self._rate_rows(0.04, ~np.isnan(self.a["v:" + qid]))
            kinds = rng.choice(["noin", "yli", "vali", "puuttuva", "nolla"], size=len(rows),
                               p=[0.35, 0.15, 0.2, 0.25, 0.05])
            if qid == staff:
                kinds = np.where(np.isin(kinds, ["yli", "vali"]), "noin", kinds)
            for kind in ("noin", "yli", "vali", "puuttuva", "nolla"):
                sel = rows[kinds == kind]
                self._number_mess(qid, sel, kind, rng.integers(0, len(luvut[kind]), len(sel)))
        # planted: every kind at least once
        plants = [(members, "noin", 0), (members, "yli", 0), (members, "vali", 0), (members, "tuhat", 0)]
        plants += [(volunteers, "puuttuva", i) for i in range(len(luvut["puuttuva"]))]
        plants += [(volunteers, "nolla", 0), (staff, "desimaali", 0), (staff, "desimaali", 1)]
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
        htv = self.a["v:" + staff]
        frac = ~np.isnan(htv) & (np.nan_to_num(htv) % 1 != 0) & self.a["comma"]
        self._mark_where("luku_desimaalipilkku", frac & is_none(self.a["t:" + staff]))

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
                shown = nice_floor(v)
            else:
                shown = round_count(v) if qid != self.names.q_staff else v
            if kind == "vali":
                lo = nice_floor(v * 0.85)
                hi = lo + np.maximum(nice_floor(v * 0.3), 5)
                parts = [split_template(t.replace("{a}", "{v}", 1)) for t in templates]
                for j, (head, rest) in enumerate(parts):
                    mid, _, tail = rest.partition("{b}")
                    sel = variant == j
                    out[sel] = head + int_text(lo[sel]) + mid + int_text(hi[sel]) + tail
            else:
                if qid == self.names.q_staff:
                    text = format_unique(shown, lambda x: f"{x:g}".replace(".", ","))
                else:
                    text = int_text(shown)
                for j, tmpl in enumerate(templates):
                    head, tail = split_template(tmpl)
                    sel = variant == j
                    out[sel] = head + text[sel] + tail
        self.a["t:" + qid][rows] = out
        self._mark("luku_" + kind, rows)

    # -- home municipality, whole rows, duplicates -------------------------------
    def _kotikunta(self) -> np.ndarray:
        """The home municipality as typed: the option label, or a hand-typed variant."""
        q = self.survey.question(self.names.q_home)
        names = [m.name for m in self.munis.items]
        text = np.array(names, dtype=object)[self.a["muni"]]
        variants: list[list[tuple[str, str]]] = []
        typos = self.cfg["kunta_kirjoitusvirheet"]
        for m, item in enumerate(self.munis.items):
            v = []
            if fold(item.name) != item.name:
                v.append((fold(item.name), "kunta_ascii"))
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
        self.a[self.names.q_home] = self._kotikunta()
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

    # -- duplicates as rendered --------------------------------------------------
    def _vary_duplicates(self, a: dict[str, np.ndarray], mess: dict[str, np.ndarray],
                         dup_kind: np.ndarray) -> None:
        """The later answer of a duplicate differs (time, numbers, a grid cell, the
        future, the typed name); ``a`` and ``mess`` are the output rows' copies."""
        rng = self.rng
        total = len(dup_kind)
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
            q_members = self.names.q_members
            members = a["v:" + q_members][dup]
            a["v:" + q_members][dup] = np.where(
                np.isnan(members), 40.0,
                round_count(np.nan_to_num(members) * rng.uniform(1.02, 1.2, len(dup)) + 5))
            for qid in self.number_ids:
                a["t:" + qid][dup] = None
            g = a["g:" + self.names.q_cooperation]
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

    def _mark_thousands(self, a: Mapping[str, np.ndarray], mess: dict[str, np.ndarray]) -> None:
        """Numbers of 1000 or more are written with a thousands separator ("1 200")."""
        big = np.zeros(len(a["channel"]), dtype=bool)
        for qid in self.number_ids:
            big |= (np.nan_to_num(a["v:" + qid]) >= 1000) & is_none(a["t:" + qid])
        mess["luku_tuhaterotin"] = big


def mess_text(mess: Mapping[str, np.ndarray], total: int) -> np.ndarray:
    kinds = [k for k in MESS_KINDS if k in mess]
    if not kinds:
        return np.full(total, "", dtype=object)
    mask = np.column_stack([mess[k] for k in kinds])
    codes = mask.astype(np.int64) @ (np.int64(1) << np.arange(len(kinds), dtype=np.int64))
    return format_unique(codes, lambda c: ";".join(k for j, k in enumerate(kinds) if c >> j & 1))
