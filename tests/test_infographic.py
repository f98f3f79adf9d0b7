"""Sector infographics: sectors, hand-counted model values, suppression, one-page PDF, PNG.

The hand-counted fixture wave (tests/fixtures/processed/2025, 30 associations) has
main sectors: elakelaiset 6, kulttuuri 6, vammaiset 5, liikunta 5, lapsi_perhe 3,
kyla_asukas 3, muu 2. Only two pages are rendered (session fixture): elakelaiset
through the CLI entry point and lapsi_perhe (under the threshold) through the
worker entry point.
"""

from __future__ import annotations

import pickle
import re
import struct
import zlib
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kartoitus.settings.codebook import default_codebook
from kartoitus.errors import ConfigError, KartoitusError
from kartoitus.outputs import infographic as ig

FIXTURE = Path(__file__).parent / "fixtures" / "processed"
YEAR = 2025
SOTE = ["elakelaiset", "lapsi_perhe", "omaiset", "potilas_kansanterveys", "vammaiset",
        "paihde_riippuvuus", "mielenterveys", "muu_sote"]
NBSP = "\u00a0"


def _plain(text: str) -> str:
    """PDF text and model text compared with ordinary single spaces."""
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace("\u202f", " ")).strip()


@pytest.fixture(scope="module")
def assoc() -> pd.DataFrame:
    return ig.read_association(FIXTURE / str(YEAR))


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Two pages: elakelaiset via ``infographic`` (CLI), lapsi_perhe via ``render_job``."""
    reports = tmp_path_factory.mktemp("reports")
    cli_paths = ig.infographic("Eläkeläiset", YEAR, FIXTURE, reports)
    data = ig.read_association(FIXTURE / str(YEAR))
    payload = next(p for p in ig.infographic_jobs(YEAR, reports / str(YEAR), data)
                   if p["sector"] == "lapsi_perhe")
    job_paths = ig.render_job(payload)
    return {"reports": reports, "elakelaiset": cli_paths, "lapsi_perhe": job_paths, "payload": payload}


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
def test_resolve_sector_variants(text, key):
    assert ig.resolve_sector(text) == key


@pytest.mark.parametrize("text", ["", "xyz", "muu", "toiminta", "urheiluseura ja kuoro"])
def test_resolve_sector_unknown_lists_keys_and_labels(text):
    with pytest.raises(KartoitusError) as err:
        ig.resolve_sector(text)
    message = str(err.value)
    assert "elakelaiset (Eläkeläistoiminta)" in message
    assert "liikunta (Liikunta ja urheilu)" in message
    assert "muu_sote (Muu sosiaali- ja terveysalan toiminta)" in message


def test_sote_sectors_are_the_first_eight_of_the_codebook():
    keys = [o.key for o in default_codebook().association.question("paatoimiala").options]
    assert keys[:8] == SOTE
    assert list(ig.sote_sectors()) == SOTE


def test_sote_sectors_from_classification_file(tmp_path):
    (tmp_path / "luokittelu.yaml").write_text(
        yaml.safe_dump({"sote": ["vammaiset", "elakelaiset"], "rules": []}), encoding="utf-8")
    assert ig.sote_sectors(folder=tmp_path) == ("elakelaiset", "vammaiset")   # codebook order
    (tmp_path / "luokittelu.yaml").write_text(yaml.safe_dump({"rules": []}), encoding="utf-8")
    assert list(ig.sote_sectors(folder=tmp_path)) == SOTE                     # not defined there
    (tmp_path / "luokittelu.yaml").write_text(yaml.safe_dump({"sote": ["elakelaiset", "golf"]}),
                                              encoding="utf-8")
    with pytest.raises(ConfigError, match="golf"):
        ig.sote_sectors(folder=tmp_path)


def test_sector_keys_always_has_the_eight_sote_sectors(assoc):
    assert ig.sector_keys(YEAR, assoc) == [*SOTE, "kulttuuri", "liikunta"]
    assert ig.sector_keys(YEAR, assoc, threshold=6) == [*SOTE, "kulttuuri"]
    empty = assoc.iloc[0:0]
    assert ig.sector_keys(YEAR, empty) == SOTE


# -- the model (pure, hand-counted) ---------------------------------------------------------

def test_model_big_sector_hand_counted(assoc):
    m = ig.build_infographic_model("elakelaiset", YEAR, assoc)
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
    # Jyväskylä sub-region 4 (179, 179, 410, 077), Äänekoski 1 (992): both hidden
    assert where["Jyväskylän seutukunta"] == "<5"
    assert where["Äänekosken seutukunta"] == "<5"
    assert where["Jämsän seutukunta"] == "0"
    forms = {r["label"]: (r["value"], r["region"]) for r in m["panels"]["toimintamuodot"]["rows"]}
    assert forms["Vertaistuki"] == (f"100,0{NBSP}%", f"37,9{NBSP}%")      # 6/6; region 11/29
    assert forms["Tapahtumat ja tempaukset"][0] == f"0,0{NBSP}%"
    assert forms["Kohtaamispaikka- tai olohuonetoiminta"][0] == "<5"
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


def test_model_small_count_of_other_sectors_is_hidden(assoc):
    m = ig.build_infographic_model("liikunta", YEAR, assoc)
    assert m["group"] == "muut" and not m["suppressed"]
    # 5 main sector; rows 1, 2, 3 (elakelaiset) also tick liikunta: 3 -> hidden
    assert m["tiles"][0]["value"] == "5"
    assert m["tiles"][1]["value"] == "<5" and m["tiles"][1]["suppressed"]


def test_model_under_threshold_has_no_numbers(assoc):
    m = ig.build_infographic_model("lapsi_perhe", YEAR, assoc)
    assert m["suppressed"]
    assert m["message"] == "Alle 5 yhdistystä: lukuja ei julkaista"
    assert m["tiles"] == [] and m["panels"] == {}
    text = " ".join([m["message"], *m["explanation"], *m["footnotes"]])
    assert set(re.findall(r"\d+", text.replace("2025", ""))) == {"5"}
    # a sote sector with no associations at all still gets its page
    m0 = ig.build_infographic_model("omaiset", YEAR, assoc)
    assert m0["suppressed"] and m0["label"] == "Omaistoiminta"


def test_model_members_of_fewer_than_five_respondents_are_hidden(assoc):
    # the report hides vammaiset's count (5) as the complement of lapsi_perhe in the sote group,
    # so its page has no numbers; hidden={} (no report mask) tests the page's own suppression
    assert ig.build_infographic_model("vammaiset", YEAR, assoc)["suppressed"]
    m = ig.build_infographic_model("vammaiset", YEAR, assoc, hidden={})
    # 5 associations, but only 4 gave a member count (row 14 left it blank)
    members = m["tiles"][2]
    assert members["value"] == "<5" and members["suppressed"]
    assert members["detail"] == "vastanneita alle 5: lukua ei julkaista"


def test_model_does_not_modify_input(assoc):
    before = assoc.copy()
    ig.build_infographic_model("vammaiset", YEAR, assoc)
    pd.testing.assert_frame_equal(assoc, before)


def test_question_not_asked_is_said_not_zero(assoc):
    cols = [c for c in assoc.columns if c.startswith("haasteet__")]
    m = ig.build_infographic_model("elakelaiset", YEAR, assoc.drop(columns=cols))
    assert m["panels"]["haasteet"]["not_asked"] == "Ei kysytty vuonna 2025."
    assert m["panels"]["haasteet"]["rows"] == []


# -- jobs -----------------------------------------------------------------------------------

def test_jobs_payloads_are_precise(assoc, tmp_path):
    payloads = {p["sector"]: p for p in ig.infographic_jobs(YEAR, tmp_path, assoc)}
    assert list(payloads) == [*SOTE, "kulttuuri", "liikunta"]
    liikunta = payloads["liikunta"]
    assert liikunta["outputs"] == [tmp_path / "infograafit" / "liikunta.pdf",
                                   tmp_path / "infograafit" / "liikunta.png"]
    assert len(liikunta["assoc"]) == 8                     # 5 main sector + 3 naming it
    cols = set(liikunta["assoc"].columns)
    assert {"nimi", "vapaa_sana", "rekisterinumero"}.isdisjoint(cols)
    assert not any(c.endswith("__muu") for c in cols)
    assert "toimialat__liikunta" in cols and "toimialat__kulttuuri" not in cols
    assert liikunta["region"]["n"] == 30
    small = payloads["lapsi_perhe"]
    assert list(small["assoc"].columns) == ["paatoimiala"] and len(small["assoc"]) == 3
    assert small["region"] is None
    # the page from the payload equals the page from the whole wave
    for key in ("liikunta", "elakelaiset", "lapsi_perhe", "omaiset"):
        p = payloads[key]
        from_payload = ig.build_infographic_model(key, YEAR, p["assoc"], region=p["region"], hidden=p["hidden"])
        assert from_payload == ig.build_infographic_model(key, YEAR, assoc)


def test_jobs_for_named_sectors_and_fingerprint_stability(assoc, tmp_path):
    from kartoitus.build.jobs import fingerprint

    a = ig.infographic_jobs(YEAR, tmp_path, assoc, sectors=["Liikunta ja urheilu"])
    assert [p["sector"] for p in a] == ["liikunta"]
    # members of other sectors' associations are on no page but their own
    changed = assoc.copy()
    changed.loc[changed["paatoimiala"] != "liikunta", "jasenmaara"] = 999
    for key in ("lapsi_perhe", "liikunta"):         # liikunta: rows 1-3 only name it
        before = ig.infographic_jobs(YEAR, tmp_path, assoc, sectors=[key])[0]
        after = ig.infographic_jobs(YEAR, tmp_path, changed, sectors=[key])[0]
        assert fingerprint(before) == fingerprint(after)
        assert pickle.loads(pickle.dumps(before))["sector"] == key
    before = ig.infographic_jobs(YEAR, tmp_path, assoc, sectors=["elakelaiset"])[0]
    after = ig.infographic_jobs(YEAR, tmp_path, changed, sectors=["elakelaiset"])[0]
    assert fingerprint(before) != fingerprint(after)


def test_region_summary_vectorised_on_many_rows():
    import sys
    import time

    sys.path.insert(0, str(Path(__file__).parent))
    from processed_factory import make_association

    big = make_association(2023, 4000, 3)
    big = pd.concat([big] * 25, ignore_index=True)          # 100 000 rows
    start = time.perf_counter()
    m = ig.build_infographic_model("elakelaiset", 2023, big)
    assert time.perf_counter() - start < 10
    n = int((big["paatoimiala"] == "elakelaiset").sum())
    assert m["tiles"][0]["value"] == ig.fi_integer(n)


# -- rendered pages ---------------------------------------------------------------------------

def test_big_sector_pdf_is_one_page_with_the_model_numbers(rendered, assoc):
    pdf, png = rendered["elakelaiset"]
    assert pdf == rendered["reports"] / "2025" / "infograafit" / "elakelaiset.pdf"
    assert png.with_suffix(".pdf") == pdf
    pages, text = _pdf_text(pdf)
    assert pages == 1
    m = ig.build_infographic_model("elakelaiset", YEAR, assoc)
    assert "Eläkeläistoiminta" in text and "2025" in text
    for tile in m["tiles"]:
        assert _plain(tile["value"]) in text
        assert _plain(tile["detail"]) in text
    assert "20,0 % kaikista vastanneista (n = 30)" in text
    assert "mediaani 52,5 / yhdistys" in text
    assert "Vertaistuki 100,0 % 37,9 %" in text
    assert "Lähde: Keski-Suomen järjestökartoitus 2025, n = 6 yhdistystä" in text
    assert "peitetty merkinnällä <5" in text
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
    again = ig.render_job(rendered["payload"])
    assert again == [pdf, png]
    assert (pdf.read_bytes(), png.read_bytes()) == before
    # the PNG is the PDF page: rasterising the PDF again gives the PNG
    assert ig._rasterise(before[0]) == (before[1], 1)


def test_cli_errors_are_actionable(tmp_path):
    with pytest.raises(KartoitusError, match="tuntematon toimiala"):
        ig.infographic("golf", YEAR, FIXTURE, tmp_path)
    with pytest.raises(KartoitusError, match="build-data"):
        ig.infographic("liikunta", 2031, FIXTURE, tmp_path)


def test_where_table_follows_the_shared_mask(assoc):
    """Given the rows the wave-wide suppression hides, the table hides exactly those (no
    table-local secondary suppression) and shows a hidden row even when it is 0 here."""
    cb = default_codebook()
    own = assoc.loc[(assoc["paatoimiala"] == "kulttuuri").to_numpy()]
    free = ig.where_table(own, YEAR, cb, 0)      # the true counts
    forced = ig.where_table(own, YEAR, cb, 5, hidden=["131", "ulkopuolella"])
    assert "ulkopuolella" in forced.frame.index and forced.is_suppressed("ulkopuolella", "yhdistyksia")
    hidden = {k for k in forced.frame.index if forced.is_suppressed(k, "yhdistyksia")}
    small = {k for k in free.frame.index if 0 < free.frame.at[k, "yhdistyksia"] < 5}
    assert hidden == {"131", "ulkopuolella"} | small


def test_single_page_reads_what_the_masks_need(assoc, tmp_path):
    """``kartoitus infographic SECTOR`` reads only mask_columns and builds the page through
    infographic_jobs: its payload (rows, region figures, hidden cells) equals the full build's."""
    cb = default_codebook()
    narrow = assoc[ig.mask_columns(assoc.columns, cb)]
    assert not any(c.endswith("_nimi") or c in ("nimi", "vapaa_sana") for c in narrow.columns)
    full = {p["sector"]: p for p in ig.infographic_jobs(YEAR, tmp_path, assoc)}
    for key in ("kulttuuri", "liikunta", "vammaiset"):
        single, = ig.infographic_jobs(YEAR, tmp_path, narrow, sectors=[key])
        assert single["hidden"] == full[key]["hidden"] and single["region"] == full[key]["region"]
        pd.testing.assert_frame_equal(single["assoc"], full[key]["assoc"])
