"""The snapshot helper sees a change in any row of any table, and only a change."""
import pytest

from tests.factories import make_user
from tests.snapshots import assert_unchanged, changed_tables, snapshot


def test_a_snapshot_sees_an_edited_row_and_a_new_one(db):
    user = make_user()
    before = snapshot()
    assert changed_tables(before, snapshot()) == []
    user.display_name = "Someone else"
    make_user()
    after = snapshot()
    assert changed_tables(before, after) == ["users"]
    with pytest.raises(AssertionError):
        assert_unchanged(before, after)
