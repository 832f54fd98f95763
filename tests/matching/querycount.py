"""Count the SQL statements a block runs (to catch N+1 queries)."""
from contextlib import contextmanager

import sqlalchemy as sa

from mutualaid.core.extensions import db


@contextmanager
def count_queries():
    """Collect the statements executed inside the block into the yielded list."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
