"""/api/v1 routes for votes: create, list, show with turnout, ballots, close, audit, result."""
from flask import Response
from flask_babel import gettext as _
from flask_login import current_user

from mutualaid.accounts.models import User
from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.errors import NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.kiosk.scope import kiosk_token
from mutualaid.places.models import Building, Community, Unit
from mutualaid.votes import domain, proxies
from mutualaid.votes.models import Vote
from mutualaid.votes.schemas import (
    BallotAnswerSchema, BallotCreateSchema, PendingUnitSchema, ReceiptSchema, ResultSchema,
    VoteCreateSchema, VoteDetailSchema, VoteQuerySchema, VoteSchema, ballot_schema,
    pending_unit_schema, receipt_schema, vote_schema,
)



def _existing(model, ident, field):
    """The row a body field names, or a 400 on that field."""
    row = db.session.get(model, ident) if ident is not None else None
    if ident is not None and row is None:
        raise ValidationFailed(_("Some fields are not valid."), fields={field: [_("Not found.")]})
    return row


def _visible_vote(vote_id):
    """The vote, brought up to date with the clock, if the current user may see it."""
    vote = get_or_404(Vote, vote_id)
    domain.require_visible(current_user, vote)
    if domain.refresh_vote(vote):
        db.session.commit()
    return vote


def detail(vote, user):
    """The vote with live turnout and the user's own part in it."""
    ballot = domain.my_ballot(user, vote)
    return domain.vote_payload(vote) | domain.chain_anchor(vote) | {"me": {
        "eligible": domain.own_voter_key(user, vote) is not None,
        "ballot": ballot_schema.dump(ballot) if ballot else None,
    }}


@endpoint("/votes", "POST", body=VoteCreateSchema(), response=VoteDetailSchema, status=201,
          auth="staff")
def create_vote(data):
    """Staff: open a vote for a building or a community."""
    building = _existing(Building, data.pop("building_id"), "building_id")
    community = _existing(Community, data.pop("community_id"), "community_id")
    vote = domain.create_vote(current_user, building=building, community=community, **data)
    db.session.commit()
    return detail(vote, current_user), 201


@endpoint("/votes", query=VoteQuerySchema(), response=VoteSchema, paged=True)
def list_votes(args):
    """The votes in my scope (or my communities', as staff); ``?status=``."""
    if domain.refresh_due_votes():
        db.session.commit()
    select = domain.visible_votes(current_user)
    if args["status"]:
        select = domain.filter_status(select, args["status"])
    return page_of(select.order_by(Vote.opens_at.desc(), Vote.id.desc()), vote_schema.dump, args)


@endpoint("/votes/<id:vote_id>", response=VoteDetailSchema)
def show_vote(vote_id):
    """A vote with live turnout (area and headcount against the 2/3 and approval lines)."""
    return detail(_visible_vote(vote_id), current_user)


@endpoint("/votes/<id:vote_id>/ballots", "POST", body=BallotCreateSchema(),
          response=BallotAnswerSchema, status=201)
def cast_ballot(vote_id, data):
    """Vote (or change my vote); staff record a kiosk/paper ballot with ``unit_id``.

    A ballot cast with a kiosk sign-in is a kiosk ballot, whoever casts it."""
    vote = get_or_404(Vote, vote_id)  # outsiders learn they are not eligible (403), not 404
    at_kiosk = kiosk_token() is not None
    if data["for_owner_id"] is not None:
        ballot = proxies.cast_proxy_ballot(current_user, vote, data["for_owner_id"],
                                           data["choice"])
    elif data["unit_id"] is None:
        ballot = domain.cast_ballot(current_user, vote, data["choice"],
                                    channel="kiosk" if at_kiosk else "online")
    else:
        unit = _existing(Unit, data["unit_id"], "unit_id")
        resident = _existing(User, data["user_id"], "user_id")
        channel = "kiosk" if at_kiosk else data["channel"]
        ballot = domain.record_assisted_ballot(current_user, vote, unit, data["choice"],
                                               channel, data["note"] or None, resident)
    db.session.commit()
    return {"receipt": ballot.receipt, "ballot": ballot_schema.dump(ballot)}, 201


@endpoint("/votes/<id:vote_id>/close", "POST", response=VoteDetailSchema, auth="staff")
def close_vote(vote_id):
    """Staff: close the vote now; the result is frozen."""
    vote = get_or_404(Vote, vote_id)
    domain.close_vote(current_user, vote)
    db.session.commit()
    return detail(vote, current_user)


@endpoint("/votes/<id:vote_id>/pending-units", response=PendingUnitSchema, auth="staff",
          paged=True)
def pending_units(vote_id, args):
    """Staff: units whose voter has not voted yet, by floor (the door-knocking list)."""
    vote = get_or_404(Vote, vote_id)
    units = domain.pending_units(current_user, vote)
    size, page = args["per_page"], args["page"]
    items = units[(page - 1) * size: page * size]
    return {"items": [pending_unit_schema.dump(unit) for unit in items], "page": page,
            "pages": -(-len(units) // size), "total": len(units)}


@endpoint("/votes/<id:vote_id>/result", response=ResultSchema)
def vote_result(vote_id):
    """The result: eligible, participating, quorum, tally by choice, passed, chain head."""
    vote = _visible_vote(vote_id)
    return domain.vote_result(vote) | domain.chain_anchor(vote)


@endpoint("/votes/<id:vote_id>/receipts/<code>", response=ReceiptSchema, auth="anyone",
          limit="60/minute")
def receipt(vote_id, code):
    """Whether and how the ballot with this receipt is counted (no identity)."""
    if len(code) > 30:
        raise NotFound(_("No ballot has this receipt."))
    vote = get_or_404(Vote, vote_id)
    if domain.refresh_vote(vote):
        db.session.commit()
    return receipt_schema.dump(domain.receipt_status(vote, code))


@endpoint("/votes/<id:vote_id>/ballots.csv", auth="staff", content_type="text/csv")
def ballots_csv(vote_id):
    """Staff: every ballot record with its hash chain, as CSV."""
    vote = get_or_404(Vote, vote_id)
    text = domain.ballots_csv(current_user, vote)
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="vote-{vote.id}-ballots.csv"'})

