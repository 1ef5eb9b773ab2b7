"""Money arithmetic: Decimal everywhere, rounded half-up to cents, numbers only at the JSON boundary."""

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal:
    """Parse a JSON number or numeric string into a finite Decimal; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        msg = f"{value!r} is not a number"
        raise ValueError(msg)
    if isinstance(value, float) and not math.isfinite(value):
        msg = f"{value!r} is not a finite number"
        raise ValueError(msg)
    try:
        # str() of a float gives its shortest round-trip form: 29.99 stays 29.99, not 29.989999...
        result = Decimal(str(value))
    except InvalidOperation as exc:
        msg = f"{value!r} is not a number"
        raise ValueError(msg) from exc
    if not result.is_finite():
        msg = f"{value!r} is not a finite number"
        raise ValueError(msg)
    return result


def cents(value: Decimal) -> Decimal:
    """Round to cents, half-up (0.005 -> 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_number(value: Decimal) -> float:
    """The JSON representation of an amount already rounded to cents."""
    return float(value)
