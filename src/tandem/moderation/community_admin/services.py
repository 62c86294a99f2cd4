"""Every change an admin or moderator makes to a community from the portal. Each checks the
actor's right itself (the views' gates only decide what the page shows), validates with
``full_clean`` and writes one audit entry (``services.audit.record``) with the values before
and after, in the same transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_org_admin
from tandem.accounts.models import Organisation, User
from tandem.core.change_record import Values
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community
from tandem.moderation.community_admin.conduct_diff import conduct_diff
from tandem.moderation.models import AuditAction, CommunitySettings
from tandem.moderation.posting import is_moderator, settings_for
from tandem.moderation.services.audit import record, require_reason


class StateChange(Enum):
    LOCK = "lock"
    UNLOCK = "unlock"
    ARCHIVE = "archive"
    RESTORE = "restore"


# How each change reads in the audit log's detail column.
STATE_WORDS = {
    StateChange.LOCK: "locked",
    StateChange.UNLOCK: "unlocked",
    StateChange.ARCHIVE: "archived",
    StateChange.RESTORE: "restored",
}


@dataclass(frozen=True)
class CommunityDetails:
    """What an admin types about a community (the code of conduct has its own page)."""

    name: str
    slug: str
    description: str
    audience: str
    join_policy: str
    conduct_shown_to: str
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class Limits:
    """A community's pre-moderation, slow mode and posting limits (``CommunitySettings``)."""

    premoderation: str
    new_member_held_posts: int
    new_member_topics_per_day: int
    new_member_replies_per_day: int
    topics_per_hour: int
    replies_per_hour: int
    mentions_per_hour: int
    slow_mode_minutes: int | None


DETAIL_FIELDS = tuple(CommunityDetails.__dataclass_fields__)
LIMIT_FIELDS = tuple(Limits.__dataclass_fields__)
CATEGORY_FIELDS = ("name", "description", "position")


def _check_admin(actor: User, organisation: Organisation | int) -> None:
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    if not is_org_admin(actor, Organisation(pk=organisation_id)):
        raise PermissionDenied


def _check_admin_or_moderator(actor: User, community: Community) -> None:
    if not actor.is_active:
        raise PermissionDenied
    if not (is_moderator(actor, community) or is_org_admin(actor, community.organisation)):
        raise PermissionDenied


def _values(obj: object, names: tuple[str, ...]) -> Values:
    return {name: getattr(obj, name) for name in names}


def _changed(before: Values, after: Values) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


@transaction.atomic
def create_community(
    *,
    actor: User,
    organisation: Organisation,
    details: CommunityDetails,
    code_of_conduct: str,
    reason: str = "",
) -> Community:
    """Create a community of ``organisation`` with its first code of conduct (version 1)."""
    _check_admin(actor, organisation)
    community = Community(
        organisation=organisation, code_of_conduct=code_of_conduct.strip(), **asdict(details)
    )
    community.full_clean()
    community.save()
    # New communities start with moderation's defaults written down, so the limits page
    # shows what is in force.
    CommunitySettings.objects.create(community=community)
    record(
        actor=actor,
        organisation_id=organisation.pk,
        community=community,
        action=AuditAction.COMMUNITY,
        reason=reason.strip(),
        detail=_("created “%(name)s”") % {"name": community.name},
        after=_values(community, DETAIL_FIELDS),
    )
    return community


@transaction.atomic
def update_community(
    *, actor: User, community: Community, details: CommunityDetails, reason: str = ""
) -> Community:
    """Change what an admin may change about a community; nothing is recorded when nothing
    changed."""
    _check_admin(actor, community.organisation_id)
    before = _values(community, DETAIL_FIELDS)
    for name, value in asdict(details).items():
        setattr(community, name, value)
    community.full_clean()
    after = _values(community, DETAIL_FIELDS)
    changed = _changed(before, after)
    if not changed:
        return community
    community.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.COMMUNITY,
        reason=reason.strip(),
        detail=_("changed %(fields)s") % {"fields": ", ".join(changed)},
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return community


@transaction.atomic
def set_community_state(
    *, actor: User, community: Community, change: StateChange, reason: str
) -> Community:
    """Lock or unlock (admins and moderators), archive or restore (admins) a community.
    Archived: gone from every list and read-only; restoring brings it back as it was."""
    if change in (StateChange.LOCK, StateChange.UNLOCK):
        _check_admin_or_moderator(actor, community)
    else:
        _check_admin(actor, community.organisation_id)
    reason = require_reason(reason)
    before: Values = {"is_locked": community.is_locked, "archived": community.is_archived}
    if change in (StateChange.LOCK, StateChange.UNLOCK):
        community.is_locked = change == StateChange.LOCK
        fields = ["is_locked"]
    else:
        community.archived_at = timezone.now() if change == StateChange.ARCHIVE else None
        fields = ["archived_at"]
    community.save(update_fields=[*fields, "updated_at"])
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.COMMUNITY,
        reason=reason,
        detail=STATE_WORDS[change],
        before=before,
        after={"is_locked": community.is_locked, "archived": community.is_archived},
    )
    return community


@transaction.atomic
def publish_conduct(
    *, actor: User, community: Community, text: str, based_on_version: int, reason: str = ""
) -> Community:
    """Publish a new version of the code of conduct. Every member is asked to accept it on
    their next visit or post (``forum.services.publish_code_of_conduct``).

    ``based_on_version`` is the version the admin compared against: if someone published
    meanwhile, they are shown the new differences first instead of overwriting them.
    """
    _check_admin(actor, community.organisation_id)
    locked = Community.objects.select_for_update().get(pk=community.pk)
    if locked.code_of_conduct_version != based_on_version:
        raise ValidationError(
            _(
                "Someone published a new version while you were writing. Compare your text "
                "with it and publish again."
            ),
            code="stale_conduct",
        )
    text = text.strip()
    diff = conduct_diff(locked.code_of_conduct, text)
    if not diff.has_changes:
        raise ValidationError(
            {"text": _("This is the same as the current version. Change something first.")}
        )
    if not text:
        raise ValidationError({"text": _("Write the code of conduct.")})
    before_version = locked.code_of_conduct_version
    forum_services.publish_code_of_conduct(community=locked, text=text)
    community.code_of_conduct = locked.code_of_conduct
    community.code_of_conduct_version = locked.code_of_conduct_version
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.CONDUCT,
        reason=reason.strip(),
        detail=_("version %(version)s: %(added)s lines added, %(removed)s removed")
        % {
            "version": community.code_of_conduct_version,
            "added": diff.added,
            "removed": diff.removed,
        },
        before={"code_of_conduct_version": before_version},
        after={"code_of_conduct_version": community.code_of_conduct_version},
    )
    return community


@transaction.atomic
def update_limits(
    *, actor: User, community: Community, limits: Limits, reason: str
) -> CommunitySettings:
    """Set pre-moderation, the community's slow mode and its posting limits."""
    _check_admin_or_moderator(actor, community)
    reason = require_reason(reason)
    options = settings_for(community)
    before = _values(options, LIMIT_FIELDS)
    for name, value in asdict(limits).items():
        setattr(options, name, value)
    options.full_clean()
    options.save()
    after = _values(options, LIMIT_FIELDS)
    changed = _changed(before, after)
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.SETTINGS,
        reason=reason,
        detail=_("changed %(fields)s") % {"fields": ", ".join(changed)}
        if changed
        else _("saved without changes"),
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return options


@transaction.atomic
def create_category(
    *, actor: User, community: Community, name: str, description: str, position: int
) -> Category:
    _check_admin(actor, community.organisation_id)
    category = Category(
        community=community, name=name.strip(), description=description.strip(), position=position
    )
    category.full_clean()
    category.save()
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.CATEGORY,
        detail=_("created category “%(name)s”") % {"name": category.name},
        after={"category": category.pk, **_values(category, CATEGORY_FIELDS)},
    )
    return category


@transaction.atomic
def update_category(
    *,
    actor: User,
    category: Category,
    name: str,
    description: str,
    position: int,
    reason: str = "",
) -> Category:
    community = category.community
    _check_admin(actor, community.organisation_id)
    before = _values(category, CATEGORY_FIELDS)
    category.name, category.description, category.position = (
        name.strip(),
        description.strip(),
        position,
    )
    category.full_clean()
    after = _values(category, CATEGORY_FIELDS)
    changed = _changed(before, after)
    if not changed:
        return category
    category.save(update_fields=changed)
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.CATEGORY,
        reason=reason.strip(),
        detail=_("changed %(fields)s of “%(name)s”")
        % {"fields": ", ".join(changed), "name": category.name},
        before={"category": category.pk, **{name: before[name] for name in changed}},
        after={"category": category.pk, **{name: after[name] for name in changed}},
    )
    return category


@transaction.atomic
def set_category_state(
    *, actor: User, category: Category, change: StateChange, reason: str
) -> Category:
    """Lock or unlock, archive or restore a category (admins). Its topics stay readable."""
    community = category.community
    _check_admin(actor, community.organisation_id)
    reason = require_reason(reason)
    before: Values = {"is_locked": category.is_locked, "archived": category.archived_at is not None}
    if change in (StateChange.LOCK, StateChange.UNLOCK):
        category.is_locked = change == StateChange.LOCK
        fields = ["is_locked"]
    else:
        category.archived_at = timezone.now() if change == StateChange.ARCHIVE else None
        fields = ["archived_at"]
    category.save(update_fields=fields)
    record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.CATEGORY,
        reason=reason,
        detail=_("%(state)s category “%(name)s”")
        % {"state": STATE_WORDS[change], "name": category.name},
        before={"category": category.pk, **before},
        after={
            "category": category.pk,
            "is_locked": category.is_locked,
            "archived": category.archived_at is not None,
        },
    )
    return category
