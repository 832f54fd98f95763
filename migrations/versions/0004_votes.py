"""votes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:59:46.301336

"""
from alembic import op
import sqlalchemy as sa

import mutualaid.core.database  # noqa: F401  (column types)

# Copied, not imported: a migration must not change when the models module does.
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER ballots_no_update BEFORE UPDATE ON ballots "
    "BEGIN SELECT RAISE(ABORT, 'ballot records are append-only'); END",
    "CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots "
    "BEGIN SELECT RAISE(ABORT, 'ballot records are append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION ballots_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'ballot records are append-only'; END $$",
    "CREATE TRIGGER ballots_append_only BEFORE UPDATE OR DELETE ON ballots "
    "FOR EACH ROW EXECUTE FUNCTION ballots_append_only()",
]


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('opens_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('open_announced', sa.Boolean(), nullable=False),
    sa.Column('closed_electorate', sa.JSON(), nullable=True),
    sa.Column('closed_result', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("rule IN ('major', 'ordinary', 'poll')", name=op.f('ck_votes_rule_known')),
    sa.CheckConstraint('closes_at IS NULL OR closes_at > opens_at', name=op.f('ck_votes_closes_after_open')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_votes_version_positive')),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_votes_building_id_buildings')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_votes_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_votes_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_community_id'), ['community_id'], unique=False)

    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('recorded_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('receipt', sa.String(length=20), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("channel IN ('online', 'kiosk', 'paper')", name=op.f('ck_ballots_channel_known')),
    sa.CheckConstraint("choice IN ('yes', 'no', 'abstain')", name=op.f('ck_ballots_choice_known')),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_ballots_seq_positive')),
    sa.ForeignKeyConstraint(['cast_by_id'], ['users.id'], name=op.f('fk_ballots_cast_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ballots_unit_id_units')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_ballots_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('hash', name=op.f('uq_ballots_hash')),
    sa.UniqueConstraint('receipt', name=op.f('uq_ballots_receipt')),
    sa.UniqueConstraint('vote_id', 'seq', name=op.f('uq_ballots_vote_id_seq'))
    )
    append_only = {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRESQL}
    for statement in append_only.get(op.get_bind().dialect.name, []):
        op.execute(statement)

    op.create_table('current_ballots',
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=40), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_current_ballots_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_current_ballots_vote_id_votes')),
    sa.PrimaryKeyConstraint('vote_id', 'voter_key', name=op.f('pk_current_ballots')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_current_ballots_ballot_id'))
    )


def downgrade():
    op.drop_table('current_ballots')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ballots_append_only ON ballots")
        op.execute("DROP FUNCTION IF EXISTS ballots_append_only()")
    op.drop_table('ballots')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_community_id'))
        batch_op.drop_index(batch_op.f('ix_votes_building_id'))

    op.drop_table('votes')
