"""Municipality PDFs: model (suppression, not answered, change) and one render of each kind.

WeasyPrint is slow, so each kind of PDF (the biggest municipality, a municipality
with only three answering associations, a municipality that did not answer the
municipality survey) is rendered once per session and checked several ways.
"""

from __future__ import annotations

import io
import logging
import pickle
import re

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from kartoitus.publication import kuntatutka as kt
from kartoitus.settings.codebook import default_codebook
from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer
from kartoitus.outputs import municipality as mu
from processed_factory import make_association, make_processed

YEAR = 2025
CB = default_codebook()
SMALL = "435"   # Luhanka: cut to three answering associations below


@pytest.fixture(scope="session")
def wave():
    assoc, muni = make_processed(YEAR, 420, seed=4, n_municipalities=18)
    small = (assoc["kotikunta"] == SMALL).to_numpy()
    assoc = assoc.loc[~small | (np.cumsum(small) <= 3)].reset_index(drop=True)
    assert (assoc["kotikunta"] == SMALL).sum() == 3
    scores = kt.score_municipalities(muni, YEAR, CB.municipalities)
    answered = set(kt.normalize_codes(muni["kunta"]))
    silent = next(m.code for m in CB.municipalities.for_year(YEAR)
                  if m.code not in answered and m.code not in ("179", SMALL))
    if SMALL not in answered:  # keep Luhanka an answering municipality for the test
        raise AssertionError("factory seed changed: pick a seed where Luhanka answers")
    prev_muni = make_processed(YEAR - 2, 50, seed=11, n_municipalities=17)[1]
    prev_scores = kt.score_municipalities(prev_muni, YEAR - 2, CB.municipalities)
    return {
        "assoc": assoc, "muni": muni, "scores": scores, "median": kt.region_summary(scores),
        "checklist": kt.checklist(muni, YEAR, CB.municipalities), "silent": silent,
        "prev_scores": prev_scores,
    }


def model_for(wave, code, *, previous=True, charts=False, threshold=5):
    return mu.build_municipality_model(
        code, YEAR, wave["assoc"], wave["muni"], wave["scores"], wave["median"], wave["checklist"],
        wave["prev_scores"] if previous else None, threshold=threshold, previous_year=YEAR - 2,
        charts=charts)


def cell_texts(table: dict) -> list[list[str]]:
    return [[c["text"] for c in row] for row in table["rows"]]


# -- names and paths -------------------------------------------------------------------

def test_slug_and_output_path(tmp_path):
    assert mu.slugify("Jyväskylä") == "jyvaskyla"
    assert mu.slugify("Äänekoski") == "aanekoski"
    assert mu.slugify("Jämsä / Kuhmoinen") == "jamsa-kuhmoinen"
    assert mu.output_path(tmp_path, "179", "Jyväskylä") == tmp_path / "kunnat" / "179-jyvaskyla.pdf"
    assert mu.output_path(tmp_path, "077", "Hankasalmi").name == "077-hankasalmi.pdf"
    with pytest.raises(KartoitusError, match="kolminumeroinen"):
        mu.output_path(tmp_path, "77", "Hankasalmi")


# -- suppression ---------------------------------------------------------------------------

def test_distribution_hides_small_cells_and_their_complement():
    values = pd.Series(["liikunta"] * 7 + ["kulttuuri"] * 3, dtype=object)
    t = mu.distribution_table(values, {"liikunta": "Liikunta", "kulttuuri": "Kulttuuri", "nuoriso": "Nuoriso"},
                              "t", "T", 5, "paatoimiala")
    # 3 is primary; 7 would give it away from the published n = 10, so it is hidden too
    assert t.n == 10
    assert t.mask()["yhdistyksia"].tolist() == [True, True]
    assert t.frame["yhdistyksia"].isna().all()          # hidden values are blanked, not just masked
    assert list(t.frame["luokka"]) == ["Liikunta", "Kulttuuri"]   # zero row (nuoriso) left out
    values = pd.Series(["liikunta"] * 7 + ["kulttuuri"] * 6 + ["nuoriso"] * 2, dtype=object)
    t = mu.distribution_table(values, {"liikunta": "L", "kulttuuri": "K", "nuoriso": "N"}, "t", "T", 5, "q")
    assert dict(zip(t.frame["luokka"], t.mask()["yhdistyksia"])) == {"L": False, "K": True, "N": True}
    assert t.frame.loc["liikunta", "osuus"] == pytest.approx(7 / 15 * 100)


def test_sector_suppression_holds_across_municipalities():
    """Jyväskylä's 3 youth associations are hidden; Laukaa's 6 must be hidden too, or the
    region's published youth total minus Laukaa's 6 would give Jyväskylä's 3. Laukaa's own
    table then hides at least one more sector, and a zero that completes a row shows as <5."""
    rows = ([("179", "nuoriso")] * 3 + [("179", "kulttuuri")] * 8 + [("179", "liikunta")] * 9
            + [("410", "nuoriso")] * 6 + [("410", "liikunta")] * 10 + [("410", "kulttuuri")] * 12
            + [("077", "liikunta")] * 7)
    assoc = pd.DataFrame(rows, columns=["kotikunta", "paatoimiala"])
    mask = mu.sector_mask(assoc, YEAR, 5)
    assert mu.hidden_sectors(mask, "179") == ["kulttuuri", "nuoriso"]
    assert "nuoriso" in mu.hidden_sectors(mask, "410")     # the cross-municipality complement
    for code in ("179", "410", "077"):                 # every row and column has 0 or at least 2 hidden cells
        assert sum(mask.loc[k, code] for k in mask.index) != 1
    for k in mask.index:
        assert mask.loc[k].sum() != 1
    # alone, Laukaa's table would hide nothing; with the region-wide mask it hides two rows
    own = assoc[assoc["kotikunta"] == "410"]
    assert not mu.sector_table(own, 5).mask()["yhdistyksia"].any()
    hidden = mu.hidden_sectors(mask, "410")
    t = mu.sector_table(own, 5, hidden=hidden)
    assert t.mask()["yhdistyksia"].sum() == len(hidden) >= 2
    assert t.frame["yhdistyksia"].isna().sum() == len(hidden)       # blanked, not only marked
    # a hidden zero is printed as <5, not left out
    t = mu.sector_table(assoc[assoc["kotikunta"] == "077"], 5, hidden=["nuoriso"])
    assert dict(zip(t.frame["luokka"], t.mask()["yhdistyksia"])) == {"Liikunta ja urheilu": False,
                                                                     "Nuorisotoiminta": True}


def test_people_totals_suppressed_across_municipalities():
    """Luhanka's member total (3 associations) is hidden; otherwise the region total minus
    the other municipalities' published totals would give it, so one more total goes."""
    rows = ([("435", 40.0)] * 3 + [("179", 100.0)] * 9 + [("410", 50.0)] * 6)
    assoc = pd.DataFrame(rows, columns=["kotikunta", "jasenmaara"])
    mask = mu.people_mask(assoc, YEAR, 5)
    assert set(mu.hidden_people(mask, "435")) == {"jasenmaara|vastanneita", "jasenmaara|yhteensa"}
    assert set(mu.hidden_people(mask, "410")) == {"jasenmaara|vastanneita", "jasenmaara|yhteensa"}
    assert mu.hidden_people(mask, "179") == []
    own = assoc[assoc["kotikunta"] == "410"]
    t = mu.people_table(own, 5, hidden=mu.hidden_people(mask, "410"))
    assert t.mask().loc["jasenmaara"].tolist() == [False, True, True, False]   # label, n, total, median
    assert t.frame.loc["jasenmaara", "mediaani"] == 50.0


def test_big_municipality_counts_match_the_data(wave):
    model = model_for(wave, "179")
    own = wave["assoc"][wave["assoc"]["kotikunta"] == "179"]
    assert model["n_associations"] == len(own)
    labels = mu.sector_labels()
    truth = own["paatoimiala"].map(labels).value_counts()
    shown = model["sectors"]["counts"]
    for label, value in shown.items():
        if value == "<5":
            assert 0 < truth.get(label, 0) or label   # hidden: small, or a secondary cell
        else:
            assert value == truth.get(label, 0)
            assert not 0 < value < 5
    assert any(v != "<5" and v >= 5 for v in shown.values())
    members = model["people"]["values"]["jasenmaara"]
    assert members["yhteensa"] == pytest.approx(own["jasenmaara"].sum())
    assert members["mediaani"] == pytest.approx(own["jasenmaara"].median())
    assert members["vastanneita"] == own["jasenmaara"].notna().sum()


def test_small_municipality_is_suppressed_not_empty(wave):
    model = model_for(wave, SMALL)
    assert model["few_associations"] and model["n_associations"] is None    # hidden: not even in the model
    assert model["sectors"]["counts"] and set(model["sectors"]["counts"].values()) == {"<5"}
    assert model["sectors"]["table"]["caption"].endswith("(n = <5)")
    for row in cell_texts(model["people"]["table"]):
        assert row[1:] == ["<5", "<5", "<5"]
    assert model["views"]["rows"] and all(r["n"] == "<5" and r["agree"] == "<5" and not r["conflict"]
                                          for r in model["views"]["rows"])
    reach = cell_texts(model["reach"]["table"])
    assert all(r[1] in ("<5", "0") for r in reach)
    assert "alle 5 yhdistystä" in model["intro"][0]


def test_threshold_is_a_parameter(wave):
    model = model_for(wave, SMALL, threshold=3)
    assert not model["few_associations"]
    assert model["sectors"]["table"]["caption"].endswith("(n = 3)")


# -- not answered, change -------------------------------------------------------------------

def test_non_answering_municipality_shows_no_zeros(wave):
    model = model_for(wave, wave["silent"])
    assert model["answered"] is False
    assert model["total_score"] is None
    assert model["checklist"]["items"] == []
    assert model["checklist"]["summary"] == "Kunta ei vastannut kuntakyselyyn."
    scores = cell_texts(model["scores"])
    assert all(row[1] == "ei vastannut" for row in scores)
    assert all(row[2] != "" for row in scores)                      # the region median is still shown
    assert all(r["says"] == kt.NOT_ANSWERED for r in model["views"]["rows"])
    assert "ei vastannut" in model["change"]["text"]


def test_change_table_and_no_previous_wave(wave):
    code = next(c for c in kt.normalize_codes(wave["muni"]["kunta"])
                if bool(wave["prev_scores"].set_index("kunta").loc[c, "vastannut"]))
    model = model_for(wave, code)
    table = model["change"]["table"]
    assert table is not None and model["change"]["text"] == ""
    now = wave["scores"].set_index("kunta").loc[code]
    before = wave["prev_scores"].set_index("kunta").loc[code]
    total = cell_texts(table)[-1]
    assert total[0] == "Kokonaispisteet"
    diff = round(now[kt.TOTAL]) - round(before[kt.TOTAL])
    expected = kt.change_since(wave["prev_scores"], wave["scores"]).set_index("kunta").loc[code, kt.TOTAL]
    assert total[3].replace("\u2212", "-").lstrip("+") == str(int(np.floor(expected + 0.5)))
    assert abs(diff - expected) <= 1
    assert model_for(wave, code, previous=False)["change"] == {"text": mu.NO_PREVIOUS_TEXT, "table": None}


# -- jobs ------------------------------------------------------------------------------

def test_jobs_carry_only_the_municipality_slice(wave, tmp_path):
    jobs = mu.municipality_jobs(YEAR, tmp_path, wave["assoc"], wave["muni"], wave["scores"], wave["median"],
                                wave["checklist"], previous_scores=wave["prev_scores"], previous_year=YEAR - 2)
    assert [j["code"] for j in jobs] == [m.code for m in CB.municipalities.for_year(YEAR)]
    job = next(j for j in jobs if j["code"] == "179")
    assert job["out"] == tmp_path / "kunnat" / "179-jyvaskyla.pdf"
    own = (job["assoc"]["kotikunta"] == "179").sum()
    assert own == (wave["assoc"]["kotikunta"] == "179").sum()
    assert (job["assoc"]["toimintakunnat__179"] == 1).all() or own < len(job["assoc"])
    assert len(job["assoc"]) < len(wave["assoc"])
    for banned in ("nimi", "rekisterinumero", "vapaa_sana", "paatoimiala__muu", "tiedosto"):
        assert banned not in job["assoc"].columns
    assert list(job["scores"]["kunta"]) == ["179"] and set(job["checklist"]["kunta"]) == {"179"}
    assert job["region_median"].attrs["n"] == 18
    pickle.loads(pickle.dumps(job))           # plain, picklable data for the worker pool
    # the payload gives the same model as the whole data
    a = mu.build_municipality_model("179", YEAR, job["assoc"], job["muni"], job["scores"], job["region_median"],
                                    job["checklist"], job["previous_scores"], previous_year=YEAR - 2, charts=False,
                                    sector_hidden=job["sector_hidden"], reach_hidden=job["reach_hidden"],
                                    people_hidden=job["people_hidden"], n_hidden=job["n_hidden"],
                                    views_hidden=job["views_hidden"])
    b = model_for(wave, "179")
    for key in ("sectors", "reach", "activity", "people", "views", "scores", "checklist", "change"):
        assert a[key] == b[key], key


def test_unknown_municipality_is_an_error(wave):
    with pytest.raises(KartoitusError, match="291"):   # Kuhmoinen left the region after 2020
        model_for(wave, "291")


# -- rendered PDFs (one per kind) ----------------------------------------------------------

def _text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    return re.sub(r"[\u00a0\u202f]", " ", text), len(reader.pages)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="session")
def rendered(wave, tmp_path_factory):
    """Each kind rendered once through the worker entry point ``render_job``."""
    out_dir = tmp_path_factory.mktemp("raportit")
    jobs = {j["code"]: j for j in mu.municipality_jobs(
        YEAR, out_dir, wave["assoc"], wave["muni"], wave["scores"], wave["median"], wave["checklist"],
        previous_scores=wave["prev_scores"], previous_year=YEAR - 2)}
    out = {}
    for key, code in (("big", "179"), ("small", SMALL), ("silent", wave["silent"])):
        job = dict(jobs[code])
        if key == "small":
            job["previous_scores"] = None     # a data bank without the previous wave
        collector = _Collect()
        logging.getLogger("kartoitus.render.document").addHandler(collector)
        try:
            paths = mu.render_job(job)
        finally:
            logging.getLogger("kartoitus.render.document").removeHandler(collector)
        text, pages = _text(paths[0].read_bytes())
        model = mu.build_municipality_model(
            code, YEAR, job["assoc"], job["muni"], job["scores"], job["region_median"], job["checklist"],
            job["previous_scores"], previous_year=YEAR - 2)
        out[key] = {"model": model, "text": text, "pages": pages, "warnings": collector.messages,
                    "paths": paths, "dir": out_dir}
    return out


@pytest.mark.parametrize("kind", ["big", "small", "silent"])
def test_pdf_pages_headings_and_no_warnings(rendered, kind):
    r = rendered[kind]
    assert r["warnings"] == []
    assert 2 <= r["pages"] <= 4
    for heading in ("Kuntatutka ja järjestöpositiivinen kunta", "Kunnan yhdistykset",
                    "Kaksi näkökulmaa yhteistyöhön", "Muutos edellisestä aallosta", "Tietoja luvuista"):
        assert heading in r["text"]
    title = r["model"]["title"]
    assert title.endswith("Keski-Suomen järjestökartoitus 2025") and " \u2013 " in title
    assert title in r["text"].replace("\n", " ")
    assert " ry" not in r["text"] and "Yhdistys 1 " not in r["text"]   # never association names


def test_pdf_big_municipality_numbers_in_finnish(rendered, wave):
    r = rendered["big"]
    assert "Jyväskylä – Keski-Suomen järjestökartoitus 2025" in r["text"]
    own = wave["assoc"][wave["assoc"]["kotikunta"] == "179"]
    members = fi_integer(own["jasenmaara"].sum()).replace("\u00a0", " ")
    assert " " in members and members in r["text"]            # e.g. "12 345": grouped with a space
    htv = own["palkatut_htv"].sum()
    assert f"{htv:.1f}".replace(".", ",").rstrip("0").rstrip(",") in r["text"]
    assert re.search(r"\d+,\d %", r["text"])                   # shares with a decimal comma
    assert "Täyttyy" in r["text"] and "kohdasta" in r["text"]
    assert "Edellinen aalto 2023" in r["text"]
    # the radar is an image with alt text naming every dimension
    alt = r["model"]["radar"]["alt"]
    assert all(label in alt for label in kt.dimension_labels().values())


def test_pdf_small_municipality_has_suppression_marks(rendered):
    text = rendered["small"]["text"]
    assert "Luhanka" in text
    assert text.count("<5") >= 10
    assert "alle 5 yhdistystä" in text


def test_pdf_non_answering_municipality(rendered, wave):
    text = rendered["silent"]["text"]
    name = CB.municipalities.name_of(wave["silent"])
    assert name in text
    assert "Kunta ei vastannut kuntakyselyyn" in text
    assert "ei vastannut" in text
    assert "Täyttyy" not in text


def test_render_job_writes_the_file_atomically(rendered):
    r = rendered["small"]
    assert r["paths"] == [r["dir"] / "kunnat" / "435-luhanka.pdf"]
    assert r["paths"][0].stat().st_size > 10_000
    assert sorted(p.name for p in (r["dir"] / "kunnat").iterdir()) == sorted(
        p.name for k in rendered.values() for p in k["paths"])      # no temporary files left
    assert "Edellistä aaltoa ei ole tietopankissa." in r["text"]
    assert "Edellistä aaltoa ei ole" not in rendered["big"]["text"]
