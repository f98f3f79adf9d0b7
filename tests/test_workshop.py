"""Workshop packs: resolving municipalities and sub-regions, the model from the published
small wave (``municipal_wave``), and one end-to-end pack from the processed wave on disk
(rendered once per session)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from pypdf import PdfReader

import municipal_wave
from kartoitus.build import workshop as bw
from kartoitus.errors import KartoitusError
from kartoitus.models import ChartSpec
from kartoitus.outputs import municipality as mu
from kartoitus.outputs import workshop as ws
from kartoitus.publication import kuntatutka as kt
from kartoitus.render import workshop as rw

YEAR = municipal_wave.YEAR


@pytest.fixture(scope="session")
def munis(settings):
    return settings.codebook.municipalities


# -- resolving ---------------------------------------------------------------------------

def names(ms):
    return [m.name for m in ms]


def test_resolve_names_and_codes_with_cleaning_tolerance(munis):
    got = bw.resolve_municipalities(["jyvaskyla", "179", "LAUKAA ", "Jkl", "77", "Äänekoski"], YEAR, munis)
    assert names(got) == ["Jyväskylä", "Laukaa", "Hankasalmi", "Äänekoski"]
    assert names(bw.resolve_municipalities(["Saarijarvi", "Äänekosken"], YEAR, munis)) == ["Saarijärvi",
                                                                                          "Äänekoski"]


def test_unknown_municipality_lists_the_valid_names(munis):
    with pytest.raises(KartoitusError) as err:
        bw.resolve_municipalities(["Jyväskylä", "Tampere"], YEAR, munis)
    msg = str(err.value)
    assert "'Tampere'" in msg and "Jyväskylä (179)" in msg and "Luhanka (435)" in msg
    with pytest.raises(KartoitusError, match="Kuhmoinen"):   # not in the region after 2020
        bw.resolve_municipalities(["Kuhmoinen"], YEAR, munis)
    assert names(bw.resolve_municipalities(["Kuhmoinen"], 2019, munis)) == ["Kuhmoinen"]
    with pytest.raises(KartoitusError, match="vähintään yksi kunta"):
        bw.resolve_municipalities([" "], YEAR, munis)


@pytest.mark.parametrize("text", ["135", "Äänekosken seutukunta", "äänekosken", "AANEKOSKEN"])
def test_resolve_subregion(text, munis):
    sub = bw.resolve_subregion(text, YEAR, munis)
    assert (sub.code, sub.name, sub.codes) == ("135", "Äänekosken seutukunta", ["275", "992"])


def test_subregion_by_year_and_unknown(munis):
    assert "291" in bw.resolve_subregion("134", 2019, munis).codes
    assert bw.resolve_subregion("134", YEAR, munis).codes == ["182"]
    with pytest.raises(KartoitusError) as err:
        bw.resolve_subregion("Pirkanmaa", YEAR, munis)
    assert "Jyväskylän seutukunta (131)" in str(err.value)


def test_pack_members(munis):
    members, sub = bw.pack_members([], YEAR, munis, "135")
    assert names(members) == ["Konnevesi", "Äänekoski"] and sub.code == "135"
    members, sub = bw.pack_members(["Laukaa"], YEAR, munis, "135")
    assert names(members) == ["Konnevesi", "Äänekoski", "Laukaa"] and sub is None   # named after the members
    with pytest.raises(KartoitusError, match="--seutukunta"):
        bw.pack_members([], YEAR, munis)


def test_pack_paths(tmp_path, munis):
    ms = bw.resolve_municipalities(["Konnevesi", "Hankasalmi", "Äänekoski"], YEAR, munis)
    assert rw.pack_path(tmp_path, ms) == tmp_path / "pajat" / "aanekoski-hankasalmi-konnevesi.pdf"
    sub = bw.resolve_subregion("135", YEAR, munis)
    assert rw.pack_path(tmp_path, list(sub.municipalities), sub.code).name == "seutukunta-135.pdf"
    everyone = munis.for_year(YEAR)
    assert rw.pack_path(tmp_path, everyone).name.startswith("kunnat-077-172-179")


# -- the model --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pub(settings):
    return municipal_wave.publication(settings)


@pytest.fixture(scope="session")
def codes(pub):
    """A municipality that did not answer the municipality survey, Jyväskylä, and an
    answering municipality with under five associations (found in the wave)."""
    figs = pub.municipalities
    silent = next(c for c, f in figs.items() if not mu.answered(f.scores))
    small = next(c for c, f in figs.items() if mu.answered(f.scores) and 0 < f.n_associations < 5)
    return [silent, "179", small]


@pytest.fixture(scope="session")
def model(pub, codes):
    return ws.workshop_model(pub, codes)


def rows(matrix):
    return {r[0]["text"]: [c["text"] for c in r[1:]] for r in matrix["rows"]}


def test_model_title_and_columns(model, codes, munis):
    n = [munis.name_of(c) for c in codes]
    assert model["title"] == (f"Elinvoimapaja: {n[0]}, {n[1]} ja {n[2]} \u2013 Keski-Suomen "
                              "järjestökartoitus 2025")
    assert model["scores"]["headers"] == ["", *n, "Maakunta (mediaani)"]
    assert model["checklist"]["headers"][1:] == n
    assert all(isinstance(r["src"], ChartSpec) and r["src"].kind == "radar" for r in model["radars"])


def test_scores_matrix_not_answered_and_median(model, pub, settings):
    r = rows(model["scores"])
    assert r["Kuntakysely"][:3] == ["ei vastannut", "vastasi", "vastasi"]
    total = r["Kokonaispisteet"]
    assert total[0] == "ei vastannut"
    jkl = pub.kuntatutka.scores.set_index("kunta").loc["179", kt.TOTAL]
    assert total[1] == str(int(np.floor(jkl + 0.5)))
    assert total[3] == str(int(np.floor(pub.kuntatutka.region_median[kt.TOTAL] + 0.5)))
    assert all(v[0] == "ei vastannut" for k, v in r.items()
               if k in kt.dimension_labels(settings.scoring).values())
    n_assoc = r["Järjestökyselyyn vastanneita yhdistyksiä"]
    assert n_assoc[1] == str(pub.municipalities["179"].n_associations)
    assert n_assoc[2] == "alle 5"


def test_checklist_matrix(model, pub):
    r = rows(model["checklist"])
    checks = pub.kuntatutka.checklist
    jkl = checks[checks["kunta"] == "179"]
    met = (jkl["tila"] == kt.MET).sum()
    assert r["Täyttyviä kohtia"] == ["ei vastannut", f"{met}/{len(jkl)}", r["Täyttyviä kohtia"][2]]
    for text, state in zip(jkl["kohta_teksti"], jkl["tila"]):
        assert r[text][1] == ws.STATE_TEXT[state]
        assert r[text][0] == ws.STATE_TEXT[kt.NOT_ANSWERED]


def test_sector_matrix_is_suppressed_per_municipality(model, settings, pub):
    r = rows(model["sectors"])
    small = [v[2] for k, v in r.items() if k != "Vastanneita yhdistyksiä yhteensä"]
    assert set(small) <= {"<5", "..", "0"} and "<5" in small
    for k, v in r.items():
        for text in v[:3]:
            if text not in ("<5", "..", "0"):
                assert int(text.replace("\u00a0", "")) >= 5, (k, v)
    total = r["Vastanneita yhdistyksiä yhteensä"]
    assert total[2] == "<5"
    # the region column is the report's vastaajat_toimiala: every respondent (a count of the
    # region's municipalities only would give away the hidden count outside the region)
    assert total[3].replace("\u00a0", "") == str(len(municipal_wave.wave_input(settings).association))
    # a share is printed with a decimal comma, or <5 exactly where the report hides the count
    region = pub.municipalities["179"].region.sectors
    hidden = dict(zip(region.frame["luokka"], region.mask()["osuus"]))
    for label, v in r.items():
        if label != "Vastanneita yhdistyksiä yhteensä":
            assert (v[3] == "..") if hidden[label] else re.fullmatch(r"\d+,\d\u00a0%", v[3]), (label, v)


def test_sector_matrix_prints_the_municipality_pdfs_counts(model, pub, codes):
    """The pack's sector column of a municipality is its PDF's sector table."""
    r = rows(model["sectors"])
    for i, code in enumerate(codes):
        pdf = mu.municipality_model(pub, code)["sectors"]["counts"]
        for label, count in pdf.items():
            assert r[label][i].replace("\u00a0", "") == str(count), (code, label)


def test_views_and_people_matrices(model):
    views = rows(model["views"])
    assert len(views) == 6
    assert all(v[2] in (".. (n <5)", ".. (n ..)") for v in views.values())               # the small municipality
    subs = [r[1]["sub"] for r in model["views"]["rows"]]
    assert all(s == "kunta: ei vastannut" for s in subs)                   # the silent one
    people = rows(model["people"])
    assert people["Jäsenet: yhteensä"][2] == ".."      # a sum is never "<5"


def test_subregion_model(pub, munis):
    sub = bw.resolve_subregion("Joutsan seutukunta", YEAR, munis)
    m = ws.workshop_model(pub, sub.codes, sub.code)
    assert m["title"].startswith("Elinvoimapaja: Joutsan seutukunta \u2013")
    assert m["names"] == ["Joutsa", "Luhanka"]
    assert m["subregion"] == {"code": sub.code, "name": "Joutsan seutukunta"}


def test_no_municipality_is_an_error(pub):
    with pytest.raises(KartoitusError, match="vähintään yhden kunnan"):
        ws.workshop_model(pub, [])


# -- end to end from a processed wave ---------------------------------------------------------------

@pytest.fixture(scope="session")
def pack(settings, codes, munis, tmp_path_factory):
    reports = tmp_path_factory.mktemp("raportit")
    # names typed as a user would: lower case, a code
    typed = [munis.name_of(codes[0]), munis.name_of(codes[1]).lower(), codes[2]]
    path = bw.workshop_pack(settings, typed, year=YEAR, processed=municipal_wave.root() / "processed",
                            reports=reports)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = re.sub(r"[\u00a0\u202f]", " ", "\n".join(p.extract_text() for p in reader.pages))
    return {"path": path, "reports": reports / str(YEAR), "text": text, "pages": len(reader.pages)}


def test_workshop_pack_file_and_pages(pack, codes, munis):
    ms = [munis.by_code(c) for c in codes]
    assert pack["path"] == rw.pack_path(pack["reports"], ms)
    # 3-5 pages of comparison, then a two-page discussion sheet per municipality
    assert 3 + 2 * len(ms) <= pack["pages"] <= 5 + 2 * len(ms)
    assert bw.workshop_deck_path(pack["path"]) == pack["path"].with_suffix(".pptx")
    assert pack["path"].with_suffix(".pptx").is_file()          # the workshop deck beside the pack


def test_workshop_pack_text(pack, codes, munis, settings):
    text = pack["text"]
    n = [munis.name_of(c) for c in codes]
    assert f"Elinvoimapaja: {n[0]}, {n[1]} ja {n[2]}" in text.replace("\n", " ")
    for heading in ("Kunnat ja kuntatutkan pisteet", "Kuntatutka kunnittain", "Järjestöpositiivinen kunta",
                    "Kaksi näkökulmaa yhteistyöhön", "Kuntien yhdistykset", "Tietoja luvuista"):
        assert heading in text
    assert "ei vastannut" in text and "<5" in text
    assert "Maakunta (mediaani)" in text
    for name in n:                                               # each municipality's discussion sheet
        assert f"Kehityskeskustelu: {name}" in text.replace("\n", " ")
    assert text.count("Sovitut toimenpiteet") == 3
    assoc = municipal_wave.wave_input(settings).association
    jkl = assoc[assoc["kotikunta"] == "179"]["jasenmaara"].sum()
    assert f"{int(jkl):,}".replace(",", " ") in text                    # "12 345" grouped the Finnish way
    assert " ry" not in text


def test_workshop_pack_unknown_municipality(settings, tmp_path):
    with pytest.raises(KartoitusError, match="tuntematon kunta"):
        bw.workshop_pack(settings, ["Jyväskylä", "Helsinki"], year=YEAR, processed=tmp_path, reports=tmp_path)
