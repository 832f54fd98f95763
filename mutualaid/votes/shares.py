"""Cost shares (分摊) of a building project: the cost plan and each unit's share in cents.

The owners' part (total cost less the maintenance fund and subsidies) is shared as
coefficient(floor) × area / Σ(coefficient × area). Everything is an integer: cents of money,
hundredths of a coefficient, hundredths of a m². Each unit first gets the whole cents of its
share; the cents left over go one by one to the largest fractional parts, ties to the lower
unit id (the largest-remainder rule), so the shares always sum exactly to the owners' part
and never depend on the order the units are read in.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of
from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Unit
from mutualaid.realtime.outbox import announce
from mutualaid.votes import rules
from mutualaid.votes.counting import scope_filter
from mutualaid.votes.models import Ballot

DEFAULT_FREE_FLOORS = 2  # floors 1–2 gain nothing from a lift: coefficient 0
DEFAULT_COEFFICIENT = 100  # hundredths: 1.00 from floor 3 up


@dataclass(frozen=True, slots=True)
class Share:
    """One unit's part: its id, coefficient and area in hundredths, and the amount in cents."""

    unit_id: int
    coefficient: int
    area_hundredths: int
    cents: int


def default_coefficient(floor):
    """The coefficient of a floor nobody set, in hundredths."""
    return 0 if floor <= DEFAULT_FREE_FLOORS else DEFAULT_COEFFICIENT


def allocate(owners_part, units):
    """Share ``owners_part`` cents over ``units`` ``[(unit_id, coefficient, area)]``.

    Returns ``[Share]`` by unit id, summing exactly to ``owners_part``; raises ValueError
    when the owners' part is above 0 and no unit has a weight above 0.
    """
    rows = sorted(units)
    weights = [coefficient * area for _unit, coefficient, area in rows]
    total = sum(weights)
    if total == 0:
        if owners_part:
            raise ValueError("no paying units")
        return [Share(u, c, a, 0) for u, c, a in rows]
    whole = [owners_part * weight // total for weight in weights]
    left = owners_part - sum(whole)
    by_remainder = sorted(range(len(rows)),
                          key=lambda i: (-(owners_part * weights[i] % total), rows[i][0]))
    for index in by_remainder[:left]:
        whole[index] += 1
    return [Share(u, c, a, cents) for (u, c, a), cents in zip(rows, whole, strict=True)]


def owners_part(plan):
    """The cents the owners pay under a stored plan."""
    return plan["total_cost"] - plan["maintenance_fund"] - plan["subsidy"]


def coefficient_of(plan, floor):
    """The coefficient (hundredths) of ``floor`` under a plan: the one set, else the default."""
    given = plan["coefficients"].get(str(floor))
    return given if given is not None else default_coefficient(floor)


def _units_in_scope(vote):
    """The vote's units with their owners, by id."""
    return db.session.scalars(sa.select(Unit).join(Building).where(scope_filter(vote))
                              .order_by(Unit.id)).all()


def _plan_shares(plan, units):
    """``{unit id: Share}`` for a plan; raises ValidationFailed ``no_paying_units``."""
    try:
        shares = allocate(owners_part(plan), [
            (u.id, coefficient_of(plan, u.floor), u.area_hundredths) for u in units])
    except ValueError:
        message = _("No unit pays under these coefficients; give some floor a coefficient above 0.")
        raise ValidationFailed(message, code="no_paying_units",
                               fields={"coefficients": [message]}) from None
    return {share.unit_id: share for share in shares}


def set_cost_plan(actor, vote, *, total_cost, maintenance_fund, subsidy, coefficients):
    """Staff set a vote's cost plan (amounts in cents, coefficients in hundredths by floor).

    Raises Forbidden, ValidationFailed ``plan_exceeds_total``/``no_paying_units``/
    ``floor_unknown``, Conflict ``plan_locked`` once a ballot is cast.
    """
    require_staff_of(actor, vote.community_id)
    if vote.rule == rules.POLL:
        raise ValidationFailed(_("A poll spends no money: it has no cost plan."),
                               code="poll_has_no_plan")
    if db.session.scalar(sa.select(Ballot.id).where(Ballot.vote_id == vote.id).limit(1)):
        raise Conflict(_("Ballots have been cast: the cost plan can no longer change."),
                       code="plan_locked")
    if maintenance_fund + subsidy > total_cost:
        message = _("The maintenance fund and subsidies are more than the total cost.")
        raise ValidationFailed(message, code="plan_exceeds_total",
                               fields={"maintenance_fund": [message]})
    units = _units_in_scope(vote)
    message = _floors_missing(units)
    if message:
        raise ValidationFailed(message, code="floor_unknown", fields={"coefficients": [message]})
    plan = {"total_cost": total_cost, "maintenance_fund": maintenance_fund, "subsidy": subsidy,
            "coefficients": {str(floor): value for floor, value in coefficients.items()}}
    _plan_shares(plan, units)
    vote.cost_plan = plan
    vote.version += 1
    db.session.flush()
    announce_updated(vote)
    return plan


def announce_updated(vote):
    """Tell the vote's scope that what is shown of it changed (``vote.updated``)."""
    from mutualaid.votes.domain import scope_rooms, vote_payload

    announce("vote.updated", lambda: vote_payload(vote), scope_rooms(vote))


def share_rows(vote):
    """Every unit in scope with its share (``{"unit", "share"}`` rows); [] without a plan."""
    plan = vote.cost_plan
    if plan is None:
        return []
    units = _units_in_scope(vote)
    message = _floors_missing(units)  # a unit added since the plan, its floor not given
    if message:
        raise Conflict(message, code="floor_unknown")
    shares = _plan_shares(plan, units) if units else {}
    return [{"unit": unit, "share": shares[unit.id]} for unit in units]


def _floors_missing(units):
    """What to tell staff when some of ``units`` have no floor (no share without it), or None."""
    unknown = [u.number for u in units if u.floor is None]
    if not unknown:
        return None
    return _("Give the floor of units %(numbers)s first.", numbers=", ".join(unknown[:10]))


def vote_shares(actor, vote):
    """Staff: the whole table of a vote's shares; raises Forbidden."""
    require_staff_of(actor, vote.community_id)
    return share_rows(vote)


def my_share(actor, vote):
    """An owner's rows of the share table and their sum in cents; raises Forbidden ``not_owner``
    for someone who owns no unit in the vote's scope."""
    rows = [row for row in share_rows(vote) if row["unit"].owner_id == actor.id]
    if not rows and not db.session.scalar(sa.select(Unit.id).join(Building).where(
            scope_filter(vote), Unit.owner_id == actor.id).limit(1)):
        raise Forbidden(_("You own no unit in this vote's scope."), code="not_owner")
    return {"cents": sum(row["share"].cents for row in rows), "rows": rows}


def format_money(cents):
    """Cents as the API writes money: ``"1234.05"``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def format_coefficient(hundredths):
    """A coefficient in hundredths as ``"1.10"``."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"
