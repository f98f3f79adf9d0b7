"""Three small demo waves side by side: the self-describing data bank and the trends.

One set of waves (2021, 2023, 2025; 90 association answers in the newest) is
generated and processed once per session. The data bank is read with plain
``sqlite3`` as a new user would; every trend value is checked against the processed
data of its own wave.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kartoitus.build.inputs import read_wave_input
from kartoitus.publication import publish
from kartoitus.stages import bank

YEARS = (2021, 2023, 2025)     # the waves of the ``waves`` fixture (conftest.py)


def _processed(root: Path, year: int, survey: str) -> pd.DataFrame:
    return bank.read_processed_csv(root / "processed" / str(year) / f"{survey}.csv")


# -- the data bank ----------------------------------------------------------------------

def test_a_new_user_lists_the_2025_questions_and_reads_answers_as_words(waves, settings):
    con = sqlite3.connect(waves / "processed" / "kartoitus.sqlite")
    questions = con.execute(
        "SELECT kysymys, otsikko FROM kysymykset WHERE kysely = 'jarjestokysely' "
        "AND kysytty_aalloissa LIKE '%2025%' ORDER BY jarjestys").fetchall()
    titles = dict(questions)
    assert titles["kotikunta"] == "Yhdistyksen kotikunta"
    assert titles["hva_avustus"].startswith("Saako yhdistys avustusta")
    assert "toimialat" in titles
    # the labelled view: one column per question, Finnish labels as values
    cur = con.execute("SELECT * FROM jarjestokysely_2025_nimin")
    columns = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == len(_processed(waves, 2025, "jarjestokysely"))
    view = pd.DataFrame(rows, columns=columns)
    tilat = dict(con.execute("SELECT avain, nimi FROM vaihtoehdot WHERE kysymys = 'kunta_tilat'").fetchall())
    assert set(view["kunta_tilat"].dropna()) <= set(tilat.values())
    assert "Kyllä, maksutta" in set(view["kunta_tilat"])
    outside = set(view["kotikunta"].dropna()) - {m.name for m in settings.codebook.municipalities}
    assert view["kotikunta"].notna().mean() > 0.9 and outside <= {"Muu kunta Keski-Suomen ulkopuolella"}
    grid = {"Täysin eri mieltä", "Jokseenkin eri mieltä", "Ei samaa eikä eri mieltä",
            "Jokseenkin samaa mieltä", "Täysin samaa mieltä"}
    assert set(view["yhteistyo_sujuvuus"].dropna()) <= grid
    # a multi-select: the chosen labels joined with "; "
    chosen = view["haasteet"].dropna().str.split("; ").explode()
    labels = {o.label for o in settings.codebook.association.question("haasteet").options} | {"Muu"}
    assert set(chosen) <= labels
    # the same answers as the processed data, counted by label
    data = _processed(waves, 2025, "jarjestokysely")
    assert (view["kunta_tilat"] == "Kyllä, maksutta").sum() == (data["kunta_tilat"] == "maksutta").sum()


def test_the_shared_tables_hold_no_names_no_free_text(waves, settings):
    con = sqlite3.connect(waves / "processed" / "kartoitus.sqlite")
    shared = dict(con.execute("SELECT nimi, jaettavissa FROM taulut").fetchall())
    assert shared["jarjestokysely_2025_nimin"] == "kyllä"
    assert shared["jarjestokysely_2025"] == "ei" and shared["auditointi_2025"] == "ei"
    assert {n for n, ok in shared.items() if ok == "kyllä"} >= {"kysymykset", "vaihtoehdot", "kunnat", "liput"}
    hidden = {q.id for s in settings.codebook.surveys.values() for q in s.questions
              if q.personal or q.identifying or q.type == "text"}
    for name, ok in shared.items():
        if ok != "kyllä" or not name.endswith("_nimin"):   # the rest describe the codebook
            continue
        cols = {r[1] for r in con.execute(f'PRAGMA table_info("{name}")')}
        assert not cols & (hidden | {"tiedosto", "rivi", "aikaleima"}), name
        assert not any(c.endswith("__muu") for c in cols), name


def test_the_bank_describes_waves_options_municipalities_flags_and_audit_in_finnish(waves, settings):
    con = sqlite3.connect(waves / "processed" / "kartoitus.sqlite")
    assert [r[0] for r in con.execute("SELECT vuosi FROM aallot ORDER BY vuosi")] == list(YEARS)
    asked = dict(con.execute("SELECT kysymys, kysytty_aalloissa FROM kysymykset "
                             "WHERE kysely = 'jarjestokysely'").fetchall())
    assert asked["hva_avustus"] == "2023, 2025" and asked["budjetti"] == "2021, 2023, 2025"
    renamed = con.execute("SELECT nimi, aiemmat_nimet FROM vaihtoehdot WHERE kysymys = 'kunta_tilat' "
                          "AND avain = 'maksullinen'").fetchone()
    assert renamed == ("Kyllä, maksua vastaan", "Kyllä, vuokralla (–2021)")
    # 2021 asked the same option with its earlier label: the answers are the same option
    old = _processed(waves, 2021, "jarjestokysely")
    assert (old["kunta_tilat"] == "maksullinen").sum() > 0
    cols_2021 = {r[1] for r in con.execute("PRAGMA table_info(jarjestokysely_2021_nimin)")}
    assert "hva_avustus" not in cols_2021 and "kunta_tilat" in cols_2021
    kunnat = con.execute("SELECT nimi, seutukunta FROM kunnat WHERE koodi = '179'").fetchone()
    assert kunnat == ("Jyväskylä", "Jyväskylän seutukunta")
    flags = dict(con.execute("SELECT lippu, selite FROM liput").fetchall())
    assert flags and all(flags.values())
    audit_cols = [r[1] for r in con.execute("PRAGMA table_info(auditointi_2025)")]
    assert audit_cols == ["tiedosto", "rivi", "kysely", "tila", "syy", "liput", "korjaukset", "korvaava_rivi"]
    states = {r[0] for r in con.execute("SELECT DISTINCT tila FROM auditointi_2025")}
    assert states <= {"mukana", "korvattu", "hylätty"} and "mukana" in states
    assert "audit_2025" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}


# -- the demo waves ---------------------------------------------------------------------

def test_demo_waves_change_plausibly(waves, settings):
    from kartoitus.demo.config import load_demo_config
    from kartoitus.demo.people import improving_municipalities

    raw = waves / "raw"
    title = settings.codebook.association.question("hva_avustus").title
    assert title not in (raw / "2021" / "jarjestokysely_vastaukset.csv").read_text(encoding="utf-8")
    assert title in (raw / "2023" / "jarjestokysely_vastaukset.csv").read_text(encoding="utf-8")
    sizes = [len(_processed(waves, y, "jarjestokysely")) for y in YEARS]
    assert sizes[0] < sizes[2]
    # the same associations answer again (same name), some stop and some start
    names = {y: set(_processed(waves, y, "jarjestokysely")["nimi"]) for y in YEARS}
    both = names[2023] & names[2025]
    assert 5 < len(both) < len(names[2025])     # about 60 % in the 900-answer demo
    assert names[2023] - names[2025] and names[2025] - names[2023]
    improving = improving_municipalities(settings.codebook, load_demo_config(settings.data_dir), 11)
    assert 0 < len(improving) < len(settings.codebook.municipalities.for_year(2025))


# -- the trends -------------------------------------------------------------------------

def _share(values: pd.Series, hit) -> float:
    answered = values.dropna()
    return float(hit(answered).sum() / len(answered) * 100)


def test_key_figures_are_each_waves_own_figures(waves_pub, waves):
    tr = waves_pub.trends
    assert tr.years == YEARS
    t = tr.key_figures
    rows = t.frame.set_index("avain")
    mask = t.mask().set_index(t.frame["avain"])
    for y in YEARS:
        data = _processed(waves, y, "jarjestokysely")
        col = f"v{y}"
        assert rows.at["vastaajat", col] == len(data)
        for key, column, hit in (("kunta_avustus", "kunta_avustus", lambda s: s == "kylla"),
                                 ("kunta_tilat", "kunta_tilat", lambda s: s == "maksutta"),
                                 ("sujuvuus", "yhteistyo_sujuvuus", lambda s: s >= 4)):
            if mask.at[key, col]:
                assert np.isnan(rows.at[key, col])
            else:
                assert rows.at[key, col] == pytest.approx(_share(data[column], hit))
    # not asked in 2021: empty, and no change is computed against it
    assert np.isnan(rows.at["hva_avustus", "v2021"])
    assert rows.at["hva_avustus", "muutos"] == pytest.approx(rows.at["hva_avustus", "v2025"]
                                                             - rows.at["hva_avustus", "v2023"])
    assert rows.at["vastaajat", "muutos"] == rows.at["vastaajat", "v2025"] - rows.at["vastaajat", "v2023"]


def test_municipality_trends_follow_each_wave_and_hide_small_counts(waves_pub, waves, settings):
    tr = waves_pub.trends
    threshold = waves_pub.threshold
    checked = hidden = 0
    for code, mt in tr.municipalities.items():
        views = mt.views
        frame, mask = views.frame.set_index("avain"), views.mask().set_index(views.frame["avain"])
        for y in YEARS:
            data = _processed(waves, y, "jarjestokysely")
            own = data[data["kotikunta"] == code]["yhteistyo_sujuvuus"].dropna()
            col = f"v{y}"
            if "yhteistyo_sujuvuus" not in frame.index:
                continue
            if mask.at["yhteistyo_sujuvuus", col]:
                hidden += 1
                assert np.isnan(frame.at["yhteistyo_sujuvuus", col])
            elif not np.isnan(frame.at["yhteistyo_sujuvuus", col]):
                assert len(own) >= threshold
                assert frame.at["yhteistyo_sujuvuus", col] == pytest.approx(_share(own, lambda s: s >= 4))
                checked += 1
        # a change is never shown next to a hidden figure
        for key in frame.index:
            if mask.at[key, "v2025"] or mask.at[key, "v2023"]:
                assert mask.at[key, "muutos"] and np.isnan(frame.at[key, "muutos"])
    assert checked > 0 and hidden > 0
    # kuntatutka totals per wave against the scoring of that wave's municipality survey
    from kartoitus.publication.kuntatutka import score_municipalities
    code = "179"
    scores = tr.municipalities[code].scores
    row = scores.frame.set_index("avain").loc["kokonaispisteet"]
    for y in YEARS:
        s = score_municipalities(_processed(waves, y, "kuntakysely"), y, settings.scoring, settings.codebook)
        own = s.loc[s["kunta"].astype(str) == code, "kokonaispisteet"]
        expected = float(own.iloc[0]) if len(own) and pd.notna(own.iloc[0]) else np.nan
        assert row[f"v{y}"] == pytest.approx(expected, nan_ok=True)


def test_sector_change_uses_the_previous_waves_figures(waves_pub, waves, settings):
    tr = waves_pub.trends
    assert tr.sectors
    for key, st in tr.sectors.items():
        t = st.table
        frame, mask = t.frame.set_index("avain"), t.mask().set_index(t.frame["avain"])
        for y in (st.previous_year, 2025):
            data = _processed(waves, y, "jarjestokysely")
            col = f"v{y}"
            if not mask.at["yhdistyksia", col]:
                assert frame.at["yhdistyksia", col] == (data["paatoimiala"] == key).sum()
            else:
                assert np.isnan(frame.at["yhdistyksia", col])
        if mask.at["yhdistyksia", f"v{st.previous_year}"]:
            assert mask.at["yhdistyksia", "muutos"]


def test_report_municipality_and_infographic_show_the_trend(waves_pub, tmp_path):
    from kartoitus.outputs.infographic import infographic_model
    from kartoitus.outputs.municipality import municipality_model
    from kartoitus.outputs.report import report_model
    from kartoitus.render.document import render_html
    from kartoitus.render.infographic import render_model
    from kartoitus.render.municipality import TEMPLATE, draw

    chapters = report_model(waves_pub)["chapters"]
    trend = next(c for c in chapters if c["id"] == "kehitys")
    assert trend["sections"][0]["figure"]["alt"].startswith("Viivakuvio vuosista 2021–2025")
    html = render_html(TEMPLATE, draw(municipality_model(waves_pub, "179")))
    assert "Kehitys aalloittain 2021–2025" in html and "Kuntatutkan pisteet aalloittain" in html
    key = next(iter(waves_pub.trends.sectors))
    model = infographic_model(waves_pub, key)
    assert model["change"]["title"].startswith("Muutos edellisestä aallosta")
    pdf, _png = render_model(model)
    from io import BytesIO

    from pypdf import PdfReader
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "Muutos edellisestä aallosta" in reader.pages[0].extract_text()


def test_the_compared_figures_come_from_kehitys_yaml(waves, settings, tmp_path):
    """Staff rename, add or drop a figure compared across waves in the data file, not in code."""
    import shutil

    from kartoitus.settings import load_settings

    folder = tmp_path / "data"
    shutil.copytree(settings.data_dir, folder)
    path = folder / "kehitys.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('nimi: "Saa avustusta kotikunnalta, %"', 'nimi: "Kunnan avustus, %"')
    text = text.replace("tunnusluvut:\n", 'tunnusluvut:\n  - {id: ei_tiloja, nimi: "Ei käytä kunnan tiloja, %", '
                        "taulu: kunta_tilat, rivi: ei, sarake: osuus, kysymykset: [kunta_tilat]}\n", 1)
    path.write_text(text, encoding="utf-8")
    own = load_settings(folder)
    trends = publish(read_wave_input(waves / "processed", 2025, own, previous="all"), own).trends
    t = trends.key_figures
    rows, mask = t.frame.set_index("avain"), t.mask().set_index(t.frame["avain"])
    assert list(rows.index[:2]) == ["ei_tiloja", "vastaajat"]
    assert rows.at["kunta_avustus", "tunnusluku"] == "Kunnan avustus, %"
    for y in YEARS:
        data = _processed(waves, y, "jarjestokysely")
        if not mask.at["ei_tiloja", f"v{y}"]:
            assert rows.at["ei_tiloja", f"v{y}"] == pytest.approx(_share(data["kunta_tilat"], lambda s: s == "ei"))


@pytest.mark.parametrize("entry, words", [
    ("{id: x, nimi: X, taulu: kunta_tilat, rivi: ei, sarake: osuus, kysymykset: [kuntatilat]}",
     "kehitys.yaml: tunnusluvut #1 (x): kysymystä kuntatilat ei ole"),
    ("{id: vastaajat, nimi: X, taulu: kunta_tilat, sarake: n, kysymykset: [kunta_tilat]}",
     "tunnus vastaajat on kahdesti"),
    ("{id: x, nimi: X, taulu: kunta_tilat, sarake: osuus, kysymykset: kunta_tilat}", "on luettelo"),
    ("{id: x, nimi: X, taulu: kunta_tilat, sarake: osuus, kysymys: [kunta_tilat]}", "tuntemattomat kentät kysymys"),
])
def test_a_wrong_kehitys_yaml_entry_is_named(settings, entry, words):
    import yaml

    from kartoitus.errors import ConfigError
    from kartoitus.settings.trends import parse_trend_figures

    raw = yaml.safe_load((settings.data_dir / "kehitys.yaml").read_text(encoding="utf-8"))
    raw["tunnusluvut"].insert(0, yaml.safe_load(entry))
    with pytest.raises(ConfigError, match=re.escape(words)):
        parse_trend_figures(raw, settings.codebook)


def test_a_table_or_column_the_publication_lacks_is_named(waves_pub, settings):
    from dataclasses import replace

    from kartoitus.errors import ConfigError
    from kartoitus.publication import trends as tr
    from kartoitus.settings.trends import TrendFigure

    fig = TrendFigure("x", "X", "kuntatilat", "ei", "osuus", ("kunta_tilat",))
    with pytest.raises(ConfigError, match="kehitys.yaml: tunnusluvut: x: taulua kuntatilat ei ole"):
        tr._figure_cell(waves_pub.tables, fig, "tunnusluvut")
    fig = replace(fig, table="kunta_tilat", column="osuuus")
    with pytest.raises(ConfigError, match="ei ole saraketta osuuus"):
        tr._figure_cell(waves_pub.tables, fig, "tunnusluvut")


def test_one_wave_has_no_trends(waves, settings):
    data = read_wave_input(waves / "processed", 2021, settings, previous="all")
    assert publish(data, settings, parts=("trends",)).trends is None


def test_the_infographic_command_shows_the_same_change_as_the_build(waves_pub, waves, settings):
    from kartoitus.build.infographic import read_sector_input
    from kartoitus.outputs.infographic import infographic_model
    from kartoitus.stages.wave import resolve_wave

    key = next(iter(waves_pub.trends.sectors))
    wave = resolve_wave(waves / "raw", waves / "processed", waves / "reports", 2025)
    alone = publish(read_sector_input(wave, settings), settings, parts=("sectors", "trends"), sectors=(key,))
    assert alone.trends.key_figures is None and set(alone.trends.sectors) == {key}
    assert infographic_model(alone, key)["change"] == infographic_model(waves_pub, key)["change"]
