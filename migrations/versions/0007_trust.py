"""trust: kiosk-scoped tokens

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import mutualaid.core.database  # noqa: F401  (column types)


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kiosk_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_kiosk_id_kiosks'), 'kiosks',
                                    ['kiosk_id'], ['id'])


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_kiosk_id_kiosks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_kiosk_id'))
        batch_op.drop_column('kiosk_id')
