"""One benchmark figure: its samples, summary, target and verdict."""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Check = Callable[[float], bool]


@dataclass
class Figure:
    """A measured figure; ``samples`` empty (with ``reason``) when it could not be measured here."""

    key: str
    samples: list[float] = field(default_factory=list)
    unit: str = ""
    target: str = ""
    check: Check | None = None
    reason: str = ""
    digits: int = 3

    @property
    def min(self) -> float | None:
        return min(self.samples) if self.samples else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def verdict(self) -> str:
        median = self.median
        if median is None:
            return "n/a"
        if self.check is None:
            return ""
        return "pass" if self.check(median) else "MISS"

    def value(self) -> float | None:
        median = self.median
        return None if median is None else round(median, self.digits)


def at_most(limit: float) -> Check:
    return lambda value: value <= limit


def equals(expected: float) -> Check:
    return lambda value: value == expected


def fmt(value: float | None, digits: int) -> str:
    if value is None:
        return "null"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as left-aligned columns, the first row a header underlined with dashes."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def table(figures: list[Figure]) -> str:
    """A fixed-width table: figure, min, median, unit, target, verdict; reasons for nulls underneath."""
    header = ("figure", "min", "median", "unit", "target", "result")
    rows = [header] + [
        (f.key, fmt(f.min, f.digits), fmt(f.median, f.digits), f.unit, f.target, f.verdict) for f in figures
    ]
    lines = aligned(rows)
    notes = [f"  {f.key}: {f.reason}" for f in figures if f.reason]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def summary(figures: list[Figure]) -> dict[str, Any]:
    """min/median/target/verdict per figure, for the JSON's ``figures`` block."""
    return {
        f.key: {
            "min": f.min,
            "median": f.median,
            "samples": f.samples,
            "unit": f.unit,
            "target": f.target or None,
            "result": f.verdict,
            **({"reason": f.reason} if f.reason else {}),
        }
        for f in figures
    }
