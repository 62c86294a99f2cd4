"""Starting a conversation with the care team, and opening and closing threads of other kinds
(``messaging.kinds``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import User
from tandem.care.models import CareRelationship, RelationshipStatus
from tandem.messaging import events, kinds
from tandem.messaging.models import Participant, Side, Thread
from tandem.messaging.services.sending import SendResult, _existing, send_message


@transaction.atomic
def start_thread_from_form(*, author: User, data: Mapping[str, Any]) -> SendResult:
    """:func:`start_thread` with a valid new-thread form's cleaned data (the page and the API):
    a service user's form has ``providers``, a provider's ``service_user``."""
    return start_thread(
        author=author,
        subject=data["subject"],
        body=data["body"],
        client_key=data["client_key"],
        providers=list(data["providers"]) if "providers" in data else None,
        service_user=data.get("service_user"),
    )


def start_thread(
    *,
    author: User,
    subject: str,
    body: str,
    client_key: uuid.UUID,
    providers: list[User] | None = None,
    service_user: User | None = None,
) -> SendResult:
    """Start a conversation with its first message.

    A service user writes to one or more providers of their active care team (``providers``);
    a verified provider writes to one person they have an active relationship with
    (``service_user``). Raise PermissionDenied for anyone else. A used ``client_key`` returns
    the message it already stored.
    """
    existing = _existing(author, client_key)
    if existing is not None:
        return SendResult(message=existing, created=False)
    if service_user is None:
        team = set(
            CareRelationship.objects.filter(
                service_user=author, status=RelationshipStatus.ACTIVE
            ).values_list("provider_id", flat=True)
        )
        chosen = providers or []
        if not chosen or any(p.pk not in team for p in chosen):
            raise PermissionDenied(_("You can only write to providers in your care team."))
        owner, care_team = author, chosen
    else:
        if (
            not is_verified_provider(author)
            or not CareRelationship.objects.filter(
                provider=author, service_user=service_user, status=RelationshipStatus.ACTIVE
            ).exists()
        ):
            raise PermissionDenied(_("You can only write to people in your caseload."))
        owner, care_team = service_user, [author]
    thread = Thread(service_user=owner, subject=subject, started_by=author)
    thread.full_clean()
    thread.save()
    Participant.objects.create(thread=thread, user=owner, side=Side.SERVICE_USER)
    Participant.objects.bulk_create(
        [Participant(thread=thread, user=p, side=Side.CARE_TEAM) for p in care_team]
    )
    return send_message(sender=author, thread=thread, body=body, client_key=client_key)


@transaction.atomic
def open_thread(
    *, kind: str, context_id: int, service_user: User, subject: str, started_by: User
) -> Thread:
    """The thread of ``kind`` about ``context_id`` (there is one each), opened with
    ``service_user`` as its owner and first participant when there is none yet.

    Who may write in it is for the kind to say when someone sends; whoever writes joins it.
    """
    if kinds.get_kind(kind) is None:
        raise ValueError(f"No thread kind {kind!r} is registered.")
    existing = Thread.objects.filter(kind=kind, context_id=context_id).first()
    if existing is not None:
        return existing
    thread = Thread(
        kind=kind,
        context_id=context_id,
        service_user=service_user,
        subject=subject,
        started_by=started_by,
    )
    thread.full_clean()
    try:
        with transaction.atomic():
            thread.save()
    except IntegrityError:
        # Two moderators (or two clicks) opened it at once: the other one stored it.
        return Thread.objects.get(kind=kind, context_id=context_id)
    Participant.objects.create(thread=thread, user=service_user, side=Side.SERVICE_USER)
    return thread


@transaction.atomic
def close_thread(*, thread: Thread) -> Thread:
    """Close ``thread``: it stays readable and nobody writes in it any more. Open pages are
    told at once (after commit). Closing a closed thread changes nothing."""
    updated = Thread.objects.filter(pk=thread.pk, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    thread.refresh_from_db(fields=["closed_at"])
    if updated:
        events.publish_thread_closed(thread_id=thread.pk)
    return thread
