"""``flask --app app escalate-appeals`` on a fresh database: migrates, then escalates what is
overdue and closes what was left unrated."""
from datetime import timedelta

import pytest

from mutualaid import create_app
from mutualaid.core import config as app_config
from mutualaid.appeals.models import Appeal
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from tests.appeals.factories import appeal_in, file, make_street


@pytest.fixture
def fresh(tmp_path):
    """An app on an empty SQLite file: no tables until a command migrates it."""
    app = create_app(app_config.TestingConfig(tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_escalate_appeals_migrates_escalates_and_closes(fresh):
    runner = fresh.test_cli_runner()
    first = runner.invoke(args=["escalate-appeals"])
    assert first.exit_code == 0 and "Escalated or marked 0" in first.output, first.output
    place = make_street()
    long_ago = utcnow() - timedelta(days=9)
    waiting = file(place, now=utcnow() - timedelta(days=2))
    resolved = appeal_in("resolved", place, now=long_ago)
    waiting_id, resolved_id = waiting.id, resolved.id
    db.session.commit()  # and touch nothing after it: a read would hold SQLite's write lock
    result = runner.invoke(args=["escalate-appeals"])
    assert result.exit_code == 0, result.output
    assert "Escalated or marked 1" in result.output and "closed 1" in result.output
    db.session.expire_all()
    assert db.session.get(Appeal, waiting_id).level == "community"
    assert db.session.get(Appeal, resolved_id).closed_unrated is True
