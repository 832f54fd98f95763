"""``flask export-community ID DIR``: the community's orders, ballots and ledger as CSV."""
import csv

from mutualaid.votes import domain as votes
from tests.orders.factories import make_neighbourhood, make_order, order_in
from tests.votes.factories import make_vote


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_the_communitys_orders_ballots_and_ledger(app, db, tmp_path):
    hood, elsewhere = make_neighbourhood(), make_neighbourhood()
    confirmed = order_in("confirmed", hood)
    formula = make_order(hood.requester, title="=HYPERLINK(\"http://x\")")
    make_order(elsewhere.requester, title="Not ours")
    vote = make_vote(hood.building, hood.staff, rule="poll")
    votes.cast_ballot(hood.requester, vote, "yes")
    votes.cast_ballot(hood.requester, vote, "no")
    votes.cast_ballot(hood.helper, vote, "abstain")
    db.session.commit()

    result = app.test_cli_runner().invoke(
        args=["export-community", str(hood.community.id), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "orders.csv: 2 row(s)" in result.output

    order_rows = _read(tmp_path / "out" / "orders.csv")
    assert [(r["id"], r["status"]) for r in order_rows] == [
        (str(confirmed.id), "confirmed"), (str(formula.id), "open")]
    assert order_rows[1]["title"].startswith("'=")  # never a live formula in a spreadsheet
    assert order_rows[0]["helper"] == hood.helper.username and order_rows[0]["minutes"] == "45"
    assert "13800000001" not in (tmp_path / "out" / "orders.csv").read_text()  # no phones

    ballots = _read(tmp_path / "out" / "ballots.csv")
    assert [(b["seq"], b["choice"], b["superseded"]) for b in ballots] == [
        ("1", "yes", "yes"), ("2", "no", "no"), ("3", "abstain", "no")]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(ballots, ballots[1:]))

    ledger = _read(tmp_path / "out" / "ledger.csv")
    assert [(e["user"], e["order_id"], e["minutes"]) for e in ledger] == [
        (hood.helper.username, str(confirmed.id), "45")]


def test_export_of_an_unknown_community_fails_cleanly(app, db, tmp_path):
    target = tmp_path / "out"
    result = app.test_cli_runner().invoke(args=["export-community", "999", str(target)])
    assert result.exit_code != 0 and "no community 999" in result.output
    assert not target.exists()
