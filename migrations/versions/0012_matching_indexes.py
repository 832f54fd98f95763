"""matching indexes: the reach grid

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:50:00

One index per table that holds positions (skills and offers), ordered by the reach grid of
``mutualaid/matching/models.py``: band of the radius, latitude cell, then longitude, so that
the rows whose reach holds a need are found by a few index ranges per band. Plain btree
expression indexes, the same in SQLite and PostgreSQL: no extension needed.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Written out rather than imported: a migration keeps the expressions it was made with.
BAND = "((radius_m - 1) / 1000)"
CELL = f"(CAST(lat * 200 / ({BAND} + 1) AS INTEGER))"


def upgrade():
    op.drop_index('ix_user_skills_near', table_name='user_skills')
    op.drop_index('ix_user_skills_far', table_name='user_skills')
    op.create_index('ix_user_skills_reach', 'user_skills',
                    ['tag', sa.text(BAND), sa.text(CELL), 'lon', 'lat', 'radius_m', 'user_id'])
    op.create_index('ix_offers_reach', 'offers',
                    [sa.text(BAND), sa.text(CELL), 'lon', 'lat', 'radius_m', 'active'])


def downgrade():
    op.drop_index('ix_offers_reach', table_name='offers')
    op.drop_index('ix_user_skills_reach', table_name='user_skills')
    op.create_index('ix_user_skills_far', 'user_skills',
                    ['tag', 'radius_m', 'lat', 'lon', 'user_id'])
    op.create_index('ix_user_skills_near', 'user_skills',
                    ['tag', 'lat', 'lon', 'radius_m', 'user_id'])
