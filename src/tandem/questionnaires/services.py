"""Every change to questionnaires: drafts, submitted responses, follow-ups, schedules and the
check-in reminders."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.language import language_for
from tandem.accounts.models import User
from tandem.care import agreement_selectors
from tandem.care.notify import RELATIONSHIP_SCOPE
from tandem.core import usage
from tandem.notifications import services as notification_services
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import NOTE_MAX_LENGTH, FollowUpShown, Response, Schedule
from tandem.questionnaires.scoring import Answers
from tandem.questionnaires.selectors import due_schedules

REMINDER_KIND = "questionnaire_due"
FOLLOW_UP_KIND = "questionnaires.follow_up"
# What the person may do from a follow-up, and the field that keeps when they first did it.
FOLLOW_UP_ACTIONS = {"plan": "opened_plan_at", "call": "called_at"}


def _checked(instrument: Instrument, answers: Answers) -> dict[str, int]:
    """Keep only answers to the instrument's items; refuse any value it does not offer."""
    items = {item.key: item for item in instrument.items}
    kept: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        item = items.get(key)
        if item is None:
            continue
        if value not in item.values:
            errors[f"item_{key}"] = _("Please choose one of the answers offered.")
        else:
            kept[key] = value
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def save_draft(*, owner: User, instrument: Instrument, answers: Answers) -> Response:
    """Keep the answers given so far, to finish later: one draft per person and instrument."""
    response = (
        Response.objects.select_for_update()
        .filter(owner=owner, instrument=instrument.key, submitted_at__isnull=True)
        .first()
    ) or Response(owner=owner, instrument=instrument.key)
    response.version = instrument.version
    response.answers = _checked(instrument, answers)
    response.full_clean(exclude=["owner"], validate_constraints=False)
    response.save()
    return response


@transaction.atomic
def submit_response(
    *, owner: User, instrument: Instrument, answers: Answers, client_key: str
) -> Response:
    """Submit a complete response (the draft, if any, becomes it).

    The same ``client_key`` sent again returns the response already made, so a double submit
    stores one response. A required item missing is refused with the items named."""
    if client_key:
        existing = Response.objects.filter(
            owner=owner, client_key=client_key, submitted_at__isnull=False
        ).first()
        if existing is not None:
            return existing
    kept = _checked(instrument, answers)
    score = instrument.score(kept)
    if not score.is_complete:
        raise ValidationError(
            {f"item_{number}": _("Please answer this question.") for number in score.missing}
        )
    response = (
        Response.objects.select_for_update()
        .filter(owner=owner, instrument=instrument.key, submitted_at__isnull=True)
        .first()
    ) or Response(owner=owner, instrument=instrument.key)
    response.version = instrument.version
    response.answers = kept
    response.submitted_at = timezone.now()
    response.client_key = client_key
    response.full_clean(exclude=["owner"], validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other request stored it.
        existing = Response.objects.filter(owner=owner, client_key=client_key).first()
        if existing is None:
            raise
        return existing
    usage.record(owner.pk, usage.Module.QUESTIONNAIRES, usage.Action.CHECKIN_ANSWERED)
    return response


@transaction.atomic
def set_note(*, response: Response, text: str, shared: bool) -> Response:
    """Keep the owner's note on one of their responses (the view's gate made sure it is
    theirs); an empty note removes it and is never shared. Encrypted like the answers."""
    text = text.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Please keep the note to %(max)s characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    response.note = text
    response.note_shared = shared and bool(text)
    response.save(update_fields=["note", "note_shared", "updated_at"])
    return response


@transaction.atomic
def record_follow_up(*, response: Response, reasons: tuple[str, ...]) -> FollowUpShown:
    """Note that the safety follow-up was shown for ``response`` (once, whatever the reloads),
    and the first time, tell the care team where the person's agreement says so."""
    follow_up, created = FollowUpShown.objects.get_or_create(
        response=response, defaults={"reasons": ",".join(sorted(reasons))[:100]}
    )
    if created and _tell_care_team(response):
        follow_up.care_team_told_at = timezone.now()
        follow_up.save(update_fields=["care_team_told_at"])
    return follow_up


def _tell_care_team(response: Response) -> bool:
    """One notification to each provider whose agreement with the person says to tell them
    (their choice, ``Agreement.tell_care_team_on_risk``; care decides who may be told). It says
    only that a check-in needs attention: never the questionnaire, the answers or the score.
    The email that may follow is the notification service's, with the provider's own
    settings (digest, quiet hours). The title is stored as text, so it is written in the
    provider's language (``accounts.language``), never in the language of the person's page."""
    relationships = agreement_selectors.relationships_telling_on_risk(response.owner)
    for relationship in relationships:
        with translation.override(language_for(relationship.provider)):
            title = _("%(name)s's check-in needs attention") % {
                "name": response.owner.get_full_name()
            }
        notification_services.notify(
            recipient=relationship.provider,
            actor=response.owner,
            kind=FOLLOW_UP_KIND,
            url=reverse("care:person-detail", kwargs={"owner_id": response.owner_id}),
            title=title,
            scope_type=RELATIONSHIP_SCOPE,
            scope_id=relationship.pk,
        )
    return bool(relationships)


def record_follow_up_action(*, response: Response, action: str) -> None:
    """Note, the first time only, that the person opened their crisis plan (``"plan"``) or
    called a contact (``"call"``) from the follow-up of ``response``; nothing when it showed
    none. Never which contact: only that one was called."""
    field = FOLLOW_UP_ACTIONS[action]
    FollowUpShown.objects.filter(response=response, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )


@transaction.atomic
def set_schedule(
    *,
    owner: User,
    instrument: Instrument,
    every: int,
    unit: str,
    starts_on: date,
    proposed_by: User | None = None,
) -> Schedule:
    """Set ``owner``'s check-ins for ``instrument``, replacing theirs; ``proposed_by`` is the
    provider whose proposal they accepted (None when they set it themselves)."""
    schedule = Schedule.objects.filter(owner=owner, instrument=instrument.key).first() or Schedule(
        owner=owner, instrument=instrument.key
    )
    schedule.proposed_by = proposed_by
    schedule.every = every
    schedule.unit = unit
    schedule.starts_on = starts_on
    schedule.reminded_for = None
    schedule.full_clean(exclude=["owner"], validate_constraints=False)
    schedule.save()
    return schedule


@transaction.atomic
def remove_schedule(*, owner: User, instrument: Instrument) -> None:
    Schedule.objects.filter(owner=owner, instrument=instrument.key).delete()


def send_check_in_reminders(*, today: date) -> int:
    """Tell each person once about each check-in that has come due and is not yet answered.

    The notification says only that a check-in is due (never which questionnaire); a missed
    check-in is not repeated, and the next one is told about when it comes due."""
    sent = 0
    for schedule, due_on in due_schedules(today=today):
        with transaction.atomic():
            locked = Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
            if locked is None or locked.reminded_for == due_on:
                continue
            locked.reminded_for = due_on
            locked.save(update_fields=["reminded_for", "updated_at"])
            notification_services.notify(
                recipient=schedule.owner,
                kind=REMINDER_KIND,
                url="/questionnaires/",
                title=_("You have a check-in due"),
            )
            sent += 1
    return sent
