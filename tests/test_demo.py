"""Demo data generator: files, encodings, planted mess, determinism, scale."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kartoitus import demo
from kartoitus.errors import KartoitusError


@pytest.fixture(scope="module")
def cb(settings):
    return settings.codebook


@pytest.fixture(scope="module")
def assoc(cb):
    return cb.association


@pytest.fixture(scope="module")
def title(assoc):
    """The column title of an association-survey question."""
    return lambda qid: assoc.question(qid).title


@pytest.fixture(scope="module")
def config(settings) -> dict:
    return demo.load_demo_config(settings.data_dir)


@pytest.fixture(scope="module")
def wave(tmp_path_factory, settings) -> Path:
    out = tmp_path_factory.mktemp("demo") / "2025"
    demo.write_demo_wave(out, settings, 2025, n_associations=60, seed=1)
    return out


@pytest.fixture(scope="module")
def answers(settings) -> dict:
    return demo.make_answers(settings, 2025, 60, 1)


def _read(path: Path, encoding: str, sep: str) -> pd.DataFrame:
    return pd.read_csv(path, encoding=encoding, sep=sep, dtype=str, keep_default_na=False)


def test_files_written(wave: Path):
    names = sorted(p.name for p in wave.iterdir())
    assert names == sorted([demo.FILE_FORM, demo.FILE_PAPER, demo.FILE_LATE,
                            demo.FILE_MUNICIPALITY, demo.FILE_WINDOW])


def test_same_seed_same_bytes(wave: Path, tmp_path: Path, settings):
    again = demo.write_demo_wave(tmp_path / "2025", settings, 2025, n_associations=60, seed=1)
    for path in again:
        assert path.read_bytes() == (wave / path.name).read_bytes(), path.name


def test_other_seed_differs(wave: Path, tmp_path: Path, settings):
    demo.write_demo_wave(tmp_path, settings, 2025, n_associations=60, seed=2)
    assert (tmp_path / demo.FILE_FORM).read_bytes() != (wave / demo.FILE_FORM).read_bytes()


def test_forms_export_english_locale(wave: Path, assoc, title):
    raw = (wave / demo.FILE_FORM).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:2] == ["Timestamp", "Email Address"]
    frame = _read(wave / demo.FILE_FORM, "utf-8", ",")
    assert frame["Timestamp"].str.fullmatch(
        r"\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2} [AP]M GMT\+[23]").all()
    # a multi-select option that itself holds a comma arrives inside one quoted cell
    label = assoc.question("toimintamuodot").label_of("neuvonta")
    assert "," in label
    assert frame[title("toimintamuodot")].str.contains(label, regex=False).any() or \
        _read(wave / demo.FILE_PAPER, "cp1252", ";")[title("toimintamuodot")].str.contains(
            label, regex=False).any()


def test_paper_forms_excel_finnish(wave: Path, assoc, title, config):
    raw = (wave / demo.FILE_PAPER).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # cp1252: ä is one byte
    assert "Käsitelty".encode("cp1252") in raw
    frame = _read(wave / demo.FILE_PAPER, "cp1252", ";")
    assert frame.columns[0] == title("aikaleima")
    assert frame.columns[1] == config["paperi"]["kasitelty"]
    assert frame.columns[-1] == config["paperi"]["huom"]
    assert frame[title("aikaleima")].str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}").all()
    # reordered: the home municipality before the name; drifted titles
    cols = list(frame.columns)
    assert cols.index(title("kotikunta")) < cols.index(title("nimi"))
    for qid, drifted in config["paperi"]["otsikot"].items():
        assert drifted in cols and assoc.question(qid).title not in cols
    # decimal commas, and the word "Muu" left in the main sector
    assert frame[title("palkatut_htv")].str.fullmatch(r"\d+,\d+").any()
    assert not frame[title("palkatut_htv")].str.fullmatch(r"\d+\.\d+").any()
    assert (frame[title("paatoimiala")] == "Muu").any()
    assert set(frame[config["paperi"]["kasitelty"]]) <= {"", config["paperi"]["merkki"]}


def test_late_answers_xlsx(wave: Path, config, title):
    ws = openpyxl.load_workbook(wave / demo.FILE_LATE).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == (title("aikaleima"), title("sahkoposti"))
    stamps = [r[0] for r in rows[1:]]
    assert stamps and all(hasattr(s, "year") for s in stamps)  # real date cells
    reg = [r[header.index(title("rekisterinumero"))] for r in rows[1:]]
    assert 105.23 in reg  # "105.230" arrived as a number
    members = [r[header.index(title("jasenmaara"))] for r in rows[1:]]
    assert any(isinstance(v, int) for v in members)
    # one answer came days after the survey closed
    _, closed = demo.survey_window(2025, config)
    assert max(s.date() for s in stamps) > closed


def test_municipality_survey(wave: Path, cb):
    raw = (wave / demo.FILE_MUNICIPALITY).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = _read(wave / demo.FILE_MUNICIPALITY, "utf-8-sig", ",")
    ts = cb.municipality.question("aikaleima").title
    kunta = cb.municipality.question("kunta").title
    assert frame[ts].str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}\.\d{2}\.\d{2}").all()
    names = {m.name for m in cb.municipalities.for_year(2025)}
    answered = set(frame[kunta])
    assert len(names - answered) == 1  # one municipality did not answer
    assert answered <= names
    assert frame[kunta].duplicated().sum() == 1  # one answered twice
    blanks = (frame == "").sum(axis=1)
    assert blanks.max() >= 6  # a partial answer


def test_survey_window(wave: Path):
    window = tomllib.loads((wave / demo.FILE_WINDOW).read_text(encoding="utf-8"))
    assert str(window["avautui"]) == "2025-09-01"
    assert str(window["sulkeutui"]) == "2025-10-31"


def test_every_mess_kind_planted_in_small_wave(answers: dict):
    frame = answers["jarjestokysely"]
    kinds = {k for s in frame["_sotku"] for k in s.split(";") if k}
    kinds |= {k for s in answers["kuntakysely"]["_sotku"] for k in s.split(";") if k}
    assert set(demo.MESS_KINDS) - kinds == set()


def test_planted_mess_values(answers: dict, assoc, title):
    frame = answers["jarjestokysely"]
    kotikunta = frame[title("kotikunta")]
    assert {"Jyvaskyla", "JYVÄSKYLÄ", "Jkl", "Keski-Suomi", "ks"} <= set(kotikunta)
    assert assoc.question("kotikunta").extra_options[0] in set(kotikunta)
    assert kotikunta.str.endswith(" ").any()
    numbers = pd.concat([frame[title(q)] for q in ("jasenmaara", "vapaaehtoiset", "palkatut_htv")])
    for token in ("-", "?", "en tiedä", "eos", "ei yhtään", "0,5", "1 200"):
        assert (numbers == token).any(), token
    assert numbers.str.startswith("n. ").any() and numbers.str.startswith("yli ").any()
    assert numbers.str.fullmatch(r"\d+-\d+").any()
    # empty rows: only the timestamp; one row without a name
    empty = frame[frame["_sotku"] == "tyhja_rivi"]
    assert len(empty) >= 1
    answer_cols = [c for c in frame.columns if not c.startswith("_") and c != title("aikaleima")]
    assert (empty[answer_cols] == "").all().all()
    nameless = frame[frame["_sotku"].str.contains("ei_nimea")]
    assert (nameless[title("nimi")] == "").all() and (nameless[title("kotikunta")] != "").any()
    # classification rule names without a main sector
    ruled = frame[frame["_sotku"].str.contains("saantonimi")]
    assert ruled[title("nimi")].str.contains("Eläkeliiton|MLL:n|Omaishoitajat|VPK|kyläyhdistys|A-kilta",
                                        case=False).all()
    assert (ruled[title("paatoimiala")] == "").any()


def test_duplicates_later_answer_differs(answers: dict, title):
    frame = answers["jarjestokysely"]
    reg_col, name_col, muni_col = title("rekisterinumero"), title("nimi"), title("kotikunta")
    later = frame[frame["_sotku"].str.contains("kaksoisvastaus_rekisterinumero")].iloc[0]
    same = frame[(frame[reg_col] == later[reg_col])]
    assert len(same) == 2
    first = same[same.index != later.name].iloc[0]
    assert first[title("aikaleima")] < later[title("aikaleima")]
    answer_cols = [c for c in frame.columns if not c.startswith("_")]
    assert (first[answer_cols] != later[answer_cols]).sum() >= 2
    # by name: same name up to case and spacing, in the same municipality
    later = frame[frame["_sotku"].str.contains("kaksoisvastaus_nimi")].iloc[0]
    norm = frame[name_col].str.casefold().str.split().str.join(" ")
    twins = frame[(norm == " ".join(later[name_col].casefold().split()))
                  & (frame[muni_col] == later[muni_col])]
    assert len(twins) == 2
    assert twins[name_col].nunique() == 2 or later[reg_col] == ""


def test_outside_window(answers: dict, title):
    frame = answers["jarjestokysely"]
    opened, closed = answers["ikkuna"]
    dates = frame[title("aikaleima")].dt.date
    outside = (dates < opened) | (dates > closed)
    assert 2 <= outside.sum() <= 4
    assert frame.loc[outside, "_sotku"].str.contains("ikkunan_ulkopuolella").all()


def test_personal_data_only_in_personal_columns(answers: dict, assoc, title):
    frame = answers["jarjestokysely"]
    personal = {q.title for q in assoc.personal()}
    phone = r"(?:\+358 ?|0)[0-9]{2}[ -]?\d{3} ?\d{4}"
    for col in frame.columns:
        if col.startswith("_") or col in personal or col == title("aikaleima"):
            continue
        text = frame[col].astype(str)
        assert not text.str.contains("@").any(), col
        assert not text.str.contains(phone).any(), col
    assert frame[title("puhelin")].str.fullmatch(phone).sum() > 10


def test_labels_come_from_the_codebook(answers: dict, assoc):
    frame = answers["jarjestokysely"]
    q = assoc.question("budjetti")
    assert set(frame[q.title]) <= {o.label for o in q.options} | {""}
    grid = assoc.question("yhteistyo")
    for title in grid.grid_titles():
        if title in frame.columns:
            assert set(frame[title]) <= {c for c, _ in grid.columns} | {""}
    assert "En osaa sanoa" in set(frame[f"{grid.title} [{grid.rows[0].label}]"]) | set(
        frame[f"{grid.title} [{grid.rows[-1].label}]"]) or frame["_sotku"].str.contains("ruudukko_eos").any()


def test_every_municipality_has_associations(settings, cb, title):
    frame = demo.make_answers(settings, 2025, 300, 3)["jarjestokysely"]
    counts = frame[title("kotikunta")].value_counts()
    for m in cb.municipalities.for_year(2025):
        assert counts.get(m.name, 0) >= 2, m.name
    assert counts.idxmax() == "Jyväskylä"
    assert counts["Jyväskylä"] > 5 * counts["Luhanka"]


def test_wave_2019_has_kuhmoinen_and_no_hva(tmp_path: Path, settings, cb, assoc):
    demo.write_demo_wave(tmp_path, settings, 2019, n_associations=60, seed=5)
    frame = _read(tmp_path / demo.FILE_FORM, "utf-8", ",")
    assert assoc.question("hva_avustus").title not in frame.columns
    muni = _read(tmp_path / demo.FILE_MUNICIPALITY, "utf-8-sig", ",")
    answers = demo.make_answers(settings, 2019, 60, 5)
    names = set(muni[cb.municipality.question("kunta").title])
    silent = {cb.municipalities.name_of(c) for c in answers["vastaamatta"]}
    assert "Kuhmoinen" in names | silent
    assert len(names | silent) == 23
    kumppanit = assoc.question("kumppanit")
    assert not frame[kumppanit.title].str.contains(kumppanit.label_of("hyvinvointialue")).any()


def test_size_as_asked(wave: Path):
    form = _read(wave / demo.FILE_FORM, "utf-8", ",")
    paper = _read(wave / demo.FILE_PAPER, "cp1252", ";")
    late = list(openpyxl.load_workbook(wave / demo.FILE_LATE).active.iter_rows(values_only=True))
    assert len(form) + len(paper) + len(late) - 1 == 60
    assert len(form) > len(paper) > 0 and len(late) > 1


def test_too_small_wave_is_refused(settings):
    with pytest.raises(KartoitusError, match="vähintään"):
        demo.make_answers(settings, 2025, 10, 1)


def test_make_answers_scales(settings, assoc, title):
    frame = demo.make_answers(settings, 2025, 20000, 11)["jarjestokysely"]
    assert len(frame) == 20000
    assert frame[title("nimi")].ne("").mean() > 0.99
    members = pd.to_numeric(frame[title("jasenmaara")].str.replace(" ", ""), errors="coerce")
    assert 40 < members.median() < 200  # lognormal, skewed
    assert members.mean() > members.median()
    htv = frame[title("palkatut_htv")]
    assert (htv == "0").mean() > 0.5  # paid staff mostly none
    sectors = frame[title("paatoimiala")].value_counts(normalize=True)
    paatoimiala = assoc.question("paatoimiala")
    assert sectors[paatoimiala.label_of("liikunta")] > 0.15
    assert sectors[paatoimiala.label_of("paihde_riippuvuus")] < 0.02


def test_big_csv_chunked(tmp_path: Path, settings, config, title):
    frame = demo.make_answers(settings, 2025, 2000, 4)["jarjestokysely"]
    path = demo.write_association_csv(frame, tmp_path / "iso.csv", settings, config, chunk_rows=300)
    back = _read(path, "utf-8", ",")
    assert len(back) == 2000
    assert list(back.columns[:2]) == ["Timestamp", "Email Address"]
    assert (back[title("nimi")].to_numpy() == frame[title("nimi")].to_numpy()).all()


def test_format_timestamps_styles():
    ts = pd.Series(pd.to_datetime(["2025-10-15 12:34:56", "2025-10-27 09:04:05"]).tz_localize(demo.TZ))
    assert list(demo.format_timestamps(ts, demo.STYLE_FORMS_EN)) == [
        "2025/10/15 12:34:56 PM GMT+3", "2025/10/27 9:04:05 AM GMT+2"]
    assert list(demo.format_timestamps(ts, demo.STYLE_FORMS_FI)) == ["15.10.2025 12.34.56", "27.10.2025 9.04.05"]
    assert list(demo.format_timestamps(ts, demo.STYLE_EXCEL_FI)) == ["15.10.2025 12:34", "27.10.2025 9:04"]
    with pytest.raises(KartoitusError):
        demo.format_timestamps(ts, "libreoffice")
    assert np.all(demo.format_timestamps(pd.Series(["", ""]), demo.STYLE_FORMS_FI) == "")
