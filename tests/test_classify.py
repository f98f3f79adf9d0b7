import numpy as np
import pandas as pd
import pytest

from dataclasses import replace

from kartoitus.errors import ConfigError
from kartoitus.settings.classification import load_classification
from kartoitus.stages.classify import classify, fold_pattern


def _run(d, settings, survey=None, classification=None):
    """classify with the package's settings (the association survey unless ``survey``)."""
    cb = settings.codebook
    return classify(d, survey or cb.association, classification or settings.classification, settings.names,
                    cb.municipalities)


def _sectors(settings):
    return list(settings.codebook.association.question("paatoimiala").option_keys())


@pytest.fixture(scope="module")
def sectors(settings):
    return _sectors(settings)


def _data(rows, sectors):
    """rows: (nimi, paatoimiala, paatoimiala__muu, ticked toimialat keys)"""
    frame = {"tiedosto": "a.csv", "rivi": list(range(2, 2 + len(rows))),
             "nimi": [r[0] for r in rows], "paatoimiala": [r[1] for r in rows],
             "paatoimiala__muu": [r[2] for r in rows]}
    for key in sectors:
        frame[f"toimialat__{key}"] = pd.array([int(key in r[3]) if r[3] is not None else None for r in rows],
                                              dtype="Int64")
    return pd.DataFrame(frame)


RULE_CASES = [
    ("Jyväskylän Eläkeläiset ry", None, None, (), "elakelaiset", "elakelaiset_nimi", "Eläkeläiset"),
    ("Eläkeliiton Laukaan yhdistys", "muu", None, (), "elakelaiset", "elakelaiset_nimi", "Eläkeliiton"),
    ("Keuruun Eläkkeensaajat", None, None, (), "elakelaiset", "elakelaiset_nimi", "Eläkkeensaajat"),
    ("Elakelaiset Muurame", None, None, (), "elakelaiset", "elakelaiset_nimi", "Elakelaiset"),
    ("Mannerheimin Lastensuojeluliiton Jämsän yhdistys", None, None, (), "lapsi_perhe", "lapsi_perhe_nimi",
     "Mannerheimin Lastensuojeluliiton"),
    ("MLL Palokka", None, None, (), "lapsi_perhe", "lapsi_perhe_nimi", "MLL"),
    ("Keski-Suomen Omaishoitajat ry", None, None, (), "omaiset", "omaiset_nimi", "Omaishoitajat"),
    ("Jyväskylän Seudun Invalidit", None, None, (), "vammaiset", "vammaiset_nimi", "Invalidit"),
    ("Keski-Suomen Näkövammaiset", None, None, (), "vammaiset", "vammaiset_nimi", "Näkövammaiset"),
    ("Jyväskylän Kuuloyhdistys", None, None, (), "vammaiset", "vammaiset_nimi", "Kuuloyhdistys"),
    ("Jämsän A-kilta", None, None, (), "paihde_riippuvuus", "paihde_nimi", "A-kilta"),
    ("Tikkakosken VPK", None, None, ("liikunta",), "turvallisuus", "turvallisuus_vpk", "VPK"),
    ("Niemisveden kyläyhdistys", None, None, (), "kyla_asukas", "kyla_asukas_nimi", "kyläyhdistys"),
    ("Kuokkalan asukasyhdistys", None, None, (), "kyla_asukas", "kyla_asukas_nimi", "asukasyhdistys"),
    ("Mieli Keski-Suomi", None, None, (), "mielenterveys", "mielenterveys_nimi", "Mieli"),
    ("Jyväskylän Diabetesyhdistys", None, None, (), "potilas_kansanterveys", "potilas_nimi", "Diabetesyhdistys"),
    ("Foo ry", None, None, ("kulttuuri",), "kulttuuri", "toimialat_yksi", "Kulttuuri ja taide"),
    ("Laukaan Hiihtoseura", None, None, (), "liikunta", "liikunta_nimi", "Hiihtoseura"),
    ("Bar ry", "muu", "Lentopallo", (), "liikunta", "liikunta_nimi", "Lentopallo"),
    ("Sydän-Suomen Mieskuoro", None, None, (), "kulttuuri", "kulttuuri_nimi", "Mieskuoro"),
    ("Laukaan 4H-yhdistys", None, None, (), "nuoriso", "nuoriso_nimi", "4H"),
    ("Multian Metsästysseura", None, None, (), "ymparisto", "ymparisto_nimi", "Metsästysseura"),
    ("Jämsän Yrittäjät", None, None, (), "elinkeino_ammatti", "elinkeino_nimi", "Yrittäjät"),
    ("Qwerty ry", None, None, ("kulttuuri", "liikunta"), "muu", "muu", None),
]


@pytest.mark.parametrize("nimi,answer,other,ticked,sector,rule,matched", RULE_CASES)
def test_rules_classify_missing_or_other_main_sector(nimi, answer, other, ticked, sector, rule, matched, settings,
                                                    sectors):
    data, decisions = _run(_data([(nimi, answer, other, ticked)], sectors), settings)
    assert data["paatoimiala"].iloc[0] == sector
    assert data["paatoimiala_lahde"].iloc[0] == rule
    d = decisions.iloc[0]
    assert (d["tiedosto"], d["rivi"], d["paatoimiala"], d["lahde"]) == ("a.csv", 2, sector, rule)
    if matched:
        assert f"'{matched}'" in d["selite"] or matched in d["selite"]
    else:
        assert "mikään luokittelusääntö ei sopinut" in d["selite"]


def test_answered_sector_kept_and_not_in_decisions(settings, sectors):
    data, decisions = _run(_data([("Jyväskylän Eläkeläiset", "liikunta", None, ()),
                                  ("MLL Jyväskylä", None, None, ())], sectors), settings)
    assert data["paatoimiala"].tolist() == ["liikunta", "lapsi_perhe"]
    assert data["paatoimiala_lahde"].tolist() == ["vastaus", "lapsi_perhe_nimi"]
    assert decisions["rivi"].tolist() == [3]
    assert list(decisions.columns) == ["tiedosto", "rivi", "paatoimiala", "lahde", "selite"]


def test_preset_source_is_respected(settings, sectors):
    d = _data([("MLL Jyväskylä", "kulttuuri", None, ())], sectors).assign(paatoimiala_lahde=["korjaus"])
    data, decisions = _run(d, settings)
    assert data["paatoimiala"].iloc[0] == "kulttuuri" and data["paatoimiala_lahde"].iloc[0] == "korjaus"
    assert decisions.empty


def test_a_preset_other_sector_runs_no_rule(settings, sectors):
    """A row corrected to ``muu`` keeps ``muu``, though its name matches a rule (issue 9)."""
    d = _data([("Niemisveden kyläyhdistys", "muu", None, ()), ("Kuokkalan asukasyhdistys", "muu", None, ())],
              sectors).assign(paatoimiala_lahde=["korjaus", None])
    data, decisions = _run(d, settings)
    assert data["paatoimiala"].tolist() == ["muu", "kyla_asukas"]
    assert data["paatoimiala_lahde"].tolist() == ["korjaus", "kyla_asukas_nimi"]
    assert data["toimialaryhma"].tolist() == ["muut", "muut"]
    assert decisions["rivi"].tolist() == [3]


def test_derived_columns(settings, sectors):
    MUNIS = settings.codebook.municipalities
    d = _data([("A", "elakelaiset", None, ()), ("B", "liikunta", None, ()), ("C", "muu_sote", None, ()),
               ("D", "kulttuuri", None, ()), ("E", "nuoriso", None, ())], sectors)
    d["kotikunta"] = ["179", "ulkopuolella", None, "291", "992"]
    d["jasenmaara"] = [19.0, 20.0, np.nan, 300.0, 99.5]
    d["toiminta_alue"] = ["valtakunnallinen", None, None, None, None]
    codes = [m.code for m in MUNIS.for_year(2023)]
    ticks = {c: [0, 0, None, 0, 0] for c in codes}
    ticks["179"] = [1, 1, None, 1, 1]
    ticks["410"] = [0, 1, None, 0, 0]
    for c in codes:
        ticks[c][3] = 1  # row D ticked every municipality
    for c, v in ticks.items():
        d[f"toimintakunnat__{c}"] = pd.array(v, dtype="Int64")
    out, _ = _run(d, settings)
    assert out["toimialaryhma"].tolist() == ["sote", "muut", "sote", "muut", "muut"]
    assert out["seutukunta_koodi"].tolist()[:2] == ["131", None]
    assert out["seutukunta_koodi"].iloc[3] == "134" and out["seutukunta_koodi"].iloc[4] == "135"
    assert out["kokoluokka"].tolist()[:2] == ["alle_20", "20_49"]
    assert pd.isna(out["kokoluokka"].iloc[2])
    assert out["kokoluokka"].tolist()[3:] == ["300_", "50_99"]
    assert out["ulottuvuus"].tolist()[0] == "valtakunnallinen"
    assert out["ulottuvuus"].iloc[1] == "seudullinen"
    assert pd.isna(out["ulottuvuus"].iloc[2])
    assert out["ulottuvuus"].iloc[3] == "maakunnallinen"
    assert out["ulottuvuus"].iloc[4] == "paikallinen"
    assert "2/22" in out["_ulottuvuus_selite"].iloc[1]
    assert pd.isna(out["_ulottuvuus_selite"].iloc[0])


def test_input_not_modified_and_municipality_survey_untouched(settings, sectors):
    d = _data([("MLL Jyväskylä", None, None, ())], sectors)
    before = d.copy()
    _run(d, settings)
    pd.testing.assert_frame_equal(d, before)
    k = pd.DataFrame({"tiedosto": ["k.csv"], "rivi": [2], "kunta": ["179"]})
    out, decisions = _run(k, settings, settings.codebook.municipality)
    pd.testing.assert_frame_equal(out, k)
    assert decisions.empty


def test_rules_file_is_valid_and_ordered(settings, sectors):
    SECTORS = sectors
    config = settings.classification
    rules = list(config.rules)
    ids = [r.id for r in rules]
    assert ids.index("elakelaiset_nimi") < ids.index("toimialat_yksi") < ids.index("liikunta_nimi")
    for r in rules:
        assert r.kind == "toimialat_yksi" or r.sector in SECTORS
    assert config.sote == tuple(SECTORS[:8])


def test_bad_rules_file(tmp_path, settings, sectors):
    p = tmp_path / "r.yaml"
    p.write_text("saannot:\n  - {id: x, toimiala: liikunta, kuvio: '(unclosed'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="x"):
        load_classification(p)
    p.write_text("saannot:\n  - {id: y, toimiala: jalkapallo, kuvio: 'pallo'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="jalkapallo"):
        _run(_data([("Pallo ry", None, None, ())], sectors), settings,
             classification=replace(settings.classification, rules=load_classification(p).rules))


def test_fold_pattern():
    assert fold_pattern("eläke") == "el[äa]ke"
    assert fold_pattern("[äb]x") == "[äab]x"
    import re
    assert re.search(fold_pattern(r"\bsydän(?!-suom)"), "sydanyhdistys")


def test_classify_many_rows_is_vectorised(settings, sectors):
    import time
    base = _data([("Jyväskylän Eläkeläiset", None, None, ()), ("Foo", None, None, ("kulttuuri",)),
                  ("Qwerty", "muu", "kuoro", ()), ("X", "liikunta", None, ())], sectors)
    big = base.loc[base.index.repeat(50_000)].reset_index(drop=True)
    big["rivi"] = np.arange(len(big)) + 2
    t = time.perf_counter()
    out, decisions = _run(big, settings)
    assert time.perf_counter() - t < 15
    assert out["paatoimiala"].value_counts().to_dict() == {
        "elakelaiset": 50_000, "kulttuuri": 100_000, "liikunta": 50_000}
    assert len(decisions) == 150_000


def test_rules_find_the_same_words_in_linear_time(settings):
    from kartoitus.stages.classify import anchor_word_starts

    assert anchor_word_starts(r"\w*kuoro\w*|\bmll\b|a[|]\w*b") == r"(?<!\w)\w*kuoro\w*|\bmll\b|a[|]\w*b"
    rules = [r for r in settings.classification.rules if r.pattern is not None]
    long_name = "Laukaan " + "x" * 20_000 + " Eläkkeensaajat ry"
    hits = [r.id for r in rules if r.pattern.search(long_name)]
    assert hits and hits[0].startswith("elakelaiset")
    # the match is the whole word, as without the anchor
    rule = next(r for r in rules if r.id == hits[0])
    assert rule.pattern.search("Jämsän Eläkkeensaajat ry").group(0) == "Eläkkeensaajat"


def test_derived_column_names_and_keys_come_from_the_names(settings, sectors):
    names = replace(settings.names, sector_source="lahde_x", group="ryhma_x", group_sote="S", group_other="M",
                    size="koko_x", reach="alue_x", subregion="seutu_x")
    cb = settings.codebook
    d = _data([("MLL Jyväskylä", None, None, ()), ("X", "liikunta", None, ())], sectors)
    out, _ = classify(d, cb.association, settings.classification, names, cb.municipalities)
    assert out["lahde_x"].tolist() == ["lapsi_perhe_nimi", "vastaus"]
    assert out["ryhma_x"].tolist() == ["S", "M"]
    assert {"koko_x", "alue_x", "seutu_x"} <= set(out.columns)
    assert "paatoimiala_lahde" not in out.columns


def test_the_rules_file_names_no_questions(settings):
    """Question roles are in sarakkeet.yaml (settings.names), not in luokittelu.yaml."""
    import yaml
    raw = yaml.safe_load((settings.data_dir / "luokittelu.yaml").read_text(encoding="utf-8"))
    assert "kysymykset" not in raw
    assert not hasattr(settings.classification, "roles")
