"""The municipality survey of a demo wave: one answer per municipality.

A few dozen rows, so plain loops are fine here. One municipality does not answer,
one answers twice and one leaves half the form empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping

import numpy as np
import pandas as pd

from kartoitus.demo.arrays import fold
from kartoitus.demo.config import CHANNEL_FORM, TZ, survey_window
from kartoitus.demo.people import Munis
from kartoitus.settings import Settings


def municipality_answers(settings: Settings, cfg: Mapping, year: int, seed: int, munis: Munis,
                           latent: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """One answer per municipality (a few dozen rows: plain loops are fine here)."""
    survey = settings.codebook.municipality
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
        row["sahkoposti"] = fold(f"{fn}.{ln}@{item.name}.fi").lower().replace(" ", "")
        row[settings.names.q_municipality] = item.name
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