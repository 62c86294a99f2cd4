"""The changes that concern a person's data, as sentences for their "Changes to your data" page:
who gave or took which access, who started or ended a care relationship, agreement and joint
session, who gave them a role or verified them, and what moderators did about them.

Read from ``core.ChangeRecord`` (``subject`` = the person), one page at a time: the lines, then
everyone they name in one query, so the page costs the same at any length of record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.accounts.models import Role, User
from tandem.care.models import Level, Module
from tandem.core.change_record import ChangeKind, ChangeRecord
from tandem.moderation.models import AuditAction

PAGE_SIZE = 50

# A request to reveal someone's identity is made to protect a person at risk: telling the
# person concerned while it is decided could put that person in danger, so those lines are
# for moderators and admins only.
HIDDEN_MODERATOR_ACTIONS = (
    AuditAction.REVEAL_REQUEST,
    AuditAction.REVEAL,
    AuditAction.REVEAL_DECLINE,
)


@dataclass(frozen=True)
class ChangeLine:
    created_at: datetime
    kind: str
    sentence: str
    request_id: str


def changes_about(user: User) -> QuerySet[ChangeRecord]:
    """The change records about ``user``'s data that they may see, newest first."""
    return (
        ChangeRecord.objects.filter(subject_id=user.pk)
        .exclude(
            Q(kind=ChangeKind.MODERATOR_ACTION)
            & Q(after__action__in=[str(action) for action in HIDDEN_MODERATOR_ACTIONS])
        )
        .order_by("-created_at", "-pk")
    )


def change_page_for_user(user: User, page_number: str | None) -> tuple[Page[Any], list[ChangeLine]]:
    """One page of ``user``'s changes (50 a page) and its lines as sentences."""
    page = Paginator(changes_about(user), PAGE_SIZE).get_page(page_number)
    records: list[ChangeRecord] = list(page.object_list)
    return page, describe(user, records)


def _people(records: Iterable[ChangeRecord]) -> dict[int, User]:
    ids: set[int] = set()
    for record in records:
        if record.actor_id is not None:
            ids.add(record.actor_id)
        provider = record.after.get("provider")
        if isinstance(provider, int):
            ids.add(provider)
    found = User.objects.filter(pk__in=ids).only("pk", "full_name", "pseudonym")
    return {person.pk: person for person in found}


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(viewer: User, records: list[ChangeRecord]) -> list[ChangeLine]:
    """Each record as a sentence addressed to ``viewer`` ("You gave…", "Pat ended…")."""
    people = _people(records)

    def name(user_id: object) -> str:
        if user_id == viewer.pk:
            return _("You")
        if isinstance(user_id, int) and user_id in people:
            return people[user_id].get_full_name()
        if user_id is None:
            return _("Tandem")
        # Deleted since: named as deletion names them in what stays (messages, forum, the
        # access log), never by a name; the sentence's first letter is made capital below.
        return _("a former member")

    lines = []
    for record in records:
        values = {
            "actor": name(record.actor_id),
            "provider": name(record.after.get("provider")),
        }
        lines.append(
            ChangeLine(
                created_at=record.created_at,
                kind=record.kind,
                sentence=capfirst(_sentence(record, values)),
                request_id=record.request_id,
            )
        )
    return lines


def _sentence(record: ChangeRecord, values: dict[str, str]) -> str:
    before, after = record.before, record.after
    kind = record.kind
    if kind in {ChangeKind.GRANT_CREATED, ChangeKind.GRANT_CHANGED, ChangeKind.GRANT_REVOKED}:
        values |= {
            "module": _label(Module, after.get("module")),
            "old": _label(Level, before.get("level", 0)),
            "new": _label(Level, after.get("level", 0)),
        }
        if kind == ChangeKind.GRANT_CREATED:
            return _("%(actor)s gave %(provider)s access to %(module)s: %(new)s.") % values
        if kind == ChangeKind.GRANT_REVOKED:
            return _("%(actor)s took away %(provider)s's access to %(module)s (was: %(old)s).") % (
                values
            )
        return _("%(actor)s changed %(provider)s's access to %(module)s: %(old)s → %(new)s.") % (
            values
        )
    by_provider = record.actor_id is not None and record.actor_id == after.get("provider")
    if kind == ChangeKind.RELATIONSHIP_STARTED:
        if by_provider:
            return _("%(provider)s started their care relationship with you.") % values
        return _("%(actor)s started the care relationship with %(provider)s.") % values
    if kind == ChangeKind.RELATIONSHIP_ENDED:
        if by_provider:
            return _("%(provider)s ended their care relationship with you.") % values
        return _("%(actor)s ended the care relationship with %(provider)s.") % values
    if kind == ChangeKind.AGREEMENT_CHANGED and before.get("tell_care_team_on_risk") != after.get(
        "tell_care_team_on_risk"
    ):
        # The service user's own choice (care.services.agreements.set_risk_alert), not terms.
        if after.get("tell_care_team_on_risk"):
            return (
                _("%(actor)s chose that %(provider)s is told when a check-in needs attention.")
                % values
            )
        return _("%(actor)s chose that %(provider)s is no longer told about check-ins.") % values
    if kind == ChangeKind.AGREEMENT_CHANGED:
        values |= {
            "old": before.get("version"),
            "new": after.get("version"),
            "old_days": before.get("reply_within_days"),
            "new_days": after.get("reply_within_days"),
        }
        if by_provider:
            return (
                _(
                    "%(provider)s accepted a new agreement with you: version %(old)s → %(new)s, "
                    "replies within %(old_days)s → %(new_days)s days."
                )
                % values
            )
        return (
            _(
                "%(actor)s accepted a new agreement with %(provider)s: version %(old)s → %(new)s, "
                "replies within %(old_days)s → %(new_days)s days."
            )
            % values
        )
    if kind == ChangeKind.JOINT_SESSION_STARTED:
        shown = after.get("modules") or []
        values["modules"] = ", ".join(_label(Module, module) for module in shown) or _("nothing")
        return (
            _("%(actor)s started a joint session with %(provider)s, showing: %(modules)s.") % values
        )
    if kind == ChangeKind.JOINT_SESSION_ENDED:
        return _("%(actor)s ended the joint session with %(provider)s.") % values
    if kind == ChangeKind.ROLE_ADDED:
        values["role"] = _label(Role, after.get("role"))
        return _("%(actor)s gave you the role: %(role)s.") % values
    if kind == ChangeKind.PROVIDER_VERIFIED:
        return _("%(actor)s verified you as a care provider.") % values
    if kind == ChangeKind.MODERATOR_ACTION:
        # Moderators act under their role, not their name (as on the "Moderation and me" page).
        values["action"] = _label(AuditAction, after.get("action"))
        return _("A moderator acted: %(action)s.") % values
    return _("%(actor)s changed a community's settings.") % values
