"""The association answers of one demo wave: arrays first, strings at the end.

:class:`AssociationGenerator` draws the fictional population
(:class:`~kartoitus.demo.people.People`), their answers
(:class:`~kartoitus.demo.answers.Answers`) and the planted mess
(:class:`~kartoitus.demo.mess.Mess`) into numpy arrays, one row per association,
and renders them as the form shows them (:meth:`AssociationGenerator.build`).
The steps run in a fixed order on one random generator: the same seed gives the
same answers.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from kartoitus.demo.answers import Answers
from kartoitus.demo.arrays import PAD3, format_unique, int_text, is_none, join_multi, label_array, thousands_text
from kartoitus.demo.config import CHANNEL_FORM, CHANNELS, MIN_ASSOCIATIONS, TZ, survey_window
from kartoitus.demo.mess import Mess, mess_text
from kartoitus.demo.people import Munis, People
from kartoitus.errors import KartoitusError
from kartoitus.settings import Settings
from kartoitus.settings.codebook import Survey


class AssociationGenerator(People, Answers, Mess):
    """Builds the association answers of one wave (see the module doc)."""

    def __init__(self, settings: Settings, cfg: Mapping, year: int, n: int, seed: int,
                 munis: Munis, latent: np.ndarray):
        self.cb, self.cfg, self.year, self.n_total = settings.codebook, cfg, year, n
        self.names = settings.names
        self.sote = tuple(settings.sote)
        self.number_ids = (self.names.q_members, self.names.q_volunteers, self.names.q_staff)
        self.survey: Survey = self.cb.association
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

    # -- row picking (shared by every step) ------------------------------------
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

    # -- rendering -----------------------------------------------------------
    def _render(self, rows: np.ndarray, dup_kind: np.ndarray) -> pd.DataFrame:
        a = {k: v[rows] for k, v in self.a.items()}
        mess = {k: v[rows] for k, v in self.mess.items()}
        total = len(rows)
        self._vary_duplicates(a, mess, dup_kind)
        self._mark_thousands(a, mess)
        names = self.names
        cols: dict[str, object] = {}
        cols["_kanava"] = np.array(CHANNELS, dtype=object)[a["channel"]]
        for q in self.survey.asked_in(self.year):
            if q.type == "timestamp":
                cols[q.title] = a["ts"]
            elif q.id == names.q_name:
                cols[q.title] = a["name"]
            elif q.id == "rekisterinumero":
                cols[q.title] = self._reg_text(a["reg"], a["reg_style"])
            elif q.id in (names.q_home, names.q_sector):
                cols[q.title] = a[q.id]
            elif q.id == names.q_reach:
                cols[q.title] = label_array([o.label for o in q.options])[a["alue"]]
            elif q.id == names.q_reach_municipalities:
                cols[q.title] = join_multi(a["m:" + q.id], [m.name for m in self.munis.items])
            elif q.type == "multi":
                pool = self.pool_toimialat if q.id == names.q_sectors else \
                    (self.cfg["monivalinnat"].get(q.id) or {}).get("muut") or []
                other = a.get("o:" + q.id)
                cols[q.title] = join_multi(a["m:" + q.id], [o.label for o in q.options],
                                            other if pool else None, pool)
            elif q.type == "number":
                cols[q.title] = self._number_text(q.id, a)
            elif q.type == "single":
                cols[q.title] = label_array(q.labels_in(self.year))[a["s:" + q.id]]
            elif q.type == "grid":
                labels = label_array(self.grid_labels)
                for j, row in enumerate(q.rows):
                    cols[f"{q.title} [{row.label}]"] = labels[a["g:" + q.id][:, j]]
            elif q.id in a:
                cols[q.title] = a[q.id]
            else:
                raise KartoitusError(f"demo: no generator for question {q.id!r} ({q.type}); "
                                     "add one to kartoitus/demo/answers.py")
        cols["_kasitelty"] = a["_kasitelty"]
        cols["_huom"] = a["_huom"]
        cols["_sotku"] = mess_text(mess, total)
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
        head = int_text(reg // 1000)
        tail = PAD3[reg % 1000]
        text = np.select([style == 0, style == 1], [head + "." + tail, head + " " + tail], head + tail)
        return np.where(reg > 0, text, "").astype(object)

    def _number_text(self, qid: str, a: Mapping[str, np.ndarray]) -> np.ndarray:
        values, override = a["v:" + qid], a["t:" + qid]
        missing = np.isnan(values)
        v = np.nan_to_num(values)
        if qid == self.names.q_staff:
            comma = format_unique(v, lambda x: f"{x:g}".replace(".", ","))
            point = format_unique(v, lambda x: f"{x:g}")
            text = np.where(a["comma"], comma, point)
        else:
            text = thousands_text(v.astype(np.int64), " ")
        text = np.where(missing, "", text)
        return np.where(is_none(override), text, override).astype(object)
