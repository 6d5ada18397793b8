"""revisit: page validators, 304 copies, bytes per site

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00.000000

``pages`` keeps each response's ETag and Last-Modified (sent back as
If-None-Match / If-Modified-Since by the next crawl of the site) and
whether the row is a copy of a stored page the server answered 304 for;
``site_runs`` keeps what the site's crawl transferred.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("etag", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_modified", sa.Text(), nullable=True))
        # Existing rows were all downloaded.
        batch_op.add_column(
            sa.Column("not_modified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("site_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bytes_received", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("responses", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("not_modified", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("site_runs", schema=None) as batch_op:
        batch_op.drop_column("not_modified")
        batch_op.drop_column("responses")
        batch_op.drop_column("bytes_received")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("not_modified")
        batch_op.drop_column("last_modified")
        batch_op.drop_column("etag")
