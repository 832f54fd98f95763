"""The audit trail: hash chain, tamper detection, recount, receipts and the CLI commands."""
import random
import sqlite3

import pytest
import sqlalchemy as sa
from flask_migrate import stamp

from mutualaid.core.errors import Conflict
from mutualaid.votes import audit, domain
from mutualaid.votes.models import Vote
from tests.factories import make_building, make_staff, make_unit
from tests.shell.test_pages import sign_in
from tests.votes.factories import later, make_owner, make_vote


@pytest.fixture
def voted(db):
    """A building vote with three owners, one ownerless unit and four records (one change)."""
    building = make_building(name="B")
    staff = make_staff(building.community)
    owners = [make_owner(building, f"{n}01", "33.33")[0] for n in (1, 2, 3)]
    ownerless = make_unit(building, "401", "68.90")
    vote = make_vote(building, staff)
    domain.cast_ballot(owners[0], vote, "no")
    domain.cast_ballot(owners[1], vote, "yes")
    domain.cast_ballot(owners[0], vote, "yes")
    domain.record_assisted_ballot(staff, vote, ownerless, "abstain", "paper", "form 3")
    db.session.commit()
    return vote


def _tamper(db, sql, **params):
    """Change the database behind the app's back, as an intruder with full access would:
    first drop the triggers that keep ballot records append-only."""
    db.session.execute(sa.text("DROP TRIGGER IF EXISTS ballots_no_update"))
    db.session.execute(sa.text("DROP TRIGGER IF EXISTS ballots_no_delete"))
    db.session.execute(sa.text(sql), params)
    db.session.commit()
    db.session.expire_all()


def test_intact_chain_links_every_record_to_the_previous(voted):
    rows = audit.records(voted.id)
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, 4))
    assert audit.verify_chain(voted.id).ok
    assert domain.verify_vote(voted)[0] == []


@pytest.mark.parametrize("sql", ["UPDATE ballots SET choice = 'no'", "DELETE FROM ballots"])
def test_database_refuses_to_change_or_remove_ballot_records(voted, db, sql):
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        db.session.execute(sa.text(sql + " WHERE vote_id = :v"), {"v": voted.id})
    db.session.rollback()
    assert len(audit.records(voted.id)) == 4


def test_changed_choice_is_detected_at_that_record(voted, db):
    _tamper(db, "UPDATE ballots SET choice = 'no' WHERE vote_id = :v AND seq = 2", v=voted.id)
    report = audit.verify_chain(voted.id)
    assert (report.ok, report.bad_seq) == (False, 2)
    assert "hash" in report.reason


def test_rehashed_record_breaks_the_link_of_the_next(voted, db):
    row = audit.records(voted.id)[1]
    db.session.expunge(row)  # a copy to forge with, not a change to save
    row.choice = "no"
    forged = audit.record_hash(row.prev_hash, row)
    _tamper(db, "UPDATE ballots SET choice = 'no', hash = :h WHERE id = :i", h=forged, i=row.id)
    report = audit.verify_chain(voted.id)
    assert report.bad_seq == 3 and "link" in report.reason


def test_deleted_record_is_detected(voted, db):
    # The superseded first ballot: removing it would hide that the voter changed their mind.
    _tamper(db, "DELETE FROM ballots WHERE vote_id = :v AND seq = 1", v=voted.id)
    assert audit.verify_chain(voted.id).bad_seq == 2


def test_moved_current_pointer_is_detected(voted, db):
    first = audit.records(voted.id)[0]
    _tamper(db, "UPDATE current_ballots SET ballot_id = :b WHERE voter_key = :k",
            b=first.id, k=first.voter_key)
    problems, _result = domain.verify_vote(voted)
    assert any("current ballots" in p for p in problems)


@pytest.mark.parametrize("seed", range(5))
def test_recount_from_records_equals_the_tally_in_any_order(db, seed):
    rng = random.Random(seed)
    building = make_building()
    staff = make_staff(building.community)
    owners = [make_owner(building, f"{n}01", rng.choice(["33.33", "52.36", "0.01"]))[0]
              for n in range(1, 9)]
    vote = make_vote(building, staff, rule=rng.choice(["major", "ordinary"]))
    for _step in range(20):
        domain.cast_ballot(rng.choice(owners), vote, rng.choice(["yes", "no", "abstain"]))
    assert domain.recount(vote) == domain.tally_vote(vote)
    domain.close_vote(staff, vote)
    assert domain.recount(vote).as_dict() == vote.closed_result


def test_receipt_reveals_no_identity(voted):
    ballot = audit.records(voted.id)[-1]
    status = domain.receipt_status(voted, ballot.receipt.lower())
    assert set(status) == {"vote_id", "counted", "superseded", "choice", "channel",
                           "recorded_at"}
    assert (status["counted"], status["channel"]) == (True, "paper")


def test_csv_lists_every_record_with_supersession_and_hashes(voted):
    lines = audit.ballots_csv(voted.id).splitlines()
    assert lines[0].split(",") == audit.CSV_COLUMNS
    assert len(lines) == 5
    assert lines[1].split(",")[9] == "yes"  # the first ballot was changed later


def test_csv_cells_cannot_be_spreadsheet_formulas(db):
    building = make_building()
    staff = make_staff(building.community)
    unit = make_unit(building, "101")
    vote = make_vote(building, staff)
    domain.record_assisted_ballot(staff, vote, unit, "yes", "paper", "=HYPERLINK(1)")
    assert "'=HYPERLINK(1)" in audit.ballots_csv(vote.id)


@pytest.fixture
def cli(app, runner, db):
    """The CLI runner on the test database (marked as migrated, since create_all built it)."""

    def invoke(*args):
        db.session.commit()  # SQLite: release the test's write lock for the command
        return runner.invoke(args=list(args))

    db.session.commit()
    stamp(revision="heads")
    return invoke


def test_verify_vote_command_passes_an_intact_vote(voted, cli):
    result = cli("verify-vote", str(voted.id))
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output and "yes: 2" in result.output


def test_verify_vote_command_fails_and_names_the_tampered_record(voted, cli, db):
    _tamper(db, "UPDATE ballots SET note = 'x' WHERE vote_id = :v AND seq = 4", v=voted.id)
    result = cli("verify-vote", str(voted.id))
    assert result.exit_code == 1
    assert "record 4" in result.output


def test_verify_vote_command_refuses_an_unknown_vote(cli, db):
    result = cli("verify-vote", "999")
    assert result.exit_code != 0 and "no vote 999" in result.output


def test_close_due_votes_command_closes_votes_past_their_time(cli, db):
    building = make_building()
    vote = make_vote(building, closes_at=later(days=1))
    db.session.execute(sa.update(Vote).where(Vote.id == vote.id).values(
        opens_at=later(days=-3), closes_at=later(days=-1)))
    db.session.commit()
    result = cli("close-due-votes")
    assert result.exit_code == 0 and f"vote {vote.id}: closed" in result.output
    db.session.expire_all()
    assert db.session.get(Vote, vote.id).closed_at is not None


# --- the chain head anchors the records outside the database ------------------------------

def test_vote_and_result_answer_the_chain_head_and_records_count(api, voted):
    staff = make_staff(voted.community)
    shown = api(staff).get(f"/votes/{voted.id}").json
    result = api(staff).get(f"/votes/{voted.id}/result").json
    assert shown["ballots_count"] == result["ballots_count"] == 4
    assert shown["chain_head"] == result["chain_head"] == audit.records(voted.id)[-1].hash
    assert len(shown["chain_head"]) == 64


def test_chain_head_is_frozen_at_close(api, voted, db):
    head = domain.chain_anchor(voted)
    domain.close_vote(make_staff(voted.community), voted)
    db.session.commit()
    late = make_owner(voted.building, "901")[0]
    with pytest.raises(Conflict):
        domain.cast_ballot(late, voted, "yes")
    assert domain.chain_anchor(voted) == head


@pytest.mark.parametrize("page", ["", "/result", "/notice"])
def test_vote_pages_show_the_chain_head(client, voted, db, page):
    staff = make_staff(voted.community)
    db.session.commit()
    sign_in(client, staff.username)
    html = client.get(f"/votes/{voted.id}{page}").get_data(as_text=True)
    assert audit.records(voted.id)[-1].hash in html


def test_verify_vote_with_the_published_head_catches_a_full_rewrite(voted, cli, db, app):
    """Drop the trigger, change a choice, rehash every later record: the chain is intact
    again and plain verify passes, but the records no longer lead to the published head."""
    vote_id, published = voted.id, domain.chain_anchor(voted)["chain_head"]
    assert cli("verify-vote", str(vote_id), "--head", published).exit_code == 0
    db.session.close()  # the file is the attacker's now
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as database:
        database.execute("DROP TRIGGER ballots_no_update")
        database.execute("UPDATE ballots SET choice = 'no' WHERE vote_id = ? AND seq = 2",
                         (vote_id,))
    rehashed, prev = [], audit.GENESIS
    for ballot in audit.records(vote_id):
        rehashed.append((prev, audit.record_hash(prev, ballot), ballot.id))
        prev = rehashed[-1][1]
    db.session.close()
    with sqlite3.connect(path) as database:
        database.executemany("UPDATE ballots SET prev_hash = ?, hash = ? WHERE id = ?", rehashed)
    database.close()
    assert cli("verify-vote", str(vote_id)).exit_code == 0  # the rewrite holds together
    caught = cli("verify-vote", str(vote_id), "--head", published)
    assert caught.exit_code == 1
    assert "not to the published head" in caught.output
