"""The project's codebook: loads into typed objects and agrees with the instrument."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kartoitus.settings.codebook import data_dir, load_codebook, municipality_codes
from kartoitus.errors import KartoitusError

INSTRUMENT = Path(__file__).resolve().parents[2] / "shared" / "instrument"
CB = load_codebook()


def test_surveys_questions_and_municipalities_load():
    assert set(CB.surveys) == {"jarjestokysely", "kuntakysely"}
    assert CB.association.key == "nimi" and CB.municipality.key == "kunta"
    assert [q.id for q in CB.association.required()] == ["nimi", "kotikunta", "paatoimiala"]
    assert {q.id for q in CB.association.personal()} == {"sahkoposti", "yhteyshenkilo", "puhelin"}
    grid = CB.association.question("yhteistyo")
    assert grid.grid_values()["En osaa sanoa"] is None
    assert grid.grid_titles()["Arvioi yhdistyksenne yhteistyötä kotikunnan kanssa [Kunta tuntee yhdistyksemme toiminnan]"] \
        == "yhteistyo_tuntee"
    assert CB.association.question("aikaleima").titles() == ("Aikaleima", "Timestamp")
    assert len(CB.version) == 12


def test_the_year_decides_the_region_and_the_questions():
    assert len(CB.municipalities.for_year(2019)) == 23
    assert len(CB.municipalities.for_year(2021)) == 22
    assert "291" in [m.code for m in CB.municipalities.for_year(2020)]
    hva = CB.association.question("hva_avustus")
    assert not hva.asked_in(2021) and hva.asked_in(2023)
    assert "hva_avustus" not in CB.association.processed_columns(CB.municipalities, 2021)
    cols = CB.association.processed_columns(CB.municipalities, 2025)
    assert "toimintakunnat__179" in cols and "toimintakunnat__291" not in cols
    assert cols[cols.index("kotikunta"):cols.index("kotikunta") + 2] == ["kotikunta", "kotikunta_nimi"]
    assert "sahkoposti" not in cols and "toimialat__muu" in cols


def test_municipality_codes_are_three_digit_text():
    values = pd.Series([77, "77.0", " 077", None, "", "ulkopuolella", 179.0])
    assert municipality_codes(values).tolist()[:3] == ["077", "077", "077"]
    out = municipality_codes(values)
    assert out.isna().tolist() == [False, False, False, True, True, False, False]
    assert out.iloc[5] == "ulkopuolella" and out.iloc[6] == "179"


def test_a_broken_codebook_is_a_clear_error(tmp_path):
    for name in ("jarjestokysely.yaml", "kuntakysely.yaml", "kunnat.csv", "kylat.csv"):
        (tmp_path / name).write_bytes((data_dir() / name).read_bytes())
    text = (tmp_path / "kuntakysely.yaml").read_text(encoding="utf-8")
    (tmp_path / "kuntakysely.yaml").write_text(text.replace("type: scale", "type: slider"), encoding="utf-8")
    with pytest.raises(KartoitusError, match="kokonaisarvio.*slider"):
        load_codebook(tmp_path)


@pytest.mark.skipif(not INSTRUMENT.is_dir(), reason="the instrument (../shared/instrument) is not beside the repo")
@pytest.mark.parametrize("name", ["jarjestokysely.yaml", "kuntakysely.yaml"])
def test_codebook_agrees_with_the_instrument(name):
    """Every question of the form is in the codebook with the same id, title, type,
    options and grid; the codebook only adds (aliases, years, max values)."""
    instrument = yaml.safe_load((INSTRUMENT / name).read_text(encoding="utf-8"))
    survey = CB.survey(instrument["survey"])
    assert [q["id"] for q in instrument["questions"]] == [q.id for q in survey.questions]
    for raw in instrument["questions"]:
        q = survey.question(raw["id"])
        assert (q.type, q.title) == (raw["type"], raw["title"].strip())
        assert q.required == bool(raw.get("required")) and q.personal == bool(raw.get("personal"))
        assert q.identifying == bool(raw.get("identifying"))
        assert [(o.key, o.label) for o in q.options] == [(str(k), v) for k, v in (raw.get("options") or {}).items()]
        assert [(r.key, r.label) for r in q.rows] == list((raw.get("rows") or {}).items())
        assert dict(q.columns) == {k: (None if v is None else float(v)) for k, v in (raw.get("columns") or {}).items()}


@pytest.mark.skipif(not INSTRUMENT.is_dir(), reason="the instrument (../shared/instrument) is not beside the repo")
def test_municipalities_agree_with_the_instrument():
    with (INSTRUMENT / "kunnat.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["kuntanumero"], r["nimi"], r["seutukunta_koodi"]) for r in rows] == \
        [(m.code, m.name, m.subregion_code) for m in CB.municipalities]
