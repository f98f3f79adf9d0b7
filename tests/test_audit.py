import pandas as pd
import pytest

from kartoitus.stages.audit import build_audit, summarise
from kartoitus.errors import KartoitusError


def _raw(n_a=5, n_k=2):
    rows = [("a.csv", r, "jarjestokysely") for r in range(2, 2 + n_a)]
    rows += [("k.csv", r, "kuntakysely") for r in range(2, 2 + n_k)]
    return pd.DataFrame(rows, columns=["tiedosto", "rivi", "survey"])


def test_every_row_gets_one_status_and_the_sum_holds():
    rejected = pd.DataFrame([("a.csv", 3, "tyhjä vastaus")], columns=["tiedosto", "rivi", "syy"])
    replaced = pd.DataFrame([("a.csv", 2, "a.csv", 6, "x")],
                            columns=["tiedosto", "rivi", "replaced_by_tiedosto", "replaced_by_rivi", "avain"])
    flags = pd.DataFrame([("a.csv", 4, "kotikunta", "Jkl", "kunta_sumea", "luettu"),
                          ("a.csv", 4, "jasenmaara", "yli 200", "luku_yli", "200")],
                         columns=["tiedosto", "rivi", "sarake", "arvo", "lippu", "selite"])
    corr = pd.DataFrame([("a.csv", 5, "kotikunta", "ks", "179", "tarkistettu", "aseta"),
                         ("a.csv", 6, "sama_kuin", "", "a.csv:4 Kuoro ry", "sama kuoro", "yhdista"),
                         ("k.csv", 2, "vastaajamaara", "", "3", "korjattu", "aseta")],
                        columns=["tiedosto", "rivi", "kentta", "vanha", "uusi", "syy", "toiminto"])
    audit = build_audit(_raw(), rejected, replaced, flags, corr)
    assert list(audit.columns) == ["file", "row", "survey", "status", "reason", "flags", "corrections",
                                   "replaced_by"]
    by_row = audit.set_index(["file", "row"])
    assert by_row.loc[("a.csv", 2), "status"] == "replaced"
    assert by_row.loc[("a.csv", 2), "replaced_by"] == "a.csv:6"
    assert by_row.loc[("a.csv", 3), "status"] == "rejected"
    assert by_row.loc[("a.csv", 3), "reason"] == "tyhjä vastaus"
    assert by_row.loc[("a.csv", 4), "flags"] == "kotikunta: kunta_sumea; jasenmaara: luku_yli"
    assert by_row.loc[("a.csv", 5), "corrections"] == "kotikunta: ks -> 179 (tarkistettu)"
    assert by_row.loc[("a.csv", 6), "corrections"] == "sama vastaaja kuin a.csv:4 Kuoro ry (sama kuoro)"
    assert by_row.loc[("k.csv", 2), "corrections"] == "vastaajamaara: (tyhjä) -> 3 (korjattu)"
    s = summarise(audit)
    assert (s["jarjestokysely"].rows_in, s["jarjestokysely"].kept, s["jarjestokysely"].replaced,
            s["jarjestokysely"].rejected) == (5, 3, 1, 1)
    assert s["yhteensä"].rows_in == 7 and s["yhteensä"].balanced


def test_rejected_wins_over_replaced():
    rejected = pd.DataFrame([("a.csv", 2, "hylätty korjauksella: testi")], columns=["tiedosto", "rivi", "syy"])
    replaced = pd.DataFrame([("a.csv", 2, "a.csv", 3, "x")],
                            columns=["tiedosto", "rivi", "replaced_by_tiedosto", "replaced_by_rivi", "avain"])
    audit = build_audit(_raw(3, 0), rejected, replaced, pd.DataFrame(), pd.DataFrame())
    assert audit.loc[0, "status"] == "rejected"
    assert audit.loc[0, "replaced_by"] == ""


def test_duplicate_file_rows_are_an_error():
    raw = pd.concat([_raw(2, 0), _raw(1, 0)])
    with pytest.raises(KartoitusError, match="kahdesti"):
        build_audit(raw, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
