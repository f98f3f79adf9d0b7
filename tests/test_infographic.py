"""Sector infographics: sectors, hand-counted figures and model values, suppression,
the jobs of a build, the single-page command, one-page PDF and PNG.

The hand-counted fixture wave (tests/fixtures/processed/2025, 30 associations) has
main sectors: elakelaiset 6, kulttuuri 6, vammaiset 5, liikunta 5, lapsi_perhe 3,
kyla_asukas 3, muu 2. The publication's ``sectors`` part is computed once for the
session (the real :func:`kartoitus.publication.publish`, as a build does). Only two
pages are rendered (session fixture): elakelaiset through the command's entry point
and lapsi_perhe (under the threshold) through the worker entry point.
"""

from __future__ import annotations

import pickle
import re
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from kartoitus.build import infographic as build_ig
from kartoitus.build.jobs import fingerprint
from kartoitus.errors import ConfigError, KartoitusError
from kartoitus.fmt import fi_integer
from kartoitus.outputs import infographic as ig
from kartoitus.publication import Publication, WaveInput, publish
from kartoitus.publication import sectors as sec
from kartoitus.render import infographic as render_ig
from kartoitus.stages import bank
from kartoitus.stages.wave import Wave

FIXTURE = Path(__file__).parent / "fixtures" / "processed"
YEAR = 2025
SOTE = ["elakelaiset", "lapsi_perhe", "omaiset", "potilas_kansanterveys", "vammaiset",
        "paihde_riippuvuus", "mielenterveys", "muu_sote"]
NBSP = "\u00a0"


def _plain(text: str) -> str:
    """PDF text and model text compared with ordinary single spaces."""
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace("\u202f", " ")).strip()


def _publish(assoc: pd.DataFrame, settings, **kwargs) -> Publication:
    data = WaveInput(year=YEAR, association=assoc, municipality=pd.DataFrame())
    return publish(data, settings, parts=("sectors",), **kwargs)


@pytest.fixture(scope="session")
def assoc() -> pd.DataFrame:
    """The fixture wave's association survey, read as the data bank reads it."""
    return bank.read_processed_csv(FIXTURE / str(YEAR) / "jarjestokysely.csv")


@pytest.fixture(scope="session")
def pub(assoc, settings) -> Publication:
    """The publication's ``sectors`` part of the fixture wave (every page)."""
    return _publish(assoc, settings)


def _fixture_wave(reports: Path) -> Wave:
    return Wave(YEAR, FIXTURE.parent / "raw-not-needed", FIXTURE, reports)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, pub, settings):
    """Two pages: elakelaiset via the ``infographic`` command's entry point, lapsi_perhe
    via the worker entry point (``render_job``) of a build's job."""
    reports = tmp_path_factory.mktemp("reports")
    cli_paths = build_ig.make_infographics(_fixture_wave(reports), settings, ["Eläkeläiset"])
    job = next(j for j in build_ig.infographic_jobs(pub, reports / str(YEAR))
               if j.id == "infografiikka/lapsi_perhe")
    job_paths = render_ig.render_job(job.payload)
    return {"reports": reports, "elakelaiset": cli_paths, "lapsi_perhe": job_paths, "job": job}


def _pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), _plain(" ".join(p.extract_text() for p in reader.pages))


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


# -- sectors ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("elakelaiset", "elakelaiset"),
    ("eläkeläiset", "elakelaiset"),
    ("Eläkeläistoiminta", "elakelaiset"),
    ("  ELÄKELÄISTOIMINTA ", "elakelaiset"),
    ("elakelaistoiminta", "elakelaiset"),
    ("lapsi-perhe", "lapsi_perhe"),
    ("Lapsi- ja perhetoiminta", "lapsi_perhe"),
    ("päihde", "paihde_riippuvuus"),
    ("Päihde- ja riippuvuustyö", "paihde_riippuvuus"),
    ("liikunta ja urheilu", "liikunta"),
    ("mielenterveys", "mielenterveys"),
    ("Muu sosiaali- ja terveysalan toiminta", "muu_sote"),
    ("elakelaset", "elakelaiset"),          # a typo, still only one sector that close
])
def test_resolve_sector_variants(text, key, settings):
    assert ig.resolve_sector(text, settings) == key


@pytest.mark.parametrize("text", ["", "xyz", "muu", "toiminta", "urheiluseura ja kuoro"])
def test_resolve_sector_unknown_lists_keys_and_labels(text, settings):
    with pytest.raises(KartoitusError) as err:
        ig.resolve_sector(text, settings)
    message = str(err.value)
    assert "elakelaiset (Eläkeläistoiminta)" in message
    assert "liikunta (Liikunta ja urheilu)" in message
    assert "muu_sote (Muu sosiaali- ja terveysalan toiminta)" in message


def test_sote_sectors_are_the_settings_group_in_codebook_order(settings):
    keys = [o.key for o in settings.codebook.association.question("paatoimiala").options]
    assert keys[:8] == SOTE
    assert list(sec.sote_sectors(settings)) == SOTE
    shuffled = replace(settings, classification=replace(settings.classification,
                                                        sote=("vammaiset", "elakelaiset")))
    assert sec.sote_sectors(shuffled) == ("elakelaiset", "vammaiset")      # codebook order
    for bad, named in ((("elakelaiset", "golf"), "golf"), ((), "(tyhjä lista)")):
        broken = replace(settings, classification=replace(settings.classification, sote=bad))
        with pytest.raises(ConfigError, match=re.escape(named)):
            sec.sote_sectors(broken)


def test_sector_keys_always_has_the_sote_sectors(assoc, settings):
    assert sec.sector_keys(assoc, settings) == [*SOTE, "kulttuuri", "liikunta"]
    assert sec.sector_keys(assoc, settings, threshold=6) == [*SOTE, "kulttuuri"]
    assert sec.sector_keys(assoc.iloc[0:0], settings) == SOTE


def test_publication_has_every_page_in_order_and_withholds_small_ones(pub):
    assert list(pub.sectors) == [*SOTE, "kulttuuri", "liikunta"]
    small = pub.sectors["lapsi_perhe"]
    assert small.withheld == sec.UNDER_THRESHOLD and small.tables is None and small.n_main is None
    # vammaiset (5) is the complement of lapsi_perhe (3, hidden) in the sote group: the report hides it
    assert pub.sectors["vammaiset"].withheld == sec.REPORT_HIDES
    big = pub.sectors["elakelaiset"]
    assert big.withheld is None and big.n_main == 6
    assert set(big.tables) == {"headline", "where", "people", "kohderyhmat", "toimintamuodot", "haasteet",
                               "yhteistyo"}


def test_publication_only_named_sectors(assoc, settings, pub):
    one = _publish(assoc, settings, sectors=("liikunta",))
    assert list(one.sectors) == ["liikunta"]
    assert ig.infographic_model(one, "liikunta") == ig.infographic_model(pub, "liikunta")
    with pytest.raises(KartoitusError, match="tuntematon toimiala 'golf'"):
        _publish(assoc, settings, sectors=("golf",))
    with pytest.raises(KartoitusError, match="ei ole laskettu"):
        ig.infographic_model(one, "kulttuuri")


# -- the model (pure, hand-counted) ---------------------------------------------------------

def test_model_big_sector_hand_counted(pub):
    m = ig.infographic_model(pub, "elakelaiset")
    assert not m["suppressed"]
    assert m["label"] == "Eläkeläistoiminta" and m["group"] == "sote"
    assert "2025" in m["subtitle"]
    tiles = [t["value"] for t in m["tiles"]]
    # 6 main-sector associations; nobody else ticked elakelaiset; members 120+80+45+60+30+25
    assert tiles == ["6", "+0", "360", "36"]
    assert m["tiles"][0]["detail"] == f"20,0{NBSP}% kaikista vastanneista (n{NBSP}={NBSP}30)"
    assert m["tiles"][2]["detail"] == f"mediaani 52,5 / yhdistys · n{NBSP}={NBSP}6"
    assert m["tiles"][3]["detail"] == f"mediaani 5,5 / yhdistys · n{NBSP}={NBSP}6"
    where = {r["label"]: r["value"] for r in m["panels"]["where"]["rows"]}
    # Jyväskylä sub-region 5 (179, 179, 410, 410, 077), Äänekoski 1 (992): both hidden,
    # the 1 as a small count, the 5 only to protect it
    assert where["Jyväskylän seutukunta"] == ".."
    assert where["Äänekosken seutukunta"] == "<5"
    assert where["Jämsän seutukunta"] == "0"
    forms = {r["label"]: (r["value"], r["region"]) for r in m["panels"]["toimintamuodot"]["rows"]}
    assert forms["Vertaistuki"] == (f"100,0{NBSP}%", f"37,9{NBSP}%")      # 6/6; region 11/29
    assert forms["Tapahtumat ja tempaukset"][0] == f"0,0{NBSP}%"
    assert forms["Kohtaamispaikka- tai olohuonetoiminta"][0] == ".."     # a share is never "<5"
    coop = {r["label"]: r["value"] for r in m["panels"]["yhteistyo"]["rows"]}
    assert coop["Kunta tuntee yhdistyksemme toiminnan"] == f"100,0{NBSP}%"
    assert coop["Pääsemme osallistumaan kunnan hyvinvointisuunnitteluun"] == f"0,0{NBSP}%"
    # every caption carries its n
    for panel in m["panels"].values():
        assert "(n\u00a0=\u00a0" in panel["caption"]
    # bars sorted largest first, hidden last
    values = [r["width"] for r in m["panels"]["toimintamuodot"]["rows"]]
    assert values == sorted(values, reverse=True)
    assert m["panels"]["toimintamuodot"]["rows"][-1]["suppressed"]
    # plain data: no colours or other look (render adds them), picklable
    assert "colors" not in m
    assert pickle.loads(pickle.dumps(m)) == m


def test_model_small_count_of_other_sectors_is_hidden(pub):
    m = ig.infographic_model(pub, "liikunta")
    assert m["group"] == "muut" and not m["suppressed"]
    # 5 main sector; rows 1, 2, 3 (elakelaiset) also tick liikunta: 3 -> hidden
    assert m["tiles"][0]["value"] == "5"
    assert m["tiles"][1]["value"] == "<5" and m["tiles"][1]["suppressed"]


def test_model_under_threshold_has_no_numbers(pub):
    m = ig.infographic_model(pub, "lapsi_perhe")
    assert m["suppressed"]
    assert m["message"] == "Alle 5 yhdistystä: lukuja ei julkaista"
    assert m["tiles"] == [] and m["panels"] == {}
    assert m["explanation"][0].startswith("Järjestökartoitukseen vastasi alle 5 yhdistystä")
    text = " ".join([m["message"], *m["explanation"], *m["footnotes"]])
    assert set(re.findall(r"\d+", text.replace("2025", ""))) == {"5"}
    # a sote sector with no associations at all still gets its page
    m0 = ig.infographic_model(pub, "omaiset")
    assert m0["suppressed"] and m0["label"] == "Omaistoiminta"


def test_model_of_a_count_the_report_hides_has_no_numbers(pub):
    m = ig.infographic_model(pub, "vammaiset")
    assert m["suppressed"] and m["tiles"] == []
    assert m["explanation"][0].startswith("Päätoimialan vammaistoiminta yhdistysten määrää ei julkaista")
    text = " ".join([m["message"], *m["explanation"], *m["footnotes"]])
    assert set(re.findall(r"\d+", text.replace("2025", ""))) == {"5"}


def test_model_members_of_fewer_than_five_respondents_are_hidden(pub, assoc, settings):
    """The page's own suppression: vammaiset's figures without the report's masks
    (hidden={}): 5 associations, but only 4 gave a member count (row 14 left it blank)."""
    masks = sec.infographic_masks(assoc, YEAR, 5, settings)
    region = sec.region_summary(assoc, settings, 5, masks)
    tables = sec.sector_tables("vammaiset", YEAR, assoc, settings, 5, region=region, hidden={})
    figures = sec.SectorFigures("vammaiset", n_main=5, tables=tables)
    m = ig.infographic_model(replace(pub, sectors={"vammaiset": figures}), "vammaiset")
    members = m["tiles"][2]
    assert members["value"] == ".." and members["suppressed"]       # a sum is never "<5"
    assert members["detail"] == "vastanneita alle 5: lukua ei julkaista"


def test_publication_does_not_modify_input(assoc, settings):
    before = assoc.copy()
    _publish(assoc, settings, sectors=("elakelaiset", "vammaiset"))
    pd.testing.assert_frame_equal(assoc, before)


def test_question_not_asked_is_said_not_zero(assoc, settings):
    cols = [c for c in assoc.columns if c.startswith("haasteet__")]
    one = _publish(assoc.drop(columns=cols), settings, sectors=("elakelaiset",))
    m = ig.infographic_model(one, "elakelaiset")
    assert m["panels"]["haasteet"]["not_asked"] == "Ei kysytty vuonna 2025."
    assert m["panels"]["haasteet"]["rows"] == []


def test_figures_vectorised_on_many_rows(assoc, settings):
    big = pd.concat([assoc] * 3334, ignore_index=True)          # 100 020 rows
    import time

    start = time.perf_counter()
    one = _publish(big, settings, sectors=("elakelaiset",))
    m = ig.infographic_model(one, "elakelaiset")
    assert time.perf_counter() - start < 20
    assert m["tiles"][0]["value"] == fi_integer(6 * 3334)


def test_where_table_follows_the_shared_mask(assoc, settings):
    """Given the rows the wave-wide suppression hides, the table hides exactly those (no
    table-local secondary suppression) and shows a hidden row even when it is 0 here."""
    own = assoc.loc[(assoc["paatoimiala"] == "kulttuuri").to_numpy()]
    free = sec.where_table(own, YEAR, settings, 0)      # the true counts
    forced = sec.where_table(own, YEAR, settings, 5, hidden=["131", "ulkopuolella"])
    assert "ulkopuolella" in forced.frame.index and forced.is_suppressed("ulkopuolella", "yhdistyksia")
    hidden = {k for k in forced.frame.index if forced.is_suppressed(k, "yhdistyksia")}
    small = {k for k in free.frame.index if 0 < free.frame.at[k, "yhdistyksia"] < 5}
    assert hidden == {"131", "ulkopuolella"} | small


# -- jobs of a build ----------------------------------------------------------------------------

def test_jobs_one_per_page_with_the_model_as_payload(pub, tmp_path):
    jobs = build_ig.infographic_jobs(pub, tmp_path)
    assert [j.id for j in jobs] == [f"infografiikka/{k}" for k in [*SOTE, "kulttuuri", "liikunta"]]
    liikunta = jobs[-1]
    assert liikunta.func == "kartoitus.render.infographic:render_job"
    assert liikunta.label == "infografiikka liikunta"
    assert liikunta.outputs == [tmp_path / "infograafit" / "liikunta.pdf", tmp_path / "infograafit" / "liikunta.png"]
    assert liikunta.payload == {"model": ig.infographic_model(pub, "liikunta"), "outputs": liikunta.outputs}
    assert pickle.loads(pickle.dumps(liikunta.payload)) == liikunta.payload


def test_job_fingerprint_changes_only_with_its_page(assoc, settings, tmp_path):
    """Members of other sectors' associations are on no page but their own."""
    changed = assoc.copy()
    changed.loc[changed["paatoimiala"] != "liikunta", "jasenmaara"] = 999

    def prints(frame, key):
        job, = build_ig.infographic_jobs(_publish(frame, settings, sectors=(key,)), tmp_path)
        return fingerprint(job.payload)

    for key in ("lapsi_perhe", "liikunta"):         # liikunta: rows 1-3 only name it
        assert prints(assoc, key) == prints(changed, key)
    assert prints(assoc, "elakelaiset") != prints(changed, "elakelaiset")


# -- the single-page command --------------------------------------------------------------------

def test_single_page_reads_only_the_columns_it_needs(assoc, settings, pub, tmp_path):
    """``kartoitus infographic SECTOR`` reads only sector_columns (never names or free
    text) and its page equals the page of a full build."""
    data = build_ig.read_sector_input(_fixture_wave(tmp_path), settings)
    cols = list(data.association.columns)
    assert cols == build_ig.sector_columns(assoc.columns, settings)
    assert not any(c.endswith("_nimi") or c in ("nimi", "vapaa_sana", "rekisterinumero") for c in cols)
    assert len(data.association) == len(assoc)
    for key in ("kulttuuri", "liikunta", "vammaiset", "elakelaiset"):
        single = publish(data, settings, parts=("sectors",), sectors=(key,))
        assert ig.infographic_model(single, key) == ig.infographic_model(pub, key)


def test_command_errors_are_actionable(settings, tmp_path):
    with pytest.raises(KartoitusError, match="tuntematon toimiala"):
        build_ig.make_infographics(_fixture_wave(tmp_path), settings, ["golf"])
    with pytest.raises(KartoitusError, match="build-data"):
        build_ig.make_infographics(replace(_fixture_wave(tmp_path), year=2031), settings, ["liikunta"])


# -- rendered pages ---------------------------------------------------------------------------

def test_big_sector_pdf_is_one_page_with_the_model_numbers(rendered, pub, assoc):
    pdf, png = rendered["elakelaiset"]
    assert pdf == rendered["reports"] / "2025" / "infograafit" / "elakelaiset.pdf"
    assert png.with_suffix(".pdf") == pdf
    pages, text = _pdf_text(pdf)
    assert pages == 1
    m = ig.infographic_model(pub, "elakelaiset")
    assert "Eläkeläistoiminta" in text and "2025" in text
    for tile in m["tiles"]:
        assert _plain(tile["value"]) in text
        assert _plain(tile["detail"]) in text
    assert "20,0 % kaikista vastanneista (n = 30)" in text
    assert "mediaani 52,5 / yhdistys" in text
    assert "Vertaistuki 100,0 % 37,9 %" in text
    assert "Lähde: Keski-Suomen järjestökartoitus 2025, n = 6 yhdistystä" in text
    assert "<5 = 1–4 yhdistystä" in text
    # never a name or free text
    names = assoc["nimi"].dropna().tolist()
    assert not any(name in text for name in names)
    assert "Kiitos" not in text


def test_suppressed_page_says_so_and_shows_no_numbers(rendered):
    pdf, _ = rendered["lapsi_perhe"]
    pages, text = _pdf_text(pdf)
    assert pages == 1
    assert "Lapsi- ja perhetoiminta" in text and "2025" in text
    assert "Alle 5 yhdistystä: lukuja ei julkaista" in text
    digits = re.findall(r"\d+", text.replace("2025", ""))
    assert set(digits) == {"5"}                             # only the threshold itself
    assert "n =" not in text and "%" not in text


def test_png_is_valid_reproducible_and_without_metadata(rendered):
    for pdf, png in (rendered["elakelaiset"], rendered["lapsi_perhe"]):
        data = png.read_bytes()
        chunks = _png_chunks(data)
        kinds = [k for k, _ in chunks]
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
        width, height = struct.unpack(">II", chunks[0][1][:8])
        assert width in (1240, 1241) and height in (1754, 1755)   # A4 at 150 dpi
        assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(kinds)
    # a second render gives the same bytes (PDF and PNG)
    pdf, png = rendered["lapsi_perhe"]
    before = (pdf.read_bytes(), png.read_bytes())
    again = render_ig.render_job(rendered["job"].payload)
    assert again == [pdf, png]
    assert (pdf.read_bytes(), png.read_bytes()) == before
    # the PNG is the PDF page: rasterising the PDF again gives the PNG
    assert render_ig.rasterise(before[0]) == (before[1], 1)
