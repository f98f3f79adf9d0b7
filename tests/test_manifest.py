"""Build manifest and reproducibility helpers (repro.py)."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from kartoitus.errors import InputError, KartoitusError
from kartoitus.build.manifest import compare_manifests, file_hash, read_manifest, write_manifest
from kartoitus.build.repro import DEFAULT_EPOCH, build_epoch, epoch_datetime, fixed_zip


@pytest.fixture
def build(tmp_path):
    raw = tmp_path / "data" / "raw" / "2024"
    out = tmp_path / "reports" / "2024"
    raw.mkdir(parents=True)
    out.mkdir(parents=True)
    (raw / "vastaukset.csv").write_bytes(b"Aikaleima;Yhdistyksen nimi\r\n1;A ry\r\n")
    (out / "raportti.pdf").write_bytes(b"%PDF-1.7 report")
    (out / "taulukot.xlsx").write_bytes(b"PK workbook")
    return tmp_path, [raw / "vastaukset.csv"], [out / "raportti.pdf", out / "taulukot.xlsx"]


def test_file_hash_is_sha256(tmp_path):
    p = tmp_path / "a.bin"
    data = b"x" * (3 * 1024 * 1024 + 7)  # more than one read chunk
    p.write_bytes(data)
    assert file_hash(p) == hashlib.sha256(data).hexdigest()


def test_manifest_content(build):
    root, inputs, outputs = build
    path = write_manifest(root / "manifest.json", inputs, outputs, "abc123", "0.1.0",
                          extra={"vuosi": 2024})
    m = read_manifest(path)
    assert m["codebook_version"] == "abc123"
    assert m["tool_version"] == "0.1.0"
    assert m["extra"] == {"vuosi": 2024}
    assert m["format"] == 1
    assert m["inputs"] == {"data/raw/2024/vastaukset.csv": {
        "sha256": hashlib.sha256(b"Aikaleima;Yhdistyksen nimi\r\n1;A ry\r\n").hexdigest(),
        "bytes": 36}}
    assert sorted(m["outputs"]) == ["reports/2024/raportti.pdf", "reports/2024/taulukot.xlsx"]
    text = path.read_text(encoding="utf-8")
    assert str(root) not in text  # no absolute paths
    assert list(json.loads(text)) == sorted(json.loads(text))  # sorted keys


def test_manifest_byte_identical_for_same_inputs(build):
    root, inputs, outputs = build
    a = write_manifest(root / "a.json", inputs, outputs, "abc", "0.1.0", root=root)
    # a different order of the lists gives the same bytes
    b = write_manifest(root / "b.json", inputs, outputs[::-1], "abc", "0.1.0", root=root)
    assert a.read_bytes() == b.read_bytes()
    again = a.read_bytes()
    write_manifest(root / "a.json", inputs, outputs, "abc", "0.1.0", root=root)
    assert a.read_bytes() == again
    assert compare_manifests(a, b) == []


def test_manifest_changes_when_an_output_changes(build):
    root, inputs, outputs = build
    a = write_manifest(root / "a.json", inputs, outputs, "abc", "0.1.0", root=root)
    before = a.read_bytes()
    outputs[0].write_bytes(b"%PDF-1.7 report, changed")
    b = write_manifest(root / "b.json", inputs, outputs, "abc", "0.1.0", root=root)
    assert b.read_bytes() != before
    diff = compare_manifests(a, b)
    assert len(diff) == 1
    assert diff[0].startswith("tuotos reports/2024/raportti.pdf: sisältö eroaa (")


def test_compare_added_removed_and_inputs(build):
    root, inputs, outputs = build
    a = read_manifest(write_manifest(root / "a.json", inputs, outputs[:1], "abc", "0.1", root=root))
    b = read_manifest(write_manifest(root / "b.json", inputs, outputs[1:], "def", "0.1", root=root))
    assert compare_manifests(a, b) == [
        "tuotos reports/2024/raportti.pdf: vain ensimmäisessä manifestissa",
        "tuotos reports/2024/taulukot.xlsx: vain toisessa manifestissa",
    ]
    assert "koodikirjan versio: abc → def" in compare_manifests(a, b, inputs=True)
    assert "koodikirjan versio: abc → def" not in compare_manifests(a, b)


def test_manifest_skips_itself_and_reports_missing_files(build):
    root, inputs, outputs = build
    path = root / "reports" / "2024" / "manifest.json"
    path.write_text("{}", encoding="utf-8")
    m = read_manifest(write_manifest(path, inputs, [*outputs, path], "abc", "0.1"))
    assert sorted(m["outputs"]) == ["raportti.pdf", "taulukot.xlsx"]
    assert m["inputs"] == {"../../data/raw/2024/vastaukset.csv": m["inputs"][
        "../../data/raw/2024/vastaukset.csv"]}
    with pytest.raises(InputError, match="puuttuu.csv: manifestiin merkittävää tiedostoa"):
        write_manifest(path, [root / "puuttuu.csv"], outputs, "abc", "0.1")


def test_manifest_extra_must_be_json(build):
    root, inputs, outputs = build
    with pytest.raises(KartoitusError, match="JSON"):
        write_manifest(root / "m.json", inputs, outputs, "a", "b", extra={"x": {1, 2}})
    assert not (root / "m.json").exists()


def test_read_manifest_errors(tmp_path):
    with pytest.raises(InputError, match="ei.json: manifestia ei löydy"):
        read_manifest(tmp_path / "ei.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json: manifesti ei ole kelvollista JSONia"):
        read_manifest(bad)
    other = tmp_path / "other.json"
    other.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(InputError, match="outputs puuttuu"):
        read_manifest(other)


# -- repro ---------------------------------------------------------------------

def test_build_epoch_order(monkeypatch, tmp_path):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_epoch() == DEFAULT_EPOCH
    assert epoch_datetime(DEFAULT_EPOCH).isoformat() == "1980-01-01T00:00:00+00:00"
    raw = [tmp_path / "data" / "raw" / "2019" / "a.csv", tmp_path / "raw" / "2024" / "b.xlsx"]
    assert epoch_datetime(build_epoch(raw)).isoformat() == "2025-01-01T00:00:00+00:00"
    assert epoch_datetime(build_epoch(year=2019)).isoformat() == "2020-01-01T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_epoch(raw, year=2019) == 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "eilen")
    with pytest.raises(KartoitusError, match="SOURCE_DATE_EPOCH='eilen'"):
        build_epoch()


def test_build_epoch_ignores_file_names_that_look_like_years(monkeypatch, tmp_path):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    from pathlib import Path
    assert build_epoch([Path("data/raw/2021/2030")]) == build_epoch(year=2021)
    assert build_epoch([Path("raw/vastaukset.csv")]) == DEFAULT_EPOCH


def _xlsx(path, value):
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "Taulukko"
    wb.active["A1"] = value
    wb.save(path)


def test_fixed_zip_makes_xlsx_byte_stable(tmp_path):
    from openpyxl import load_workbook

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _xlsx(a, "sama")
    # b: the same entries written at another time, with other attributes
    with zipfile.ZipFile(a) as src, zipfile.ZipFile(b, "w") as dst:
        for info in src.infolist():
            other = zipfile.ZipInfo(info.filename, date_time=(2003, 4, 5, 6, 7, 8))
            other.compress_type = info.compress_type
            other.external_attr = 0o600 << 16
            other.create_system = 0
            dst.writestr(other, src.read(info))
    order = [i.filename for i in zipfile.ZipFile(a).infolist()]
    assert a.read_bytes() != b.read_bytes()
    epoch = build_epoch(year=2024)
    fixed_zip(a, epoch)
    fixed_zip(b, epoch)
    assert a.read_bytes() == b.read_bytes()
    za = zipfile.ZipFile(a)
    assert [i.filename for i in za.infolist()] == order  # order kept
    assert "[Content_Types].xml" in order
    for info in za.infolist():
        assert info.date_time == (2025, 1, 1, 0, 0, 0)
        assert info.external_attr == 0o644 << 16
        assert info.create_system == 3
    assert load_workbook(a)["Taulukko"]["A1"].value == "sama"


def test_fixed_zip_is_idempotent_and_byte_identical(tmp_path):
    a = tmp_path / "a.zip"
    with zipfile.ZipFile(a, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/", "")
        z.writestr("xl/workbook.xml", "<workbook/>" * 50)
    b = tmp_path / "b.zip"
    b.write_bytes(a.read_bytes())
    with zipfile.ZipFile(b, "a") as z:
        z.comment = b"written at 12:00"
    fixed_zip(a, 1735689600)
    fixed_zip(b, 1735689600)
    assert a.read_bytes() == b.read_bytes()
    first = a.read_bytes()
    fixed_zip(a, 1735689600)
    assert a.read_bytes() == first
    infos = zipfile.ZipFile(a).infolist()
    assert [i.filename for i in infos] == ["[Content_Types].xml", "xl/", "xl/workbook.xml"]
    assert infos[1].external_attr == (0o755 << 16) | 0x10
    assert infos[2].compress_type == zipfile.ZIP_DEFLATED


def test_fixed_zip_refuses_a_non_zip(tmp_path):
    p = tmp_path / "rikki.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="rikki.xlsx: ei ole luettava zip"):
        fixed_zip(p, 0)
    assert p.read_bytes() == b"not a zip"
