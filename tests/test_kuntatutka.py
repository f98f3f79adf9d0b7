"""Kuntatutka: scores, checklist, two views, change, methods text and charts.

The expected scores are computed by hand from the points in kuntatutka.yaml
(every item is worth 0-2 points; see the comments next to each fixture row).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kartoitus.publication import kuntatutka as kt
from kartoitus.errors import ConfigError, KartoitusError

YEAR = 2025
DIMS = ["strategia_malli", "rakenteet", "hyvinvointisuunnittelu", "avustukset",
        "tilat_tuki", "nakyvyys", "palveluohjaus"]
NA = np.nan


def muni_frame(rows: list[dict], codebook) -> pd.DataFrame:
    """Processed municipality-survey rows with every codebook column (blank by default)."""
    cols = codebook.municipality.processed_columns(codebook.municipalities, YEAR)
    return pd.DataFrame([{c: r.get(c, NA) for c in cols} for r in rows], columns=cols)


GRID = ["ty_sosiaali", "ty_terveys", "ty_sivistys", "ty_kulttuuri", "ty_liikunta",
        "ty_nuoriso", "ty_tekninen", "ty_elinvoima"]


@pytest.fixture()
def muni(settings) -> pd.DataFrame:
    jkl = {  # Jyväskylä, every item answered
        "kunta": "179", "kunta_nimi": "Jyväskylä",
        "strategia": "kylla", "toimintamalli": "valmisteilla",        # 2 + 1 of 4 -> 75
        "yhdyshenkilo": "kylla", "foorumit": 3,                      # 2 + 1 of 4 -> 75
        "hyte_osallisuus": "satunnaisesti",                          # 1 of 2 -> 50
        "avustusperusteet": "kylla", "avustukset_eur": 1_500_000,    # 10 €/as -> 2 + 1 of 4 -> 75
        "tilat": "maksutta",                                         # 2
        "tukipalvelut__viestinta": 1, "tukipalvelut__valineet": 1,  # 2 options + muu = 3 -> 2
        "tukipalvelut__koulutus": 0, "tukipalvelut__tapahtumatuki": 0,
        "tukipalvelut__muu": "Kuljetusapu",                          # -> 4 of 4 = 100
        "verkkosivut": "kylla",                                      # 100
        "palveluohjaus": "satunnaisesti",                            # 1
        **dict(zip(GRID, [2, 1, 1, 0, 2, 2, 1, NA])),                # mean 9/7 -> 9/7 points
        "kokonaisarvio": 4,                                          # (1 + 9/7) / 4 -> 57.142857
    }
    hankasalmi = {  # partial answer: blanks and "eos" are left out of the maximum
        "kunta": 77, "kunta_nimi": "Hankasalmi",                     # code typed as a number
        "strategia": "eos", "toimintamalli": "ei",                   # 0 of 2 -> 0 (1 answered)
        "hyte_osallisuus": "saannollisesti",                         # 100
        "avustusperusteet": "ei", "avustukset_eur": 20_000,          # no population: 0 of 2 -> 0
        "verkkosivut": "ei",                                         # 0
    }
    laukaa = {
        "kunta": "410", "kunta_nimi": "Laukaa",
        "strategia": "ei", "toimintamalli": "kylla",                 # 0 + 2 of 4 -> 50
        "yhdyshenkilo": "ei", "foorumit": 6,                         # 0 + 2 of 4 -> 50
        "hyte_osallisuus": "ei",                                     # 0
        "avustukset_eur": 400_000,                                   # 20 €/as -> 2 of 2 -> 100
        "tilat": "markkinahinta",                                    # 0
        "tukipalvelut__viestinta": 0, "tukipalvelut__valineet": 0,  # 1 option -> 1; 1 of 4 -> 25
        "tukipalvelut__koulutus": 1, "tukipalvelut__tapahtumatuki": 0,
        "palveluohjaus": "jarjestelmallisesti",                      # 2
        **dict(zip(GRID, [2, 2, NA, NA, 2, 2, NA, NA])),             # mean 2 -> 2; 4 of 4 -> 100
        "kokonaisarvio": 2,
    }
    outside = {"kunta": "ulkopuolella", "kunta_nimi": "", "strategia": "kylla"}
    return muni_frame([jkl, hankasalmi, laukaa, outside], settings.codebook)


@pytest.fixture()
def population() -> pd.Series:
    return pd.Series({179: 150_000, 410: 20_000})  # codes as numbers on purpose


def test_scoring_file_loads_with_every_dimension(settings):
    s = settings.scoring
    assert s.dimension_ids == DIMS
    assert kt.dimension_labels(s)["hyvinvointisuunnittelu"] == "Osallisuus hyvinvointisuunnitteluun"
    assert kt.dimension_labels(s, include_total=True)[kt.TOTAL] == "Kokonaispisteet"


def test_scores_hand_computed(muni, population, settings):
    scores = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, population)
    assert len(scores) == 22  # every municipality of 2025, answering or not
    assert list(scores.columns[:4]) == ["kunta", "kunta_nimi", "seutukunta_koodi", "vastannut"]
    s = scores.set_index("kunta")

    jkl = s.loc["179"]
    assert jkl["vastannut"]
    assert jkl["seutukunta_koodi"] == "131"
    expected = [75.0, 75.0, 50.0, 75.0, 100.0, 100.0, 57.142857]
    assert [jkl[d] for d in DIMS] == pytest.approx(expected, abs=1e-5)
    assert [jkl[d + "__vastattu"] for d in DIMS] == [2, 2, 1, 2, 2, 1, 2]
    assert jkl[kt.TOTAL] == pytest.approx(76.020408, abs=1e-5)  # 532.142857 / 7

    hanka = s.loc["077"]
    assert hanka["vastannut"]
    assert hanka["strategia_malli"] == 0.0 and hanka["strategia_malli__vastattu"] == 1
    assert np.isnan(hanka["rakenteet"]) and hanka["rakenteet__vastattu"] == 0
    assert hanka["hyvinvointisuunnittelu"] == 100.0
    # amount per inhabitant not scored without population: 0 of 2, not 0 of 4
    assert hanka["avustukset"] == 0.0 and hanka["avustukset__vastattu"] == 1
    assert np.isnan(hanka["tilat_tuki"]) and hanka["tilat_tuki__vastattu"] == 0
    assert hanka["nakyvyys"] == 0.0
    assert np.isnan(hanka["palveluohjaus"])
    assert hanka[kt.TOTAL] == pytest.approx(25.0)  # mean of 0, 100, 0, 0

    lau = s.loc["410"]
    assert [lau[d] for d in DIMS] == pytest.approx([50, 50, 0, 100, 25, NA, 100], nan_ok=True)
    assert lau["avustukset__vastattu"] == 1 and lau["nakyvyys__vastattu"] == 0
    assert lau[kt.TOTAL] == pytest.approx(54.166667, abs=1e-5)  # 325 / 6

    aane = s.loc["992"]  # did not answer: NaN everywhere, never 0
    assert not aane["vastannut"]
    assert all(np.isnan(aane[d]) for d in [*DIMS, kt.TOTAL])
    assert pd.isna(aane["rakenteet__vastattu"])
    assert scores["vastannut"].sum() == 3
    assert "ulkopuolella" not in s.index


def test_population_makes_the_amount_item_count(muni, settings):
    with_pop = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, pd.Series({"077": 5_000})).set_index("kunta")
    # 20 000 € / 5 000 = 4 €/as -> 0 points, but now 2 items: 0 of 4 -> still 0, 2 answered
    assert with_pop.loc["077", "avustukset__vastattu"] == 2
    no_pop = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook).set_index("kunta")
    # Jyväskylä without population: only avustusperusteet (2 of 2)
    assert no_pop.loc["179", "avustukset"] == 100.0
    assert no_pop.loc["179", "avustukset__vastattu"] == 1


def test_inputs_not_modified(muni, population, settings):
    before = muni.copy()
    kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, population)
    kt.checklist(muni, YEAR, settings.scoring, settings.codebook)
    pd.testing.assert_frame_equal(muni, before)


def test_item_points_long_form(muni, population, settings):
    items = kt.item_points(muni, YEAR, settings.scoring, settings.codebook, population)
    row = items[(items.kunta == "179") & (items.kohta == "toimialayhteistyo")].iloc[0]
    assert row["pisteet"] == pytest.approx(9 / 7) and row["enimmaispisteet"] == 2
    blank = items[(items.kunta == "077") & (items.kohta == "strategia")].iloc[0]
    assert np.isnan(blank["pisteet"]) and np.isnan(blank["enimmaispisteet"])


def test_duplicate_municipality_is_an_error(muni, settings):
    doubled = pd.concat([muni, muni.iloc[[0]]], ignore_index=True)
    with pytest.raises(KartoitusError, match="more than one answer for municipality 179"):
        kt.score_municipalities(doubled, YEAR, settings.scoring, settings.codebook)


def test_unscored_answer_is_an_error(muni, settings):
    bad = muni.copy()
    bad.loc[0, "tilat"] = "joskus"
    with pytest.raises(KartoitusError, match=r"\['joskus'\] of question 'tilat' \(municipality 179\)"):
        kt.score_municipalities(bad, YEAR, settings.scoring, settings.codebook)


def test_region_summary_median_of_answering(muni, population, settings):
    scores = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, population)
    med = kt.region_summary(scores)
    assert med.attrs["n"] == 3
    assert med["strategia_malli"] == pytest.approx(50.0)      # 75, 0, 50
    assert med["rakenteet"] == pytest.approx(62.5)            # 75, 50 (Hankasalmi NaN)
    assert med["nakyvyys"] == pytest.approx(50.0)             # 100, 0
    assert med[kt.TOTAL] == pytest.approx(54.166667, abs=1e-5)


def test_change_since(muni, population, settings):
    scores = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, population)
    previous = pd.DataFrame({
        "kunta": [179, 77, 992], "vastannut": [True, True, True],
        "strategia_malli": [50.0, 25.0, 10.0], "rakenteet": [75.0, 50.0, NA], "kokonaispisteet": [70.0, 30.0, 5.0],
    })
    ch = kt.change_since(previous, scores).set_index("kunta")
    assert ch.loc["179", "strategia_malli"] == pytest.approx(25.0)
    assert ch.loc["179", "rakenteet"] == pytest.approx(0.0)
    assert ch.loc["077", "strategia_malli"] == pytest.approx(-25.0)
    assert np.isnan(ch.loc["077", "rakenteet"])               # no score now
    assert np.isnan(ch.loc["179", "avustukset"])              # no column before
    assert np.isnan(ch.loc["410", "strategia_malli"])         # not in the previous wave
    assert np.isnan(ch.loc["992", "strategia_malli"])         # did not answer now
    assert ch.loc["179", kt.TOTAL] == pytest.approx(6.020408, abs=1e-5)
    assert not ch.loc["410", "vastannut_edellinen"] and ch.loc["992", "vastannut_edellinen"]


def test_checklist_states(muni, settings):
    cl = kt.checklist(muni, YEAR, settings.scoring, settings.codebook)
    assert len(cl) == 22 * 8
    assert set(cl["tila"]) <= set(kt.CHECK_STATES)
    state = cl.set_index(["kunta", "kohta"])["tila"]
    assert state["179", "strategia"] == "täyttyy"
    assert state["179", "tilat"] == "täyttyy"
    assert state["179", "hyte_osallisuus"] == "ei täyty"       # satunnaisesti, not säännöllisesti
    assert state["179", "foorumit"] == "täyttyy"               # 3 >= 2
    assert state["179", "palveluohjaus"] == "ei täyty"
    assert state["077", "strategia"] == "ei tietoa"            # eos
    assert state["077", "yhdyshenkilo"] == "ei tietoa"         # blank
    assert state["077", "foorumit"] == "ei tietoa"
    assert state["077", "avustusperusteet"] == "ei täyty"
    assert state["077", "hyte_osallisuus"] == "täyttyy"
    assert state["410", "tilat"] == "ei täyty"                 # markkinahinta
    assert state["410", "palveluohjaus"] == "täyttyy"
    assert (cl[cl.kunta == "992"]["tila"] == "ei vastannut").all()
    text = cl[(cl.kunta == "179") & (cl.kohta == "verkkosivut")]["kohta_teksti"].iloc[0]
    assert text == "Verkkosivuilla on järjestöosio"


def assoc_frame() -> pd.DataFrame:
    rows = []
    # Jyväskylä: 6 associations
    yhd = [5, 4, 2, 1, 2, NA]       # n 5, 2 agree -> 40 % (municipality: yes) -> conflict
    osa = [4, 4, 4, 3, 5, 5]        # n 6, 5 agree -> 83.3 %, mean 25/6
    for a, b in zip(yhd, osa):
        rows.append({"kotikunta": "179", "yhteistyo_yhdyshenkilo": a, "yhteistyo_osallisuus": b})
    # Hankasalmi: 5 associations; yhdyshenkilo only 3 answers -> suppressed
    tied = [4, 5, 4, 4, 2]          # n 5, 80 % agree (municipality: no) -> conflict
    for i, t in enumerate(tied):
        rows.append({"kotikunta": 77, "yhteistyo_tiedonkulku": t,
                     "yhteistyo_yhdyshenkilo": 5 if i < 3 else NA})
    # outside the region: ignored
    rows.append({"kotikunta": "ulkopuolella", "yhteistyo_yhdyshenkilo": 1})
    cols = ["kotikunta", "yhteistyo_tuntee", "yhteistyo_tiedonkulku", "yhteistyo_osallisuus",
            "yhteistyo_yhdyshenkilo", "yhteistyo_arvostus", "yhteistyo_sujuvuus"]
    return pd.DataFrame([{c: r.get(c, NA) for c in cols} for r in rows], columns=cols)


def test_two_views_hide_what_the_report_hides(muni, settings):
    """By default the figures are hidden exactly where the report's yhteistyo_kunta
    hides them: Jyväskylä's five ratings of yhdyshenkilo are 1, 2, 2, 4, 5, so every
    count of the row is 1-4: the report hides the share agreeing and the mean (they
    would give the counts away) and so do the two views; the n stays."""
    from kartoitus.publication import indicators

    hidden = indicators.cooperation_hidden(assoc_frame(), YEAR, 5, settings)
    tv = kt.two_views(assoc_frame(), muni, YEAR, settings.scoring, settings.codebook, threshold=5,
                      hidden=hidden).set_index(["kunta", "vaite"])
    report = indicators.yhteistyo_kunta(assoc_frame(), YEAR, settings, threshold=5)
    i = report.frame.index[report.frame["avain"] == "179:yhteistyo_yhdyshenkilo"][0]
    r = tv.loc[("179", "yhteistyo_yhdyshenkilo")]
    assert report.is_suppressed(i, "samaa_mielta") and report.is_suppressed(i, "keskiarvo")
    assert not report.is_suppressed(i, "n") and r["n"] == 5 and not r["suojattu"]
    assert r["samaa_mielta_suojattu"] and r["keskiarvo_suojattu"]
    assert np.isnan(r["samaa_mielta_pct"]) and np.isnan(r["keskiarvo"])
    assert not r["ristiriita"] and r["ristiriita_selite"] == ""    # no judgement on a hidden share
    for (code, statement), row in tv.iterrows():
        hit = report.frame.index[report.frame["avain"] == f"{code}:{statement}"]
        if len(hit):
            assert row["suojattu"] == report.is_suppressed(hit[0], "n"), (code, statement)
            assert row["samaa_mielta_suojattu"] == (row["n"] > 0 and report.is_suppressed(hit[0], "samaa_mielta"))
            assert row["keskiarvo_suojattu"] == (row["n"] > 0 and report.is_suppressed(hit[0], "keskiarvo"))


def test_two_views(muni, settings):
    # hidden={}: only the threshold on each n (the logic of the views, not the shared mask)
    tv = kt.two_views(assoc_frame(), muni, YEAR, settings.scoring, settings.codebook, threshold=5, hidden={})
    assert len(tv) == 22 * 6
    v = tv.set_index(["kunta", "vaite"])

    r = v.loc[("179", "yhteistyo_yhdyshenkilo")]
    assert r["n"] == 5 and r["keskiarvo"] == pytest.approx(2.8) and r["samaa_mielta_pct"] == pytest.approx(40.0)
    assert not r["suojattu"] and r["kunta_sanoo"] == "kyllä" and r["ristiriita"]
    assert r["ristiriita_selite"] == "Kunta vastaa kyllä, mutta vain 40\u00a0% sen yhdistyksistä on samaa mieltä."
    assert r["vaite_teksti"] == "Tiedämme, kehen kunnassa voimme ottaa yhteyttä"

    r = v.loc[("179", "yhteistyo_osallisuus")]
    assert r["samaa_mielta_pct"] == pytest.approx(500 / 6) and r["keskiarvo"] == pytest.approx(25 / 6)
    assert r["kunta_sanoo"] == "kyllä" and not r["ristiriita"]

    r = v.loc[("179", "yhteistyo_tiedonkulku")]
    assert r["kunnan_vastaus"] == "Järjestöosio verkkosivuilla: Kyllä; Foorumeita vuodessa: 3"
    assert r["n"] == 0 and np.isnan(r["keskiarvo"]) and not r["suojattu"] and not r["ristiriita"]

    r = v.loc[("077", "yhteistyo_yhdyshenkilo")]   # 3 answers < 5: hidden
    assert r["n"] == 3 and r["suojattu"]
    assert np.isnan(r["keskiarvo"]) and np.isnan(r["samaa_mielta_pct"]) and not r["ristiriita"]
    assert r["kunta_sanoo"] == "ei tietoa"

    r = v.loc[("077", "yhteistyo_tiedonkulku")]     # website "ei", forums blank -> "ei"
    assert r["kunta_sanoo"] == "ei" and r["samaa_mielta_pct"] == pytest.approx(80.0) and r["ristiriita"]
    assert r["kunnan_vastaus"] == "Järjestöosio verkkosivuilla: Ei; Foorumeita vuodessa: ei vastausta"

    assert v.loc[("077", "yhteistyo_tuntee"), "kunta_sanoo"] == "ei"          # eos + ei
    assert v.loc[("410", "yhteistyo_tuntee"), "kunta_sanoo"] == "kyllä"       # ei + kylla (any)
    assert v.loc[("410", "yhteistyo_sujuvuus"), "kunta_sanoo"] == "ei"        # kokonaisarvio 2
    assert v.loc[("179", "yhteistyo_sujuvuus"), "kunta_sanoo"] == "kyllä"     # kokonaisarvio 4
    assert (tv[tv.kunta == "992"]["kunta_sanoo"] == "ei vastannut").all()

    # with a threshold of 3 Hankasalmi's three answers are shown
    low = kt.two_views(assoc_frame(), muni, YEAR, settings.scoring, settings.codebook, threshold=3, hidden={}).set_index(["kunta", "vaite"])
    assert not low.loc[("077", "yhteistyo_yhdyshenkilo"), "suojattu"]
    assert low.loc[("077", "yhteistyo_yhdyshenkilo"), "samaa_mielta_pct"] == 100.0


def test_describe_scoring_for_methods(settings):
    desc = kt.describe_scoring(YEAR, settings.scoring, settings.codebook)
    assert [d["id"] for d in desc] == DIMS
    rak = desc[1]
    assert rak["label"] == "Rakenteet" and rak["max_points"] == 4
    forums = rak["items"][1]
    assert forums["points"] == [
        {"answer": "vähintään 4 kertaa vuodessa", "points": 2.0},
        {"answer": "vähintään 2 ja alle 4 kertaa vuodessa", "points": 1.0},
        {"answer": "alle 2 kertaa vuodessa", "points": 0.0},
    ]
    strat = desc[0]["items"][0]["points"]
    assert strat[0] == {"answer": "Kyllä", "points": 2.0}
    assert strat[-1]["answer"].startswith("En osaa sanoa")
    assert "asukasluku" in desc[3]["items"][1]["note"]


def test_bad_scoring_file_names_the_problem(tmp_path: Path, settings):
    text = (settings.data_dir / kt.SCORING_FILE).read_text(encoding="utf-8")
    bad = tmp_path / "kuntatutka.yaml"
    bad.write_text(text.replace("points: {kylla: 2, ei: 0}\n      - id: foorumit",
                                "points: {kylla: 2}\n      - id: foorumit"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"kuntatutka.yaml: item rakenteet.yhdyshenkilo: give points for options \['ei'\]"):
        kt.load_scoring(bad, settings.codebook)


# -- charts -------------------------------------------------------------------------

def _line(fig, gid):
    return [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == gid]


def test_radar_figure(muni, population, tmp_path: Path, settings):
    from matplotlib.figure import Figure

    from kartoitus.render.charts.base import figure_to_png
    from kartoitus.render.charts.radar import NOT_ANSWERED_TEXT, radar_figure

    scores = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, population)
    med = kt.region_summary(scores)
    labels = kt.dimension_labels(settings.scoring)
    s = scores.set_index("kunta", drop=False)

    fig = radar_figure(s.loc["179"], med, labels, "Kuntatutka 2025: Jyväskylä")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.name == "polar" and ax.get_ylim() == (0, 100)
    assert list(ax.get_yticks()) == [25, 50, 75, 100]
    (outline,) = _line(fig, "kunta")
    r = np.asarray(outline.get_ydata(), dtype=float)
    assert len(r) == 8 and np.isfinite(r).sum() == 8          # 7 vertices, closed
    assert r[:7] == pytest.approx([75, 75, 50, 75, 100, 100, 57.142857], abs=1e-5)
    (median_line,) = _line(fig, "mediaani")
    assert median_line.get_linestyle() != "-"                 # dashed
    assert np.asarray(median_line.get_ydata(), dtype=float)[0] == pytest.approx(50.0)
    texts = [t.get_text() for t in ax.texts]
    assert "Palveluohjaus\n57 p." in texts
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Jyväskylä", "Maakunnan mediaani (n = 3 kuntaa)"]
    (tmp_path / "radar_179.png").write_bytes(figure_to_png(fig))

    # partial answer: dimensions without data are not drawn as 0
    fig = radar_figure(s.loc["077"], med, labels, "Kuntatutka 2025: Hankasalmi")
    (outline,) = _line(fig, "kunta")
    r = np.asarray(outline.get_ydata(), dtype=float)
    assert np.isnan(r[[1, 4, 6]]).all() and np.isfinite(r).sum() == 5  # 4 vertices + closing
    hatched = [p for p in fig.axes[0].patches if p.get_gid() == "ei_tietoa"]
    assert len(hatched) == 3
    assert "Rakenteet\n(ei tietoa)" in [t.get_text() for t in fig.axes[0].texts]
    (tmp_path / "radar_077.png").write_bytes(figure_to_png(fig))

    # not answered: a message instead of a polygon
    fig = radar_figure(s.loc["992"], med, labels, "Kuntatutka 2025: Äänekoski")
    assert _line(fig, "kunta") == []
    assert NOT_ANSWERED_TEXT in [t.get_text() for t in fig.axes[0].texts]
    assert NOT_ANSWERED_TEXT == "Kunta ei vastannut kuntakyselyyn"
    png = figure_to_png(fig)
    assert png.startswith(b"\x89PNG")


def test_heat_table_figure(muni, population, tmp_path: Path, settings):
    from kartoitus.render.charts.base import figure_to_png
    from kartoitus.render.charts.radar import heat_table_figure

    scores = kt.score_municipalities(muni, YEAR, settings.scoring, settings.codebook, population)
    fig = heat_table_figure(scores, kt.dimension_labels(settings.scoring, include_total=True), "Kuntatutka 2025")
    ax = fig.axes[0]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 22 * 8
    assert cells[16:24] == ["75", "75", "50", "75", "100", "100", "57", "76"]  # Jyväskylä (3rd row)
    assert cells.count("\u2013") == 19 * 8 + 3 + 1   # 19 non-answering rows; 077: 3 dims blank, 410: 1
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[2] == "Jyväskylä" and names[-1] == "Äänekoski (ei vastannut)"
    assert fig.get_size_inches()[0] <= 6.7                 # fits an A4 page
    (tmp_path / "heat.png").write_bytes(figure_to_png(fig))


def test_wrap_fi_hyphenates_long_words():
    from kartoitus.render.charts.radar import wrap_fi

    assert wrap_fi("Osallisuus hyvinvointisuunnitteluun", 16) == "Osallisuus\nhyvinvointi-\nsuunnitteluun"
    assert wrap_fi("Kokonaispisteet", 12) == "Kokonais-\npisteet"
    assert wrap_fi("Tilat ja tukipalvelut", 16) == "Tilat ja\ntukipalvelut"


# -- the publication's kuntatutka (a small wave made by the real pipeline) -------------------

@pytest.fixture(scope="session")
def published(settings):
    import municipal_wave

    return municipal_wave.wave_input(settings), municipal_wave.publication(settings)


def test_kuntatutka_part_scores_the_wave_once(published, settings):
    data, pub = published
    tut = pub.kuntatutka
    assert data.population is not None                     # tests/fixtures/reference/vaesto.csv
    again = kt.score_municipalities(data.municipality, data.year, settings.scoring, settings.codebook,
                                    data.population)
    pd.testing.assert_frame_equal(tut.scores, again)
    without = kt.score_municipalities(data.municipality, data.year, settings.scoring, settings.codebook)
    answered = tut.scores["vastannut"].to_numpy()
    # the population makes the grants per inhabitant count: more items answered somewhere
    assert (tut.scores["avustukset__vastattu"][answered] >= without["avustukset__vastattu"][answered]).all()
    assert (tut.scores["avustukset__vastattu"][answered] > without["avustukset__vastattu"][answered]).any()
    assert tut.region_median.attrs["n"] == int(answered.sum())
    pd.testing.assert_series_equal(tut.region_median, kt.region_summary(tut.scores))
    assert len(tut.checklist) == 22 * len(settings.scoring.checklist)
    assert set(tut.checklist["tila"]) <= set(kt.CHECK_STATES)
    # the newest earlier wave of the data bank, scored from its own answers
    assert tut.previous_year == data.previous[0].year == 2024
    assert len(tut.previous_scores) == 22 and tut.previous_scores["vastannut"].any()


def test_radar_spec_draws_with_the_median_count(published, settings):
    from kartoitus.outputs import municipality as mu
    from kartoitus.render.charts import draw_png
    from kartoitus.render.charts.radar import radar_figure

    _, pub = published
    spec = mu.municipality_model(pub, "179")["radar"]["src"]
    assert draw_png(spec).startswith(b"\x89PNG")
    fig = radar_figure(*spec.args, **spec.kwargs)
    n = pub.kuntatutka.region_median.attrs["n"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Jyväskylä", f"Maakunnan mediaani (n = {n} kuntaa)"]
