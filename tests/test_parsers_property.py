"""Property-based tests of the parsers of kartoitus.stages.clean."""

import datetime as dt
import random
import unicodedata

import pandas as pd
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from kartoitus.stages.clean import match_municipalities, parse_numbers, split_multi
from kartoitus.settings import load_settings

SETTINGS = load_settings()   # as the CLI builds it, once
CB = SETTINGS.codebook
MUNIS = CB.municipalities
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _one(value):
    out = parse_numbers(pd.Series([value], dtype=object))
    return out["value"].iloc[0], out["flag"].iloc[0]


# -- numbers -------------------------------------------------------------------------

@SETTINGS
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([" ", "\u00a0", ".", ""]))
def test_grouped_integers_round_trip(n, sep):
    value, flag = _one(_group(n, sep))
    assert value == n
    assert pd.isna(flag)


@SETTINGS
@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=99),
       st.sampled_from([" ", "\u00a0", "."]))
def test_decimal_comma_with_thousands_round_trip(n, cents, sep):
    text = f"{_group(n, sep)},{cents:02d}"
    value, _ = _one(text)
    assert abs(value - (n + cents / 100)) < 1e-6


@SETTINGS
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6),
       st.sampled_from(["-", "–", " - ", " – "]), st.sampled_from(["", " €", " jäsentä"]))
def test_any_range_gives_midpoint(a, b, dash, unit):
    assume(a != b)
    value, flag = _one(f"{_group(a, ' ')}{dash}{_group(b, ' ')}{unit}")
    assert value == (a + b) / 2
    assert flag == "luku_vali"


@SETTINGS
@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["yli ", "Yli ", "alle ", "n. ", "noin "]))
def test_qualifiers(n, prefix):
    value, flag = _one(prefix + str(n))
    assert value == n
    expected = {"yli ": "luku_yli", "alle ": "luku_alle"}.get(prefix.lower())
    assert (None if pd.isna(flag) else flag) == expected


@SETTINGS
@given(st.one_of(st.integers(min_value=0, max_value=10**9), st.floats(min_value=0, max_value=1e9,
                                                                        allow_nan=False)))
def test_numeric_cells_pass_through(x):
    value, flag = _one(x)
    assert value == float(x)
    assert pd.isna(flag)


@SETTINGS
@given(st.text(max_size=20))
def test_any_text_gives_number_or_missing_never_an_error(text):
    out = parse_numbers(pd.Series([text], dtype=object))
    value, flag = out["value"].iloc[0], out["flag"].iloc[0]
    assert isinstance(value, float)
    if pd.isna(value):
        assert pd.isna(flag) or flag == "luku_tulkitsematon"


# -- municipalities ---------------------------------------------------------------------

def _strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


NAMES = [(m.name, m.code) for m in MUNIS.for_year(2023)]


@SETTINGS
@given(st.sampled_from(NAMES), st.sampled_from(["lower", "upper", "title", "same", "swapcase"]),
       st.booleans(), st.text(alphabet=" \t\u00a0", max_size=3), st.text(alphabet=" \t\u00a0", max_size=3))
def test_official_names_in_any_form_map_to_their_code(name_code, case, strip, before, after):
    name, code = name_code
    text = getattr(name, case)() if case != "same" else name
    if strip:
        text = _strip_diacritics(text)
    out = match_municipalities(pd.Series([before + text + after]), MUNIS, 2023)
    assert out["code"].iloc[0] == code
    assert pd.isna(out["flag"].iloc[0])
    assert out["name"].iloc[0] == name


KNOWN = {}
for m in MUNIS:
    for n in (m.name, *m.other_names):
        KNOWN.setdefault(_strip_diacritics(n).casefold(), set()).add(m.code)
for v, c in MUNIS.villages.items():
    KNOWN.setdefault(_strip_diacritics(v).casefold(), set()).add(c)


@SETTINGS
@given(st.text(max_size=25))
def test_junk_never_maps_silently(text):
    out = match_municipalities(pd.Series([text], dtype=object), MUNIS, 2023)
    code, flag = out["code"].iloc[0], out["flag"].iloc[0]
    if pd.notna(code) and pd.isna(flag):
        # an unflagged code only ever comes from an exact code, name, other name or village
        key = " ".join(_strip_diacritics(text).casefold().replace("-", " ").split()).strip(" .,;:()!?")
        assert key.zfill(3) == code or code in KNOWN.get(key, set())


@SETTINGS
@given(st.sampled_from(NAMES), st.integers(min_value=0, max_value=30), st.sampled_from("qxzw"))
def test_one_typo_in_a_long_name_is_read_and_flagged_or_left_unknown(name_code, pos, letter):
    name, code = name_code
    assume(len(name) >= 8)
    pos = pos % len(name)
    typo = name[:pos] + letter + name[pos + 1:]
    out = match_municipalities(pd.Series([typo]), MUNIS, 2023)
    assert out["flag"].iloc[0] in ("kunta_sumea", "kunta_tuntematon")
    if out["flag"].iloc[0] == "kunta_sumea":
        assert out["code"].iloc[0] == code


# -- multi-select ------------------------------------------------------------------------

MULTI = CB.association.question("toimintamuodot")
KEYS = [o.key for o in MULTI.options]
LABELS = dict((o.key, o.label) for o in MULTI.options)
other_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ -", min_size=1, max_size=15).map(str.strip).filter(
    lambda t: t and t.casefold() not in {lab.casefold() for lab in LABELS.values()}
    and not any(t.casefold() == part.strip().casefold() for lab in LABELS.values() for part in lab.split(",")))


@SETTINGS
@given(st.lists(st.sampled_from(KEYS), unique=True, min_size=1), st.randoms(use_true_random=False),
       st.one_of(st.none(), other_text), st.sampled_from(["same", "lower", "upper"]))
# found by the explore profile: runs of spaces inside the free text are cleaned to one
@example(chosen=["vertaistuki"], rnd=random.Random(0), other="A  A", case="same")
def test_any_subset_splits_back(chosen, rnd, other, case):
    parts = [LABELS[k] for k in chosen]
    rnd.shuffle(parts)
    if other is not None:
        parts.insert(rnd.randint(0, len(parts)), other)
    text = ", ".join(parts)
    if case != "same":
        text = getattr(text, case)()
    out = split_multi(pd.Series([text]), MULTI)
    got = {k for k in KEYS if out[f"toimintamuodot__{k}"].iloc[0] == 1}
    assert got == set(chosen)
    assert all(out[f"toimintamuodot__{k}"].iloc[0] == 0 for k in KEYS if k not in chosen)
    if other is None:
        assert pd.isna(out["toimintamuodot__muu"].iloc[0])
    else:
        written = getattr(other, case)() if case != "same" else other
        assert out["toimintamuodot__muu"].iloc[0] == " ".join(written.split())   # spaces cleaned, text kept


@SETTINGS
@given(st.sampled_from([None, "", "  ", float("nan")]))
def test_blank_multi_is_all_missing(blank):
    out = split_multi(pd.Series([blank], dtype=object), MULTI)
    assert out.drop(columns=["flag", "note"]).iloc[0].isna().all()


@SETTINGS
@given(st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31)),
       st.sampled_from(["en", "fi"]))
def test_google_forms_download_times_in_english_and_finnish(when, language):
    """``2025/10/03 6:40:00 PM GMT+3`` and, from Google Forms used in Finnish,
    ``2025/10/03 6.40.00 ip. UTC+3``: the same instant, to the second."""
    from kartoitus.stages.ingest.timestamps import parse_timestamps

    when = when.replace(microsecond=0)
    h12 = when.hour % 12 or 12
    if language == "en":
        text = f"{when:%Y/%m/%d} {h12}:{when:%M:%S} {'AM' if when.hour < 12 else 'PM'} GMT+3"
    else:
        text = f"{when:%Y/%m/%d} {h12}.{when:%M.%S} {'ap.' if when.hour < 12 else 'ip.'} UTC+3"
    stamps, bad = parse_timestamps(pd.Series([text]))
    assert not bad.iloc[0]
    expected = pd.Timestamp(when).tz_localize("Etc/GMT-3")   # UTC+3
    assert stamps.iloc[0] == expected
