"""What the practitioner side announces, so that the desk (which this side must not import) can take part."""

from django.dispatch import Signal

# Sent inside account_close's transaction, before the account is deleted, with `user` and `listings`: a list of
# (listing, its status before) for each listing the account managed, as it is now (unowned, maybe unpublished).
account_closing = Signal()

# Sent by personal_data() with `user`: each receiver returns {section: JSON-ready value} of what its app holds
# about that account, added to the download.
personal_data_requested = Signal()

# Sent inside the transaction that gives a listing a new owner, with `practitioner`, `revisions` (the previous
# owner's pending edits, now withdrawn) and `actor` (the moderator who approved the claim, or None).
revisions_withdrawn = Signal()
