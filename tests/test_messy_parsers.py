"""Property-based and unit tests of the parsers issue 10 added or changed.

- legacy encodings by content (Mac Roman, cp1252, cp850), refused when unsure;
- Microsoft Forms' ``;`` multi-selects against Google Forms' ``, ``;
- thousands separators in counts;
- the day/month order of a file's hand-typed dates;
- headers on two rows (``header.combine_rows``), title rows, refusals naming cells;
- the same association with the same unresolvable municipality de-duplicated;
- corrections: exact field counts.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kartoitus.errors import ConfigError, InputError, KartoitusError
from kartoitus.settings import load_settings
from kartoitus.stages.clean import clean_survey, deduplicate, parse_numbers, split_multi
from kartoitus.stages.corrections import read_corrections
from kartoitus.stages.ingest import RawTable, read_file, read_timestamps, sniff_csv
from kartoitus.stages.ingest.encoding import UnsureEncoding, choose_legacy_encoding, finnish_score
from kartoitus.stages.ingest.header import combine_rows, locate_header

CB = load_settings().codebook
PROPS = settings(max_examples=80, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
HEADER = "Yhdistyksen nimi;Yhdistyksen kotikunta;Yhdistyksen päätoimiala;Terveiset kunnalle ja maakunnalle"
WORDS = ["Jyväskylä", "Äänekoski", "Kyyjärvi", "Hänkasalmi", "yhdistys", "jäsenmäärä", "tiloja",
         "Kiitos", "Öisin", "kesä", "Åland", "Café", "hyvä", "työ", "€", "1 000–9 999 €", "”lainaus”"]


# -- encodings --------------------------------------------------------------------------------


@PROPS
@given(codec=st.sampled_from(["cp1252", "mac_roman", "cp850"]),
       words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
# CI found this: cp1252's right quote is cp850's ö, and a quote repeated on a row outvoted the header
@example(codec="cp1252", words=["\u201dlainaus\u201d"] * 3)
def test_finnish_text_in_a_legacy_encoding_is_read_back(codec, words):
    """Whatever program saved it, a Finnish export decodes to its own text."""
    text = HEADER + "\n" + "A ry;Laukaa;Nuorisotoiminta;" + " ".join(words) + "\n"
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        data = text.replace("€", "EUR").replace("–", "-").replace("”", '"').encode(codec)
        text = data.decode(codec)
    found = choose_legacy_encoding(data)
    assert data.decode(found) == text


def test_mac_roman_is_not_read_as_cp1252():
    data = (HEADER + "\nKyyjärven Kyläyhdistys ry;Kyyjärvi;Kylä-, asukas- ja kaupunginosatoiminta;\n").encode(
        "mac_roman")
    assert sniff_csv(data)[0] == "mac_roman"
    assert finnish_score(data.decode("mac_roman")) > finnish_score(data.decode("cp1252"))


def test_unsure_encoding_is_refused_with_the_choices(tmp_path):
    # only a byte that is a symbol in every candidate: no Finnish letter decides
    data = b"Yhdistyksen nimi,Yhdistyksen kotikunta\nA \xa5 ry,Laukaa\n"
    with pytest.raises(UnsureEncoding) as exc:
        choose_legacy_encoding(data)
    assert len(exc.value.choices) >= 2 and "CSV UTF-8" in str(exc.value)
    path = tmp_path / "epavarma.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_file(path, CB)
    assert str(err.value).startswith("epavarma.csv: tiedoston merkistöä ei voi päätellä varmasti")
    assert "Windows-1252" in str(err.value) and "Mac Roman" in str(err.value)


# -- multi-selects ---------------------------------------------------------------------------------


@PROPS
@given(st.data())
def test_semicolon_and_comma_exports_of_a_multi_select_agree(data):
    q = CB.association.question(data.draw(st.sampled_from(["toimintamuodot", "rahoitus", "toimialat"])))
    labels = [o.label for o in q.options]
    chosen = data.draw(st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels), unique=True))
    other = data.draw(st.sampled_from(["", "Ensiapu", "Joku muu juttu"]))
    parts = chosen + ([other] if other else [])
    google = split_multi(pd.Series([", ".join(parts)]), q)
    ms = split_multi(pd.Series(["".join(f"{p};" for p in parts)]), q, separator=";")
    cols = [c for c in google.columns if c.startswith(q.id + "__") and not c.endswith("__muu")]
    assert google[cols].iloc[0].tolist() == ms[cols].iloc[0].tolist()
    assert sum(google[cols].iloc[0]) == len(chosen)
    if q.allow_other:
        assert (ms[q.id + "__muu"].iloc[0] or "") == other
    # a trailing ";" gives it away even without the tool's separator
    assert split_multi(pd.Series(["".join(f"{p};" for p in chosen)]), q)[cols].iloc[0].tolist() == \
        google[cols].iloc[0].tolist()


# -- counts -------------------------------------------------------------------------------------------


@PROPS
@given(n=st.integers(min_value=1000, max_value=9_999_999), sep=st.sampled_from([",", ".", " ", "\u00a0"]),
       prefix=st.sampled_from(["", "n. ", "noin ", "yli "]))
def test_counts_with_thousands_separators_are_thousands_and_flagged(n, sep, prefix):
    text = prefix + f"{n:,}".replace(",", sep)
    out = parse_numbers(pd.Series([text]), count=True, maximum=None)
    assert out["value"].iloc[0] == n
    assert "luku_tuhaterotin" in out["flag"].iloc[0].split(";")
    # the note the researcher reads states the value in full (it said "1.23457e+06")
    assert f"= {n} (ei desimaaliluku)" in out["note"].iloc[0]


def test_a_decimal_comma_stays_decimal_outside_counts():
    out = parse_numbers(pd.Series(["1,200", "1,5", "0,500"]))
    assert out["value"].tolist() == [1.2, 1.5, 0.5]
    counts = parse_numbers(pd.Series(["1,5", "0,500", "12"]), count=True)
    assert counts["value"].tolist() == [1.5, 0.5, 12.0] and counts["flag"].isna().all()


# -- dates ---------------------------------------------------------------------------------------------


@PROPS
@given(st.lists(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1,
                max_size=12), st.sampled_from(["/", "-"]), st.booleans())
def test_day_month_order_is_decided_by_the_file(dates, sep, day_first):
    texts = [(f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}" if day_first else
              f"{d.month:02d}{sep}{d.day:02d}{sep}{d.year}") + " 12:00:00" for d in dates]
    stamps, bad, undecided = read_timestamps(pd.Series(texts))
    assert not bad.any()
    got = [s.date() for s in stamps]
    evidence = any((d.day > 12) if day_first else False for d in dates) or \
        any((d.day > 12) if not day_first else False for d in dates)
    if evidence:
        assert got == dates and not undecided.any()
    else:
        # no date shows the order: read day first, and every date that fits both ways is flagged
        both_ways = [d.day != d.month for d in dates]
        assert undecided.tolist() == both_ways
        if day_first:
            assert got == dates


# -- headers ---------------------------------------------------------------------------------------------

GRID = "Arvioi yhdistyksenne yhteistyötä kotikunnan kanssa"
ROWS = [r.label for r in CB.association.question("yhteistyo").rows]


@PROPS
@given(st.integers(min_value=0, max_value=3), st.lists(st.sampled_from(ROWS), min_size=1, max_size=6, unique=True))
def test_a_header_on_two_rows_reads_as_the_form_export(before, rows):
    plain = ["Aikaleima", "Yhdistyksen nimi", "Yhdistyksen kotikunta", "Yhdistyksen päätoimiala"]
    after = ["Jäsenmäärä (noin)"]
    titles = plain[:before] + [f"{GRID} [{r}]" for r in rows] + plain[before:] + after
    top = plain[:before] + [GRID] + [""] * (len(rows) - 1) + plain[before:] + after
    bottom = [""] * before + rows + [""] * (len(plain) - before + len(after))
    known = {t.casefold() for t in plain + after}
    assert combine_rows(top, bottom, {k for k in known}) == titles
    header = locate_header([top, bottom, ["2.9.2025", "A ry"]], [1, 2, 3], CB)
    assert (header.row, header.rows, header.titles) == (0, 2, titles)


def test_a_title_row_above_the_header_is_skipped():
    rows = [["Järjestökartoitus 2025"], ["Aikaleima", "Yhdistyksen nimi", "Yhdistyksen kotikunta"],
            ["1.9.2025 8.00.00", "A ry", "Laukaa"]]
    header = locate_header(rows, [1, 3, 4], CB)
    assert (header.row, header.rows) == (1, 1)


def test_grid_statements_under_a_single_header_are_refused_naming_the_cells():
    rows = [["Aikaleima", "Yhdistyksen nimi", "Kysymys", ""], ["", "", ROWS[0], ROWS[1]],
            ["1.9.2025", "A ry", "Täysin samaa mieltä", "En osaa sanoa"]]
    with pytest.raises(KartoitusError, match=r"otsikko näyttää olevan kahdella rivillä \(rivit 1–2\): solut C2–D2"):
        locate_header(rows, [1, 2, 3], CB)


# -- de-duplication --------------------------------------------------------------------------------------


def test_same_name_and_same_unresolvable_municipality_is_one_association():
    frame = pd.DataFrame({"aikaleima": ["1.9.2025 8.00.00", "20.9.2025 8.00.00", "21.9.2025 8.00.00"],
                          "nimi": ["Kylätalo ry", "Kylätalo RY", "Kylätalo ry"],
                          "kotikunta": ["Xyzzylä", " xyzzylä", "Qwertylä"],
                          "paatoimiala": ["Nuorisotoiminta"] * 3}, index=[2, 3, 4])
    table = RawTable(path=Path("a.csv"), survey="jarjestokysely", frame=frame, mapping=[],
                     extras=pd.DataFrame(index=frame.index), encoding="utf-8", delimiter=",")
    res = clean_survey([table], CB.association, CB.municipalities, 2025)
    assert res.data["kotikunta"].isna().all()
    kept, replaced = deduplicate(res.data, CB.association)
    assert sorted(kept["rivi"]) == [3, 4]          # the later of the two answers stands
    assert replaced["rivi"].tolist() == [2]


# -- corrections -----------------------------------------------------------------------------------------


@PROPS
@given(st.lists(st.text(alphabet="abc ,;\"", max_size=6), min_size=6, max_size=6))
def test_a_corrections_line_is_read_whole_or_refused(tmp_path, fields):
    line = ",".join(fields)
    path = tmp_path / "korjaukset.csv"
    path.write_text("tiedosto,rivi,yhdistys,kentta,arvo,syy\n" + line + "\n", encoding="utf-8")
    import csv
    record = next(csv.reader(io.StringIO(line)), [])
    try:
        got = read_corrections(path)
    except ConfigError as exc:
        assert str(exc).startswith("korjaukset.csv")
        return
    if not any(v.strip() for v in record):
        assert got == []   # a blank line (only delimiters) is no correction
        return
    # read: the line had exactly six fields, and each landed where it was written
    assert len(record) == 6
    c = got[0]
    assert (c.kentta, c.arvo, c.syy) == tuple(v.strip() for v in record[3:6])


def test_numbers_of_fields_in_korjaukset(tmp_path):
    path = tmp_path / "korjaukset.csv"
    path.write_text("tiedosto,rivi,yhdistys,kentta,arvo,syy\na.csv,2,A ry,kotikunta,Laukaa\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rivillä on 5 kenttää, otsikkorivillä 6"):
        read_corrections(path)
    path.write_text("tiedosto,rivi,yhdistys,kenttä,arvo,syy\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="otsikkorivi ei kelpaa"):
        read_corrections(path)
    np.testing.assert_equal(len(read_corrections(tmp_path / "ei.csv")), 0)
