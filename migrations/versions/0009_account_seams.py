"""account seams: share_phone, deleted_at, reset codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import mutualaid.core.database  # noqa: F401  (column types)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_phone', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column('deleted_at', mutualaid.core.database.UTCDateTime(timezone=True),
                                      nullable=True))

    op.create_table('reset_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', mutualaid.core.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                            name=op.f('fk_reset_codes_issued_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reset_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reset_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_reset_codes_code_hash'))
    )
    with op.batch_alter_table('reset_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reset_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reset_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reset_codes_user_id'))

    op.drop_table('reset_codes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('share_phone')
