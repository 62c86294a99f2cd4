"""Messages left unanswered past the agreed reply time: the other half of "waiting for the
other" (issue 20).

A care team's reply carries how long the service user waited and whether that was longer than
agreed (``research.sink``). A message that is never answered has no reply to carry anything, so
this sweep looks for it instead: every open care thread waiting for the care team, whose
agreement's reply time has run out, becomes one ``unanswered`` event of the service user (if
they take part in a study open on that day), at the hour the time ran out. It is written once
per wait: a wait is known by the service user's pseudonym and that hour, and the sweep skips one
it has written already. Nothing else is stored: no thread, no provider, no time of the message.

The reply time is the most lenient of the service user's agreements with the providers in the
thread, so a wait counts only when every one of them is past it; a thread with no agreement is
not counted (as a reply without an agreement is never "late"). Run by
``manage.py record_unanswered_messages`` (hourly: ``--every 3600``).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.care.agreement_models import Agreement
from tandem.care.models import RelationshipStatus
from tandem.care.triage import add_working_days
from tandem.core.usage import Module
from tandem.messaging.models import CARE_KIND, Participant, Side, Thread
from tandem.research.models import UNANSWERED, Consent, ConsentStatus, ResearchEvent


def _overdue_waits(now: datetime) -> list[tuple[int, datetime]]:
    """(service user id, when their reply was due) for every open care thread waiting for the
    care team past its agreed reply time, of service users taking part in some study."""
    reply_days = (
        Agreement.objects.filter(
            relationship__service_user=OuterRef("service_user"),
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__provider__in=Participant.objects.filter(
                thread=OuterRef(OuterRef("pk")), side=Side.CARE_TEAM
            ).values("user_id"),
        )
        .order_by("-reply_within_days")
        .values("reply_within_days")[:1]
    )
    threads = (
        Thread.objects.filter(
            kind=CARE_KIND,
            waiting_for=Side.CARE_TEAM,
            waiting_since__isnull=False,
            waiting_since__lt=now,
            closed_at__isnull=True,
            service_user_id__in=Consent.objects.filter(
                status=ConsentStatus.CONSENTED, role=Role.SERVICE_USER
            ).values("user_id"),
        )
        .annotate(reply_days=Subquery(reply_days))
        .exclude(reply_days=None)
        .values_list("service_user_id", "waiting_since", "reply_days")
        .order_by("pk")
    )
    waits = []
    for user_id, since, days in threads:
        assert since is not None  # noqa: S101 - filtered on above
        due = add_working_days(since, days)
        if due <= now:
            waits.append((user_id, due))
    return waits


def record_unanswered(now: datetime | None = None) -> int:
    """Write one ``unanswered`` event per overdue wait not written before; return how many.

    The study must have been open on the day the reply was due, the person must have agreed
    before then, and still be a service user of the study's organisation (as the sink asks).
    """
    now = now or timezone.now()
    written = 0
    for user_id, due in _overdue_waits(now):
        hour = due.replace(minute=0, second=0, microsecond=0)
        day = timezone.localdate(due)
        consents = Consent.objects.filter(
            user_id=user_id,
            role=Role.SERVICE_USER,
            status=ConsentStatus.CONSENTED,
            consented_at__lte=due,
            study__start_date__lte=day,
            study__end_date__gte=day,
            study__organisation__memberships__user_id=user_id,
            study__organisation__memberships__role=Role.SERVICE_USER,
        ).values_list("study_id", "pseudonym")
        for study_id, pseudonym in consents.distinct():
            _event, created = ResearchEvent.objects.get_or_create(
                study_id=study_id,
                pseudonym=pseudonym,
                action=UNANSWERED,
                hour=hour,
                defaults={"role": Role.SERVICE_USER, "module": Module.MESSAGING},
            )
            written += created
    return written
