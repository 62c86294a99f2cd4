"""Secure messages: the threads a person is in, with every message they wrote or received.

On erasure every message the person wrote is withdrawn (its text gone for good); the other
side's words stay theirs. A care thread of the person's own in which their care team wrote
stays for that team, closed, under "a former member"; a thread with only the person's words
in it, or of another kind (moderators' outreach), goes with the account.
"""

from __future__ import annotations

import re

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.forum import former_member
from tandem.datarights.sources.rows import rows
from tandem.messaging.models import CARE_KIND, Message, Participant, Thread


def export(user: AbstractBaseUser) -> ExportData:
    thread_ids = list(
        Participant.objects.filter(user_id=user.pk).values_list("thread_id", flat=True)
    ) + list(Thread.objects.filter(service_user_id=user.pk).values_list("pk", flat=True))
    return {
        "threads": rows(Thread.objects.filter(pk__in=thread_ids).order_by("pk")),
        "messages": rows(Message.objects.filter(thread_id__in=thread_ids).order_by("pk")),
    }


def _names(erasure: Erasure) -> re.Pattern[str]:
    """The person's names as others may have written them: full name first, then pseudonym."""
    full_name = str(getattr(erasure.user, "full_name", "") or "")
    names = [name for name in (full_name, erasure.pseudonym) if name.strip()]
    return re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)


def _keep_own_care_threads(erasure: Erasure) -> list[int]:
    """Hand the person's care threads in which someone else wrote to "a former member",
    closed and read-only; return their ids. A subject the person wrote is replaced."""
    person = erasure.user.pk
    others_wrote = Message.objects.filter(thread=OuterRef("pk")).filter(
        ~Q(sender_id=person) & Q(sender__isnull=False)
    )
    kept = list(
        Thread.objects.filter(service_user_id=person, kind=CARE_KIND).filter(Exists(others_wrote))
    )
    if not kept:
        return []
    placeholder = former_member(erasure.replacement_name)
    now = timezone.now()
    for thread in kept:
        thread.service_user = placeholder
        thread.closed_at = thread.closed_at or now
        thread.waiting_for = ""
        thread.waiting_since = None
        if thread.started_by_id in (None, person):
            thread.subject = _("A conversation with %(name)s") % {"name": erasure.replacement_name}
            thread.started_by = None
        thread.save(
            update_fields=[
                "service_user",
                "closed_at",
                "waiting_for",
                "waiting_since",
                "subject",
                "started_by",
            ]
        )
    return [thread.pk for thread in kept]


def erase(erasure: Erasure) -> None:
    """Withdraw every message the person wrote; keep their care team's words in the threads
    that stay, with the person's names replaced in them and in the threads' subjects."""
    person = erasure.user.pk
    Message.objects.filter(sender_id=person).update(
        body="", withdrawn_at=timezone.now(), edited_at=None
    )
    kept = _keep_own_care_threads(erasure)
    # What stays and may name the person: others' threads they took part in, and their own
    # kept ones. Encrypted, so rewritten in Python.
    staying = Thread.objects.filter(
        Q(participants__user_id=person) & ~Q(service_user_id=person) | Q(pk__in=kept)
    ).distinct()
    name = _names(erasure)
    for thread in staying:
        if name.search(thread.subject):
            thread.subject = name.sub(erasure.replacement_name, thread.subject)
            thread.save(update_fields=["subject"])
    for message in Message.objects.filter(thread__in=staying, withdrawn_at__isnull=True):
        if name.search(message.body):
            message.body = name.sub(erasure.replacement_name, message.body)
            message.save(update_fields=["body"])


SOURCE = PersonalDataSource(
    name="messages",
    description=(
        "Your secure conversations with your care team, and moderators' private messages to "
        "you about your posts: each thread, and every message in it that you wrote or "
        "received."
    ),
    export=export,
    erase=erase,
    order=10,
)
