"""The seed-004 traffic light: where a village stands against its time-line."""

from datetime import date
from enum import StrEnum
from math import floor
from typing import NamedTuple


class Status(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Progress(NamedTuple):
    """One village (or a sum of villages) and one indicator, since the target's start.

    A named tuple, not a dataclass: a province's workbook (every commune's villages) makes tens
    of thousands of them.
    """

    indicator_key: str
    baseline: float
    gain: int  # entries dated from the start to today
    target: float | None  # the goal as a count; None without a usable target
    start: date | None
    deadline: date | None

    @property
    def achieved(self) -> float:
        return self.baseline + self.gain

    @property
    def ratio(self) -> float | None:
        """Achieved as a share of the target."""
        return self.achieved / self.target if self.target else None

    def expected_gain(self, today: date) -> float:
        """The gain the time-line asks for by today: linear from start to deadline."""
        span = (self.deadline - self.start).days
        elapsed = (today - self.start).days
        share = 1.0 if span <= 0 else min(max(elapsed / span, 0.0), 1.0)
        return max(self.target - self.baseline, 0.0) * share

    def expected(self, today: date) -> float:
        """Where the time-line puts the count by today: the baseline and the expected gain."""
        return self.baseline + self.expected_gain(today)

    def status(self, today: date) -> Status | None:
        """None without a time-line, or before it starts: nothing is expected yet."""
        if self.target is None or self.start is None or self.deadline is None or today < self.start:
            return None
        if today > self.deadline and self.achieved < self.target:
            return Status.RED
        expected = self.expected_gain(today)
        if expected <= 0 or self.gain >= expected:
            return Status.GREEN
        return Status.RED if self.gain < 0.5 * expected else Status.YELLOW

    @staticmethod
    def total(lines: "list[Progress]") -> "Progress":
        """Lines added up (a commune's villages, a commune's parts in `communes_overall`):
        baselines, gains and targets summed, the earliest start and the latest deadline. The sum
        has a target only when every line has one. The columns are taken apart by `zip`, in one
        pass each."""
        keys, baselines, gains, targets, starts, deadlines = zip(*lines, strict=True)
        if None in targets:
            return Progress(keys[0], sum(baselines), sum(gains), None, None, None)
        return Progress(keys[0], sum(baselines), sum(gains), sum(targets), min(starts), max(deadlines))


def whole_numbers(values: list[float]) -> list[int]:
    """`values` (a commune's baseline or target shared out among its villages) as whole
    households or people that add up to their rounded sum: each rounded down, then one more for
    those with the largest remainders (ties: the first), so a printed column adds up."""
    floors = [floor(value) for value in values]
    short = round(sum(values)) - sum(floors)
    by_remainder = sorted(range(len(values)), key=lambda n: floors[n] - values[n])
    for n in by_remainder[:max(short, 0)]:
        floors[n] += 1
    return floors
