"""What a service user shares with each provider, and comments on shared items."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care import notify
from tandem.care.access import check_can_comment
from tandem.care.models import (
    COMMENT_MAX_LENGTH,
    CareRelationship,
    Comment,
    Grant,
    Level,
    Module,
    RelationshipStatus,
)
from tandem.core.change_record import ChangeKind, record_change


def add_comment(
    *, author: User, owner: User, module: str, item_id: int, body: str, owner_url: str = ""
) -> Comment:
    """Add ``author``'s comment on item ``item_id`` of ``owner``'s ``module``.

    When someone else comments, the owner is notified with a link to ``owner_url`` (the
    item's page for its owner, which the calling app knows; the module's list if not given).

    The owner may always answer; a provider needs a comment grant (PermissionDenied
    otherwise). The caller has already fetched the item through the toolbox's gate, so this
    does not check that the item exists. Raise ValidationError for an empty or over-long body.
    """
    check_can_comment(author, owner, module)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment before sending it.")}, code="required")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment can be at most %(max)s characters (this one has %(n)s).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(body)}
            },
            code="max_length",
        )
    comment = Comment(owner=owner, author=author, module=module, item_id=item_id, body=body)
    with transaction.atomic():
        comment.full_clean()
        comment.save()
        notify.comment_added(comment, owner_url=owner_url or f"/toolbox/{module}/")
    return comment


def _grant_change(old_level: int | None, level: int) -> ChangeKind:
    if old_level is None:
        return ChangeKind.GRANT_CREATED
    return ChangeKind.GRANT_REVOKED if level == Level.NONE else ChangeKind.GRANT_CHANGED


def set_grants(*, service_user: User, levels: Mapping[int, Mapping[str, int]]) -> int:
    """Set what each provider may do with each module: ``levels[relationship_id][module]``.

    Only the service user's own active relationships can be changed (PermissionDenied
    otherwise). Modules left out keep their level. Return how many grants changed. The gate
    reads grants on every request, so a change applies from the very next page.
    """
    for module_levels in levels.values():
        for module, level in module_levels.items():
            if module not in Module.values or level not in Level.values:
                raise ValidationError(_("Choose one of the options for each module."))
    with transaction.atomic():
        relationships = {
            relationship.pk: relationship
            for relationship in CareRelationship.objects.select_for_update(of=("self",))
            .filter(
                pk__in=list(levels), service_user=service_user, status=RelationshipStatus.ACTIVE
            )
            .select_related("service_user", "provider")
        }
        if set(levels) - set(relationships):
            raise PermissionDenied
        current = {
            (grant.relationship_id, grant.module): grant
            for grant in Grant.objects.filter(relationship_id__in=list(relationships))
        }
        changed = 0
        for relationship_id, module_levels in levels.items():
            new_levels: dict[str, int] = {}
            for module, level in module_levels.items():
                grant = current.get((relationship_id, module))
                old_level = None if grant is None else grant.level
                if grant is None:
                    if level == Level.NONE:
                        continue
                    grant = Grant(relationship_id=relationship_id, module=module, level=level)
                    grant.full_clean(validate_unique=False, validate_constraints=False)
                    grant.save()
                elif grant.level != level:
                    grant.level = level
                    grant.full_clean(validate_unique=False, validate_constraints=False)
                    grant.save(update_fields=["level", "updated_at"])
                else:
                    continue
                new_levels[module] = level
                record_change(
                    actor=service_user,
                    kind=_grant_change(old_level, level),
                    subject_id=service_user.pk,
                    target=grant,
                    before={"level": old_level or Level.NONE},
                    after={
                        "level": level,
                        "module": module,
                        "provider": relationships[relationship_id].provider_id,
                    },
                )
            changed += len(new_levels)
            notify.grants_changed(relationships[relationship_id], new_levels)
    return changed
