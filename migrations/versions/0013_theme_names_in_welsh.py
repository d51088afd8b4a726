"""theme names in welsh: each theme may have a Welsh name beside its English one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_cy", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
        batch_op.create_unique_constraint("uq_themes_name_cy", ["name_cy"])


def downgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_themes_name_cy", type_="unique")
        batch_op.drop_column("name_cy")
