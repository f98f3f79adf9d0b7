"""Cooperation with the home municipality (overall, by sector, by municipality), the
future, challenges, wishes, free text and item response."""

from __future__ import annotations

import pandas as pd

from kartoitus.publication.indicators.common import (
    COUNT, KEY, OUTSIDE_LABEL, PCT, Built, Context, _answered_multi, _has, _home, _not_asked, _pct,
    _sector_of, _sectors, _table, _text,
)
from kartoitus.publication.indicators.shapes import _distribution, _grid, _multi, _single
from kartoitus.publication.suppression import SuppressionPlan

# -- cooperation with the municipality -----------------------------------------------------

def _yhteistyo(assoc, ctx):
    q = ctx.cb.association.question(ctx.names.q_cooperation)
    if not _has(assoc, q, ctx):
        return _not_asked("yhteistyo", "Yhteistyö kotikunnan kanssa", q.id, ctx.year, "Väittämä")
    return _grid("yhteistyo", "Yhteistyö kotikunnan kanssa", assoc, ctx, q)


def _yhteistyo_toimiala(assoc, ctx):
    q = ctx.cb.association.question(ctx.names.q_cooperation)
    if not _has(assoc, q, ctx):
        return _not_asked("yhteistyo_toimiala", "Yhteistyö kotikunnan kanssa päätoimialoittain",
                          q.id, ctx.year, "Väittämä")
    keys, labels = _sectors(ctx)
    t, plan = _grid("yhteistyo_toimiala", "Yhteistyö kotikunnan kanssa päätoimialoittain", assoc,
                    ctx, q, _sector_of(assoc, ctx), keys, labels, "Päätoimiala")
    return t.with_(note=t.note + " Kaikkien vastanneiden luvut ovat taulukossa yhteistyo."), plan


def _yhteistyo_kunta(assoc, ctx):
    q = ctx.cb.association.question(ctx.names.q_cooperation)
    if not _has(assoc, q, ctx):
        return _not_asked("yhteistyo_kunta", "Yhteistyö kotikunnan kanssa kunnittain", q.id,
                          ctx.year, "Väittämä")
    ms = ctx.cb.municipalities.for_year(ctx.year)
    home = _home(assoc, ctx).fillna(ctx.names.unknown_home)
    keys = [m.code for m in ms] + [ctx.names.outside]
    labels = [m.name for m in ms] + [OUTSIDE_LABEL]
    t, plan = _grid("yhteistyo_kunta", "Yhteistyö kotikunnan kanssa kunnittain", assoc, ctx, q,
                    home, keys, labels, "Kunta")
    return t.with_(note=t.note + " Kunta = yhdistyksen kotikunta."), plan


def _tulevaisuus(assoc, ctx):
    return _single("tulevaisuus", "Toiminnan arvioitu muutos seuraavan kolmen vuoden aikana",
                   assoc, ctx, "tulevaisuus", "Arvio")


def _haasteet(assoc, ctx):
    return _multi("haasteet", "Yhdistysten suurimmat haasteet", assoc, ctx,
                  ctx.cb.association.question(ctx.names.q_challenges), "Haaste")


def _yhteistyotoiveet(assoc, ctx):
    return _multi("yhteistyotoiveet", "Toiveet yhteistyöstä kunnan kanssa", assoc, ctx,
                  ctx.cb.association.question("yhteistyotoiveet"), "Asia")


def _vapaa_sana(assoc, ctx: Context) -> Built:
    """Free text: only how many wrote something (the texts are never published)."""
    q = ctx.cb.association.question("vapaa_sana")
    if not _has(assoc, q, ctx):
        return _not_asked("vapaa_sana", "Terveiset kunnalle ja maakunnalle", q.id, ctx.year)
    wrote = _text(assoc["vapaa_sana"]).notna().map({True: "kylla", False: "ei"})
    return _distribution(ctx, "vapaa_sana", "Terveiset kunnalle ja maakunnalle", wrote, ["kylla", "ei"],
                         ["Kirjoitti terveiset", "Ei kirjoittanut"], "Vastaus", "vapaa_sana",
                         note="Vapaamuotoisia vastauksia ei julkaista.")


def _vastauskattavuus(assoc, ctx: Context) -> Built:
    """How many respondents answered each question (item response)."""
    n = float(len(assoc))
    keys, labels, counts = [], [], []
    for q in ctx.cb.association.asked_in(ctx.year):
        if q.personal:
            continue
        cols = [c for c in q.processed_columns(ctx.cb.municipalities, ctx.year) if c in assoc.columns]
        if not cols:
            continue
        if q.type == "multi":
            answered = _answered_multi(assoc, q, ctx)
        elif q.type == "municipality":
            answered = _text(assoc[q.id]).notna() if q.id in assoc else pd.Series(False, index=assoc.index)
        else:
            answered = assoc[cols].apply(lambda s: _text(s).notna()).any(axis=1)
        keys.append(q.id)
        labels.append(q.title)
        counts.append(float(answered.sum()))
    frame = pd.DataFrame({KEY: keys, "kysymys": labels, COUNT: counts, PCT: _pct(counts, n)})
    plan = SuppressionPlan(values=pd.DataFrame({COUNT: counts, "_n": n}, index=frame.index),
                           counts=(COUNT, "_n"), reveals={PCT: (COUNT, "_n")})
    return _table("vastauskattavuus", "Kysymyksiin vastanneet", frame, n,
                  {"kysymys": "Kysymys", COUNT: "Vastanneita", PCT: "Osuus vastaajista, %"},
                  {COUNT: "count", PCT: "percent"},
                  ",".join(keys), "Henkilötietoja ei käsitellä."), plan


