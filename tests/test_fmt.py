"""Finnish formatting: golden values."""

import datetime as dt
import math

import pandas as pd
import pytest

from kartoitus.fmt import (
    MINUS,
    NBSP,
    fi_date,
    fi_date_range,
    fi_integer,
    fi_number,
    fi_percent,
    format_cell,
    format_value,
)


@pytest.mark.parametrize("x, decimals, expected", [
    (1234.5, 1, f"1{NBSP}234,5"),
    (1234567.891, 2, f"1{NBSP}234{NBSP}567,89"),
    (0.25, 1, "0,3"),            # half-up on the written decimal, not banker's rounding
    (0.35, 1, "0,4"),
    (2.675, 2, "2,68"),
    (999.95, 1, f"1{NBSP}000,0"),
    (-3.04, 1, f"{MINUS}3,0"),
    (-0.04, 1, "0,0"),           # no "minus zero"
    (12, 0, "12"),
    (100, 1, "100,0"),
])
def test_fi_number(x, decimals, expected):
    assert fi_number(x, decimals) == expected


def test_fi_number_trim_and_missing():
    assert fi_number(2.0, 2, trim=True) == "2"
    assert fi_number(2.5, 2, trim=True) == "2,5"
    for missing in (None, float("nan"), pd.NA, math.nan):
        assert fi_number(missing) == ""
    assert fi_number(None, missing="–") == "–"
    with pytest.raises(ValueError):
        fi_number("abc")


def test_fi_integer_and_percent():
    assert fi_integer(1234) == f"1{NBSP}234"
    assert fi_integer(873) == "873"
    assert fi_integer(1234.5) == f"1{NBSP}235"
    assert fi_integer(12_345_678) == f"12{NBSP}345{NBSP}678"
    assert fi_percent(12.5) == f"12,5{NBSP}%"
    assert fi_percent(12.54, 0) == f"13{NBSP}%"
    assert fi_percent(1234.5) == f"1{NBSP}234,5{NBSP}%"
    assert fi_percent(None) == ""


def test_fi_date():
    assert fi_date(dt.date(2019, 9, 2)) == "2.9.2019"
    assert fi_date(dt.datetime(2019, 10, 15, 12, 34)) == "15.10.2019"
    assert fi_date("2025-09-01T08:00:00+03:00") == "1.9.2025"
    assert fi_date(pd.Timestamp("2019-10-05")) == "5.10.2019"
    assert fi_date(None) == "" and fi_date(pd.NaT) == ""
    with pytest.raises(ValueError):
        fi_date("15.10.2019")
    assert fi_date_range("2019-09-02", "2019-10-15") == "2.9.\u201315.10.2019"
    assert fi_date_range("2019-12-02", "2020-01-15") == "2.12.2019\u201315.1.2020"
    assert fi_date_range("2019-09-02", None) == "2.9.2019"


def test_format_by_kind():
    assert format_value(1234, "count") == f"1{NBSP}234"
    assert format_value(33.333, "percent") == f"33,3{NBSP}%"
    assert format_value(3.456, "mean") == "3,5"
    assert format_value(2.0, "number") == "2"
    assert format_value(0.5, "number") == "0,5"
    assert format_value("Jyväskylä", "text") == "Jyväskylä"
    assert format_cell(3, "count", suppressed=True) == ".."                 # hidden, no claim of size
    assert format_cell(3, "count", suppressed=True, mark="<5") == "<5"     # Table.mark says it is 1-4
    assert format_cell(None, "count") == ""
    assert format_cell("Äänekoski", None) == "Äänekoski"
    with pytest.raises(ValueError):
        format_value(1, "ratio")
