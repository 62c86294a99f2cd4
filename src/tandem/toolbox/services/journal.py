"""Journal entries, and sharing them entry by entry with a care relationship."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care.models import CareRelationship, Module, RelationshipStatus
from tandem.toolbox.models import JournalEntry, JournalShare
from tandem.toolbox.services.common import check_owner, delete_comments, save_cleaned


def write_journal_entry(*, owner: User, title: str, body: str) -> JournalEntry:
    """Write a private entry: nobody else sees it until the owner shares it."""
    entry = JournalEntry(owner=owner, title=title.strip(), body=body.strip())
    with transaction.atomic():
        save_cleaned(entry)
    return entry


def edit_journal_entry(*, owner: User, entry: JournalEntry, title: str, body: str) -> JournalEntry:
    check_owner(owner, entry)
    entry.title = title.strip()
    entry.body = body.strip()
    with transaction.atomic():
        save_cleaned(entry, update_fields=["title", "body", "updated_at"])
    return entry


def delete_journal_entry(*, owner: User, entry: JournalEntry) -> None:
    """Delete an entry, whom it was shared with, and the comments on it."""
    check_owner(owner, entry)
    with transaction.atomic():
        delete_comments(owner, Module.JOURNAL, [entry.pk])
        entry.delete()


def share_journal_entry(
    *, owner: User, entry: JournalEntry, relationship: CareRelationship
) -> JournalShare:
    """Share one entry with one provider of the owner's care team. Sharing twice is harmless.

    The provider reads it only while the relationship is active and they hold a journal grant.
    """
    check_owner(owner, entry)
    if relationship.service_user_id != owner.pk or relationship.status != RelationshipStatus.ACTIVE:
        raise ValidationError(
            {"relationship": _("Choose someone from your care team.")}, code="relationship"
        )
    try:
        with transaction.atomic():
            share, _created = JournalShare.objects.get_or_create(
                entry=entry, relationship=relationship
            )
    except IntegrityError:  # a double submit raced us to it
        share = JournalShare.objects.get(entry=entry, relationship=relationship)
    return share


def unshare_journal_entry(
    *, owner: User, entry: JournalEntry, relationship: CareRelationship
) -> None:
    """Stop sharing an entry with one provider; they lose access at once."""
    check_owner(owner, entry)
    JournalShare.objects.filter(entry=entry, relationship=relationship).delete()
