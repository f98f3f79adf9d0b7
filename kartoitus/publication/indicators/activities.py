"""Economy, premises and activities: single and multi questions, some by main sector."""

from __future__ import annotations

from kartoitus.publication.indicators.shapes import _multi, _multi_by_sector, _single

# -- economy, premises, activities -------------------------------------------------------

def _budjetti(assoc, ctx):
    return _single("budjetti", "Yhdistyksen vuosibudjetti", assoc, ctx, "budjetti", "Vuosibudjetti")


def _rahoitus(assoc, ctx):
    return _multi("rahoitus", "Yhdistysten rahoituslähteet", assoc, ctx,
                  ctx.cb.association.question("rahoitus"), "Rahoituslähde")


def _kunta_avustus(assoc, ctx):
    return _single("kunta_avustus", "Avustus kotikunnalta", assoc, ctx, "kunta_avustus")


def _kunta_tilat(assoc, ctx):
    return _single("kunta_tilat", "Kunnan tilojen käyttö", assoc, ctx, "kunta_tilat")


def _toimitilat(assoc, ctx):
    return _single("toimitilat", "Yhdistysten toimitilat", assoc, ctx, "toimitilat", "Tilat")


def _hva_avustus(assoc, ctx):
    return _single("hva_avustus", "Avustus tai ostopalvelutulot hyvinvointialueelta", assoc, ctx,
                   "hva_avustus")


def _kohderyhmat(assoc, ctx):
    return _multi("kohderyhmat", "Toiminnan kohderyhmät", assoc, ctx,
                  ctx.cb.association.question(ctx.names.q_targets), "Kohderyhmä")


def _kohderyhmat_toimiala(assoc, ctx):
    return _multi_by_sector("kohderyhmat_toimiala", "Toiminnan kohderyhmät päätoimialoittain",
                            assoc, ctx, ctx.names.q_targets)


def _toimintamuodot(assoc, ctx):
    return _multi("toimintamuodot", "Yhdistysten toimintamuodot", assoc, ctx,
                  ctx.cb.association.question(ctx.names.q_forms), "Toimintamuoto")


def _toimintamuodot_toimiala(assoc, ctx):
    return _multi_by_sector("toimintamuodot_toimiala", "Toimintamuodot päätoimialoittain",
                            assoc, ctx, ctx.names.q_forms)


def _taidelajit(assoc, ctx):
    return _multi("taidelajit", "Kulttuuriyhdistysten taidelajit", assoc, ctx,
                  ctx.cb.association.question("taidelajit"), "Taidelaji")


def _ammattilaisuus(assoc, ctx):
    return _single("ammattilaisuus", "Ammatti- ja harrastajatoiminta kulttuurissa", assoc, ctx,
                   "ammattilaisuus")


def _kumppanit(assoc, ctx):
    return _multi("kumppanit", "Yhteistyökumppanit", assoc, ctx,
                  ctx.cb.association.question("kumppanit"), "Kumppani")


