"""matching indexes: six bands of radius, the radii the skills page offers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 15:10:00

The reach grid of 0012 had a band per kilometre of radius (20), so a ranking's statement had
20 arms to plan, and PostgreSQL plans it on every request (psycopg drops its prepared
statements at every rollback). Six bands, topped by the radii people pick (1, 2, 3, 5, 10 and
20 km), find the same rows with a third of the arms. Plain btree expression indexes, the same
in SQLite and PostgreSQL, as before.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# Written out rather than imported: a migration keeps the expressions it was made with.
BAND = ("(CASE WHEN radius_m <= 1000 THEN 0 WHEN radius_m <= 2000 THEN 1 "
        "WHEN radius_m <= 3000 THEN 2 WHEN radius_m <= 5000 THEN 3 "
        "WHEN radius_m <= 10000 THEN 4 ELSE 5 END)")
CELL = ("(CAST(lat * 200 / (CASE WHEN radius_m <= 1000 THEN 1 WHEN radius_m <= 2000 THEN 2 "
        "WHEN radius_m <= 3000 THEN 3 WHEN radius_m <= 5000 THEN 5 "
        "WHEN radius_m <= 10000 THEN 10 ELSE 20 END) AS INTEGER))")
OLD_BAND = "((radius_m - 1) / 1000)"
OLD_CELL = f"(CAST(lat * 200 / ({OLD_BAND} + 1) AS INTEGER))"


def _reach_indexes(band, cell):
    op.create_index('ix_user_skills_reach', 'user_skills',
                    ['tag', sa.text(band), sa.text(cell), 'lon', 'lat', 'radius_m', 'user_id'])
    op.create_index('ix_offers_reach', 'offers',
                    [sa.text(band), sa.text(cell), 'lon', 'lat', 'radius_m', 'active'])


def _drop_reach_indexes():
    op.drop_index('ix_offers_reach', table_name='offers')
    op.drop_index('ix_user_skills_reach', table_name='user_skills')


def _analyze():
    """PostgreSQL keeps statistics on an index's expressions, gathered by ANALYZE only (not by
    CREATE INDEX, and autovacuum waits for enough changed rows): without them it misjudges
    the reach arms, and a ranking's tail took twice as long on the benchmark's city."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE user_skills')
        op.execute('ANALYZE offers')


def upgrade():
    _drop_reach_indexes()
    _reach_indexes(BAND, CELL)
    _analyze()


def downgrade():
    _drop_reach_indexes()
    _reach_indexes(OLD_BAND, OLD_CELL)
    _analyze()
