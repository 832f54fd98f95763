"""What owners are told before they vote: the documents staff attach (quotes, plans,
contracts) and the questions residents ask, answered publicly by staff. Together with the
cost plan and the objections this is the detail every vote carries. Functions flush but
never commit.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of, require_verified
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden
from mutualaid.core.extensions import db
from mutualaid.core.uploads import delete_upload, store_document
from mutualaid.votes import shares, stages
from mutualaid.votes.project_models import VoteDocument, VoteObjection, VoteQuestion

UPLOAD_KIND = "vote-documents"


def attach_document(actor, vote, name, data):
    """Staff attach a PDF or image to a vote; raises Forbidden, ValidationFailed
    ``invalid_document``."""
    require_staff_of(actor, vote.community_id)
    stored = store_document(data, UPLOAD_KIND)
    document = VoteDocument(vote_id=vote.id, name=name, path=stored.path,
                            content_type=stored.content_type, size=stored.size,
                            uploaded_by_id=actor.id)
    db.session.add(document)
    vote.version += 1
    try:
        db.session.flush()
    except Exception:
        delete_upload(stored.path)
        raise
    shares.announce_updated(vote)
    return document


def documents_of(vote):
    """The vote's documents, in the order they were attached."""
    return db.session.scalars(sa.select(VoteDocument).where(VoteDocument.vote_id == vote.id)
                              .order_by(VoteDocument.id)).all()


def lives_in_scope(actor, vote):
    """True when ``actor``'s home unit, or a unit they own, is in the vote's scope."""
    from mutualaid.votes.domain import _home_places

    buildings, communities = _home_places(actor)
    if vote.building_id is not None:
        return vote.building_id in buildings
    return vote.community_id in communities


def ask_question(actor, vote, text, now=None):
    """A verified resident in the vote's scope asks a question; raises Forbidden
    ``not_verified``/``not_in_scope``, Conflict ``vote_closed`` once the vote is closed."""
    now = now or utcnow()
    require_verified(actor)
    if not lives_in_scope(actor, vote):
        raise Forbidden(_("Only residents of the vote's building or community may ask."),
                        code="not_in_scope")
    if vote.status_at(now) == "closed":
        raise Conflict(_("This vote is closed."), code="vote_closed")
    question = VoteQuestion(vote_id=vote.id, asker_id=actor.id, text=text, at=now)
    db.session.add(question)
    vote.version += 1
    db.session.flush()
    shares.announce_updated(vote)
    return question


def answer_question(actor, question, text, now=None):
    """Staff answer a question publicly, once; raises Forbidden, Conflict ``already_answered``."""
    now = now or utcnow()
    vote = question.vote
    require_staff_of(actor, vote.community_id)
    if question.answered_at is not None:
        raise Conflict(_("This has already been answered."), code="already_answered")
    question.answer, question.answered_at, question.answered_by_id = text, now, actor.id
    vote.version += 1
    db.session.flush()
    stages.tell_electorate(vote, "vote.answered", question.asker_id)
    return question


def listed(model, vote):
    """A vote's questions or objections, oldest first."""
    return db.session.scalars(sa.select(model).where(model.vote_id == vote.id)
                              .order_by(model.id)).all()


def project_detail(vote, now=None):
    """The building-project part of a vote's detail (its electorate from the notice on, its
    documents, questions, objections and cost plan)."""
    from mutualaid.votes.project_schemas import (
        cost_plan_answer_schema, document_schema, objection_schema, question_schema,
    )

    plan = vote.cost_plan
    return {
        "electorate": stages.electorate_figures(vote, now),
        "documents": [document_schema.dump(d) for d in documents_of(vote)],
        "questions": [question_schema.dump(q) for q in listed(VoteQuestion, vote)],
        "objections": [objection_schema.dump(o) for o in listed(VoteObjection, vote)],
        "cost_plan": cost_plan_answer_schema.dump(plan | {"owners_part": shares.owners_part(plan)})
        if plan else None,
    }
