"""links by page: an index on links.page_id

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:30:00.000000

Checks and the IPv6 probe read the links of a few pages (the home page's,
an interpretation's) from sites with over a million links; without an index
each such read, and each cascade from a deleted page, scanned them all.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_links_page", "links", ["page_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_links_page", table_name="links")
