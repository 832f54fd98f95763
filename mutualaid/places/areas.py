"""Floor areas as integers of 0.01 m²: exact, so legal sums never drift like floats do."""

from __future__ import annotations

import re
from decimal import Context, Decimal

# No single unit or voter's share in one vote is anywhere near this; larger input is a typo.
MAX_AREA_HUNDREDTHS = 100_000 * 100
_CENT = Decimal("0.01")
# Our own context, so a caller's lowered decimal precision cannot round an area.
_DECIMAL = Context(prec=28)
_AREA_TEXT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)


def parse_area(value: str | int | float | Decimal) -> int:
    """Return m² given as "33.33", 33.3 or 33 in hundredths; raises ValueError if not an area."""
    amount = _to_decimal(value)
    if not amount.is_finite():
        raise ValueError("an area must be a finite number")
    if amount < 0:
        raise ValueError("an area cannot be negative")
    if amount > MAX_AREA_HUNDREDTHS // 100:
        raise ValueError("an area above 100000 m² is not plausible")
    cents = amount.quantize(_CENT, context=_DECIMAL)
    if cents != amount:
        raise ValueError("an area has at most two decimals")
    return int(_DECIMAL.multiply(cents, 100))


def _to_decimal(value: object) -> Decimal:
    """Return value as a Decimal; raises ValueError for anything but a plain number."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("an area must be a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # str() gives the shortest repr, so 33.3 becomes 33.3 and not 33.29999999999999715783.
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        # Decimal() alone would take "1_0", "nan" and non-ASCII digits; areas are typed plainly.
        if len(text) <= 32 and _AREA_TEXT.fullmatch(text):
            return Decimal(text)
    raise ValueError(f"not an area: {value!r}")


def format_area(hundredths: int) -> str:
    """Return an area in hundredths of m² as "1234.56"; raises ValueError unless an int >= 0."""
    hundredths = checked_area(hundredths)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def checked_area(hundredths: object) -> int:
    """Return hundredths if it is a non-negative int (a bool is not an area); else ValueError."""
    if not isinstance(hundredths, int) or isinstance(hundredths, bool) or hundredths < 0:
        raise ValueError(f"an area in hundredths must be an int >= 0, not {hundredths!r}")
    return hundredths
