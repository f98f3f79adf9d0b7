"""Atomic writes: the old file survives a failed write, no temporary files linger."""

from __future__ import annotations

import os
import stat

import pytest

from kartoitus.atomic import atomic_path, atomic_write_bytes, atomic_write_text


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def test_write_bytes_creates_and_replaces(tmp_path):
    target = tmp_path / "sub" / "data.bin"
    assert atomic_write_bytes(target, b"first") == target
    assert target.read_bytes() == b"first"
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert _leftovers(target.parent) == []


def test_write_text_keeps_line_endings_and_encoding(tmp_path):
    target = tmp_path / "a.csv"
    atomic_write_text(target, "nimi;kunta\r\nÄänekosken Kaiku;992\r\n", encoding="cp1252")
    assert target.read_bytes() == b"nimi;kunta\r\n\xc4\xe4nekosken Kaiku;992\r\n"


def test_unencodable_text_leaves_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "€ and \u4e2d", encoding="cp1252")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_failure_midway_leaves_old_file_intact(tmp_path):
    target = tmp_path / "raportti.pdf"
    target.write_bytes(b"%PDF old complete file")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"%PDF new but only half")
                fh.flush()
                raise RuntimeError("disk full")
    assert target.read_bytes() == b"%PDF old complete file"
    assert _leftovers(tmp_path) == []


def test_failure_on_new_file_leaves_nothing(tmp_path):
    target = tmp_path / "uusi.xlsx"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"partial")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_same_folder_and_suffix(tmp_path):
    target = tmp_path / "kaavio.png"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".png"
        assert tmp != target
        assert tmp.exists()
        tmp.write_bytes(b"png bytes")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_bytes() == b"png bytes"
    assert _leftovers(tmp_path) == []


def test_writer_that_replaces_the_temp_file(tmp_path):
    """Writers that delete and re-create their output file still work."""
    target = tmp_path / "out.txt"
    with atomic_path(target) as tmp:
        tmp.unlink()
        tmp.write_text("fresh", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "fresh"


def test_writer_that_removes_the_temp_file_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        with atomic_path(target) as tmp:
            tmp.unlink()
    assert target.read_text(encoding="utf-8") == "old"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions_kept_or_ordinary(tmp_path):
    existing = tmp_path / "kept.txt"
    existing.write_text("x", encoding="utf-8")
    os.chmod(existing, 0o640)
    atomic_write_text(existing, "y")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640

    new = tmp_path / "new.txt"
    atomic_write_text(new, "z")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask


def test_refuses_to_write_over_a_folder(tmp_path):
    (tmp_path / "kansio").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path / "kansio", b"x")
