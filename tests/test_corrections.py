from pathlib import Path

import pandas as pd
import pytest

from kartoitus.settings.codebook import default_codebook
from kartoitus.stages.corrections import OVERRIDE_COLUMN, apply_corrections, read_corrections
from kartoitus.errors import ConfigError
from kartoitus.stages.ingest import RawTable


def Raw(path, survey, frame):
    return RawTable(path=path, survey=survey, frame=frame, mapping=[], extras=pd.DataFrame(index=frame.index),
                    encoding="utf-8", delimiter=",")


def _tables():
    a = pd.DataFrame({"nimi": ["Laukaan Latu ry", "Jkl Kuoro ry", "Testi", "Laukaan latu ry "],
                      "kotikunta": ["Laukaa", "ks", "Jyväskylä", "Laukaa"],
                      "paatoimiala": ["Liikunta ja urheilu", "Muu juttu", None, "Liikunta ja urheilu"]},
                     index=[2, 3, 4, 5])
    k = pd.DataFrame({"kunta": ["Jyväskylä", "Muurame"]}, index=[2, 3])
    return [Raw(Path("a.csv"), "jarjestokysely", a), Raw(Path("k.csv"), "kuntakysely", k)]


def _write(tmp_path, text, encoding="utf-8"):
    p = tmp_path / "korjaukset.csv"
    p.write_bytes(text.encode(encoding))
    return p


def test_corrections_set_reject_merge_split(tmp_path):
    path = _write(tmp_path, (
        "tiedosto,rivi,yhdistys,kentta,arvo,syy\n"
        "a.csv,3,Jkl Kuoro ry,kotikunta,Jyväskylä,soitettu yhdistykseen\n"
        "a.csv,3,jkl  kuoro RY,paatoimiala,kulttuuri,kuoro\n"
        ",,Laukaan Latu ry,toiminta_alue,paikallinen,tarkistettu\n"
        "a.csv,4,Testi,hylkaa,,testivastaus\n"
        "a.csv,5,Laukaan latu ry,eri_yhdistys,,eri yhdistys\n"
        "k.csv,3,Muurame,sama_kuin,k.csv:2 Jyväskylä,sama kunta\n"
    ))
    corrections = read_corrections(path)
    assert [c.line for c in corrections] == [2, 3, 4, 5, 6, 7]
    tables, rejected, log = apply_corrections(_tables(), corrections, default_codebook(), path)
    a = tables[0].frame
    assert a.at[3, "kotikunta"] == "Jyväskylä"
    # an option key becomes the label the form would have exported
    assert a.at[3, "paatoimiala"] == "Kulttuuri ja taide"
    # "yhdistys" matches every answer of the association, whatever the case and spacing
    assert a.loc[[2, 5], "toiminta_alue"].tolist() == ["Paikallinen (yksi kunta)"] * 2
    assert rejected.to_dict("records") == [{"tiedosto": "a.csv", "rivi": 4, "syy": "hylätty korjauksella: testivastaus"}]
    assert a.at[5, OVERRIDE_COLUMN] == "erillinen:a.csv:5"
    k = tables[1].frame
    assert k.at[2, OVERRIDE_COLUMN] == k.at[3, OVERRIDE_COLUMN] == "sama:k.csv:2"
    assert log[log["kentta"] == "kotikunta"][["vanha", "uusi"]].values.tolist() == [["ks", "Jyväskylä"]]
    # inputs are not modified
    assert _tables()[0].frame.at[3, "kotikunta"] == "ks"


@pytest.mark.parametrize("line, message", [
    ("a.csv,99,Laukaan Latu ry,kotikunta,Laukaa,x", "tiedostossa a.csv ei ole riviä 99"),
    ("b.csv,2,Laukaan Latu ry,kotikunta,Laukaa,x", "aallossa ei ole tiedostoa 'b.csv'"),
    (",,Olematon ry,kotikunta,Laukaa,x", "yhdistystä 'Olematon ry' ei löydy"),
    ("a.csv,2,Laukaan Latu ry,lempiväri,sininen,x", "ei ole kenttää 'lempiväri'"),
    ("a.csv,2,Laukaan Latu ry,sama_kuin,a.csv:77 Testi,x", "riviä a.csv:77 ei ole"),
    ("a.csv,2,Laukaan Latu ry,sama_kuin,Olematon ry,x", "yhdistystä 'Olematon ry' ei löydy"),
    # the target of sama_kuin is pinned too: a bare row number could merge two associations
    ("a.csv,2,Laukaan Latu ry,sama_kuin,a.csv:4,x", "kirjoita arvoksi a.csv:4 Testi"),
    ("a.csv,2,Laukaan Latu ry,sama_kuin,a.csv:4 Jkl Kuoro ry,x",
     "sama_kuin-rivin kohde a.csv:4 ei ole enää sama vastaus: korjaus on kirjattu vastaukselle 'Jkl Kuoro ry', "
     "mutta rivillä on nyt 'Testi'"),
    # pinned to content (issue 10): a row number alone is not enough, a stale row stops the build
    ("a.csv,2,,kotikunta,Laukaa,x", "kirjoita sarakkeeseen yhdistys rivin a.csv:2 nimi 'Laukaan Latu ry'"),
    ("a.csv,3,Laukaan Latu ry,kotikunta,Laukaa,x",
     "tiedoston a.csv rivi 3 ei ole enää sama vastaus: korjaus on kirjattu vastaukselle 'Laukaan Latu ry', "
     "mutta rivillä on nyt 'Jkl Kuoro ry'"),
])
def test_a_correction_that_matches_nothing_is_an_error(tmp_path, line, message):
    path = _write(tmp_path, "tiedosto,rivi,yhdistys,kentta,arvo,syy\n" + line + "\n")
    with pytest.raises(ConfigError) as err:
        apply_corrections(_tables(), read_corrections(path), default_codebook(), path)
    assert message in str(err.value)
    assert "korjaukset.csv, rivi 2" in str(err.value)


def test_same_as_names_its_target_by_name_or_by_pinned_row(tmp_path):
    path = _write(tmp_path, (
        "tiedosto,rivi,yhdistys,kentta,arvo,syy\n"
        "a.csv,3,Jkl Kuoro ry,sama_kuin,laukaan latu RY,sama yhdistys\n"   # every answer of the association
        "a.csv,4,Testi,sama_kuin,a.csv:3 Jkl Kuoro ry,sama yhdistys\n"
    ))
    a = apply_corrections(_tables(), read_corrections(path), default_codebook(), path)[0][0].frame
    # the second line joins row 4 to the group the first one made (it never splits it)
    assert set(a[OVERRIDE_COLUMN]) == {"sama:a.csv:2"}


def test_semicolon_cp1252_file_and_missing_reason(tmp_path):
    path = _write(tmp_path, "tiedosto;rivi;yhdistys;kentta;arvo;syy\na.csv;3;Jkl Kuoro ry;kotikunta;Jyväskylä;ok\n",
                  "cp1252")
    assert read_corrections(path)[0].arvo == "Jyväskylä"
    path = _write(tmp_path, "tiedosto,rivi,yhdistys,kentta,arvo,syy\na.csv,3,,kotikunta,Laukaa,\n")
    with pytest.raises(ConfigError, match="syy"):
        read_corrections(path)
    path = _write(tmp_path, "tiedosto,rivi,yhdistys,kentta,arvo,syy\na.csv,1,,kotikunta,Laukaa,x\n")
    with pytest.raises(ConfigError, match="otsikkorivi"):
        read_corrections(path)


def test_no_file_means_no_corrections(tmp_path):
    assert read_corrections(tmp_path / "korjaukset.csv") == []


def test_a_corrected_main_sector_is_the_rows_source_and_no_rule_overrides_it(tmp_path, settings):
    """Issue 9: a correction that sets ``paatoimiala`` to ``muu`` gives exactly ``muu``,
    source ``korjaus``, no rule decision and no rule flag; rows without a correction are
    still classified by the rules."""
    from kartoitus.build.pipeline import process_tables

    a = pd.DataFrame({"nimi": ["Mäkelän kyläyhdistys ry", "Harjun kyläyhdistys ry", "Laukaan Latu ry"],
                      "kotikunta": ["Laukaa", "Laukaa", "Laukaa"],
                      "paatoimiala": [None, None, "Liikunta ja urheilu"]},
                     index=[2, 3, 4])
    path = _write(tmp_path, ("tiedosto,rivi,yhdistys,kentta,arvo,syy\n"
                             "a.csv,2,Mäkelän kyläyhdistys ry,paatoimiala,muu,ei kylätoimintaa vaan muuta\n"
                             "a.csv,4,Laukaan Latu ry,paatoimiala,kulttuuri,kuoro\n"))
    results, audit, log = process_tables([Raw(Path("a.csv"), "jarjestokysely", a)], settings, 2025, None,
                                         path, read_corrections(path))
    sid = settings.codebook.association.id
    names = settings.names
    data = results[sid].data.set_index(names.row)
    assert data.loc[2, names.q_sector] == names.other
    assert data.loc[2, names.sector_source] == names.source_correction
    assert data.loc[4, names.q_sector] == "kulttuuri"
    assert data.loc[4, names.sector_source] == names.source_correction
    # the uncorrected row goes through the rules as before
    assert data.loc[3, names.q_sector] == "kyla_asukas"
    assert data.loc[3, names.sector_source] == "kyla_asukas_nimi"
    decisions = results[sid].decisions
    assert decisions[names.row].tolist() == [3]
    flags = results[sid].flags
    rule_flags = flags[flags["lippu"].str.startswith("luokiteltu_")]
    assert rule_flags[names.row].tolist() == [3]
    assert data.loc[2, names.flags] == ""


def test_a_line_with_an_unquoted_comma_is_refused_not_applied(tmp_path):
    path = _write(tmp_path, "tiedosto,rivi,yhdistys,kentta,arvo,syy\n"
                            "a.csv,3,Jkl Kuoro ry,paatoimiala,kulttuuri,kuoro, ja laulu\n")
    with pytest.raises(ConfigError) as err:
        read_corrections(path)
    assert str(err.value).startswith("korjaukset.csv, rivi 2: rivillä on 7 kenttää, otsikkorivillä 6")
    assert "lainausmerkkeihin" in str(err.value)
    path = _write(tmp_path, 'tiedosto,rivi,yhdistys,kentta,arvo,syy\na.csv,3,Jkl Kuoro ry,paatoimiala,'
                            'kulttuuri,"kuoro, ja laulu"\n')
    assert read_corrections(path)[0].syy == "kuoro, ja laulu"


def test_pinned_by_timestamp_to_the_minute(tmp_path):
    a = pd.DataFrame({"aikaleima": ["15.10.2024 12.34.56", "16.10.2024 9.05.00"],
                      "nimi": ["A ry", "B ry"], "kotikunta": ["Laukaa", "Muurame"]}, index=[2, 3])
    tables = [Raw(Path("a.csv"), "jarjestokysely", a)]
    ok = _write(tmp_path, "tiedosto,rivi,aikaleima,kentta,arvo,syy\na.csv,2,15.10.2024 12:34,kotikunta,Uurainen,x\n")
    out, _, log = apply_corrections(tables, read_corrections(ok), default_codebook(), ok)
    assert out[0].frame.at[2, "kotikunta"] == "Uurainen"
    stale = _write(tmp_path, "tiedosto,rivi,aikaleima,kentta,arvo,syy\na.csv,3,15.10.2024 12:34,kotikunta,Uurainen,x\n")
    with pytest.raises(ConfigError, match="rivillä on nyt 'B ry' \\(aikaleima '16.10.2024 9.05.00'\\)"):
        apply_corrections(tables, read_corrections(stale), default_codebook(), stale)


def test_municipality_survey_rows_are_pinned_by_municipality(tmp_path):
    path = _write(tmp_path, "tiedosto,rivi,yhdistys,kentta,arvo,syy\nk.csv,3,983,hylkaa,,testi\n")
    with pytest.raises(ConfigError, match="rivillä on nyt 'Muurame'"):
        apply_corrections(_tables(), read_corrections(path), default_codebook(), path)
    path = _write(tmp_path, "tiedosto,rivi,yhdistys,kentta,arvo,syy\nk.csv,3,500,hylkaa,,testi\n")
    _, rejected, _ = apply_corrections(_tables(), read_corrections(path), default_codebook(), path)
    assert rejected["rivi"].tolist() == [3]
