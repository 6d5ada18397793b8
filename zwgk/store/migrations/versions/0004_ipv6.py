"""ipv6 probe tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ipv6_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("home_url", sa.Text(), nullable=False),
        sa.Column("home_host", sa.Text(), nullable=False),
        sa.Column("a", sa.JSON(), nullable=False),
        sa.Column("aaaa", sa.JSON(), nullable=False),
        sa.Column("cnames", sa.JSON(), nullable=False),
        sa.Column("dns_error", sa.String(length=24), nullable=True),
        sa.Column("ns_zone", sa.Text(), nullable=True),
        sa.Column("ns", sa.JSON(), nullable=False),
        sa.Column("ns_known", sa.Boolean(), nullable=False),
        sa.Column("ns_error", sa.Text(), nullable=True),
        sa.Column("hosts", sa.JSON(), nullable=False),
        sa.Column("home_probes", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "site_id"),
    )
    op.create_table(
        "ipv6_probes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("family", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("fetch_status", sa.String(length=24), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("hops", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("link_hosts", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ipv6_probes", schema=None) as batch_op:
        batch_op.create_index("ix_ipv6_probes_site", ["run_id", "site_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("ipv6_probes", schema=None) as batch_op:
        batch_op.drop_index("ix_ipv6_probes_site")
    op.drop_table("ipv6_probes")
    op.drop_table("ipv6_sites")
