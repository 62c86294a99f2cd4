"""Gates for the second tier. An escalated item is readable by the people it was escalated to
(open, or resolved less than a week ago); the rota by the organisation's admins. Everyone else
gets 404: "missing" and "not yours" look the same."""

from __future__ import annotations

from django.http import Http404

from tandem.accounts.models import User
from tandem.moderation.access import get_organisation_for_admin
from tandem.moderation.escalation.selectors import escalated_item_ids
from tandem.moderation.models import EscalationContact, ReviewItem


def get_item_for_escalation_recipient(user: User, item_id: int) -> ReviewItem:
    """Return the review item if it was escalated to ``user`` and is still readable, else 404."""
    if not user.is_active:
        raise Http404
    item = (
        ReviewItem.objects.select_related(
            "community", "community__organisation", "post", "post__author", "post__topic"
        )
        .filter(pk=item_id, pk__in=escalated_item_ids(user))
        .first()
    )
    if item is None:
        raise Http404
    return item


def get_rota_contact_for_admin(user: User, contact_id: int) -> EscalationContact:
    """Return a rota entry of an organisation ``user`` administers, else 404."""
    contact = (
        EscalationContact.objects.select_related("organisation", "user")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        raise Http404
    get_organisation_for_admin(user, contact.organisation_id)
    return contact
