from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kartoitus.stages.clean import (
    CleanResult,
    clean_survey,
    deduplicate,
    match_municipalities,
    normalise_name,
    normalise_register_number,
    parse_grid,
    parse_numbers,
    parse_scale,
    parse_single,
    split_multi,
)
from kartoitus.settings import load_settings
from kartoitus.errors import InputError
from kartoitus.stages.ingest import RawTable

SETTINGS = load_settings()   # as the CLI builds it, once
CB = SETTINGS.codebook
ASSOC = CB.association
MUNI = CB.municipality
MUNIS = CB.municipalities
OUTSIDE_LABEL = "Muu kunta Keski-Suomen ulkopuolella"


def Raw(path, survey, frame):
    return RawTable(path=Path(path), survey=survey, frame=frame, mapping=[],
                    extras=pd.DataFrame(index=frame.index), encoding="utf-8", delimiter=",")


# -- numbers ---------------------------------------------------------------------

NUMBERS = [
    ("n. 120", 120.0, None),
    ("noin 120", 120.0, None),
    ("yli 200", 200.0, "luku_yli"),
    ("200+", 200.0, "luku_yli"),
    ("alle 10", 10.0, "luku_alle"),
    ("100-150", 125.0, "luku_vali"),
    ("100–150", 125.0, "luku_vali"),
    ("100 - 150 jäsentä", 125.0, "luku_vali"),
    ("1 200", 1200.0, None),
    ("1\u00a0200", 1200.0, None),
    ("0,5", 0.5, None),
    ("0.5", 0.5, None),
    ("1.200", 1200.0, None),
    ("1,5", 1.5, None),
    ("25.000,00 €", 25000.0, None),
    ("25 000 €", 25000.0, None),
    ("25000€", 25000.0, None),
    ("1,2 milj.", 1200000.0, None),
    ("25 t€", 25000.0, None),
    ("n. 40000", 40000.0, None),
    ("120 jäsentä", 120.0, None),
    ("  35 ", 35.0, None),
    (35, 35.0, None),
    (12.5, 12.5, None),
    ("-", np.nan, None),
    ("?", np.nan, None),
    ("en tiedä", np.nan, None),
    ("eos", np.nan, None),
    ("", np.nan, None),
    (None, np.nan, None),
    ("ei yhtään", 0.0, None),
    ("ei", 0.0, None),
    ("-5", -5.0, "luku_epatavallinen"),
    ("abc", np.nan, "luku_tulkitsematon"),
    ("1.5.2019", np.nan, "luku_tulkitsematon"),
    ("12 15", np.nan, "luku_tulkitsematon"),
]


@pytest.mark.parametrize("raw,value,flag", NUMBERS)
def test_parse_numbers_table(raw, value, flag):
    out = parse_numbers(pd.Series([raw], dtype=object))
    got = out["value"].iloc[0]
    if np.isnan(value):
        assert np.isnan(got)
    else:
        assert got == pytest.approx(value)
    assert (out["flag"].iloc[0] if pd.notna(out["flag"].iloc[0]) else None) == flag


def test_parse_numbers_absurd_values_kept_and_flagged_and_index_kept():
    values = pd.Series(["150000", "50", "yli 200000"], index=[7, 8, 9])
    out = parse_numbers(values, maximum=100_000)
    assert out.index.tolist() == [7, 8, 9]
    assert out["value"].tolist() == [150000.0, 50.0, 200000.0]
    assert out.loc[7, "flag"] == "luku_epatavallinen"
    assert pd.isna(out.loc[8, "flag"])
    assert out.loc[9, "flag"] == "luku_yli;luku_epatavallinen"
    assert "100000" in out.loc[7, "note"]


# -- municipalities ----------------------------------------------------------------

MUNICIPALITY_VARIANTS = [
    ("Jyväskylä", "179", None),
    ("Jyvaskyla", "179", None),
    ("JYVÄSKYLÄ", "179", None),
    ("jyväskylä", "179", None),
    ("Jkl", "179", None),
    ("Äänekoski ", "992", None),
    ("  Laukaa", "410", None),
    ("179", "179", None),
    (77, "077", None),
    ("77", "077", None),
    ("Laukas", "410", None),               # Swedish name
    ("Keuru", "249", None),                # Swedish name
    ("Korpilahti", "179", None),           # merged 2009
    ("Jyväskylän mlk", "179", None),
    ("Jämsänkoski", "182", None),
    ("Pylkönmäki", "729", None),
    ("Suolahti", "992", None),
    ("Sumiainen", "992", None),
    ("Säynätsalo", "179", None),
    ("Konginkangas", "992", None),
    ("Tikkakoski", "179", None),           # village (kylat.csv)
    ("Vaajakoski", "179", None),
    ("Lievestuore", "410", None),
    ("Koskenpää", "182", None),
    ("Hankasalmen asema", "077", None),
    ("Kalmari", "729", None),
    (OUTSIDE_LABEL, "ulkopuolella", None),
    ("Jyväskylän kaupunki", "179", "kunta_sumea"),
    ("Jyväskylä, Palokka", "179", "kunta_sumea"),
    ("Jyvskylä", "179", "kunta_sumea"),   # typo
    ("Saarijärvu", "729", "kunta_sumea"),
    ("Viitasari", "931", "kunta_sumea"),
    ("Helsinki", None, "kunta_tuntematon"),
    ("Jyväskylän seutu", None, "kunta_tuntematon"),
    ("Jyväskylä ja Laukaa", None, "kunta_tuntematon"),
    ("abc", None, "kunta_tuntematon"),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize("raw,code,flag", MUNICIPALITY_VARIANTS)
def test_match_municipalities_variants(raw, code, flag):
    out = match_municipalities(pd.Series([raw], dtype=object), MUNIS, 2023, [OUTSIDE_LABEL])
    row = out.iloc[0]
    assert (row["code"] if pd.notna(row["code"]) else None) == code
    assert (row["flag"] if pd.notna(row["flag"]) else None) == flag
    if code and code != "ulkopuolella":
        assert row["name"] == MUNIS.name_of(code)
    if flag == "kunta_sumea":
        assert MUNIS.name_of(code) in row["note"]


def test_kuhmoinen_valid_only_until_2020():
    values = pd.Series(["Kuhmoinen", "Kuhmois"])
    before = match_municipalities(values, MUNIS, 2019)
    after = match_municipalities(values, MUNIS, 2021)
    assert before["code"].tolist() == ["291", "291"] and before["flag"].isna().all()
    assert after["code"].tolist() == ["291", "291"]
    assert after["flag"].tolist() == ["kunta_ei_alueella"] * 2
    assert "2021" in after["note"].iloc[0]


def test_match_municipalities_fast_on_many_rows():
    import time
    values = pd.Series(["Jyväskylä", "Jyvaskyla ", "Laukaa", "Jkl", "xyz", None] * 100_000)
    t = time.perf_counter()
    out = match_municipalities(values, MUNIS, 2023)
    assert time.perf_counter() - t < 5
    assert out["code"].iloc[:6].tolist()[:4] == ["179", "179", "410", "179"]
    assert out["flag"].value_counts().to_dict() == {"kunta_tuntematon": 100_000}


# -- options -------------------------------------------------------------------------

def test_split_multi_option_with_comma_and_other_text():
    q = ASSOC.question("toimintamuodot")
    values = pd.Series([
        "Vertaistuki, Neuvonta, ohjaus ja tiedotus, Kuorolaulu, retket",
        "neuvonta,  OHJAUS ja tiedotus",
        "Tapahtumat ja tempaukset",
        None,
        "   ",
    ], index=[2, 3, 4, 5, 6])
    out = split_multi(values, q)
    assert out.loc[2, "toimintamuodot__vertaistuki"] == 1
    assert out.loc[2, "toimintamuodot__neuvonta"] == 1
    assert out.loc[2, "toimintamuodot__tapahtumat"] == 0
    assert out.loc[2, "toimintamuodot__muu"] == "Kuorolaulu, retket"
    assert out.loc[3].filter(like="toimintamuodot__").drop("toimintamuodot__muu").sum() == 1
    assert out.loc[3, "toimintamuodot__neuvonta"] == 1 and pd.isna(out.loc[3, "toimintamuodot__muu"])
    assert out.loc[4, "toimintamuodot__tapahtumat"] == 1
    # a blank multi-select is missing in every column, not zeros
    for row in (5, 6):
        assert out.loc[row].filter(like="toimintamuodot__").isna().all()
    assert str(out["toimintamuodot__vertaistuki"].dtype) == "Int64"


def test_split_multi_without_other_flags_unknown_text():
    q = ASSOC.question("kohderyhmat")
    out = split_multi(pd.Series(["Lapset, Nuoret, kaikki eläimet"]), q)
    assert out["kohderyhmat__lapset"].iloc[0] == 1 and out["kohderyhmat__nuoret"].iloc[0] == 1
    assert "kohderyhmat__muu" not in out.columns
    assert out["flag"].iloc[0] == "monivalinta_tuntematon"
    assert "kaikki eläimet" in out["note"].iloc[0]


def test_split_multi_label_inside_another_label_is_not_split():
    # "Kunta" is an option and also part of "Seurakunta"
    q = ASSOC.question("kumppanit")
    out = split_multi(pd.Series(["Seurakunta", "Kunta, Seurakunta"]), q)
    assert out["kumppanit__seurakunta"].tolist() == [1, 1]
    assert out["kumppanit__kunta"].tolist() == [0, 1]
    assert out["kumppanit__muu"].isna().all()


def test_split_multi_municipality_options():
    q = ASSOC.question("toimintakunnat")
    pairs = [(m.code, m.name) for m in MUNIS.for_year(2023)]
    out = split_multi(pd.Series(["Jyväskylä, Laukaa", None]), q, pairs)
    assert out.loc[0, "toimintakunnat__179"] == 1 and out.loc[0, "toimintakunnat__410"] == 1
    assert out.loc[0].filter(like="toimintakunnat__").sum() == 2
    assert "toimintakunnat__291" not in out.columns
    assert out.loc[1].filter(like="toimintakunnat__").isna().all()


def test_parse_single_labels_other_text_and_unknown():
    q = ASSOC.question("paatoimiala")
    values = pd.Series(["Liikunta ja urheilu", " liikunta  JA urheilu ", "Eläkeläisten kerho", "Muu",
                        "Kulttuuri ja taid", "kulttuuri", None])
    out = parse_single(values, q)
    assert out["paatoimiala"].tolist()[:6] == ["liikunta", "liikunta", "muu", "muu", "kulttuuri", "kulttuuri"]
    assert pd.isna(out["paatoimiala"].iloc[6])
    assert out["paatoimiala__muu"].iloc[2] == "Eläkeläisten kerho"
    assert pd.isna(out["paatoimiala__muu"].iloc[3])  # a bare "Muu" has no text
    assert out["flag"].iloc[2] == "muu_teksti"
    assert out["flag"].iloc[4] == "valinta_sumea"

    q2 = ASSOC.question("kunta_avustus")
    out2 = parse_single(pd.Series(["Kyllä", "joskus", "kylla"]), q2)
    assert out2["kunta_avustus"].tolist()[0] == "kylla" and out2["kunta_avustus"].tolist()[2] == "kylla"
    assert pd.isna(out2["kunta_avustus"].iloc[1])
    assert out2["flag"].iloc[1] == "valinta_tuntematon"
    assert "kunta_avustus__muu" not in out2.columns


def test_parse_grid_en_osaa_sanoa_is_nan_not_zero():
    q = MUNI.question("yhteistyo_toimialat")
    frame = pd.DataFrame({"ty_sosiaali": ["Tiivistä", "En osaa sanoa", "Ei yhteistyötä", "joo", None],
                          "ty_terveys": ["satunnaista ", None, None, None, None]})
    out = parse_grid(frame, q)
    assert list(out.columns) == ["ty_sosiaali", "ty_terveys"]
    assert out["ty_sosiaali"].iloc[0] == 2.0
    assert np.isnan(out["ty_sosiaali"].iloc[1])
    assert out["ty_sosiaali"].iloc[2] == 0.0
    assert np.isnan(out["ty_sosiaali"].iloc[3])
    assert out["ty_terveys"].iloc[0] == 1.0


def test_parse_scale_range():
    q = MUNI.question("kokonaisarvio")
    out = parse_scale(pd.Series([4, "5", "7", "3 = kohtalainen", "hyvä"]), q)
    assert out["value"].iloc[0] == 4.0 and out["value"].iloc[1] == 5.0 and out["value"].iloc[3] == 3.0
    assert np.isnan(out["value"].iloc[2]) and out["flag"].iloc[2] == "asteikko_ulkopuolella"
    assert out["flag"].iloc[4] == "luku_tulkitsematon"


def test_register_numbers():
    values = pd.Series(["105 230", "105.230", 105.23, 105230, "105230", "rek.nro 105.230", 105.0, "1.234",
                        "abc", None, 12.5])
    assert normalise_register_number(values).tolist() == [
        "105.230", "105.230", "105.230", "105.230", "105.230", "105.230", "105.000", "1.234", None, None, "12.500"]


def test_normalise_name():
    values = pd.Series(["Laukaan Latu r.y.", "laukaan  latu ry", "LAUKAAN LATU", "Jyväskylän Kuoro, ry"])
    assert normalise_name(values).tolist() == ["laukaan latu"] * 3 + ["jyvaskylan kuoro"]


# -- the whole survey ------------------------------------------------------------------

def _assoc_table(name="a.csv"):
    frame = pd.DataFrame({
        "aikaleima": ["2023/10/15 12:34:56 PM GMT+3", "16.10.2023 9.00.00", "xx", None, "2023/10/01 08:00:00",
                      "17.10.2023 10:00", "17.10.2023 11:00"],
        "sahkoposti": ["a@b.fi", "x@y.fi", "c@d.fi", "e@f.fi", None, None, None],
        "nimi": ["Laukaan Latu ry", "Jkl Kuoro", None, None, "Laukaan latu r.y.", "Tyhjän kunnan yhdistys", "X ry"],
        "rekisterinumero": [105.23, None, None, None, "105 230", None, "nro ?"],
        "kotikunta": ["Laukaa", "Jyvaskyla", "Jyväskylä", None, "laukaa", None, "Helsinki"],
        "jasenmaara": ["n. 120", "yli 200", "eos", None, "130", "-3", None],
        "toimintakunnat": ["Laukaa, Jyväskylä", None, None, None, None, None, None],
        "yhteistyo_tuntee": ["En osaa sanoa", "Täysin samaa mieltä", None, None, None, None, None],
        "paatoimiala": ["Liikunta ja urheilu", "Kuorotoiminta", None, None, None, None, "Muu"],
        "yhteyshenkilo": ["Matti", None, None, None, None, None, None],
    }, index=range(2, 9))
    return Raw(Path(name), "jarjestokysely", frame)


def test_clean_survey_association():
    res = clean_survey([_assoc_table()], ASSOC, MUNIS, 2023)
    assert isinstance(res, CleanResult)
    data = res.data
    # empty row (only an email) and the row without a name are rejected with reasons
    rej = dict(zip(res.rejected["rivi"], res.rejected["syy"]))
    assert rej[5] == "tyhjä vastaus"
    assert "nimi" in rej[4] and "puuttuu" in rej[4]
    assert data["rivi"].tolist() == [2, 3, 6, 7, 8]
    # personal columns never appear
    for col in ("sahkoposti", "yhteyshenkilo", "puhelin"):
        assert col not in data.columns
    # columns: tiedosto, rivi, processed columns of present questions, helper
    present = {"aikaleima", "nimi", "rekisterinumero", "kotikunta", "toimintakunnat", "jasenmaara",
               "yhteistyo", "paatoimiala"}
    expected = ["tiedosto", "rivi"] + [c for q in ASSOC.asked_in(2023) if q.id in present
                                       for c in q.processed_columns(MUNIS, 2023)]
    # helpers: an unresolved municipality's text (de-duplication), the de-duplication key
    assert list(data.columns) == expected + ["_kotikunta_teksti", "_dedupe_key"]
    assert "hva_avustus" not in data.columns and "budjetti" not in data.columns
    row2 = data.iloc[0]
    assert row2["tiedosto"] == "a.csv"
    assert row2["rekisterinumero"] == "105.230"
    assert row2["kotikunta"] == "410" and row2["kotikunta_nimi"] == "Laukaa"
    assert row2["jasenmaara"] == 120.0
    assert row2["toimintakunnat__179"] == 1 and row2["toimintakunnat__410"] == 1
    assert row2["toimintakunnat__077"] == 0
    assert np.isnan(row2["yhteistyo_tuntee"]) and np.isnan(row2["yhteistyo_sujuvuus"])
    assert data["aikaleima"].iloc[0] == pd.Timestamp("2023-10-15 12:34:56+03:00")
    assert str(data["aikaleima"].dt.tz) == "Europe/Helsinki"
    assert data["paatoimiala"].tolist()[:2] == ["liikunta", "muu"]
    assert data["paatoimiala__muu"].iloc[1] == "Kuorotoiminta"
    assert data["kotikunta"].iloc[1] == "179"
    # a blank multi-select is NA, not 0
    assert data["toimintakunnat__179"].isna().iloc[1]
    flags = res.flags
    assert set(flags.columns) == {"tiedosto", "rivi", "sarake", "arvo", "lippu", "selite"}
    by = {(r.rivi, r.lippu): r for r in flags.itertuples()}
    assert (3, "luku_yli") in by and by[(3, "luku_yli")].arvo == "yli 200"
    assert (7, "luku_epatavallinen") in by
    assert (7, "pakollinen_puuttuu") in by     # kotikunta empty: kept and flagged
    assert (8, "kunta_tuntematon") in by and by[(8, "kunta_tuntematon")].arvo == "Helsinki"
    assert (8, "rekisterinumero_tuntematon") in by
    # flags of rejected rows are dropped
    assert not flags["rivi"].isin([4, 5]).any()
    # the same association by register number (typed two ways) has one key
    assert data["_dedupe_key"].iloc[0] == data["_dedupe_key"].iloc[2] == "rekisterinumero=105.230"


def test_clean_survey_timestamps_window_and_unparsed():
    res = clean_survey([_assoc_table()], ASSOC, MUNIS, 2023, window=(date(2023, 10, 10), date(2023, 10, 16)))
    flags = res.flags
    outside = set(flags.loc[flags["lippu"] == "aika_ikkunan_ulkopuolella", "rivi"])
    assert outside == {6, 7, 8}  # 1.10. and 17.10.; 16.10. is inside (inclusive)
    future = clean_survey([Raw(Path("f.csv"), "jarjestokysely", pd.DataFrame(
        {"aikaleima": ["1.1.2999 10:00"], "nimi": ["A ry"], "kotikunta": ["Muurame"], "paatoimiala": ["Muu"]},
        index=[2]))], ASSOC, MUNIS, 2023)
    assert future.flags["lippu"].tolist() == ["aika_tulevaisuudessa"]


def test_clean_survey_unparsed_timestamp_flag():
    t = Raw(Path("t.csv"), "jarjestokysely", pd.DataFrame(
        {"aikaleima": ["ei aikaa"], "nimi": ["A ry"], "kotikunta": ["Muurame"]}, index=[2]))
    res = clean_survey([t], ASSOC, MUNIS, 2023)
    assert pd.isna(res.data["aikaleima"].iloc[0])
    assert res.flags["lippu"].tolist() == ["aika_tulkitsematon"]


def test_clean_survey_concatenates_tables_with_different_columns():
    a = _assoc_table("a.csv")
    b = Raw(Path("b.xlsx"), "jarjestokysely", pd.DataFrame(
        {"nimi": ["B ry"], "kotikunta": [179], "budjetti": ["Alle 1 000 €"]}, index=[2]))
    res = clean_survey([a, b], ASSOC, MUNIS, 2023)
    d = res.data
    assert d["tiedosto"].tolist() == ["a.csv"] * 5 + ["b.xlsx"]
    assert d["budjetti"].tolist()[-1] == "alle_1k" and pd.isna(d["budjetti"].iloc[0])
    assert d["kotikunta"].iloc[-1] == "179"
    assert pd.isna(d["jasenmaara"].iloc[-1]) and d["jasenmaara"].dtype == float
    assert d["toimintakunnat__179"].isna().iloc[-1]


def test_clean_survey_municipality_unresolved_rejected():
    t = Raw(Path("k.csv"), "kuntakysely", pd.DataFrame({
        "aikaleima": ["2023/10/15 12:34:56 PM GMT+3"] * 4,
        "kunta": ["Jyväskylä", "Hesa", None, "Muurame"],
        "vastaaja": ["Maija", "Pekka", "X", None],
        "avustukset_eur": ["25.000,00 €", "1,2 milj.", "n. 40000", "25 000 €"],
        "yhteistyo_toimialat": [None] * 4,
    }, index=[2, 3, 4, 5]).drop(columns=["yhteistyo_toimialat"]))
    res = clean_survey([t], MUNI, MUNIS, 2023)
    rej = dict(zip(res.rejected["rivi"], res.rejected["syy"]))
    assert "Hesa" in rej[3] and "kuntaan" in rej[3]
    assert "kunta" in rej[4] and "puuttuu" in rej[4]
    assert res.data["kunta"].tolist() == ["179", "500"]
    assert res.data["avustukset_eur"].tolist() == [25000.0, 25000.0]
    assert "vastaaja" not in res.data.columns
    assert res.data["_dedupe_key"].tolist() == ["kunta=179", "kunta=500"]


def test_clean_survey_wrong_survey_is_an_input_error():
    t = Raw(Path("k.csv"), "kuntakysely", pd.DataFrame({"kunta": ["Muurame"]}, index=[2]))
    with pytest.raises(InputError, match="k.csv"):
        clean_survey([t], ASSOC, MUNIS, 2023)


def test_clean_survey_no_tables():
    # no file of the survey: every column, no rows (a wave with one survey still builds, issue 10)
    res = clean_survey([], ASSOC, MUNIS, 2023)
    assert list(res.data.columns) == ["tiedosto", "rivi", *ASSOC.processed_columns(MUNIS, 2023), "_dedupe_key"]
    assert res.data.empty and res.flags.empty and res.rejected.empty
    kept, replaced = deduplicate(res.data, ASSOC)
    assert kept.empty and replaced.empty


def test_clean_survey_does_not_modify_input():
    t = _assoc_table()
    before = t.frame.copy()
    clean_survey([t], ASSOC, MUNIS, 2023)
    pd.testing.assert_frame_equal(t.frame, before)


# -- de-duplication -----------------------------------------------------------------------

def _dedupe_data():
    ts = pd.to_datetime(["2023-10-01 10:00", "2023-10-05 10:00", "2023-10-03 10:00", None,
                         "2023-10-02 10:00", "2023-10-02 10:00", "2023-10-04 10:00"]).tz_localize("Europe/Helsinki")
    return pd.DataFrame({
        "tiedosto": ["a.csv"] * 5 + ["b.csv", "b.csv"],
        "rivi": [2, 3, 4, 5, 6, 2, 3],
        "aikaleima": ts,
        "nimi": ["Laukaan Latu ry", "Laukaan latu r.y.", "Jkl Kuoro", "Jkl kuoro ry", "Muurame Seura",
                 "Muurame seura", "Toinen"],
        "rekisterinumero": ["105.230", None, None, None, None, None, "105.230"],
        "kotikunta": ["410", "410", "179", "179", "500", "500", "179"],
    })


def test_deduplicate_later_answer_stands():
    kept, replaced = deduplicate(_dedupe_data(), ASSOC)
    # 105.230: rows a2, a3 (same name, no number -> joins the number's group) and b3 -> b3 is not latest:
    # a3 (5.10.) is the latest
    assert set(zip(kept["tiedosto"], kept["rivi"])) == {("a.csv", 3), ("a.csv", 4), ("b.csv", 2)}
    rep = {(r.tiedosto, r.rivi): (r.replaced_by_tiedosto, r.replaced_by_rivi) for r in replaced.itertuples()}
    assert rep[("a.csv", 2)] == ("a.csv", 3)
    assert rep[("b.csv", 3)] == ("a.csv", 3)
    # a timestamp beats a missing one
    assert rep[("a.csv", 5)] == ("a.csv", 4)
    # equal timestamps: the later file/row wins
    assert rep[("a.csv", 6)] == ("b.csv", 2)
    assert list(replaced.columns) == ["tiedosto", "rivi", "replaced_by_tiedosto", "replaced_by_rivi", "avain"]
    assert replaced.set_index(["tiedosto", "rivi"]).loc[("a.csv", 5), "avain"] == "nimi+kotikunta=jkl kuoro|179"
    # kept keeps the input order
    assert kept["rivi"].tolist() == [3, 4, 2]


def test_deduplicate_override_merges_and_splits():
    data = _dedupe_data()
    data["_dedupe_override"] = [None, "erillinen:a.csv:3", None, None, "sama:a.csv:6", "sama:a.csv:6", None]
    data.loc[6, "nimi"] = "Ihan eri nimi"
    kept, replaced = deduplicate(data, ASSOC)
    rep = {(r.tiedosto, r.rivi): (r.replaced_by_tiedosto, r.replaced_by_rivi) for r in replaced.itertuples()}
    # a3 split off: b3 (4.10.) is the latest of 105.230 now
    assert rep[("a.csv", 2)] == ("b.csv", 3)
    assert ("a.csv", 3) not in rep
    assert rep[("a.csv", 6)] == ("b.csv", 2)
    assert ("b.csv", 3) in set(zip(kept["tiedosto"], kept["rivi"]))


def test_same_name_different_register_numbers_kept_and_flagged():
    frame = pd.DataFrame({
        "nimi": ["Jyväskylän Latu ry", "Jyväskylän Latu ry", "Jyväskylän latu"],
        "rekisterinumero": ["105.230", "200.100", None],
        "kotikunta": ["Jyväskylä"] * 3,
    }, index=[2, 3, 4])
    res = clean_survey([Raw(Path("a.csv"), "jarjestokysely", frame)], ASSOC, MUNIS, 2023)
    lippu = res.flags.groupby("rivi")["lippu"].agg(set)
    assert "duplikaatti_ristiriita" in lippu[2] and "duplikaatti_ristiriita" in lippu[3]
    assert "duplikaatti_epaselva" in lippu[4]
    kept, replaced = deduplicate(res.data, ASSOC)
    assert len(kept) == 3 and replaced.empty


def test_deduplicate_municipality_survey():
    data = pd.DataFrame({"tiedosto": ["k.csv"] * 3, "rivi": [2, 3, 4],
                         "aikaleima": pd.to_datetime(["2023-10-03", "2023-10-01", "2023-10-02"]).tz_localize("UTC"),
                         "kunta": ["179", "179", "500"]})
    kept, replaced = deduplicate(data, MUNI)
    assert kept["rivi"].tolist() == [2, 4]
    assert replaced[["rivi", "replaced_by_rivi", "avain"]].values.tolist() == [[3, 2, "kunta=179"]]
