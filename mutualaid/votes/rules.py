"""Counting rules of building votes under PRC Civil Code art. 278 (《民法典》第二百七十八条).

Pure functions over plain values: no Flask, no database, no floats. Areas are integers of
hundredths of a square metre (0.01 m²), so every comparison below is exact.

Who votes (``major`` and ``ordinary``): the owners of the units in scope. Each distinct owner
of record is one voter however many units they own, weighted by the sum of those units'
专有部分面积 (floor area of the exclusive part); each unit without an owner of record is one
voter of its own. ``voters_from_units`` builds that list; ``voter_key`` names a voter.

The rules, in plain words:

- Quorum (参与表决): owners holding 三分之二以上 (two thirds or more) of the 专有部分面积
  **and** 三分之二以上 of the 人数 (headcount) take part.
- ``major`` (raising maintenance funds, rebuilding, changing the use of common parts — items
  6 to 8 of the article): yes from 四分之三以上 (three quarters or more) of the participating
  area **and** of the participating headcount.
- ``ordinary`` (everything else): yes from 过半数 (more than half) of the participating area
  **and** of the participating headcount.
- "以上" includes the bound; "过半数" does not. Abstentions take part but do not approve.
  Nobody eligible, or nobody taking part, meets no quorum and passes nothing.
- ``poll`` is not art. 278: one ballot per resident, headcount only, no quorum, and it passes
  when yes is more than half of the ballots counted.

A voter may change their mind until the vote closes: when the ballots given to ``tally``
hold several for one voter, only the latest (the last in recording order) counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from mutualaid.places.areas import checked_area, format_area

MAJOR = "major"
ORDINARY = "ordinary"
POLL = "poll"
RULES = (MAJOR, ORDINARY, POLL)
CHOICES = ("yes", "no", "abstain")


@dataclass(frozen=True, slots=True)
class EligibleVoter:
    """One voter: an owner or an ownerless unit, with the area of all their units in scope.

    Under poll the area is not used (pass 0) but must still be a non-negative int.
    """

    key: Hashable
    area_hundredths: int


@dataclass(frozen=True, slots=True)
class CastBallot:
    """One recorded ballot: the voter's key and "yes", "no" or "abstain"."""

    key: Hashable
    choice: str


@dataclass(frozen=True, slots=True)
class UnitInScope:
    """A unit in the vote's scope, its owner of record (None when it has none) and its area."""

    unit_id: Hashable
    owner_id: Hashable | None
    area_hundredths: int


class Weight(NamedTuple):
    """Area in hundredths of m² (None under poll) and headcount."""

    area_hundredths: int | None
    headcount: int


@dataclass(frozen=True)
class Result:
    """The outcome of a tally; ``tally`` maps each choice to its weight."""

    rule: str
    eligible: Weight
    participating: Weight
    tally: Mapping[str, Weight]
    quorum_met: bool
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the API's vote result shape (without ``status``), areas as "0.00" strings."""
        return {
            "rule": self.rule,
            "eligible": _weight_dict(self.eligible),
            "participating": _weight_dict(self.participating),
            "quorum_met": self.quorum_met,
            "tally": {choice: _weight_dict(self.tally[choice]) for choice in CHOICES},
            "passed": self.passed,
        }


def voter_key(unit_id: Hashable, owner_id: Hashable | None) -> tuple[str, Hashable]:
    """Return the voter key for a unit: its owner's when it has one, else the unit's own."""
    # Tagged, so owner 7 and ownerless unit 7 can never be taken for one voter.
    return ("owner", owner_id) if owner_id is not None else ("unit", unit_id)


def voters_from_units(units: Iterable[UnitInScope]) -> list[EligibleVoter]:
    """Group units into voters (one per owner, one per ownerless unit); raises ValueError."""
    areas: dict[Hashable, int] = {}
    seen: set[Hashable] = set()
    for unit in units:
        area = checked_area(unit.area_hundredths)
        if unit.unit_id in seen:
            raise ValueError(f"unit {unit.unit_id!r} is listed twice")
        seen.add(unit.unit_id)
        key = voter_key(unit.unit_id, unit.owner_id)
        areas[key] = areas.get(key, 0) + area
    return [EligibleVoter(key, area) for key, area in areas.items()]


def tally(rule: str, eligible: Iterable[EligibleVoter], ballots: Iterable[CastBallot]) -> Result:
    """Count ballots given in recording order (the latest per voter counts); raises ValueError."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    areas = _areas_by_key(eligible)
    choices = _latest_choices(ballots, areas)
    if rule == POLL:
        return _tally_poll(len(areas), choices)
    return _tally_owners(rule, areas, choices)


def _areas_by_key(eligible: Iterable[EligibleVoter]) -> dict[Hashable, int]:
    """Return each voter's area by key; raises ValueError for a repeated key or a bad area."""
    areas: dict[Hashable, int] = {}
    for voter in eligible:
        area = checked_area(voter.area_hundredths)
        if voter.key in areas:
            # Counting a voter twice would inflate the headcount; their units belong in one sum.
            raise ValueError(f"voter {voter.key!r} is listed twice")
        areas[voter.key] = area
    return areas


def _latest_choices(
    ballots: Iterable[CastBallot], areas: Mapping[Hashable, int]
) -> dict[Hashable, str]:
    """Return the latest choice per voter; raises ValueError for a stranger or a bad choice."""
    choices: dict[Hashable, str] = {}
    for ballot in ballots:
        if ballot.choice not in CHOICES:
            raise ValueError(f"unknown choice {ballot.choice!r}")
        if ballot.key not in areas:
            raise ValueError(f"{ballot.key!r} is not eligible in this vote")
        # A later ballot is a change of mind and replaces the earlier one.
        choices[ballot.key] = ballot.choice
    return choices


def _tally_owners(
    rule: str, areas: Mapping[Hashable, int], choices: Mapping[Hashable, str]
) -> Result:
    """Count owners' ballots by area and headcount under art. 278."""
    sums = {choice: [0, 0] for choice in CHOICES}
    for key, choice in choices.items():
        weight = sums[choice]
        weight[0] += areas[key]
        weight[1] += 1
    counts = {choice: Weight(area, heads) for choice, (area, heads) in sums.items()}
    eligible = Weight(sum(areas.values()), len(areas))
    participating = Weight(sum(w.area_hundredths for w in counts.values()), len(choices))
    quorum_met = _quorum_met(eligible, participating)
    passed = quorum_met and _approves(rule, counts["yes"], participating)
    return Result(rule, eligible, participating, counts, quorum_met, passed)


def _quorum_met(eligible: Weight, participating: Weight) -> bool:
    """Whether two thirds or more of the area and of the headcount took part."""
    # An empty electorate would meet "0 >= 0"; nobody can decide for nobody.
    if not eligible.area_hundredths or not eligible.headcount:
        return False
    return (
        3 * participating.area_hundredths >= 2 * eligible.area_hundredths
        and 3 * participating.headcount >= 2 * eligible.headcount
    )


def _approves(rule: str, yes: Weight, participating: Weight) -> bool:
    """Whether yes reaches the rule's share of the participating area and headcount."""
    if rule == MAJOR:
        return (
            4 * yes.area_hundredths >= 3 * participating.area_hundredths
            and 4 * yes.headcount >= 3 * participating.headcount
        )
    return (
        2 * yes.area_hundredths > participating.area_hundredths
        and 2 * yes.headcount > participating.headcount
    )


def _tally_poll(eligible_headcount: int, choices: Mapping[Hashable, str]) -> Result:
    """Count a poll: one ballot per resident, no area, no quorum, yes over half of ballots."""
    heads = dict.fromkeys(CHOICES, 0)
    for choice in choices.values():
        heads[choice] += 1
    counts = {choice: Weight(None, n) for choice, n in heads.items()}
    participating = Weight(None, len(choices))
    passed = 2 * heads["yes"] > len(choices)
    return Result(POLL, Weight(None, eligible_headcount), participating, counts, True, passed)


def _weight_dict(weight: Weight) -> dict[str, Any]:
    """Return a weight as the API's {area_m2, headcount}."""
    area = weight.area_hundredths
    return {"area_m2": None if area is None else format_area(area), "headcount": weight.headcount}
