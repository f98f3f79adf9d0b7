"""Municipality PDFs: figures (suppression, not answered, change), the model and one render of each kind.

The wave is a small demo wave made by the real pipeline and published once per
session (``municipal_wave``). WeasyPrint is slow, so each kind of PDF (the biggest
municipality, a municipality with only a few answering associations, a municipality
that did not answer the municipality survey) is rendered once per session through
the build's jobs and checked several ways.
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

import municipal_wave
from kartoitus.build.municipalities import municipality_jobs
from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer
from kartoitus.models import ChartSpec
from kartoitus.outputs import municipality as mu
from kartoitus.publication import disclosure
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication import municipalities as pm
from kartoitus.render import municipality as rm

YEAR = municipal_wave.YEAR
BIG = "179"      # Jyväskylä


@pytest.fixture(scope="session")
def pub(settings):
    return municipal_wave.publication(settings)


@pytest.fixture(scope="session")
def assoc(settings):
    return municipal_wave.wave_input(settings).association


@pytest.fixture(scope="session")
def kinds(pub):
    """The municipalities of each kind, found in the wave (not assumed)."""
    figs = pub.municipalities
    answering = [c for c, f in figs.items() if mu.answered(f.scores)]
    small = min((c for c in answering if 0 < figs[c].n_associations < 5), key=lambda c: figs[c].n_associations)
    silent = next(c for c, f in figs.items() if not mu.answered(f.scores))
    changed = next(c for c in answering if c != BIG and figs[c].change is not None
                   and bool(figs[c].change["vastannut_edellinen"]))
    new = next(c for c in answering if not bool(figs[c].change["vastannut_edellinen"]))
    assert figs[BIG].n_associations >= 15
    return {"small": small, "silent": silent, "changed": changed, "new": new}


def cell_texts(table: dict) -> list[list[str]]:
    return [[c["text"] for c in row] for row in table["rows"]]


# -- names and paths -------------------------------------------------------------------

def test_slug_and_output_path(tmp_path):
    assert rm.slugify("Jyväskylä") == "jyvaskyla"
    assert rm.slugify("Äänekoski") == "aanekoski"
    assert rm.slugify("Jämsä / Kuhmoinen") == "jamsa-kuhmoinen"
    assert rm.output_path(tmp_path, "179", "Jyväskylä") == tmp_path / "kunnat" / "179-jyvaskyla.pdf"
    assert rm.output_path(tmp_path, "077", "Hankasalmi").name == "077-hankasalmi.pdf"
    with pytest.raises(KartoitusError, match="kolminumeroinen"):
        rm.output_path(tmp_path, "77", "Hankasalmi")


# -- suppression ---------------------------------------------------------------------------

def test_distribution_hides_small_cells_and_their_complement():
    values = pd.Series(["liikunta"] * 7 + ["kulttuuri"] * 3, dtype=object)
    t = pm.distribution_table(values, {"liikunta": "Liikunta", "kulttuuri": "Kulttuuri", "nuoriso": "Nuoriso"},
                              "t", "T", 5, "paatoimiala", "_ei_tietoa")
    # 3 is primary; 7 would give it away from the published n = 10, so it is hidden too
    assert t.n == 10
    assert t.mask()["yhdistyksia"].tolist() == [True, True]
    assert t.frame["yhdistyksia"].isna().all()          # hidden values are blanked, not just masked
    assert list(t.frame["luokka"]) == ["Liikunta", "Kulttuuri"]   # zero row (nuoriso) left out
    values = pd.Series(["liikunta"] * 7 + ["kulttuuri"] * 6 + ["nuoriso"] * 2, dtype=object)
    t = pm.distribution_table(values, {"liikunta": "L", "kulttuuri": "K", "nuoriso": "N"}, "t", "T", 5, "q",
                              "_ei_tietoa")
    assert dict(zip(t.frame["luokka"], t.mask()["yhdistyksia"])) == {"L": False, "K": True, "N": True}
    assert t.frame.loc["liikunta", "osuus"] == pytest.approx(7 / 15 * 100)


def test_sector_suppression_holds_across_municipalities(settings):
    """Jyväskylä's 3 youth associations are hidden; Laukaa's 6 must be hidden too, or the
    region's published youth total minus Laukaa's 6 would give Jyväskylä's 3. Laukaa's own
    table then hides at least one more sector, and a zero that completes a row shows as <5."""
    rows = ([("179", "nuoriso")] * 3 + [("179", "kulttuuri")] * 8 + [("179", "liikunta")] * 9
            + [("410", "nuoriso")] * 6 + [("410", "liikunta")] * 10 + [("410", "kulttuuri")] * 12
            + [("077", "liikunta")] * 7)
    assoc = pd.DataFrame(rows, columns=["kotikunta", "paatoimiala"])
    mask = pm.sector_mask(disclosure.home_hidden(assoc, YEAR, 5, settings), YEAR, settings)
    assert pm.hidden_sectors(mask, "179") == ["kulttuuri", "nuoriso"]
    assert "nuoriso" in pm.hidden_sectors(mask, "410")     # the cross-municipality complement
    for code in ("179", "410", "077"):                 # every row and column has 0 or at least 2 hidden cells
        assert sum(mask.loc[k, code] for k in mask.index) != 1
    for k in mask.index:
        assert mask.loc[k].sum() != 1
    # alone, Laukaa's table would hide nothing; with the region-wide mask it hides two rows
    own = assoc[assoc["kotikunta"] == "410"]
    assert not pm.sector_table(own, 5, settings).mask()["yhdistyksia"].any()
    hidden = pm.hidden_sectors(mask, "410")
    t = pm.sector_table(own, 5, settings, hidden=hidden)
    assert t.mask()["yhdistyksia"].sum() == len(hidden) >= 2
    assert t.frame["yhdistyksia"].isna().sum() == len(hidden)       # blanked, not only marked
    # a hidden zero is printed as <5, not left out
    t = pm.sector_table(assoc[assoc["kotikunta"] == "077"], 5, settings, hidden=["nuoriso"])
    assert dict(zip(t.frame["luokka"], t.mask()["yhdistyksia"])) == {"Liikunta ja urheilu": False,
                                                                     "Nuorisotoiminta": True}


def test_people_totals_suppressed_across_municipalities(settings):
    """Luhanka's member total (3 associations) is hidden; otherwise the region total minus
    the other municipalities' published totals would give it, so one more total goes."""
    rows = ([("435", 40.0)] * 3 + [("179", 100.0)] * 9 + [("410", 50.0)] * 6)
    assoc = pd.DataFrame(rows, columns=["kotikunta", "jasenmaara"])
    mask = pm.people_mask(assoc, YEAR, 5, settings)
    assert set(pm.hidden_people(mask, "435")) == {"jasenmaara|vastanneita", "jasenmaara|yhteensa"}
    assert set(pm.hidden_people(mask, "410")) == {"jasenmaara|vastanneita", "jasenmaara|yhteensa"}
    assert pm.hidden_people(mask, "179") == []
    own = assoc[assoc["kotikunta"] == "410"]
    t = pm.people_table(own, 5, settings, hidden=pm.hidden_people(mask, "410"))
    assert t.mask().loc["jasenmaara"].tolist() == [False, True, True, False]   # label, n, total, median
    assert t.frame.loc["jasenmaara", "mediaani"] == 50.0


def test_figures_follow_the_wave_wide_suppression(pub, assoc, settings):
    """The figures hide what disclosure.home_hidden hides over the whole wave, once."""
    hidden = disclosure.home_hidden(assoc, YEAR, 5, settings)
    mask = pm.sector_mask(hidden, YEAR, settings)
    for code, f in pub.municipalities.items():
        assert f.count_hidden == pm.count_hidden(hidden, code)
        assert f.n_hidden == (f.count_hidden or 0 < f.n_associations < 5)
        shown = f.sectors.mask()["yhdistyksia"]
        for key in pm.hidden_sectors(mask, code):
            assert shown[key], (code, key)
    regions = {id(f.region) for f in pub.municipalities.values()}
    assert len(regions) == 1                                      # one region, computed once
    assert next(iter(pub.municipalities.values())).region.n_associations == len(assoc)


def test_big_municipality_counts_match_the_data(pub, assoc, settings):
    model = mu.municipality_model(pub, BIG)
    own = assoc[assoc["kotikunta"] == BIG]
    assert model["n_associations"] == len(own)
    labels = pm.sector_labels(settings)
    truth = own["paatoimiala"].map(labels).value_counts()
    shown = model["sectors"]["counts"]
    for label, value in shown.items():
        if value == "<5":
            assert 0 < truth.get(label, 0) < 5     # "<5" only for a count truly 1-4
        elif value == "..":
            pass                                   # hidden so that a small cell cannot be worked out
        else:
            assert value == truth.get(label, 0)
            assert not 0 < value < 5
    assert any(v not in ("<5", "..") and v >= 5 for v in shown.values())
    members = model["people"]["values"]["jasenmaara"]
    assert members["yhteensa"] == pytest.approx(own["jasenmaara"].sum())
    assert members["mediaani"] == pytest.approx(own["jasenmaara"].median())
    assert members["vastanneita"] == own["jasenmaara"].notna().sum()


def test_small_municipality_is_suppressed_not_empty(pub, kinds):
    model = mu.municipality_model(pub, kinds["small"])
    assert model["few_associations"] and model["n_associations"] is None    # hidden: not even in the model
    assert model["sectors"]["counts"] and set(model["sectors"]["counts"].values()) <= {"<5", ".."}
    assert model["sectors"]["table"]["caption"].endswith("(n = <5)")
    for row in cell_texts(model["people"]["table"]):
        assert row[1:] in (["<5", "..", ".."], ["..", "..", ".."])   # sums and medians are never <5
    assert model["views"]["rows"] and all(r["n"] in ("<5", "..") and r["agree"] == ".." and not r["conflict"]
                                          for r in model["views"]["rows"])
    reach = cell_texts(model["reach"]["table"])
    assert all(r[1] in ("<5", "..", "0") for r in reach)
    assert "alle 5 yhdistystä" in model["intro"][0]


def test_threshold_is_a_parameter(settings, pub, kinds):
    small = kinds["small"]
    n = pub.municipalities[small].n_associations
    model = mu.municipality_model(municipal_wave.publication(settings, threshold=n), small)
    assert not model["few_associations"]
    assert model["sectors"]["table"]["caption"].endswith(f"(n = {n})")


def test_model_is_plain_and_the_radar_a_chart_spec(pub):
    model = mu.municipality_model(pub, BIG)
    spec = model["radar"]["src"]
    assert isinstance(spec, ChartSpec) and spec.kind == "radar"
    assert spec.kwargs["median_n"] == pub.kuntatutka.region_median.attrs["n"]
    pickle.loads(pickle.dumps(model))          # plain, picklable data for the worker pool
    assert [m["code"] for m in mu.municipality_models(pub)] == list(pub.municipalities)


# -- not answered, change -------------------------------------------------------------------

def test_non_answering_municipality_shows_no_zeros(pub, kinds):
    model = mu.municipality_model(pub, kinds["silent"])
    assert model["answered"] is False
    assert model["total_score"] is None
    assert model["checklist"]["items"] == []
    assert model["checklist"]["summary"] == "Kunta ei vastannut kuntakyselyyn."
    scores = cell_texts(model["scores"])
    assert all(row[1] == "ei vastannut" for row in scores)
    assert all(row[2] != "" for row in scores)                      # the region median is still shown
    assert all(r["says"] == kt.NOT_ANSWERED for r in model["views"]["rows"])
    assert "ei vastannut" in model["change"]["text"]


def test_change_table(pub, kinds, settings):
    code = kinds["changed"]
    tut = pub.kuntatutka
    assert tut.previous_year == municipal_wave.PREVIOUS and len(tut.previous_scores) == 22
    model = mu.municipality_model(pub, code)
    table = model["change"]["table"]
    assert table is not None and model["change"]["text"] == ""
    assert table["headers"][1]["text"] == f"Edellinen aalto {municipal_wave.PREVIOUS}"
    now = tut.scores.set_index("kunta").loc[code]
    before = tut.previous_scores.set_index("kunta").loc[code]
    total = cell_texts(table)[-1]
    assert total[0] == "Kokonaispisteet"
    diff = round(now[kt.TOTAL]) - round(before[kt.TOTAL])
    expected = kt.change_since(tut.previous_scores, tut.scores).set_index("kunta").loc[code, kt.TOTAL]
    assert total[3].replace("\u2212", "-").lstrip("+") == str(int(np.floor(expected + 0.5)))
    assert abs(diff - expected) <= 1
    # the previous wave is scored from its own answers (the data bank's 2024 wave)
    prev = municipal_wave.wave_input(settings).previous[0]
    assert prev.year == municipal_wave.PREVIOUS
    again = kt.score_municipalities(prev.municipality, prev.year, settings.scoring, settings.codebook)
    pd.testing.assert_frame_equal(again, tut.previous_scores)


def test_change_when_not_answered_before(pub, kinds):
    model = mu.municipality_model(pub, kinds["new"])
    assert model["change"]["table"] is None
    assert model["change"]["text"] == (f"Kunta ei vastannut edellisen aallon ({municipal_wave.PREVIOUS}) "
                                       "kuntakyselyyn, joten muutosta ei voi laskea.")


def test_no_previous_wave(settings):
    data = municipal_wave.wave_input(settings)
    from dataclasses import replace

    from kartoitus.publication import publish

    alone = publish(replace(data, previous=()), settings, parts=("kuntatutka", "municipalities"))
    assert alone.kuntatutka.previous_scores is None and alone.kuntatutka.previous_year is None
    assert mu.municipality_model(alone, BIG)["change"] == {"text": mu.NO_PREVIOUS_TEXT, "table": None}


def test_unknown_municipality_is_an_error(pub):
    with pytest.raises(KartoitusError, match="291"):   # Kuhmoinen left the region after 2020
        mu.municipality_model(pub, "291")


# -- jobs ------------------------------------------------------------------------------

def test_jobs_carry_the_model_and_the_path(pub, tmp_path, settings):
    jobs = municipality_jobs(pub, tmp_path)
    assert [j.id for j in jobs] == [f"kunta/{m.code}" for m in settings.codebook.municipalities.for_year(YEAR)]
    job = next(j for j in jobs if j.id == f"kunta/{BIG}")
    assert job.func == "kartoitus.render.municipality:render_job" and job.label == "kunta Jyväskylä"
    assert job.payload["out"] == tmp_path / "kunnat" / "179-jyvaskyla.pdf" and job.outputs == [job.payload["out"]]
    assert set(job.payload) == {"model", "out"}
    assert job.payload["model"]["sectors"] == mu.municipality_model(pub, BIG)["sectors"]
    pickle.loads(pickle.dumps(job.payload))
    # the build cache keys on the payload: the same publication gives the same fingerprints
    from kartoitus.build.jobs import fingerprint

    again = municipality_jobs(pub, tmp_path)
    assert [fingerprint(j.payload) for j in jobs] == [fingerprint(j.payload) for j in again]
    assert len({fingerprint(j.payload) for j in jobs}) == len(jobs)


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
def rendered(pub, kinds, tmp_path_factory, settings):
    """Each kind rendered once through the worker entry point ``render_job``."""
    from dataclasses import replace

    from kartoitus.publication import publish

    out_dir = tmp_path_factory.mktemp("raportit")
    jobs = {j.id.split("/")[1]: j for j in municipality_jobs(pub, out_dir)}
    alone = publish(replace(municipal_wave.wave_input(settings), previous=()), settings,
                    parts=("kuntatutka", "municipalities"))       # a data bank without the previous wave
    out = {}
    for key, code in (("big", BIG), ("small", kinds["small"]), ("silent", kinds["silent"])):
        payload = dict(jobs[code].payload)
        if key == "small":
            payload["model"] = mu.municipality_model(alone, code)
        collector = _Collect()
        logging.getLogger("kartoitus.render.document").addHandler(collector)
        try:
            paths = rm.render_job(payload)
        finally:
            logging.getLogger("kartoitus.render.document").removeHandler(collector)
        text, pages = _text(paths[0].read_bytes())
        out[key] = {"model": payload["model"], "text": text, "pages": pages, "warnings": collector.messages,
                    "paths": paths, "dir": out_dir, "code": code}
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


def test_pdf_big_municipality_numbers_in_finnish(rendered, assoc, settings):
    r = rendered["big"]
    assert "Jyväskylä – Keski-Suomen järjestökartoitus 2025" in r["text"]
    own = assoc[assoc["kotikunta"] == BIG]
    members = fi_integer(own["jasenmaara"].sum()).replace("\u00a0", " ")
    assert " " in members and members in r["text"]            # e.g. "12 345": grouped with a space
    htv = own["palkatut_htv"].sum()
    assert f"{htv:.1f}".replace(".", ",").rstrip("0").rstrip(",") in r["text"]
    assert re.search(r"\d+,\d %", r["text"])                   # shares with a decimal comma
    assert "Täyttyy" in r["text"] and "kohdasta" in r["text"]
    assert f"Edellinen aalto {municipal_wave.PREVIOUS}" in r["text"]
    # the radar is an image with alt text naming every dimension
    alt = r["model"]["radar"]["alt"]
    assert all(label in alt for label in kt.dimension_labels(settings.scoring).values())


def test_pdf_small_municipality_has_suppression_marks(rendered, settings):
    r = rendered["small"]
    assert settings.codebook.municipalities.name_of(r["code"]) in r["text"]
    assert r["text"].count("<5") >= 10
    assert "alle 5 yhdistystä" in r["text"]


def test_pdf_non_answering_municipality(rendered, settings):
    r = rendered["silent"]
    assert settings.codebook.municipalities.name_of(r["code"]) in r["text"]
    assert "Kunta ei vastannut kuntakyselyyn" in r["text"]
    assert "ei vastannut" in r["text"]
    assert "Täyttyy" not in r["text"]


def test_render_job_writes_the_file_atomically(rendered):
    r = rendered["small"]
    assert r["paths"] == [rm.output_path(r["dir"], r["code"], r["model"]["name"])]
    assert r["paths"][0].stat().st_size > 10_000
    assert sorted(p.name for p in (r["dir"] / "kunnat").iterdir()) == sorted(
        p.name for k in rendered.values() for p in k["paths"])      # no temporary files left
    assert "Edellistä aaltoa ei ole tietopankissa." in r["text"]
    assert "Edellistä aaltoa ei ole" not in rendered["big"]["text"]
