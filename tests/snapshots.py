"""Refusals change nothing: every row of every table, taken before a refused request and
compared after it (one helper for every matrix: authorisation, votes, CSRF, bad input)."""
import sqlalchemy as sa

from mutualaid.core.extensions import db


def snapshot(app=None):
    """Every row of every table of the app's database, as sorted tuples per table name (in
    the current app context unless ``app`` is given)."""
    if app is not None:
        with app.app_context():
            return snapshot()
    db.session.commit()  # the test's own pending work is part of "before", not of the change
    with db.engine.connect() as connection:
        return {table.name: sorted((tuple(row) for row in connection.execute(sa.select(table))),
                                   key=repr)
                for table in db.metadata.sorted_tables}


def changed_tables(before, after):
    """The names of the tables whose rows differ between two snapshots."""
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))


def assert_unchanged(before, after):
    """Fail with the tables (and their new rows) that a refused request changed."""
    names = changed_tables(before, after)
    assert names == [], {name: [row for row in after.get(name, []) if row not in
                                before.get(name, [])] for name in names}
