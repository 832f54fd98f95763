"""Floor areas: exact parsing of m² into hundredths and back."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualaid.places import areas


@pytest.mark.parametrize(
    ("value", "hundredths", "text"),
    [
        ("33.33", 3333, "33.33"),
        (33.3, 3330, "33.30"),
        ("33", 3300, "33.00"),
        (33, 3300, "33.00"),
        (Decimal("33.330"), 3333, "33.33"),
        (0.1, 10, "0.10"),
        (" 7.5 ", 750, "7.50"),
        ("0", 0, "0.00"),
        ("0.05", 5, "0.05"),
        ("100000", 10_000_000, "100000.00"),
        (Decimal("1E+2"), 10000, "100.00"),
    ],
)
def test_parse_area_reads_square_metres_as_hundredths(value, hundredths, text):
    assert areas.parse_area(value) == hundredths
    assert areas.format_area(hundredths) == text


@pytest.mark.parametrize(
    "value",
    [
        "-1", -0.01, Decimal("-5"),  # negative
        "33.333", 0.1 + 0.2, Decimal("1.001"), Decimal("1E-30"),  # more than two decimals
        "nan", float("nan"), float("inf"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"),
        "", "abc", "1,5", "1_000", "٣٣", "1e2", None, True, [1], b"12",  # not plain numbers
        "100000.01", 10**9, Decimal("1E+999"), "9" * 40,  # absurd sizes
    ],
)
def test_parse_area_rejects_what_is_not_an_area(value):
    with pytest.raises(ValueError):
        areas.parse_area(value)


@pytest.mark.parametrize("value", [-1, 1.5, "12", None, False])
def test_format_area_rejects_what_is_not_hundredths(value):
    with pytest.raises(ValueError):
        areas.format_area(value)


@given(st.integers(min_value=0, max_value=areas.MAX_AREA_HUNDREDTHS))
@settings(database=None)
def test_format_then_parse_returns_the_same_hundredths(hundredths):
    assert areas.parse_area(areas.format_area(hundredths)) == hundredths
