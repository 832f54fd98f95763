"""/api/v1 routes of building projects: the cost plan and shares (more in later sections)."""
import csv
import io

from flask import Response
from flask_login import current_user

from mutualaid.api import endpoint
from mutualaid.database import get_or_404
from mutualaid.extensions import db
from mutualaid.votes import domain, shares
from mutualaid.votes.models import Vote
from mutualaid.votes.project_schemas import (
    CostPlanAnswerSchema, CostPlanSchema, MyShareSchema, SharesSchema, cost_plan_answer_schema,
    my_share_schema, shares_schema,
)


def _visible_vote(vote_id):
    """The vote, brought up to date with the clock, if the current user may see it."""
    vote = get_or_404(Vote, vote_id)
    domain.require_visible(current_user, vote)
    if domain.refresh_vote(vote):
        db.session.commit()
    return vote


def plan_answer(plan):
    """A stored plan as the API answers it, with the owners' part."""
    return cost_plan_answer_schema.dump(plan | {"owners_part": shares.owners_part(plan)})


# --- cost plan and shares ------------------------------------------------------------------

@endpoint("/votes/<id:vote_id>/cost-plan", "PUT", body=CostPlanSchema(),
          response=CostPlanAnswerSchema, auth="staff")
def put_cost_plan(vote_id, data):
    """Staff: set the cost plan (total, maintenance fund, subsidy, floor coefficients)."""
    vote = get_or_404(Vote, vote_id)
    plan = shares.set_cost_plan(current_user, vote, **data)
    db.session.commit()
    return plan_answer(plan)


def _shares_answer(vote):
    """The staff table of shares of a vote with its plan."""
    plan = vote.cost_plan
    rows = shares.vote_shares(current_user, vote)
    return {"owners_part": shares.owners_part(plan) if plan else 0,
            "total": plan["total_cost"] if plan else 0, "items": rows}


@endpoint("/votes/<id:vote_id>/shares", response=SharesSchema, auth="staff")
def get_shares(vote_id):
    """Staff: every unit's share of the owners' part, in cents summing exactly."""
    return shares_schema.dump(_shares_answer(get_or_404(Vote, vote_id)))


@endpoint("/votes/<id:vote_id>/shares.csv", auth="staff", content_type="text/csv")
def shares_csv(vote_id):
    """Staff: the table of shares as CSV."""
    vote = get_or_404(Vote, vote_id)
    answer = shares_schema.dump(_shares_answer(vote))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit_id", "number", "floor", "area_m2", "coefficient", "amount", "owner"])
    for row in answer["items"]:
        owner = row["owner"]["display_name"] if row["owner"] else ""
        writer.writerow([row["unit_id"], row["number"], row["floor"], row["area_m2"],
                         row["coefficient"], row["amount"], _cell(owner)])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="vote-{vote.id}-shares.csv"'})


def _cell(text):
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@endpoint("/votes/<id:vote_id>/my-share", response=MyShareSchema)
def get_my_share(vote_id):
    """An owner: their units' rows of the shares and the amount they pay."""
    mine = shares.my_share(current_user, _visible_vote(vote_id))
    return my_share_schema.dump({"amount": mine["cents"], "items": mine["rows"]})
