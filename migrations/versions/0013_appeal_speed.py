"""appeal board day counters, counted from the appeals already filed; narrow board indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:10:00.000000

"""
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import mutualaid.core.database  # noqa: F401  (column types)


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COUNTS = ('received', 'accepted_in_time', 'resolved', 'rated', 'satisfied',
          'basically_satisfied', 'unrated_closed', 'timed')


def upgrade():
    op.create_table('appeal_board_days',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_appeal_board_days_community_id_communities')),
    sa.PrimaryKeyConstraint('community_id', 'day', 'grid_id', 'category', name=op.f('pk_appeal_board_days'))
    )
    _count_filed_appeals()
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_board')
        batch_op.create_index('ix_appeals_board_median', ['community_id', 'resolve_seconds', 'created_at'], unique=False)
        batch_op.create_index('ix_appeals_board_period', ['community_id', 'created_at', 'resolve_seconds'], unique=False)
        batch_op.create_index('ix_appeals_board_public', ['community_id', 'public', 'created_at'], unique=False)


def _count_filed_appeals():
    """The counters of every appeal filed before this revision, as tally.py keeps them."""
    appeals = sa.table('appeals', *(sa.column(name) for name in (
        'community_id', 'grid_id', 'category', 'status', 'accepted_in_time', 'resolve_seconds',
        'rating', 'closed_unrated')), sa.column('created_at', mutualaid.core.database.UTCDateTime()))
    zone, totals = _zone(), {}
    for row in op.get_bind().execute(sa.select(appeals)):
        key = (row.community_id, row.created_at.astimezone(zone).date(), row.grid_id or 0,
               row.category)
        resolved = row.status in ('resolved', 'closed') and row.resolve_seconds is not None
        counts = (1, bool(row.accepted_in_time), resolved,
                  row.rating is not None, row.rating == 'satisfied',
                  row.rating == 'basically_satisfied', bool(row.closed_unrated),
                  row.resolve_seconds is not None)
        total = totals.setdefault(key, [0] * len(COUNTS))
        for index, count in enumerate(counts):
            total[index] += int(count)
    days = sa.table('appeal_board_days', *(sa.column(name) for name in (
        'community_id', 'day', 'grid_id', 'category', *COUNTS)))
    if totals:
        op.get_bind().execute(sa.insert(days), [
            dict(zip(('community_id', 'day', 'grid_id', 'category'), key)) | dict(zip(COUNTS, total))
            for key, total in totals.items()])


def _zone():
    """The communities' time zone, as the app reads it (Asia/Shanghai by default)."""
    from flask import current_app

    try:
        name = (current_app.config.get('TIMEZONE')
                or current_app.config.get('BABEL_DEFAULT_TIMEZONE', 'Asia/Shanghai'))
    except RuntimeError:  # run outside the app
        name = 'Asia/Shanghai'
    return ZoneInfo(name)


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_board_public')
        batch_op.drop_index('ix_appeals_board_period')
        batch_op.drop_index('ix_appeals_board_median')
        batch_op.create_index('ix_appeals_board', ['community_id', 'created_at', 'status', 'category', 'grid_id', 'accepted_in_time', 'resolve_seconds', 'rating', 'closed_unrated', 'public'], unique=False)
    op.drop_table('appeal_board_days')
