"""Check-ins a care provider proposes and the person accepts or declines (issue 16: "a provider
with the user's consent"). The provider needs the person's grant on the questionnaires module
(the views' gate, ``care.access``); the schedule itself needs the person's yes: nothing is
scheduled until they accept, and they can stop it at any time like their own.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.language import language_for
from tandem.accounts.models import User
from tandem.notifications import services as notification_services
from tandem.questionnaires import catalogue
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import ProposalStatus, Schedule, ScheduleProposal
from tandem.questionnaires.services import set_schedule

PROPOSED_KIND = "questionnaires.schedule_proposed"
ANSWERED_KIND = "questionnaires.schedule_answered"


@transaction.atomic
def propose_schedule(
    *,
    provider: User,
    owner: User,
    instrument: Instrument,
    every: int,
    unit: str,
    starts_on: date,
) -> ScheduleProposal:
    """Propose check-ins of ``instrument`` to ``owner`` and tell them. One proposal waits per
    person and questionnaire: proposing again changes the waiting one (and tells them again).
    A start in the past is refused."""
    if starts_on < timezone.localdate():
        raise ValidationError({"starts_on": _("Please choose today or a later day.")})
    proposal = (
        ScheduleProposal.objects.select_for_update()
        .filter(owner=owner, instrument=instrument.key, status=ProposalStatus.WAITING)
        .first()
    ) or ScheduleProposal(owner=owner, instrument=instrument.key)
    proposal.provider = provider
    proposal.every, proposal.unit, proposal.starts_on = every, unit, starts_on
    proposal.full_clean(exclude=["owner", "provider"], validate_constraints=False)
    proposal.save()
    with translation.override(language_for(owner)):
        title = _("%(name)s proposed regular check-ins. You choose whether to accept.") % {
            "name": provider.get_full_name()
        }
    notification_services.notify(
        recipient=owner,
        actor=provider,
        kind=PROPOSED_KIND,
        url=reverse("questionnaires:list") + "#proposals",
        title=title,
    )
    return proposal


@transaction.atomic
def answer_proposal(*, proposal: ScheduleProposal, accept: bool) -> Schedule | None:
    """The person accepts (their schedule for that questionnaire becomes the proposed one) or
    declines; the provider is told which, and nothing else. A proposal already answered (a
    second click) changes nothing and returns None; accepting one for a questionnaire no
    longer offered to the person is refused (ValidationError)."""
    locked = (
        # Lock the proposal's row only: the provider may be gone (a nullable join), and
        # PostgreSQL cannot lock the nullable side of an outer join.
        ScheduleProposal.objects.select_for_update(of=("self",))
        .filter(pk=proposal.pk, status=ProposalStatus.WAITING)
        .select_related("owner", "provider")
        .first()
    )
    if locked is None:
        return None
    schedule = None
    if accept:
        instrument = catalogue.to_answer(locked.owner, locked.instrument)
        if instrument is None:
            raise ValidationError(_("This questionnaire is no longer offered to you."))
        schedule = set_schedule(
            owner=locked.owner,
            instrument=instrument,
            every=locked.every,
            unit=locked.unit,
            starts_on=locked.starts_on,
            proposed_by=locked.provider,
        )
    locked.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at", "updated_at"])
    if locked.provider is not None:
        name = locked.owner.get_full_name()
        with translation.override(language_for(locked.provider)):
            title = (
                _("%(name)s accepted the check-ins you proposed.")
                if accept
                else _("%(name)s declined the check-ins you proposed.")
            ) % {"name": name}
        notification_services.notify(
            recipient=locked.provider,
            actor=locked.owner,
            kind=ANSWERED_KIND,
            url=reverse("care:person-detail", kwargs={"owner_id": locked.owner_id}),
            title=title,
        )
    return schedule
