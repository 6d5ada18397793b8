"""text on PostgreSQL for values from outside zwgk

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:30:00.000000

A response's Content-Type, a configured site name and a rubric's declared
version come from outside zwgk and have no bound; PostgreSQL enforced the
VARCHAR lengths these columns had (SQLite never did), so one long header
failed a page batch there. On PostgreSQL they become text (no table
rewrite: varchar to text is a relabelling); SQLite is left as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("pages", "content_type", 200, True),
    ("site_runs", "name", 200, False),
    ("scores", "rubric_version", 40, True),
]


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=sa.Text(),
            existing_type=sa.String(length=length),
            existing_nullable=nullable,
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in COLUMNS:
        # Longer values are cut to the old length rather than failing the downgrade.
        op.alter_column(
            table,
            column,
            type_=sa.String(length=length),
            existing_type=sa.Text(),
            existing_nullable=nullable,
            postgresql_using=f"left({column}, {length})",
        )
