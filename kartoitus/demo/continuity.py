"""The same associations across demo waves: an earlier wave's associations take the
names and register numbers of base-wave associations with the same home municipality
and main sector, so that most associations answer in several waves, some stop (a
base-wave name no earlier answer took) and some start (an earlier answer that found
no base-wave partner keeps its own name).

Only rows without planted mess on the name, register number, home or sector (and
not part of a planted duplicate) are matched, so every planted mess stays as it is.
Pure: frames in, a new frame out.
"""

from __future__ import annotations

import pandas as pd

from kartoitus.settings.codebook import Survey

#: planted mess kinds that touch the columns used for matching (see ``config.MESS_KINDS``)
_TOUCHY = ("kunta_", "paatoimiala_", "saantonimi", "ei_nimea", "kaksoisvastaus", "rekisterinumero", "tyhja_rivi")


def _matchable(frame: pd.DataFrame, name: str, reg: str) -> pd.Series:
    tags = frame["_sotku"].fillna("").astype(str)
    touched = tags.str.contains("|".join(_TOUCHY), regex=True)
    names = frame[name].fillna("").astype(str)
    regs = frame[reg].fillna("").astype(str)
    dup = names.duplicated(keep=False) | (regs.ne("") & regs.duplicated(keep=False))
    return ~touched & ~dup & names.ne("")


def carry_over(frame: pd.DataFrame, base: pd.DataFrame, survey: Survey, home: str, sector: str,
               name: str = "nimi", reg: str = "rekisterinumero") -> pd.DataFrame:
    """``frame`` (an earlier wave's association answers, form titles as columns) with
    names and register numbers taken from ``base`` (the base wave) where home and main
    sector agree; see the module docstring."""
    t_name, t_reg = survey.question(name).title, survey.question(reg).title
    t_home, t_sector = survey.question(home).title, survey.question(sector).title
    pool: dict[tuple[str, str], list[tuple[str, str]]] = {}
    ok = _matchable(base, t_name, t_reg)
    for _, row in base.loc[ok, [t_home, t_sector, t_name, t_reg]].iterrows():
        pool.setdefault((str(row[t_home]), str(row[t_sector])), []).append((row[t_name], row[t_reg]))
    out = frame.copy()
    mine = _matchable(out, t_name, t_reg)
    taken = {}
    for i in out.index[mine.to_numpy()]:
        key = (str(out.at[i, t_home]), str(out.at[i, t_sector]))
        if pool.get(key):
            taken[i] = pool[key].pop(0)
    if not taken:
        return out
    new_names = out[t_name].copy()
    for i, (n, _) in taken.items():
        new_names.at[i] = n
    clash = new_names.duplicated(keep=False)
    for i, (n, r) in taken.items():
        if clash.at[i]:
            continue                       # would collide with another association's name
        out.at[i, t_name], out.at[i, t_reg] = n, r
    return out
