"""/api/v1 routes of building projects: cost plan and shares, stages (objections, recount,
finalize), documents and questions, proxies."""
import csv
import io
from contextlib import closing

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user

from mutualaid.core import uploads
from mutualaid.accounts.domain import require_staff_of
from mutualaid.accounts.models import User
from mutualaid.api import endpoint, load
from mutualaid.core.database import get_or_404
from mutualaid.core.errors import NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.votes import domain, information, proxies, shares, stages
from mutualaid.votes.models import Vote
from mutualaid.votes.project_models import Proxy, VoteDocument, VoteObjection, VoteQuestion
from mutualaid.votes.project_schemas import (
    CostPlanAnswerSchema, CostPlanSchema, DocumentCreateSchema, DocumentSchema, MyShareSchema,
    ObjectionSchema, ProxyCreateSchema, ProxySchema, QuestionSchema, RecountSchema,
    SharesSchema, TextSchema, cost_plan_answer_schema, document_schema, my_share_schema,
    objection_schema, proxy_schema, question_schema, recount_schema, shares_schema,
)
from mutualaid.votes.schemas import VoteDetailSchema

document_create_schema = DocumentCreateSchema()


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


# --- stages: objections, recount, final result ---------------------------------------------

@endpoint("/votes/<id:vote_id>/objections", "POST", body=TextSchema(), response=ObjectionSchema,
          status=201)
def file_objection(vote_id, data):
    """An eligible owner: object to the preliminary result (objection stage only)."""
    objection = stages.file_objection(current_user, _visible_vote(vote_id), data["text"])
    db.session.commit()
    return objection_schema.dump(objection), 201


@endpoint("/objections/<id:objection_id>/answer", "POST", body=TextSchema(),
          response=ObjectionSchema, auth="staff")
def answer_objection(objection_id, data):
    """Staff: answer an objection (once)."""
    objection = get_or_404(VoteObjection, objection_id)
    stages.answer_objection(current_user, objection, data["text"])
    db.session.commit()
    return objection_schema.dump(objection)


@endpoint("/votes/<id:vote_id>/recount", "POST", response=RecountSchema, auth="staff")
def recount(vote_id):
    """Staff: recount the result from the ballot records (logged outside the chain)."""
    entry = stages.recount_vote(current_user, get_or_404(Vote, vote_id))
    db.session.commit()
    return recount_schema.dump(entry)


@endpoint("/votes/<id:vote_id>/finalize", "POST", response=VoteDetailSchema, auth="staff")
def finalize(vote_id):
    """Staff: publish the final result once the objection days are over and all answered."""
    from mutualaid.votes.api import detail

    vote = get_or_404(Vote, vote_id)
    domain.refresh_vote(vote)
    stages.finalize_vote(current_user, vote)
    db.session.commit()
    return detail(vote, current_user)


# --- documents and questions ---------------------------------------------------------------

@endpoint("/votes/<id:vote_id>/documents", "POST", response=DocumentSchema, status=201,
          auth="staff")
def attach_document(vote_id):
    """Staff: attach a PDF or image (multipart ``file`` and ``name``) to a vote."""
    vote = get_or_404(Vote, vote_id)
    require_staff_of(current_user, vote.community_id)  # before reading a large body
    uploads.allow_upload(uploads.DOCUMENT_BYTES)
    data = load(document_create_schema, request.form.to_dict())
    document = information.attach_document(
        current_user, vote, data["name"], uploads.read_upload("file", uploads.DOCUMENT_BYTES))
    db.session.commit()
    return document_schema.dump(document), 201


@endpoint("/vote-documents/<id:document_id>", content_type="*/*")
def get_document(document_id):
    """The file of a vote's document, for everyone in the vote's scope."""
    document = get_or_404(VoteDocument, document_id)
    vote = db.session.get(Vote, document.vote_id)
    if not domain.can_see(current_user, vote):
        raise NotFound()
    suffix = document.path.rsplit(".", 1)[-1]
    response = uploads.send_upload(document.path, document.content_type,
                                   f"vote-{vote.id}-document-{document.id}.{suffix}")
    # Read at once (at most 10 MB) so the file is closed however the client ends the answer.
    response.direct_passthrough = False
    with closing(response.response) as parts:
        response.set_data(b"".join(parts))
    return response


@endpoint("/votes/<id:vote_id>/questions", "POST", body=TextSchema(), response=QuestionSchema,
          status=201)
def ask_question(vote_id, data):
    """A verified resident in scope: ask a question on a vote."""
    question = information.ask_question(current_user, _visible_vote(vote_id), data["text"])
    db.session.commit()
    return question_schema.dump(question), 201


@endpoint("/questions/<id:question_id>/answer", "POST", body=TextSchema(),
          response=QuestionSchema, auth="staff")
def answer_question(question_id, data):
    """Staff: answer a question publicly (once)."""
    question = get_or_404(VoteQuestion, question_id)
    information.answer_question(current_user, question, data["text"])
    db.session.commit()
    return question_schema.dump(question)


# --- proxies -------------------------------------------------------------------------------

def _user_field(ident, field):
    """The user a body field names, or a 400 on that field."""
    user = db.session.get(User, ident)
    if user is None:
        raise ValidationFailed(_("Some fields are not valid."), fields={field: [_("Not found.")]})
    return user


@endpoint("/votes/<id:vote_id>/proxies", "POST", body=ProxyCreateSchema(),
          response=ProxySchema, status=201, auth="staff")
def authorise_proxy(vote_id, data):
    """Staff: record an owner's written authorisation of a proxy for this vote."""
    vote = get_or_404(Vote, vote_id)
    row = proxies.authorise_proxy(current_user, vote, _user_field(data["owner_id"], "owner_id"),
                                  _user_field(data["proxy_id"], "proxy_id"), data["note"],
                                  data["signed_on"])
    db.session.commit()
    return proxy_schema.dump(row), 201


@endpoint("/proxies/<id:proxy_id>", "DELETE", status=204, auth="staff")
def withdraw_proxy(proxy_id):
    """Staff: withdraw an authorisation (ballots already cast under it stay)."""
    proxies.withdraw_proxy(current_user, get_or_404(Proxy, proxy_id))
    db.session.commit()
    return "", 204
