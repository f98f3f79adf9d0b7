import sqlite3

import numpy as np
import pandas as pd
import pytest

from kartoitus.stages import bank


def _frame():
    return pd.DataFrame({
        "tiedosto": ["a.csv", "a.csv"],
        "rivi": [2, 3],
        "aikaleima": pd.to_datetime(["2025-09-01 08:00", "2025-01-15 12:30"]).tz_localize("Europe/Helsinki"),
        "kotikunta": ["077", "179"],
        "jasenmaara": [120.0, np.nan],
        "palkatut_htv": [0.5, 2.0],
        "toimialat__liikunta": pd.array([1, pd.NA], dtype="Int64"),
        "_dedupe_key": ["x", "y"],
    })


def test_processed_csv_follows_the_conventions():
    text = bank.frame_to_csv_bytes(_frame()).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "tiedosto,rivi,aikaleima,kotikunta,jasenmaara,palkatut_htv,toimialat__liikunta"
    assert lines[1] == "a.csv,2,2025-09-01T08:00:00+03:00,077,120,0.5,1"
    assert lines[2] == "a.csv,3,2025-01-15T12:30:00+02:00,179,,2,"
    assert not text.startswith("\ufeff")


def test_wave_folder_is_swapped_whole_and_round_trips(tmp_path):
    folder = tmp_path / "2025"
    bank.write_wave(folder, {"jarjestokysely.csv": _frame(), "kuntakysely.csv": _frame().head(0),
                             "audit.csv": pd.DataFrame({"file": ["a.csv"]})})
    back = bank.read_processed_csv(folder / "jarjestokysely.csv")
    assert back["kotikunta"].tolist() == ["077", "179"]
    assert back["aikaleima"].iloc[0].isoformat() == "2025-09-01T08:00:00+03:00"

    # a file that cannot be written (not a frame) fails the whole wave
    with pytest.raises(AttributeError):
        bank.write_wave(folder, {"jarjestokysely.csv": _frame().iloc[:1], "x.csv": object()})
    # the earlier wave is intact, no temporary folders are left behind
    assert bank.read_processed_csv(folder / "jarjestokysely.csv")["rivi"].tolist() == [2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025"]


def test_database_replaces_only_its_own_wave(tmp_path):
    db = tmp_path / "kartoitus.sqlite"
    bank.write_database(db, 2023, {"jarjestokysely": _frame()}, {"jarjestokysely_n": 2})
    bank.write_database(db, 2025, {"jarjestokysely": _frame().head(1)}, {"jarjestokysely_n": 1})
    bank.write_database(db, 2025, {"jarjestokysely": _frame()}, {"jarjestokysely_n": 2})
    assert bank.database_waves(db) == [2023, 2025]
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from jarjestokysely_2023").fetchone() == (2,)
    assert con.execute("select count(*) from jarjestokysely_2025").fetchone() == (2,)
    row = con.execute("select kotikunta, jasenmaara, aikaleima from jarjestokysely_2025 where rivi=3").fetchone()
    assert row == ("179", None, "2025-01-15T12:30:00+02:00")
    cols = [r[1] for r in con.execute("pragma table_info(jarjestokysely_2025)")]
    assert "_dedupe_key" not in cols
