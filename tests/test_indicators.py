"""Golden tests: indicator tables of the hand-counted fixture wave.

The expected numbers below were counted by hand from
tests/fixtures/processed/make_fixture.py (30 associations, 5 municipalities plus
one outside the region; 4 municipalities answered the municipality survey).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kartoitus.publication import indicators
from kartoitus.errors import InputError
from kartoitus.publication.indicators import compute_all
from kartoitus.stages.reference import load_reference
from kartoitus.tables import Table

FIX = Path(__file__).parent / "fixtures"
WAVE = FIX / "processed" / "2025"
CODES = {"kotikunta": str, "seutukunta_koodi": str, "kunta": str}
H = None  # a suppressed cell


@pytest.fixture(scope="module")
def frames():
    assoc = pd.read_csv(WAVE / "jarjestokysely.csv", dtype=CODES)
    muni = pd.read_csv(WAVE / "kuntakysely.csv", dtype=CODES)
    return assoc, muni


@pytest.fixture(scope="module")
def tables(frames, settings):
    assoc, muni = frames
    return compute_all(assoc, muni, 2025, settings, reference=load_reference(FIX / "reference"))


def col(t: Table, column: str, key_col: str = "avain") -> dict:
    """key -> value, None where suppressed."""
    out = {}
    for i, key in t.frame[key_col].items():
        out[key] = None if t.is_suppressed(i, column) else t.frame.at[i, column]
    return out


def approx_dict(d: dict) -> dict:
    return {k: (None if v is None else pytest.approx(v, abs=1e-6, nan_ok=True)) for k, v in d.items()}


# -- respondents --------------------------------------------------------------------------

def test_vastaajat_toimiala(tables):
    t = tables["vastaajat_toimiala"]
    assert t.n == 30
    expected = {"elakelaiset": 6, "lapsi_perhe": H, "omaiset": 0, "potilas_kansanterveys": 0,
                "vammaiset": H, "paihde_riippuvuus": 0, "mielenterveys": 0, "muu_sote": 0,
                "kulttuuri": 6, "liikunta": 5, "nuoriso": 0, "kyla_asukas": H, "ymparisto": 0,
                "turvallisuus": 0, "uskonnollinen": 0, "elinkeino_ammatti": 0, "muu": H}
    assert col(t, "lkm") == expected
    assert col(t, "osuus")["elakelaiset"] == pytest.approx(20.0)
    # the sote group (published: 14) is elakelaiset 6 + lapsi_perhe <5 + vammaiset 5, so the
    # suppression shared with vastaajat_ryhma hides vammaiset too (else lapsi_perhe = 14 - 6 - 5)
    assert col(t, "osuus")["vammaiset"] is None
    assert t.frame.loc[t.frame.avain == "muu", "vaihtoehto"].item() == "Muu tai luokittelematon"
    # suppressed values are blanked in the frame itself
    assert t.frame.loc[t.frame.avain == "lapsi_perhe", ["lkm", "osuus"]].isna().all(axis=None)


def test_vastaajat_ryhma(tables):
    t = tables["vastaajat_ryhma"]
    assert col(t, "lkm") == {"sote": 14, "muut": 16}
    assert approx_dict(col(t, "osuus")) == {"sote": pytest.approx(100 * 14 / 30),
                                           "muut": pytest.approx(100 * 16 / 30)}


def test_vastaajat_seutukunta(tables):
    t = tables["vastaajat_seutukunta"]
    assert col(t, "lkm") == {"131": 21, "132": 0, "133": H, "134": 0, "135": 5, "138": 0,
                             "ulkopuolella": H}
    assert col(t, "osuus")["131"] == pytest.approx(70.0)


def test_vastaajat_kunta_every_municipality_with_reference(tables):
    t = tables["vastaajat_kunta"]
    assert len(t.frame) == 22 + 1  # every municipality of 2025 and outside the region
    lkm = col(t, "lkm")
    assert {k: lkm[k] for k in ("179", "410", "992", "077", "249", "ulkopuolella", "172")} == \
        {"179": 12, "410": H, "992": 5, "077": H, "249": H, "ulkopuolella": H, "172": 0}
    # 410 is hidden as the complement of 077 in the Jyväskylä sub-region (131: 21 = 179 + 410 + 077
    # is published by vastaajat_seutukunta: one suppression over both tables)
    assert sum(v == 0 for v in lkm.values()) == 17
    per = col(t, "per_1000")
    assert per["179"] == pytest.approx(12 / 150000 * 1000)  # 2025 figure, not 2024
    assert per["410"] is None                                # hidden count -> rate too
    assert per["077"] is None                                # count suppressed -> rate too
    assert math.isnan(per["435"])                            # only a 2026 figure: not used
    rate = col(t, "vastausaste")
    assert rate["179"] == pytest.approx(1.0) and rate["410"] is None
    assert rate["992"] == pytest.approx(3.125) and rate["249"] is None
    assert "Väestö: vuoden 2025 tieto." in t.note


def test_vastaajat_kunta_without_reference(frames, settings):
    assoc, _ = frames
    t = indicators.vastaajat_kunta(assoc, 2025, settings)
    assert "vaesto" not in t.frame.columns and "per_1000" not in t.frame.columns
    assert "Väestötietoja ei ole saatavilla" in t.note
    assert "Yhdistysrekisterin tietoja ei ole saatavilla" in t.note


def test_vastausajat_and_source(tables):
    assert col(tables["vastausajat"], "lkm") == {"2025-09": 20, "2025-10": 10}
    assert tables["vastausajat"].frame.vaihtoehto.tolist() == ["syyskuu 2025", "lokakuu 2025"]
    # vastaus 24, three rule ids, one correction, two unclassified: three small cells
    assert col(tables["paatoimiala_lahde"], "lkm") == {"vastaus": 24, "saanto": H, "korjaus": H,
                                                      "muu": H}


# -- sectors, reach, size, people ----------------------------------------------------------

def test_toimialat_kattavuus(tables):
    t = tables["toimialat_kattavuus"]
    assert t.n == 27  # three left the question blank
    lkm = col(t, "lkm")
    assert {k: lkm[k] for k in ("elakelaiset", "lapsi_perhe", "potilas_kansanterveys", "vammaiset",
                                "kulttuuri", "liikunta", "nuoriso", "kyla_asukas", "muu", "omaiset")} \
        == {"elakelaiset": 6, "lapsi_perhe": H, "potilas_kansanterveys": H, "vammaiset": 5,
            "kulttuuri": 6, "liikunta": 8, "nuoriso": H, "kyla_asukas": H, "muu": H, "omaiset": 0}
    assert col(t, "osuus")["liikunta"] == pytest.approx(100 * 8 / 27)


def test_toiminta_alue_ulottuvuus_kokoluokka_secondary(tables):
    # 10, 10, 5, 3: the lone small cell 3 would follow from n = 28 -> 5 hidden too
    assert col(tables["toiminta_alue"], "lkm") == {"paikallinen": 10, "seudullinen": 10,
                                                   "maakunnallinen": H, "valtakunnallinen": H}
    assert tables["toiminta_alue"].n == 28
    assert col(tables["ulottuvuus"], "lkm") == {"paikallinen": 11, "seudullinen": 10,
                                                "maakunnallinen": H, "valtakunnallinen": H}
    # classes of luokittelu.yaml: 20-49 10, 100-299 14, 300+ 2 (the others 0, which
    # discloses nothing): 300+ is under 5 and the smallest other non-zero cell (10) hidden
    t = tables["kokoluokka"]
    assert t.n == 26
    assert col(t, "lkm") == {"alle_20": 0, "20_49": H, "50_99": 0, "100_299": 14, "300_": H}
    assert col(t, "osuus")["100_299"] == pytest.approx(100 * 14 / 26)


def test_toimintakunnat(tables):
    t = tables["toimintakunnat"]
    assert t.n == 29
    lkm = col(t, "lkm")
    assert {k: lkm[k] for k in ("179", "410", "992", "077", "249", "182")} == \
        {"179": 24, "410": 17, "992": 11, "077": H, "249": H, "182": 0}


def test_henkilot_toimiala(tables):
    t = tables["henkilot_toimiala"]
    f = t.frame.set_index("avain")
    el, ku, li, tot = f.loc["elakelaiset"], f.loc["kulttuuri"], f.loc["liikunta"], f.loc["yhteensa"]
    assert (el.jasenmaara_summa, el.jasenmaara_md, el.jasenmaara_q1, el.jasenmaara_q3, el.jasenmaara_n) \
        == (360, 52.5, 33.75, 75, 6)
    assert (ku.jasenmaara_summa, ku.jasenmaara_md, ku.jasenmaara_q1, ku.jasenmaara_q3) == (130, 20, 15, 25)
    assert (li.jasenmaara_summa, li.jasenmaara_md, li.jasenmaara_q1, li.jasenmaara_q3) == (880, 100, 80, 250)
    assert (tot.jasenmaara_summa, tot.jasenmaara_md, tot.jasenmaara_q1, tot.jasenmaara_q3,
            tot.jasenmaara_n) == (2405, 60, 31.25, 97.5, 26)
    assert (el.vapaaehtoiset_summa, el.vapaaehtoiset_md, el.vapaaehtoiset_q1, el.vapaaehtoiset_q3) \
        == (36, 5.5, 4.25, 7.5)
    assert (tot.vapaaehtoiset_summa, tot.vapaaehtoiset_md, tot.vapaaehtoiset_q1,
            tot.vapaaehtoiset_q3) == (247, 6, 5, 11.5)
    assert (tot.palkatut_htv_summa, tot.palkatut_htv_md, tot.palkatut_htv_n) == (8.5, 0, 27)
    assert (li.palkatut_htv_summa, li.palkatut_htv_q3) == (4, 1)
    # lapsi_perhe: 3 answers, vammaiset members: 4 answers -> hidden, and their sums too
    i_lp = t.frame.index[t.frame.avain == "lapsi_perhe"][0]
    i_va = t.frame.index[t.frame.avain == "vammaiset"][0]
    for c in ("jasenmaara_summa", "jasenmaara_md", "jasenmaara_n"):
        assert t.is_suppressed(i_lp, c) and t.is_suppressed(i_va, c)
    assert not t.is_suppressed(i_va, "palkatut_htv_summa")  # staff: 5 answers
    assert f.loc["vammaiset", "palkatut_htv_summa"] == 2


# -- single and multi questions -------------------------------------------------------------

def test_budjetti_ordered(tables):
    t = tables["budjetti"]
    assert t.frame.avain.tolist() == ["alle_1k", "1k_10k", "10k_50k", "50k_250k", "yli_250k", "eos"]
    assert col(t, "lkm") == {"alle_1k": 6, "1k_10k": 11, "10k_50k": 5, "50k_250k": H,
                             "yli_250k": H, "eos": H}
    assert t.n == 28
    assert col(t, "osuus")["1k_10k"] == pytest.approx(100 * 11 / 28)


def test_single_questions_with_secondary_suppression(tables):
    # kylla 10, ei 15, eos 2: eos alone could be recovered from n = 27 -> kylla hidden too
    assert col(tables["kunta_avustus"], "lkm") == {"kylla": H, "ei": 15, "eos": H}
    assert tables["kunta_avustus"].n == 27
    assert col(tables["kunta_tilat"], "lkm") == {"maksutta": H, "maksullinen": H, "ei": 16}
    assert col(tables["toimitilat"], "lkm") == {"oma": H, "vuokra": H, "kunta": 6,
                                                "muu_yhteiso": 10, "ei_tiloja": 5}
    assert col(tables["tulevaisuus"], "lkm") == {"laajenee": H, "ennallaan": 15, "supistuu": 5,
                                                 "loppuu": H, "eos": H}
    assert col(tables["ammattilaisuus"], "lkm") == {"ammatti": H, "harrastus": 5, "molemmat": H}
    assert tables["ammattilaisuus"].n == 7
    t = tables["hva_avustus"]
    assert t.asked and t.n == 15
    assert col(t, "lkm") == {"kylla": H, "ei": 11, "eos": H}


def test_hva_avustus_not_asked_before_2023(frames, settings):
    assoc, _ = frames
    old = assoc.drop(columns=["hva_avustus"])
    t = indicators.hva_avustus(old, 2021, settings)
    assert t.asked is False
    assert t.note == "Kysymystä ei esitetty vuoden 2021 kyselyssä."
    assert t.frame.empty  # never zeros
    # even if a 2021 file had the column, the codebook says it was not asked
    assert indicators.hva_avustus(assoc, 2021, settings).asked is False


def test_multi_selects(tables):
    assert tables["rahoitus"].n == 28
    assert col(tables["rahoitus"], "lkm") == {
        "jasenmaksut": 27, "kunta": 10, "stea": H, "saatiot": H, "varainhankinta": 7,
        "seurakunta": H, "hanke": 0, "palvelumyynti": H, "muu": H}
    assert tables["kohderyhmat"].n == 28
    assert col(tables["kohderyhmat"], "lkm") == {
        "lapset": 6, "nuoret": 5, "lapsiperheet": H, "tyoikaiset": H, "ikaantyneet": 6,
        "vammaiset": 5, "pitkaaikaissairaat": H, "omaishoitajat": 0, "maahanmuuttajat": H,
        "tyottomat": 0, "kaikki": 6}
    assert col(tables["kohderyhmat"], "osuus")["kaikki"] == pytest.approx(100 * 6 / 28)
    assert tables["toimintamuodot"].n == 29
    assert col(tables["toimintamuodot"], "lkm") == {
        "vertaistuki": 11, "harrastus_virkistys": 20, "tapahtumat": 9, "vapaaehtoistoiminta": H,
        "neuvonta": H, "edunvalvonta": 5, "koulutus": 0, "palvelutuotanto": H,
        "kohtaamispaikka": H, "muu": H}
    assert tables["taidelajit"].n == 7
    assert col(tables["taidelajit"], "lkm") == {
        "musiikki": H, "teatteri": H, "tanssi": H, "kuvataide": H, "kirjallisuus": 0,
        "kasityo": H, "elokuva_media": 0, "sirkus": 0, "kulttuuriperinto": H, "muu": H}
    assert tables["kumppanit"].n == 26
    assert col(tables["kumppanit"], "lkm") == {
        "yhdistykset": 20, "kunta": 10, "hyvinvointialue": H, "seurakunta": H,
        "oppilaitokset": 5, "yritykset": H, "liitto": 14, "muu": H}
    assert tables["haasteet"].n == 28
    assert col(tables["haasteet"], "lkm") == {
        "aktiivit": 20, "rahoitus": 10, "tilat": 6, "jasenkato": 6, "hallinto": H,
        "nakyvyys": 5, "kuntayhteistyo": H, "muu": H}
    assert tables["yhteistyotoiveet"].n == 25
    assert col(tables["yhteistyotoiveet"], "lkm") == {
        "hyte": 5, "tapahtumat": 9, "palvelut": H, "tilat": 6, "viestinta": 9, "ohjaus": H, "muu": 0}
    assert col(tables["yhteistyotoiveet"], "osuus")["tapahtumat"] == pytest.approx(36.0)


def test_kohderyhmat_toimiala(tables):
    t = tables["kohderyhmat_toimiala"]
    assert t.n == 28
    f = t.frame.set_index("avain")
    assert f.loc["elakelaiset", "n"] == 6 and f.loc["elakelaiset", "p_ikaantyneet"] == 100
    assert f.loc["liikunta", "p_nuoret"] == 100
    assert f.loc["vammaiset", "p_vammaiset"] == 100
    rows = dict(zip(t.frame.avain, t.frame.index))
    # sectors with 3 answers are hidden whole; their small cells are protected in columns
    assert all(t.is_suppressed(rows["lapsi_perhe"], c) for c in t.value_columns)
    assert t.is_suppressed(rows["liikunta"], "p_lapset")      # 3 of 5
    assert t.is_suppressed(rows["kulttuuri"], "p_kaikki")     # 3 of 6
    assert not t.is_suppressed(rows["omaiset"], "n") and f.loc["omaiset", "n"] == 0


def test_yhteistyo_overall(tables):
    t = tables["yhteistyo"]
    assert t.n == 28
    f = t.frame.set_index("avain")
    tu = f.loc["yhteistyo_tuntee"]
    # 1:3, 2:5, 3:6, 4:11, 5:3 (n 28); 4-5 = 14 -> 50 %; mean 90/28
    assert tu.n == 28 and tu.samaa_mielta == pytest.approx(50.0)
    # the mean (90/28) with n is the weighted sum of the counts: hidden since counts are
    assert math.isnan(tu.keskiarvo)
    assert tu.p_3 == pytest.approx(100 * 6 / 28)
    # 1 and 5 are small; 4 would follow from the agreeing share, 2 from n: all hidden
    i = t.frame.index[t.frame.avain == "yhteistyo_tuntee"][0]
    assert [t.is_suppressed(i, f"p_{k}") for k in range(1, 6)] == [True, True, False, True, True]
    os_ = f.loc["yhteistyo_osallisuus"]   # 1:3, 2:11, 3:5, 4:5, 5:3, n 27
    assert os_.n == 27 and os_.p_2 == pytest.approx(100 * 11 / 27)
    assert os_.samaa_mielta == pytest.approx(100 * 8 / 27) and math.isnan(os_.keskiarvo)
    yh = f.loc["yhteistyo_yhdyshenkilo"]  # 1:0, 2:5, 3:6, 4:11, 5:6, n 28: nothing hidden
    assert [yh[f"p_{k}"] for k in range(1, 6)] == pytest.approx(
        [0, 100 * 5 / 28, 100 * 6 / 28, 100 * 11 / 28, 100 * 6 / 28])
    assert yh.samaa_mielta == pytest.approx(100 * 17 / 28) and yh.keskiarvo == pytest.approx(102 / 28)
    assert t.columns["p_1"] == "Täysin eri mieltä, %"


def test_yhteistyo_by_sector_and_municipality(tables):
    t = tables["yhteistyo_toimiala"]
    f = t.frame.set_index("avain")
    row = f.loc["elakelaiset:yhteistyo_osallisuus"]
    assert (row.n, row.p_2, row.keskiarvo) == (6, 100, 2)
    assert len(t.frame) == 17 * 6
    k = tables["yhteistyo_kunta"].frame.set_index("avain")
    r = k.loc["179:yhteistyo_tuntee"]
    # Jyväskylä (12): rows 1,2 -> 4; 7,8 -> 5; 10,11 -> 2; 15,16,17 -> 3; 21,22 -> 4; 29 blank
    # mean 39/11 hidden: the count of 2 (2 answers) is hidden and the mean would give it away
    assert r.n == 11 and math.isnan(r.keskiarvo)
    assert r.samaa_mielta == pytest.approx(100 * 6 / 11)
    assert math.isnan(k.loc["172:yhteistyo_tuntee", "keskiarvo"])


def test_vapaa_sana_counts_only(tables):
    t = tables["vapaa_sana"]
    assert col(t, "lkm") == {"kylla": 7, "ei": 23}
    text = t.frame.astype(str).to_string()
    assert "HYPERLINK" not in text and "Lisää tiloja" not in text


# -- municipality survey --------------------------------------------------------------------

def test_kunnat_vastaukset(tables):
    t = tables["kunnat_vastaukset"]
    assert len(t.frame) == 22 and t.n == 4
    f = t.frame.set_index("avain")
    assert f.loc["249", "tila"] == "ei vastannut" and f.loc["179", "tila"] == "vastasi"
    assert f.loc["179", "strategia"] == "Kyllä"
    assert f.loc["410", "toimintamalli"] == "Valmisteilla"
    assert f.loc["179", "tukipalvelut"] == ("Apu viestintään ja markkinointiin; Välineiden lainaus "
                                            "(esim. lava, teltat, äänentoisto); Koulutus ja neuvonta")
    assert f.loc["410", "tukipalvelut"] == "Välineiden lainaus (esim. lava, teltat, äänentoisto); Muu"
    assert f.loc["992", "ty_sosiaali"] == "Ei yhteistyötä" and f.loc["179", "ty_sosiaali"] == "Tiivistä"
    assert f.loc["179", "avustukset_eur"] == 250000
    assert f.loc["179", "avustukset_per_asukas"] == pytest.approx(250000 / 150000)
    # free text only as answered yes/no; personal fields never
    assert f.loc["179", "kehittamistarpeet"] == "Kyllä" and f.loc["410", "kehittamistarpeet"] == "Ei"
    assert f.loc["179", "vastaajan_tehtava"] == "Kyllä"
    assert "=SUM(A1)" not in t.frame.astype(str).to_string()
    assert "Hyvinvointikoordinaattori" not in t.frame.astype(str).to_string()
    assert not {"sahkoposti", "vastaaja"} & set(t.frame.columns)
    assert f.loc["249"].drop(["kunta", "seutukunta", "tila"]).isna().all()
    assert not t.mask().to_numpy().any()  # municipalities: published as they are


def test_kunnat_summaries(tables):
    t = tables["kunnat_yhteenveto"]
    lkm = dict(zip(t.frame.avain, t.frame.lkm))
    assert lkm["strategia:kylla"] == 2 and lkm["strategia:valmisteilla"] == 1
    assert lkm["avustusperusteet:kylla"] == 3 and lkm["tilat:ei_tiloja"] == 0
    assert lkm["palveluohjaus:satunnaisesti"] == 2
    luvut = tables["kunnat_luvut"].frame.set_index("avain")
    assert tuple(luvut.loc["foorumit", ["n", "summa", "keskiarvo", "mediaani", "pienin", "suurin"]]) == \
        (4, 7, 1.75, 1.5, 0, 4)
    assert luvut.loc["avustukset_eur", "summa"] == 320000 and luvut.loc["avustukset_eur", "n"] == 3
    assert luvut.loc["kokonaisarvio", "keskiarvo"] == 3 and math.isnan(luvut.loc["kokonaisarvio", "summa"])
    g = tables["kunnat_toimialayhteistyo"].frame.set_index("avain")
    assert tuple(g.loc["ty_sosiaali", ["c_1", "c_2", "c_3", "n"]]) == (1, 2, 1, 4)  # tiivis, satunn., ei
    assert tuple(g.loc["ty_tekninen", ["c_1", "c_2", "c_3", "n"]]) == (0, 1, 2, 3)
    assert g.loc["ty_liikunta", "p_1"] == 75
    s = tables["kunnat_tukipalvelut"]
    assert s.n == 3
    assert dict(zip(s.frame.avain, s.frame.lkm)) == {"viestinta": 1, "valineet": 2, "koulutus": 1,
                                                      "tapahtumatuki": 1, "muu": 1}


def test_municipality_tables_without_survey(frames, settings):
    assoc, _ = frames
    out = compute_all(assoc, None, 2025, settings)
    assert out["kunnat_vastaukset"].asked is False
    assert "Kuntakyselyn aineistoa ei ole" in out["kunnat_vastaukset"].note


# -- whole-set properties ----------------------------------------------------------------------

def test_every_question_is_in_some_table(tables, settings):
    """Walk the codebook: every non-personal question is the source of some table; every
    question other than text appears in a table besides the item-response table."""
    cb = settings.codebook
    sources = {tid: set(t.source.split(",")) for tid, t in tables.items()}
    for survey in (cb.association, cb.municipality):
        for q in survey.asked_in(2025):
            if q.personal:
                assert not any(q.id in s for s in sources.values()), q.id
                continue
            if q.id == survey.key and survey.id == "kuntakysely":
                continue  # the municipality is the row of every municipality table
            assert any(q.id in s for s in sources.values()), f"{survey.id}.{q.id} in no table"
            if q.type != "text":
                assert any(q.id in s for tid, s in sources.items() if tid != "vastauskattavuus"), q.id


def test_no_published_small_counts_and_shapes(tables):
    from kartoitus.publication.suppression import check

    assert list(tables)[:4] == ["vastaajat_toimiala", "vastaajat_ryhma", "vastaajat_seutukunta",
                                "vastaajat_kunta"]
    for tid, t in tables.items():
        assert t.suppressed is not None and t.suppressed.shape == t.frame.shape
        for c in t.value_columns:
            assert c in t.columns, f"{tid}.{c} has no Finnish header"
        if not tid.startswith("kunnat_"):
            assert check(t) == [], tid
            pct = [c for c, k in t.kinds.items() if k == "percent"]
            vals = t.frame[pct].to_numpy(dtype=float)
            assert np.nanmin(vals, initial=0) >= 0 and np.nanmax(vals, initial=0) <= 100


def test_inputs_not_modified_and_codes_as_numbers(frames, settings):
    assoc, muni = frames
    before = assoc.copy()
    compute_all(assoc, muni, 2025, settings)
    pd.testing.assert_frame_equal(assoc, before)
    numeric = assoc.assign(kotikunta=pd.to_numeric(assoc.kotikunta, errors="coerce"))
    t = indicators.vastaajat_kunta(numeric, 2025, settings)
    lkm = dict(zip(t.frame.avain, t.frame.lkm))
    assert lkm["179"] == 12
    raw = indicators.vastaajat_kunta(numeric, 2025, settings, threshold=0)
    full = dict(zip(raw.frame.avain, raw.frame.lkm))
    assert full["410"] == 6 and full["077"] > 0  # 077 read as 77 still lands on Hankasalmi
    assert t.frame.loc[t.frame.avain == "077"].index.size == 1


def test_threshold_is_configurable(frames, settings):
    assoc, _ = frames
    t = indicators.kunta_avustus(assoc, 2025, settings, threshold=0)
    assert dict(zip(t.frame.avain, t.frame.lkm)) == {"kylla": 10, "ei": 15, "eos": 2}
    assert not t.mask().to_numpy().any()


def test_scales_to_many_rows(frames, settings):
    """Vectorised: 30,000 rows (1,000 copies) take well under a few seconds."""
    import time

    assoc, muni = frames
    big = pd.concat([assoc] * 1000, ignore_index=True)
    start = time.perf_counter()
    out = compute_all(big, muni, 2025, settings)
    assert time.perf_counter() - start < 20
    assert dict(zip(out["kunta_avustus"].frame.avain, out["kunta_avustus"].frame.lkm)) == \
        {"kylla": 10000, "ei": 15000, "eos": 2000}
    assert out["henkilot_toimiala"].frame.set_index("avain").loc["yhteensa", "jasenmaara_md"] == 60


# -- reference data ---------------------------------------------------------------------------

def test_reference_loader(tmp_path):
    ref = load_reference(FIX / "reference")
    pop, years = ref.population_for(2025)
    assert pop["179"] == 150000 and years == [2025]
    assert ref.associations_for(2025)[0]["077"] == 60  # "77" padded to three digits
    assert load_reference(tmp_path) is None
    (tmp_path / "vaesto.csv").write_text("kuntanumero;vuosi;vaesto\n179;2025;150 000\n", encoding="utf-8")
    r = load_reference(tmp_path)
    assert r.associations is None and r.population_for(2025)[0]["179"] == 150000


@pytest.mark.parametrize("text, message", [
    ("kunta,vuosi,vaesto\n179,2025,1\n", "sarakkeet puuttuvat: kuntanumero"),
    ("kuntanumero,vuosi,vaesto\n179,2025,paljon\n", "vaesto.csv, rivi 2, sarake 'vaesto'"),
    ("kuntanumero,vuosi,vaesto\nJKL,2025,1\n", "rivi 2, sarake 'kuntanumero'"),
    ("kuntanumero,vuosi,vaesto\n179,2025,1\n179,2025,2\n", "rivi 3: kunta 179 vuosi 2025"),
])
def test_reference_errors(tmp_path, text, message):
    (tmp_path / "vaesto.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_reference(tmp_path)
