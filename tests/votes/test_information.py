"""Documents and questions of a vote: staff attach files served only to the vote's scope;
residents in scope ask, staff answer once, and both show in the vote's detail."""
import io

import pytest

from mutualaid.core.errors import Conflict, Forbidden
from mutualaid.votes import information
from tests.factories import make_building, make_staff, make_user
from tests.votes.factories import make_owner, make_vote

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def world(db):
    building = make_building(name="B")
    staff = make_staff(building.community)
    owner, unit = make_owner(building, "301", "80.00")
    tenant = make_user(verified=True, unit=unit, relation="tenant")
    elsewhere, _u = make_owner(make_building(name="C"), "301")
    vote = make_vote(building, staff)
    return dict(staff=staff, owner=owner, tenant=tenant, elsewhere=elsewhere, vote=vote)


def _upload(client, vote, data=PDF, name="Quote from the lift company"):
    return client.post(f"/votes/{vote.id}/documents", json=None,
                       data={"name": name, "file": (io.BytesIO(data), "quote.pdf")},
                       content_type="multipart/form-data")


def test_staff_attach_a_pdf_that_only_the_scope_reads(api, world):
    answer = _upload(api(world["staff"]), world["vote"])
    assert answer.status_code == 201, answer.json
    document = answer.json
    assert document["url"] == f"/api/v1/vote-documents/{document['id']}"
    assert document["name"] == "Quote from the lift company"
    path = f"/vote-documents/{document['id']}"
    served = api(world["tenant"]).get(path)
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert api(world["elsewhere"]).get(path).status_code == 404
    assert api().get(path).status_code == 401
    shown = api(world["owner"]).get(f"/votes/{world['vote'].id}").json
    assert [d["name"] for d in shown["documents"]] == ["Quote from the lift company"]


def test_documents_other_than_pdf_or_images_are_refused(api, world):
    answer = _upload(api(world["staff"]), world["vote"], data=b"<html>hello</html>")
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_document"
    no_name = _upload(api(world["staff"]), world["vote"], name="")
    assert no_name.status_code == 400
    assert information.documents_of(world["vote"]) == []
    assert _upload(api(world["owner"]), world["vote"]).status_code == 403


def test_residents_in_scope_ask_and_staff_answer_once(world):
    vote = world["vote"]
    question = information.ask_question(world["tenant"], vote, "Who pays for upkeep?")
    with pytest.raises(Forbidden) as error:
        information.ask_question(world["elsewhere"], vote, "And me?")
    assert error.value.code == "not_in_scope"
    with pytest.raises(Forbidden):
        information.answer_question(world["owner"], question, "Me")
    information.answer_question(world["staff"], question, "The maintenance fund.")
    with pytest.raises(Conflict) as error:
        information.answer_question(world["staff"], question, "Again")
    assert error.value.code == "already_answered"


def test_api_questions_listed_with_their_answers(api, world):
    path = f"/votes/{world['vote'].id}"
    asked = api(world["owner"]).post(path + "/questions", {"text": "When does work start?"})
    assert asked.status_code == 201 and asked.json["asker"]["id"] == world["owner"].id
    assert api(world["owner"]).post(path + "/questions", {"text": " "}).status_code == 400
    answered = api(world["staff"]).post(f"/questions/{asked.json['id']}/answer",
                                        {"text": "In March."})
    assert answered.status_code == 200
    again = api(world["staff"]).post(f"/questions/{asked.json['id']}/answer", {"text": "x"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_answered"
    (listed,) = api(world["tenant"]).get(path).json["questions"]
    assert listed["text"] == "When does work start?" and listed["answer"]["text"] == "In March."
