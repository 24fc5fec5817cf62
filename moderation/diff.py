"""What a revision would change: field by field, against the published listing, techniques and locations too."""

from __future__ import annotations

from practice.listing import listing_changes, listing_values
from practice.models import Revision

Change = list[str]  # [what, published, proposed]


def revision_changes(revision: Revision) -> list[Change]:
    """Each difference between the live listing and the revision's proposal, as text (not yet escaped)."""
    return listing_changes(listing_values(revision.practitioner), revision.proposed)
