"""Appeal rules without HTTP: filing, the lifecycle, who acts at each level, time limits with
an injected clock, ratings, merging, visibility and live announcements."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from mutualaid.appeals import access, checks, domain, limits
from mutualaid.appeals.models import STATUSES, AppealEvent, AppealFollow
from mutualaid.appeals.schemas import dump_appeal
from mutualaid.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from mutualaid.realtime.outbox import pending
from tests.appeals.factories import T0, appeal_in, file, make_street
from tests.factories import make_building, make_community, make_staff, make_unit, make_user

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


def kinds(appeal):
    return [(e.kind, e.level, e.from_status, e.to_status) for e in domain.events_of(appeal)]


def test_filing_in_a_grid_starts_at_grid_with_the_accept_limit(db):
    place = make_street()
    appeal = file(place)
    assert (appeal.status, appeal.level, appeal.grid_id) == ("submitted", "grid", place.grid.id)
    assert appeal.due_at == T0 + DAY
    assert kinds(appeal) == [("filed", "grid", None, "submitted")]


def test_filing_outside_any_grid_starts_at_community(db):
    place = make_street()
    appeal = file(place, building=place.loose)
    assert (appeal.level, appeal.grid_id) == ("community", None)


def test_a_position_maps_to_the_nearest_building_within_300_m(db):
    place = make_street()
    appeal = file(place, building_id=None, lat=23.0238, lon=113.1151)
    assert appeal.building_id == place.loose.id
    assert (appeal.lat, appeal.lon) == (23.0238, 113.1151)


@pytest.mark.parametrize("where", [{"building_id": None, "lat": 23.04, "lon": 113.1150},
                                   "other community"])
def test_a_place_outside_the_community_is_refused(db, where):
    place = make_street()
    if where == "other community":
        where = {"building_id": make_building(make_community()).id}
    with pytest.raises(ValidationFailed) as error:
        file(place, **where)
    assert error.value.code == "outside_community"


def test_unverified_residents_cannot_file(db):
    place = make_street()
    with pytest.raises(Forbidden) as error:
        file(place, actor=make_user())
    assert error.value.code == "not_verified"
    with pytest.raises(ValidationFailed):  # staff without a home say whom it is for
        file(place, actor=place.staff)


def test_staff_file_on_behalf_with_a_visit_note(db):
    place = make_street()
    appeal = file(place, actor=place.staff, on_behalf_of=place.neighbour.id,
                  visit_note="Evening visit: the gate lock is broken")
    assert (appeal.appellant_id, appeal.created_by_id) == (place.neighbour.id, place.staff.id)
    assert domain.events_of(appeal)[0].note == "Evening visit: the gate lock is broken"
    with pytest.raises(Forbidden):
        file(place, actor=place.appellant, on_behalf_of=place.neighbour.id)
    with pytest.raises(Forbidden):
        file(place, actor=make_staff(make_community()), on_behalf_of=place.neighbour.id)


ACTIONS = {
    "accept": lambda p, a, now: domain.accept_appeal(p.staff, a, now),
    "start": lambda p, a, now: domain.start_appeal(p.staff, a, now),
    "resolve": lambda p, a, now: domain.resolve_appeal(p.staff, a, "Done", now),
    "reject": lambda p, a, now: domain.reject_appeal(p.staff, a, "Not ours", now),
    "rate": lambda p, a, now: domain.rate_appeal(p.appellant, a, "satisfied", now=now),
}
LEGAL = {("accept", "submitted"): "accepted", ("accept", "reopened"): "accepted",
         ("start", "accepted"): "in_progress", ("resolve", "in_progress"): "resolved",
         ("reject", "submitted"): "rejected", ("rate", "resolved"): "closed"}


@pytest.mark.parametrize(("action", "status"),
                         [(a, s) for a in ACTIONS for s in STATUSES])
def test_every_action_from_every_status(db, action, status):
    place = make_street()
    appeal = appeal_in(status, place)
    version, now = appeal.version, T0 + timedelta(hours=1)
    if place.street and appeal.level == "street":
        place.staff = place.street_staff
    target = LEGAL.get((action, status))
    if target is None:
        with pytest.raises(InvalidTransition):
            ACTIONS[action](place, appeal, now)
        assert (appeal.status, appeal.version) == (status, version)
    else:
        ACTIONS[action](place, appeal, now)
        assert (appeal.status, appeal.version) == (target, version + 1)


def test_the_whole_loop_counts_each_step_to_its_level(db):
    place = make_street()
    appeal = appeal_in("reopened", place)
    assert appeal.level == "community"
    domain.accept_appeal(place.staff, appeal, T0 + timedelta(hours=1))
    domain.start_appeal(place.staff, appeal, T0 + timedelta(hours=2))
    domain.resolve_appeal(place.staff, appeal, "Bins emptied daily now", T0 + timedelta(hours=3))
    domain.rate_appeal(place.appellant, appeal, "basically_satisfied", now=T0 + timedelta(hours=4))
    assert kinds(appeal) == [
        ("filed", "grid", None, "submitted"), ("accepted", "grid", "submitted", "accepted"),
        ("started", "grid", "accepted", "in_progress"),
        ("resolved", "grid", "in_progress", "resolved"),
        ("rated", "grid", "resolved", "resolved"),
        ("reopened", "community", "resolved", "reopened"),
        ("accepted", "community", "reopened", "accepted"),
        ("started", "community", "accepted", "in_progress"),
        ("resolved", "community", "in_progress", "resolved"),
        ("rated", "community", "resolved", "resolved"),
        ("closed", "community", "resolved", "closed"),
    ]
    assert (appeal.status, appeal.rating, appeal.reply) == (
        "closed", "basically_satisfied", "Bins emptied daily now")
    # the board's median runs from filing to the first resolution
    assert appeal.resolve_seconds == 3 * 60


def test_grid_workers_act_at_grid_level_only_in_their_grid(db):
    place = make_street()
    appeal = file(place)
    with pytest.raises(Forbidden):
        domain.accept_appeal(place.neighbour, appeal, T0)
    with pytest.raises(Forbidden):  # street staff act at the street level only
        domain.accept_appeal(place.street_staff, appeal, T0)
    domain.escalate_appeal(place.worker, appeal, "Needs the property company", T0)
    assert appeal.level == "community"
    with pytest.raises(Forbidden):
        domain.accept_appeal(place.worker, appeal, T0)
    loose = file(place, building=place.loose)
    with pytest.raises(Forbidden):
        domain.accept_appeal(place.worker, loose, T0)


def test_escalation_up_to_the_street_and_no_further(db):
    place = make_street()
    appeal = file(place)
    domain.escalate_appeal(place.staff, appeal, "Too big for the grid", T0)
    domain.escalate_appeal(place.staff, appeal, "Needs the street", T0 + MINUTE)
    assert appeal.level == "street"
    with pytest.raises(Forbidden):
        domain.accept_appeal(place.staff, appeal, T0)
    with pytest.raises(Conflict) as error:
        domain.escalate_appeal(place.street_staff, appeal, "Higher", T0)
    assert error.value.code == "top_level"
    domain.accept_appeal(place.street_staff, appeal, T0 + 2 * MINUTE)
    last = domain.events_of(appeal)[-2]
    assert (last.kind, last.level, last.from_status, last.to_status, last.actor_id) == (
        "escalated", "street", "submitted", "submitted", place.staff.id)


def test_a_community_without_a_street_stops_at_community(db):
    community = make_community()
    building = make_building(community)
    resident = make_user(verified=True, unit=make_unit(building, "101"))
    staff = make_staff(community)
    appeal = domain.file_appeal(resident, {"category": "noise", "title": "Dancing at 23:00",
                                           "building_id": building.id}, now=T0)
    with pytest.raises(Conflict):
        domain.escalate_appeal(staff, appeal, "Higher", T0)
    checks.escalate_overdue(T0 + 2 * DAY)
    assert appeal.level == "community"
    assert [e.kind for e in domain.events_of(appeal)] == ["filed", "overdue"]


def test_overdue_appeals_escalate_by_themselves_with_the_clock(db):
    place = make_street()
    appeal = file(place)
    assert checks.escalate_overdue(T0 + DAY - MINUTE) == 0
    assert checks.escalate_overdue(T0 + DAY) == 1
    assert (appeal.level, appeal.status, appeal.due_at) == ("community", "submitted",
                                                            T0 + 2 * DAY)
    event = domain.events_of(appeal)[-1]
    assert (event.kind, event.actor_id, event.level) == ("escalated", None, "community")
    assert event.note  # why it moved by itself
    domain.accept_appeal(place.staff, appeal, T0 + DAY + MINUTE)
    assert appeal.accepted_in_time is True
    assert appeal.due_at == T0 + DAY + 5 * DAY  # the community's resolve limit, from arrival
    assert checks.escalate_overdue(T0 + 6 * DAY) == 1
    assert (appeal.level, appeal.status) == ("street", "accepted")
    # at the top: one overdue event per limit, not one per pass
    assert checks.escalate_overdue(T0 + 16 * DAY) == 1
    assert checks.escalate_overdue(T0 + 30 * DAY) == 0
    assert [e.kind for e in domain.events_of(appeal)][-2:] == ["escalated", "overdue"]
    assert appeal.due_at is None


def test_a_late_first_acceptance_is_not_in_time(db):
    place = make_street()
    appeal = file(place)
    domain.accept_appeal(place.worker, appeal, T0 + DAY + MINUTE)  # nobody ran the check
    assert appeal.accepted_in_time is False


def test_limits_apply_to_open_appeals_at_once(db):
    place = make_street()
    appeal = file(place)
    done = appeal_in("closed", place)
    changed = limits.set_community_limits(place.staff, place.community,
                                          {"grid": {"accept_minutes": 60}})
    assert changed["grid"] == (60, 3 * 24 * 60)
    assert changed["community"] == limits.DEFAULTS["community"]
    assert appeal.due_at == T0 + timedelta(minutes=60)
    assert done.due_at is None
    with pytest.raises(Forbidden):
        limits.set_community_limits(place.worker, place.community, {"grid": {"accept_minutes": 5}})
    with pytest.raises(Forbidden):
        limits.set_community_limits(place.staff, place.community,
                                    {"street": {"accept_minutes": 5}})


def test_street_staff_set_the_street_level(db):
    place = make_street()
    appeal = file(place)
    domain.escalate_appeal(place.staff, appeal, "Up", T0)
    domain.escalate_appeal(place.staff, appeal, "Up", T0)
    assert limits.set_street_limits(place.street_staff, place.street,
                                    {"accept_minutes": 30}) == (30, 10 * 24 * 60)
    assert appeal.due_at == T0 + timedelta(minutes=30)
    with pytest.raises(Forbidden):
        limits.set_street_limits(place.staff, place.street, {"accept_minutes": 30})


def test_unsatisfied_at_the_street_reopens_at_the_street(db):
    place = make_street()
    appeal = file(place)
    domain.escalate_appeal(place.staff, appeal, "Up", T0)
    domain.escalate_appeal(place.staff, appeal, "Up", T0)
    for step in (domain.accept_appeal, domain.start_appeal):
        step(place.street_staff, appeal, T0)
    domain.resolve_appeal(place.street_staff, appeal, "Done", T0)
    domain.rate_appeal(place.appellant, appeal, "unsatisfied", "Still there", now=T0 + MINUTE)
    assert (appeal.status, appeal.level, appeal.rating) == ("reopened", "street", "unsatisfied")
    assert appeal.due_at == T0 + MINUTE + 2 * DAY


def test_only_the_appellant_rates_and_only_within_7_days(db):
    place = make_street()
    appeal = appeal_in("resolved", place)
    with pytest.raises(Forbidden):
        domain.rate_appeal(place.neighbour, appeal, "satisfied", now=T0 + DAY)
    with pytest.raises(InvalidTransition) as error:
        domain.rate_appeal(place.appellant, appeal, "satisfied", now=T0 + 8 * DAY)
    assert error.value.code == "rating_closed"


def test_unrated_appeals_close_after_7_days_counted_apart(db):
    place = make_street()
    appeal = appeal_in("resolved", place)
    resolved_at = appeal.resolved_at
    assert checks.close_unrated(resolved_at + 7 * DAY - MINUTE) == 0
    assert checks.run_checks(resolved_at + 7 * DAY) == (0, 1)
    assert (appeal.status, appeal.closed_unrated, appeal.rating) == ("closed", True, None)
    assert domain.events_of(appeal)[-1].actor_id is None


def test_merging_a_duplicate_makes_its_appellant_follow_the_other(db):
    place = make_street()
    first = file(place)
    second = file(place, actor=place.neighbour)
    domain.merge_appeal(place.worker, second, first, T0)
    assert (second.status, second.merged_into_id) == ("duplicate", first.id)
    assert db.session.get(AppealFollow, (first.id, place.neighbour.id)) is not None
    with pytest.raises(ValidationFailed):
        domain.merge_appeal(place.worker, first, first, T0)


def test_followers(db):
    place = make_street()
    appeal = file(place)
    domain.follow(place.neighbour, appeal)
    domain.follow(place.neighbour, appeal)
    assert domain.follower_ids(appeal) == {place.neighbour.id}
    domain.unfollow(place.neighbour, appeal)
    assert domain.follower_ids(appeal) == set()


def test_anonymous_hides_the_name_from_all_but_the_appellant_and_staff(db):
    place = make_street()
    appeal = file(place, anonymous=True)
    for viewer in (place.appellant, place.staff, place.street_staff, place.worker):
        assert dump_appeal(appeal, viewer)["appellant"]["id"] == place.appellant.id
    assert dump_appeal(appeal, place.neighbour)["appellant"] is None
    assert dump_appeal(appeal, None)["appellant"] is None


def test_private_appeals_are_hidden_from_neighbours_and_everyone_else(db):
    place = make_street()
    public, private = file(place), file(place, public=False)
    outsider = make_user(verified=True, unit=make_unit(make_building(make_community()), "101"))
    assert access.get_visible(place.neighbour, public.id) is public
    for viewer in (place.neighbour, outsider):
        with pytest.raises(NotFound):
            access.get_visible(viewer, private.id)
    with pytest.raises(NotFound):
        access.get_visible(outsider, public.id)
    for viewer in (place.appellant, place.staff, place.street_staff, place.worker):
        assert access.get_visible(viewer, private.id) is private
    listed = db.session.scalars(access.visible_appeals(place.neighbour)).all()
    assert listed == [public]


def test_each_step_is_announced_to_the_appeal_and_community_rooms(db):
    place = make_street()
    db.session.commit()
    appeal = file(place, anonymous=True)
    event, payload, rooms = pending()[-1]
    assert event == "appeal.updated"
    assert rooms == [f"appeal:{appeal.id}", f"community:{place.community.id}"]
    db.session.commit()
    private = file(place, public=False)
    assert pending()[-1][2] == [f"appeal:{private.id}"]


def test_a_stale_copy_loses_the_race(db):
    place = make_street()
    appeal = file(place)
    db.session.commit()
    stale_version = appeal.version
    domain.accept_appeal(place.worker, appeal, T0)
    # what a racing request read before this one's commit
    set_committed_value(appeal, "status", "submitted")
    set_committed_value(appeal, "version", stale_version)
    with pytest.raises(InvalidTransition):
        domain.accept_appeal(place.staff, appeal, T0)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AppealEvent)
                               .where(AppealEvent.kind == "accepted"))
    assert events == 1
