"""What the associations answer: reach, main sector, multi-selects, numbers, singles, grid, texts.

:class:`Answers` is the part of the association generator that draws each
association's answers from its sector, size and municipality (shares from
``demo.yaml``, options from the codebook). The planted mess on top of the
answers is :class:`kartoitus.demo.mess.Mess`.
"""

from __future__ import annotations

import numpy as np

from kartoitus.demo.arrays import label_array, pick_rows, round_count
from kartoitus.demo.config import check_keys


class Answers:
    """Mixin of the association generator: the answers of the fictional population."""

    def _reach(self) -> None:
        names = self.names
        q = self.survey.question(names.q_reach)
        shares = self.cfg["yksivalinnat"][names.q_reach]
        check_keys(f"yksivalinnat.{names.q_reach}", shares, q.option_keys())
        base = np.array([float(shares.get(k, 0)) for k in q.option_keys()])
        probs = np.tile(base, (self.n, 1))
        biggest = int(np.argmax(self.munis.pop))
        regional = [i for i, k in enumerate(q.option_keys()) if k in ("maakunnallinen", "valtakunnallinen")]
        probs[np.ix_(self.a["muni"] == biggest, regional)] *= 2.0
        alue = pick_rows(self.rng, probs)
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
        self.a["m:" + names.q_reach_municipalities] = mask

    def _main_sector(self) -> None:
        names = self.names
        q = self.survey.question(names.q_sector)
        labels = [q.label_of(k) if k != names.other else "" for k in self.sector_keys]
        text = label_array(labels)[self.a["sector"]]
        hints = np.array([h or "" for h in self.hints], dtype=object)
        muu = np.array(self.sector_keys, dtype=object)[self.a["sector"]] == names.other
        text = np.where(muu, hints[self.a["template"]], text)
        text[muu & (text == "")] = "Muu"
        self.a[names.q_sector] = self._plant_main_sector(text, muu)

    def _template_sector(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.sector_keys)), self.tmpl_n)

    def _multi_probs(self, qid: str) -> np.ndarray:
        q = self.survey.question(qid)
        cfg = self.cfg["monivalinnat"][qid]
        check_keys(f"monivalinnat.{qid}", cfg.get("oletus", {}), q.option_keys())
        base = np.array([float(cfg["oletus"].get(k, 0.0)) for k in q.option_keys()])
        table = np.tile(base, (len(self.sector_keys), 1))
        for s, key in enumerate(self.sector_keys):
            boost = (self.cfg["toimialat"][key].get("korostus") or {}).get(qid, [])
            check_keys(f"toimialat.{key}.korostus.{qid}", boost, q.option_keys())
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
        rng, n, names = self.rng, self.n, self.names
        sectors = names.q_sectors
        sector_names = np.array(self.sector_keys, dtype=object)[self.a["sector"]]
        is_sote = np.isin(sector_names, list(self.sote))
        # toimialat: the main sector, sometimes neighbours
        q = self.survey.question(sectors)
        keys = list(q.option_keys())
        key_idx = {k: j for j, k in enumerate(keys)}
        probs = np.full((n, len(keys)), 0.03)
        sote_cols = [key_idx[k] for k in self.sote]
        probs[np.ix_(is_sote, sote_cols)] = 0.12
        main = np.array([key_idx.get(k, -1) for k in self.sector_keys])[self.a["sector"]]
        has_main = main >= 0
        probs[np.flatnonzero(has_main), main[has_main]] = 0.92
        self.a["m:" + sectors] = rng.random(probs.shape, dtype=np.float32) < probs
        other = self._other(sectors, 0.01)
        muu = sector_names == names.other
        pool = list((self.cfg["monivalinnat"][sectors].get("muut") or []))
        extra = sorted({h for s, h in zip(self._template_sector(), self.hints)
                        if h and self.sector_keys[s] == names.other})
        self.pool_toimialat = pool + [h for h in extra if h not in pool]
        hint_idx = {h: i for i, h in enumerate(self.pool_toimialat)}
        use_hint = muu & (rng.random(n) < 0.6)
        tmpl_hint = np.array([hint_idx.get(h or "", -1) for h in self.hints])
        other = np.where(use_hint, tmpl_hint[self.a["template"]], other)
        self.a["o:" + sectors] = other
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
        for qid in (names.q_forms, names.q_targets, "rahoitus", "kumppanit", names.q_challenges,
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
        self._plant_multi_mess()

    def _numbers(self) -> None:
        rng, n = self.rng, self.n
        cfg = self.cfg["toimialat"]
        median = np.array([float(cfg[k]["jasenet"]) for k in self.sector_keys])[self.a["sector"]]
        members = round_count(np.clip(median * np.exp(rng.normal(0, 0.9, n)), 3, 25000))
        volunteers = round_count(np.clip(members * rng.beta(1.2, 6, n) + rng.integers(0, 4, n), 0, None))
        sector_names = np.array(self.sector_keys, dtype=object)[self.a["sector"]]
        p_paid = np.select([np.isin(sector_names, list(self.sote)), sector_names == "liikunta",
                            sector_names == "kulttuuri"], [0.22, 0.12, 0.08], 0.04)
        p_paid = np.clip(p_paid * (1 + np.minimum(members / 400, 3)), 0, 0.9)
        paid = rng.random(n) < p_paid
        htv = np.exp(np.log(0.8) + rng.normal(0, 0.9, n))
        htv = np.where(htv < 3, np.round(htv * 2) / 2, np.round(htv))
        htv = np.where(paid, np.maximum(htv, 0.5), 0.0)
        names = self.names
        self.a["v:" + names.q_members], self.a["v:" + names.q_volunteers], self.a["v:" + names.q_staff] = (
            members.astype(float), volunteers.astype(float), htv)
        for qid in self.number_ids:
            values = self.a["v:" + qid]
            values[rng.random(n) < 0.05] = np.nan
            self.a["t:" + qid] = np.full(n, None, dtype=object)  # text overrides (mess)
        self.a["comma"] = rng.random(n) < 0.9  # decimals typed with a comma
        self._plant_number_mess()

    def _singles(self) -> None:
        rng, n = self.rng, self.n
        single = self.cfg["yksivalinnat"]
        sector_names = np.array(self.sector_keys, dtype=object)[self.a["sector"]]
        mu = self.latent[self.a["muni"]]

        def by_key(qid: str, key: str) -> int:
            return self.survey.question(qid).option_keys().index(key)

        # budjetti from size and paid staff
        members = np.nan_to_num(self.a["v:" + self.names.q_members], nan=50.0)
        score = 0.8 * np.log10(np.maximum(members, 3)) \
            + 0.9 * np.sqrt(np.nan_to_num(self.a["v:" + self.names.q_staff])) + rng.normal(0, 0.3, n)
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
            check_keys(f"toimialat.{key}.toimitilat", shares, q.option_keys())
            table.append([float(shares.get(k, 0.0)) for k in q.option_keys()])
        self.a["s:toimitilat"] = pick_rows(rng, np.array(table)[self.a["sector"]])
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
        self.a["s:hva_avustus"] = pick_rows(rng, np.array(rows_p)[np.where(sote, 0, 1)])
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
        q = self.survey.question(self.names.q_cooperation)
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
        self.a["g:" + q.id] = grid
        self.grid_labels, self.grid_eos = labels, eos

    def _texts(self) -> None:
        pool = self.cfg["vapaa_sana"]
        idx = np.where(self.rng.random(self.n) < 0.25, self.rng.integers(0, len(pool), self.n), -1)
        multiline = [i for i, t in enumerate(pool) if "\n" in t]
        if multiline:
            rows = self._pick(1, None, "vapaa_sana")
            idx[rows] = multiline[0]
            self._mark_where("monirivinen_teksti", np.isin(idx, multiline))
        self.a["vapaa_sana"] = label_array(pool)[idx]