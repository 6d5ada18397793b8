"""score verdict, groups and rubric identity

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verdict", sa.String(length=8), nullable=True))
        # Existing rows get an empty object: scores from before had no groups.
        batch_op.add_column(
            sa.Column("groups", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("rubric_version", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("rubric_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_column("rubric_hash")
        batch_op.drop_column("rubric_version")
        batch_op.drop_column("groups")
        batch_op.drop_column("verdict")
