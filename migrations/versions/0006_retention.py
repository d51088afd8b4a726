"""retention: when the daily purge last ran, and the figures of residents it erased

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "housekeeping_runs",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("last_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "retained_totals",
        sa.Column("flow_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("partner_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("figure", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("breakdown", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("flow_id", "period", "partner_code", "figure", "breakdown"),
    )


def downgrade() -> None:
    op.drop_table("retained_totals")
    op.drop_table("housekeeping_runs")
