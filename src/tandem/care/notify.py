"""Telling the other side of a care relationship that something happened, through the one
notification service (in the portal; the email that may follow says only "something new" and
keeps to the person's digest and quiet hours).

Who is told, and why:

- a provider's request by email: the service user (where they answer: "My care team"), only
  when the address matched a service user; the provider's page shows the same message either
  way, and no notification tells them more;
- a service user adds a provider by code, or accepts a provider's request: the provider;
- a service user declines: nobody. The provider's sent requests look the same whether the
  address matched nobody, is still waiting, or was declined, so that a request cannot be used
  to learn who uses Tandem or who said no;
- a provider comments on a person's item: that person;
- a service user gives, raises, lowers or takes away what a provider may see: the provider,
  so they know what they can no longer see (the person made the change, so is not told).

Every notification names the other person (titles are encrypted at rest) and carries the
relationship as its scope (``care.relationship``, registered in ``CareConfig.ready``): a
provider stops seeing notifications about a person when the relationship ends, a service user
stops seeing a request the provider withdrew.

A person's ask (``services.asking``) is told with its own scope, ``care.ask``
(``waiting_ask_ids``): the provider sees "X asked you to join their care team" only while the
ask still waits for him; withdrawn, accepted or declined, it is gone (the answer is on his
caseload, or there is nothing left to answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import Membership, Role, User
from tandem.care.models import CareRelationship, Comment, Level, Module, RelationshipStatus
from tandem.notifications.services import notify

RELATIONSHIP_SCOPE = "care.relationship"
ASK_SCOPE = "care.ask"

KIND_REQUEST = "care.request"
KIND_ADDED = "care.added"
KIND_ACCEPTED = "care.accepted"
KIND_COMMENT = "care.comment"
KIND_GRANT = "care.grant"


def visible_relationship_ids(user: User) -> QuerySet[Any]:
    """Relationships whose notifications ``user`` may still see (one subquery).

    A provider: active relationships in an organisation where they are a verified provider
    (the same rule as the care gates). A service user: their relationships that are waiting
    for them, active, or were active once (not a request the provider withdrew or they
    declined).
    """
    verified_in = Membership.objects.filter(
        user=user, role=Role.PROVIDER, verified_at__isnull=False
    ).values("organisation_id")
    as_provider = Q(
        provider=user, status=RelationshipStatus.ACTIVE, organisation_id__in=verified_in
    )
    as_service_user = Q(service_user=user) & (
        Q(status__in=[RelationshipStatus.PENDING, RelationshipStatus.ACTIVE])
        | Q(started_at__isnull=False)
    )
    return CareRelationship.objects.filter(as_provider | as_service_user).values("pk")


def waiting_ask_ids(user: User) -> QuerySet[Any]:
    """Asks whose notification ``user`` may still see (one subquery): those still waiting for
    ``user``'s answer, in an organisation where they are a verified provider (the rule of the
    gate that lets him answer, ``asking.get_ask_for_provider``)."""
    verified_in = Membership.objects.filter(
        user=user, role=Role.PROVIDER, verified_at__isnull=False
    ).values("organisation_id")
    return CareRelationship.objects.filter(
        provider=user, status=RelationshipStatus.ASKED, organisation_id__in=verified_in
    ).values("pk")


def _person_url(relationship: CareRelationship) -> str:
    return reverse("care:person-detail", kwargs={"owner_id": relationship.service_user_id})


def _tell(
    relationship: CareRelationship, *, recipient: User, actor: User, kind: str, title: str, url: str
) -> None:
    if not recipient.is_active:
        return
    notify(
        recipient=recipient,
        actor=actor,
        kind=kind,
        title=title,
        url=url,
        scope_type=RELATIONSHIP_SCOPE,
        scope_id=relationship.pk,
    )


def care_request_sent(relationship: CareRelationship) -> None:
    """A provider asked by email and the address is a service user's: tell that person."""
    _tell(
        relationship,
        recipient=relationship.service_user,
        actor=relationship.provider,
        kind=KIND_REQUEST,
        title=_("%(name)s asks to join your care team")
        % {"name": relationship.provider.get_full_name()},
        url=reverse("care:team"),
    )


def provider_added(relationship: CareRelationship, *, accepted_request: bool) -> None:
    """The service user added the provider by code, or accepted their request: tell the
    provider, with a link to the person's overview."""
    name = relationship.service_user.get_full_name()
    title = (
        _("%(name)s accepted your request to join their care team")
        if accepted_request
        else _("%(name)s added you to their care team")
    ) % {"name": name}
    _tell(
        relationship,
        recipient=relationship.provider,
        actor=relationship.service_user,
        kind=KIND_ACCEPTED if accepted_request else KIND_ADDED,
        title=title,
        url=_person_url(relationship),
    )


# What a comment was on, as the owner reads it in the title.
_COMMENTED_ON = {
    Module.GOALS.value: gettext_lazy("%(name)s commented on one of your goals"),
    Module.JOURNAL.value: gettext_lazy("%(name)s commented on one of your journal entries"),
}


def comment_added(comment: Comment, *, owner_url: str) -> None:
    """Someone else commented on the owner's item: tell the owner (their own answers tell
    nobody). ``owner_url`` is the item's page for its owner (the toolbox knows it)."""
    if comment.author_id == comment.owner_id:
        return
    relationship = (
        CareRelationship.objects.filter(
            service_user_id=comment.owner_id,
            provider_id=comment.author_id,
            status=RelationshipStatus.ACTIVE,
        )
        .select_related("service_user", "provider")
        .first()
    )
    if relationship is None:  # only a provider with a comment grant gets this far
        return
    template = _COMMENTED_ON.get(
        comment.module, gettext_lazy("%(name)s commented on something you share")
    )
    _tell(
        relationship,
        recipient=relationship.service_user,
        actor=relationship.provider,
        kind=KIND_COMMENT,
        title=str(template) % {"name": relationship.provider.get_full_name()},
        url=owner_url,
    )


def grants_changed(relationship: CareRelationship, changes: Mapping[str, int]) -> None:
    """The service user changed what the provider may see (``changes``: module → new level):
    tell the provider what they can see now, including what they no longer can."""
    if not changes:
        return
    labels = dict(Module.choices)
    levels = dict(Level.choices)
    parts = [
        _("%(module)s: %(level)s") % {"module": labels[module], "level": levels[changes[module]]}
        for module in Module.values
        if module in changes
    ]
    _tell(
        relationship,
        recipient=relationship.provider,
        actor=relationship.service_user,
        kind=KIND_GRANT,
        title=_("%(name)s changed what you can see: %(changes)s")
        % {"name": relationship.service_user.get_full_name(), "changes": "; ".join(parts)},
        url=_person_url(relationship),
    )
