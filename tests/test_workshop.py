"""Workshop packs: resolving municipalities and sub-regions, the model, and one
end-to-end pack from a processed wave on disk (rendered once per session)."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from kartoitus.publication import kuntatutka as kt
from kartoitus.stages.bank import write_wave
from kartoitus.settings.codebook import default_codebook
from kartoitus.errors import KartoitusError
from kartoitus.outputs import workshop as ws
from processed_factory import make_processed

YEAR = 2025
CB = default_codebook()
MUNIS = CB.municipalities


# -- resolving ---------------------------------------------------------------------------

def names(ms):
    return [m.name for m in ms]


def test_resolve_names_and_codes_with_cleaning_tolerance():
    got = ws.resolve_municipalities(["jyvaskyla", "179", "LAUKAA ", "Jkl", "77", "Äänekoski"], YEAR, MUNIS)
    assert names(got) == ["Jyväskylä", "Laukaa", "Hankasalmi", "Äänekoski"]
    assert names(ws.resolve_municipalities(["Saarijarvi", "Äänekosken"], YEAR, MUNIS)) == ["Saarijärvi",
                                                                                          "Äänekoski"]


def test_unknown_municipality_lists_the_valid_names():
    with pytest.raises(KartoitusError) as err:
        ws.resolve_municipalities(["Jyväskylä", "Tampere"], YEAR, MUNIS)
    msg = str(err.value)
    assert "'Tampere'" in msg and "Jyväskylä (179)" in msg and "Luhanka (435)" in msg
    with pytest.raises(KartoitusError, match="Kuhmoinen"):   # not in the region after 2020
        ws.resolve_municipalities(["Kuhmoinen"], YEAR, MUNIS)
    assert names(ws.resolve_municipalities(["Kuhmoinen"], 2019, MUNIS)) == ["Kuhmoinen"]
    with pytest.raises(KartoitusError, match="vähintään yksi kunta"):
        ws.resolve_municipalities([" "], YEAR, MUNIS)


@pytest.mark.parametrize("text", ["135", "Äänekosken seutukunta", "äänekosken", "AANEKOSKEN"])
def test_resolve_subregion(text):
    sub = ws.resolve_subregion(text, YEAR, MUNIS)
    assert (sub.code, sub.name, sub.codes) == ("135", "Äänekosken seutukunta", ["275", "992"])


def test_subregion_by_year_and_unknown():
    assert "291" in ws.resolve_subregion("134", 2019, MUNIS).codes
    assert ws.resolve_subregion("134", YEAR, MUNIS).codes == ["182"]
    with pytest.raises(KartoitusError) as err:
        ws.resolve_subregion("Pirkanmaa", YEAR, MUNIS)
    assert "Jyväskylän seutukunta (131)" in str(err.value)


def test_pack_paths(tmp_path):
    ms = ws.resolve_municipalities(["Konnevesi", "Hankasalmi", "Äänekoski"], YEAR, MUNIS)
    assert ws.pack_path(tmp_path, ms) == tmp_path / "pajat" / "aanekoski-hankasalmi-konnevesi.pdf"
    sub = ws.resolve_subregion("135", YEAR, MUNIS)
    assert ws.pack_path(tmp_path, list(sub.municipalities), sub).name == "seutukunta-135.pdf"
    everyone = MUNIS.for_year(YEAR)
    assert ws.pack_path(tmp_path, everyone).name.startswith("kunnat-077-172-179")


# -- the model --------------------------------------------------------------------------------

CODES = ["077", "179", "435"]   # Hankasalmi, Jyväskylä, Luhanka


@pytest.fixture(scope="session")
def wave():
    assoc, muni = make_processed(YEAR, 420, seed=5, n_municipalities=18)
    small = (assoc["kotikunta"] == "435").to_numpy()
    assoc = assoc.loc[~small | (np.cumsum(small) <= 2)].reset_index(drop=True)
    muni = muni[kt.normalize_codes(muni["kunta"]) != "077"].reset_index(drop=True)   # Hankasalmi silent
    assert {"179", "435"} <= set(kt.normalize_codes(muni["kunta"]))
    scores = kt.score_municipalities(muni, YEAR, MUNIS)
    return {"assoc": assoc, "muni": muni, "scores": scores, "median": kt.region_summary(scores),
            "checklist": kt.checklist(muni, YEAR, MUNIS)}


@pytest.fixture(scope="session")
def model(wave):
    return ws.build_workshop_model(CODES, YEAR, wave["assoc"], wave["muni"], wave["scores"], wave["median"],
                                   wave["checklist"], charts=False)


def rows(matrix):
    return {r[0]["text"]: [c["text"] for c in r[1:]] for r in matrix["rows"]}


def test_model_title_and_columns(model):
    assert model["title"] == "Elinvoimapaja: Hankasalmi, Jyväskylä ja Luhanka \u2013 Keski-Suomen järjestökartoitus 2025"
    assert model["scores"]["headers"] == ["", "Hankasalmi", "Jyväskylä", "Luhanka", "Maakunta (mediaani)"]
    assert model["checklist"]["headers"][1:] == ["Hankasalmi", "Jyväskylä", "Luhanka"]


def test_scores_matrix_not_answered_and_median(model, wave):
    r = rows(model["scores"])
    assert r["Kuntakysely"][:3] == ["ei vastannut", "vastasi", "vastasi"]
    total = r["Kokonaispisteet"]
    assert total[0] == "ei vastannut"
    jkl = wave["scores"].set_index("kunta").loc["179", kt.TOTAL]
    assert total[1] == str(int(np.floor(jkl + 0.5)))
    assert total[3] == str(int(np.floor(wave["median"][kt.TOTAL] + 0.5)))
    assert all(v[0] == "ei vastannut" for k, v in r.items() if k in kt.dimension_labels().values())
    n_assoc = r["Järjestökyselyyn vastanneita yhdistyksiä"]
    assert n_assoc[1] == str((wave["assoc"]["kotikunta"] == "179").sum())
    assert n_assoc[2] == "alle 5"                                    # Luhanka: two associations


def test_checklist_matrix(model, wave):
    r = rows(model["checklist"])
    jkl = wave["checklist"][wave["checklist"]["kunta"] == "179"]
    met = (jkl["tila"] == kt.MET).sum()
    assert r["Täyttyviä kohtia"] == ["ei vastannut", f"{met}/{len(jkl)}", r["Täyttyviä kohtia"][2]]
    for text, state in zip(jkl["kohta_teksti"], jkl["tila"]):
        assert r[text][1] == ws.STATE_TEXT[state]
        assert r[text][0] == ws.STATE_TEXT[kt.NOT_ANSWERED]


def test_sector_matrix_is_suppressed_per_municipality(model, wave):
    r = rows(model["sectors"])
    luhanka = [v[2] for k, v in r.items() if k != "Vastanneita yhdistyksiä yhteensä"]
    assert set(luhanka) <= {"<5", "0"} and "<5" in luhanka
    for k, v in r.items():
        for text in v[:3]:
            if text not in ("<5", "0"):
                assert int(text.replace("\u00a0", "")) >= 5, (k, v)
    total = r["Vastanneita yhdistyksiä yhteensä"]
    assert total[2] == "<5"
    # the region column is the report's vastaajat_toimiala: every respondent (a count of the
    # region's municipalities only would give away the hidden count outside the region)
    assert total[3].replace("\u00a0", "") == str(len(wave["assoc"]))
    shares = [v[3] for k, v in r.items() if k != "Vastanneita yhdistyksiä yhteensä"]
    assert all(re.fullmatch(r"\d+,\d\u00a0%", s) for s in shares)


def test_views_and_people_matrices(model):
    views = rows(model["views"])
    assert len(views) == 6
    assert all(v[2] == "<5 (n <5)" for v in views.values())               # Luhanka
    subs = [r[1]["sub"] for r in model["views"]["rows"]]
    assert all(s == "kunta: ei vastannut" for s in subs)                   # Hankasalmi
    people = rows(model["people"])
    assert people["Jäsenet: yhteensä"][2] == "<5"


# -- end to end from a processed wave ---------------------------------------------------------------

@pytest.fixture(scope="session")
def pack(wave, tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    processed_root = root / "processed"
    audit = pd.DataFrame({"file": ["x.csv"], "row": ["2"], "survey": ["jarjestokysely"], "status": ["kept"],
                          "reason": [""], "flags": [""], "corrections": [""], "replaced_by": [""]})
    write_wave(processed_root / str(YEAR), {"jarjestokysely.csv": wave["assoc"],
                                            "kuntakysely.csv": wave["muni"], "audit.csv": audit})
    reports = root / "reports" / str(YEAR)
    path = ws.workshop_pack(["Hankasalmi", "jyväskylä", "435"], YEAR, processed_root / str(YEAR), reports,
                            processed_root)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = re.sub(r"[\u00a0\u202f]", " ", "\n".join(p.extract_text() for p in reader.pages))
    return {"path": path, "reports": reports, "text": text, "pages": len(reader.pages)}


def test_workshop_pack_file_and_pages(pack):
    assert pack["path"] == pack["reports"] / "pajat" / "hankasalmi-jyvaskyla-luhanka.pdf"
    assert 3 <= pack["pages"] <= 5


def test_workshop_pack_text(pack, wave):
    text = pack["text"]
    assert "Elinvoimapaja: Hankasalmi, Jyväskylä ja Luhanka" in text.replace("\n", " ")
    for heading in ("Kunnat ja kuntatutkan pisteet", "Kuntatutka kunnittain", "Järjestöpositiivinen kunta",
                    "Kaksi näkökulmaa yhteistyöhön", "Kuntien yhdistykset", "Tietoja luvuista"):
        assert heading in text
    assert "ei vastannut" in text and "<5" in text
    assert "Maakunta (mediaani)" in text
    jkl = wave["assoc"][wave["assoc"]["kotikunta"] == "179"]["jasenmaara"].sum()
    assert f"{int(jkl):,}".replace(",", " ") in text                    # "12 345" grouped the Finnish way
    assert " ry" not in text


def test_workshop_pack_by_subregion_name(wave, pack, tmp_path):
    # the same processed wave, chosen by sub-region: only the model is built here (no second render)
    sub = ws.resolve_subregion("Joutsan seutukunta", YEAR, MUNIS)
    m = ws.build_workshop_model(sub.codes, YEAR, wave["assoc"], wave["muni"], wave["scores"], wave["median"],
                                wave["checklist"], subregion=sub, charts=False)
    assert m["title"].startswith("Elinvoimapaja: Joutsan seutukunta \u2013")
    assert m["names"] == ["Joutsa", "Luhanka"]
    with pytest.raises(KartoitusError, match="tuntematon kunta"):
        ws.workshop_pack(["Jyväskylä", "Helsinki"], YEAR, tmp_path, tmp_path)
