"""Live appeal events: ``appeal.updated`` through the outbox (emitted after commit), and who
may subscribe to an ``appeal:<id>`` room."""
from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room, room_check


def public_payload(appeal):
    """The appeal as a resident who is no party to it sees it (no photos, no anonymous name)."""
    from mutualaid.appeals.schemas import dump_appeal

    return dump_appeal(appeal, None)


def appeal_updated(appeal):
    """Tell the appeal's page and, for a public appeal, the community's board of a step."""
    announce("appeal.updated", lambda: public_payload(appeal), _rooms_of(appeal))


def appeals_updated(appeals):
    """``appeal_updated`` for many appeals (a periodic check's), their payloads dumped in one
    schema pass when the first is asked for (at the commit, as each one's would be)."""
    from mutualaid.appeals.schemas import dump_appeals

    payloads = {}

    def payload_of(appeal):
        if not payloads:
            payloads.update(zip([item.id for item in appeals], dump_appeals(appeals, None)))
        return payloads[appeal.id]

    for appeal in appeals:
        announce("appeal.updated", lambda appeal=appeal: payload_of(appeal), _rooms_of(appeal))


def _rooms_of(appeal):
    """The appeal's room, and its community's for a public appeal."""
    rooms = [room("appeal", appeal.id)]
    if appeal.public:
        rooms.append(room("community", appeal.community_id))
    return rooms


@room_check("appeal")
def _appeal_room(user, appeal_id):
    """Who may see the appeal may follow it live."""
    from mutualaid.appeals.access import Scope
    from mutualaid.appeals.models import Appeal

    appeal = db.session.get(Appeal, appeal_id)
    return appeal is not None and isinstance(user, User) and Scope(user).sees(appeal)
