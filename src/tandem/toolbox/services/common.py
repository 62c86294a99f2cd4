"""What every toolbox service shares: the owner check, saving, comments of deleted items."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care.models import Comment
from tandem.toolbox.models import LifeDomain
from tandem.toolbox.selectors import visible_domains_query


def check_owner(owner: User, *objects: models.Model) -> None:
    """Refuse to touch an object that is not ``owner``'s (views fetch through gates, so this
    is a second lock, not the first)."""
    for obj in objects:
        owner_id = getattr(obj, "owner_id", None)
        if owner_id != owner.pk:
            raise PermissionDenied


def save_cleaned(obj: models.Model, update_fields: Iterable[str] | None = None) -> None:
    """``full_clean()`` then save: the model's validators (length limits of encrypted text)
    are the last word."""
    obj.full_clean()
    obj.save(update_fields=list(update_fields) if update_fields is not None else None)


def check_domain_usable(owner: User, domain: LifeDomain) -> None:
    """Refuse a life domain ``owner`` cannot see (someone else's, or archived)."""
    if not visible_domains_query(owner).filter(pk=domain.pk).exists():
        raise ValidationError({"domain": _("Choose one of your life domains.")}, code="domain")


def delete_comments(owner: User, module: str, item_ids: Iterable[int]) -> None:
    # Comments point at items by id only; when the item goes, its conversation goes with it.
    Comment.objects.filter(owner=owner, module=module, item_id__in=list(item_ids)).delete()
