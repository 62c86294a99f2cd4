"""Every change to a toolbox. Only the owner changes their toolbox (organisation admins change
the organisation's life domains); providers only comment, through ``care.services``.

Each function takes the acting owner and the object (fetched through a gate in
``toolbox.access``), checks the domain rules, runs ``full_clean`` and saves in a transaction.
A ValidationError names the field it is about, so views can show it beside that field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import check_can_manage_organisation
from tandem.accounts.models import Organisation, User
from tandem.care.models import CareRelationship, Comment, Module, RelationshipStatus
from tandem.toolbox.models import (
    CRISIS_PLAN_SECTIONS,
    Activity,
    CrisisPlan,
    ExercisePractice,
    Goal,
    GoalStatus,
    GoalStep,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Medication,
    NetworkMember,
    StatusRating,
)
from tandem.toolbox.selectors import visible_domains_query

MAX_STEPS_PER_GOAL = 50
MAX_PERSONAL_DOMAINS = 20


def _check_owner(owner: User, *objects: models.Model) -> None:
    """Refuse to touch an object that is not ``owner``'s (views fetch through gates, so this
    is a second lock, not the first)."""
    for obj in objects:
        owner_id = getattr(obj, "owner_id", None)
        if owner_id != owner.pk:
            raise PermissionDenied


def _save(obj: models.Model, update_fields: Iterable[str] | None = None) -> None:
    obj.full_clean()
    obj.save(update_fields=list(update_fields) if update_fields is not None else None)


def _check_domain_usable(owner: User, domain: LifeDomain) -> None:
    if not visible_domains_query(owner).filter(pk=domain.pk).exists():
        raise ValidationError({"domain": _("Choose one of your life domains.")}, code="domain")


def _delete_comments(owner: User, module: str, item_ids: Iterable[int]) -> None:
    # Comments point at items by id only; when the item goes, its conversation goes with it.
    Comment.objects.filter(owner=owner, module=module, item_id__in=list(item_ids)).delete()


# --- Life domains ----------------------------------------------------------------------------


def add_personal_domain(*, owner: User, name: str) -> LifeDomain:
    """Add a life domain of the owner's own, shown after the shared ones."""
    name = name.strip()
    with transaction.atomic():
        if (
            LifeDomain.objects.filter(owner=owner, archived_at__isnull=True).count()
            >= MAX_PERSONAL_DOMAINS
        ):
            raise ValidationError(
                {
                    "name": _("You can have up to %(max)s life domains of your own.")
                    % {"max": MAX_PERSONAL_DOMAINS}
                },
                code="too_many",
            )
        if any(d.label.casefold() == name.casefold() for d in visible_domains_query(owner)):
            raise ValidationError(
                {"name": _("You already have a life domain with this name.")}, code="duplicate"
            )
        domain = LifeDomain(owner=owner, name=name, position=1000)
        _save(domain)
    return domain


def remove_personal_domain(*, owner: User, domain: LifeDomain) -> None:
    """Take a personal domain off the owner's lists. Its ratings, goals and activities stay
    (they still show in the history lists), so nothing the person wrote is lost."""
    _check_owner(owner, domain)
    domain.archived_at = timezone.now()
    domain.save(update_fields=["archived_at"])


def add_organisation_domain(*, actor: User, organisation: Organisation, name: str) -> LifeDomain:
    check_can_manage_organisation(actor, organisation)
    domain = LifeDomain(organisation=organisation, name=name.strip(), position=500)
    with transaction.atomic():
        _save(domain)
    return domain


def remove_organisation_domain(
    *, actor: User, organisation: Organisation, domain: LifeDomain
) -> None:
    check_can_manage_organisation(actor, organisation)
    if domain.organisation_id != organisation.pk:
        raise PermissionDenied
    domain.archived_at = timezone.now()
    domain.save(update_fields=["archived_at"])


def set_default_domain_hidden(
    *, actor: User, organisation: Organisation, domain: LifeDomain, hidden: bool
) -> None:
    """Hide a default life domain from the organisation's members, or show it again."""
    check_can_manage_organisation(actor, organisation)
    if domain.owner_id is not None or domain.organisation_id is not None:
        raise ValidationError(_("Only Tandem's default life domains can be hidden."))
    if hidden:
        domain.hidden_by_organisations.add(organisation)
    else:
        domain.hidden_by_organisations.remove(organisation)


# --- Status ----------------------------------------------------------------------------------


def record_status(
    *,
    owner: User,
    domain: LifeDomain,
    rating: int,
    note: str = "",
    recorded_at: datetime | None = None,
) -> StatusRating:
    """Add a self-rating (0-10) for a domain. Ratings are history: each one is a new row."""
    _check_domain_usable(owner, domain)
    status = StatusRating(
        owner=owner,
        domain=domain,
        rating=rating,
        note=note.strip(),
        recorded_at=recorded_at or timezone.now(),
    )
    with transaction.atomic():
        _save(status)
    return status


def delete_status_rating(*, owner: User, rating: StatusRating) -> None:
    _check_owner(owner, rating)
    rating.delete()


# --- Goals and steps -------------------------------------------------------------------------


def create_goal(
    *,
    owner: User,
    domain: LifeDomain,
    title: str,
    why: str = "",
    target_date: date | None = None,
    manual_progress: int = 0,
    steps: Iterable[str] = (),
) -> Goal:
    """Create an active goal, with its first steps in the order given (blank lines skipped).

    A target date in the past is allowed: people also record goals they are late with.
    """
    _check_domain_usable(owner, domain)
    step_texts = [text.strip() for text in steps if text.strip()]
    if len(step_texts) > MAX_STEPS_PER_GOAL:
        raise ValidationError(
            {"steps": _("A goal can have up to %(max)s steps.") % {"max": MAX_STEPS_PER_GOAL}}
        )
    goal = Goal(
        owner=owner,
        domain=domain,
        title=title.strip(),
        why=why.strip(),
        target_date=target_date,
        manual_progress=manual_progress,
    )
    with transaction.atomic():
        _save(goal)
        for position, text in enumerate(step_texts):
            step = GoalStep(goal=goal, text=text, position=position)
            try:
                step.full_clean()
            except ValidationError as error:
                raise ValidationError(
                    {
                        "steps": _("Step %(n)s: %(problem)s")
                        % {"n": position + 1, "problem": " ".join(error.messages)}
                    }
                ) from error
            step.save()
    return goal


def update_goal(
    *,
    owner: User,
    goal: Goal,
    domain: LifeDomain,
    title: str,
    why: str,
    target_date: date | None,
    manual_progress: int,
    status: str,
) -> Goal:
    _check_owner(owner, goal)
    if domain.pk != goal.domain_id:
        _check_domain_usable(owner, domain)
    goal.domain = domain
    goal.title = title.strip()
    goal.why = why.strip()
    goal.target_date = target_date
    goal.manual_progress = manual_progress
    goal.status = status
    with transaction.atomic():
        _save(
            goal,
            update_fields=[
                "domain",
                "title",
                "why",
                "target_date",
                "manual_progress",
                "status",
                "updated_at",
            ],
        )
        # Activities follow their goal into its new domain.
        Activity.objects.filter(goal=goal).exclude(domain=domain).update(
            domain=domain, updated_at=timezone.now()
        )
    return goal


def set_goal_status(*, owner: User, goal: Goal, status: str) -> Goal:
    _check_owner(owner, goal)
    if status not in GoalStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    goal.status = status
    with transaction.atomic():
        _save(goal, update_fields=["status", "updated_at"])
    return goal


def delete_goal(*, owner: User, goal: Goal) -> None:
    """Delete a goal, its steps and the comments on it. Its activities stay, without a goal."""
    _check_owner(owner, goal)
    with transaction.atomic():
        _delete_comments(owner, Module.GOALS, [goal.pk])
        goal.delete()


def _touch(goal: Goal) -> None:
    # Steps change the goal's progress: the goal counts as changed (latest_changes, sorting).
    goal.save(update_fields=["updated_at"])


def add_step(*, owner: User, goal: Goal, text: str) -> GoalStep:
    """Add a step at the end of the goal's list."""
    _check_owner(owner, goal)
    with transaction.atomic():
        steps = GoalStep.objects.select_for_update().filter(goal=goal)
        if steps.count() >= MAX_STEPS_PER_GOAL:
            raise ValidationError(
                {"text": _("A goal can have up to %(max)s steps.") % {"max": MAX_STEPS_PER_GOAL}}
            )
        last = steps.aggregate(last=models.Max("position"))["last"]
        step = GoalStep(goal=goal, text=text.strip(), position=0 if last is None else last + 1)
        _save(step)
        _touch(goal)
    return step


def set_step_done(*, owner: User, step: GoalStep, done: bool) -> GoalStep:
    _check_owner(owner, step.goal)
    step.done = done
    step.done_at = timezone.now() if done else None
    with transaction.atomic():
        _save(step, update_fields=["done", "done_at"])
        _touch(step.goal)
    return step


def move_step(*, owner: User, step: GoalStep, up: bool) -> None:
    """Swap a step with its neighbour above (``up``) or below; at either end, do nothing."""
    goal = step.goal
    _check_owner(owner, goal)
    with transaction.atomic():
        steps = list(
            GoalStep.objects.select_for_update().filter(goal=goal).order_by("position", "id")
        )
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        for position, each in enumerate(steps):
            each.position = position
        GoalStep.objects.bulk_update(steps, ["position"])
        _touch(goal)


def delete_step(*, owner: User, step: GoalStep) -> None:
    goal = step.goal
    _check_owner(owner, goal)
    with transaction.atomic():
        step.delete()
        _touch(goal)


# --- Activities ------------------------------------------------------------------------------


def _activity_domain(owner: User, domain: LifeDomain | None, goal: Goal | None) -> LifeDomain:
    if goal is not None:
        _check_owner(owner, goal)
        if domain is not None and domain.pk != goal.domain_id:
            raise ValidationError(
                {"goal": _("This goal belongs to another life domain.")}, code="domain"
            )
        return goal.domain
    if domain is None:
        raise ValidationError(
            _("Choose the life domain or the goal this activity belongs to."), code="required"
        )
    _check_domain_usable(owner, domain)
    return domain


def log_activity(
    *,
    owner: User,
    description: str,
    done_on: date | None = None,
    domain: LifeDomain | None = None,
    goal: Goal | None = None,
) -> Activity:
    """Record something the owner did, under a goal (and so its domain) or just a domain."""
    activity = Activity(
        owner=owner,
        domain=_activity_domain(owner, domain, goal),
        goal=goal,
        description=description.strip(),
        done_on=done_on or timezone.localdate(),
    )
    with transaction.atomic():
        _save(activity)
    return activity


def update_activity(
    *,
    owner: User,
    activity: Activity,
    description: str,
    done_on: date,
    domain: LifeDomain | None,
    goal: Goal | None,
) -> Activity:
    _check_owner(owner, activity)
    activity.domain = _activity_domain(owner, domain, goal)
    activity.goal = goal
    activity.description = description.strip()
    activity.done_on = done_on
    with transaction.atomic():
        _save(activity, update_fields=["domain", "goal", "description", "done_on", "updated_at"])
    return activity


def delete_activity(*, owner: User, activity: Activity) -> None:
    _check_owner(owner, activity)
    activity.delete()


# --- Medications -----------------------------------------------------------------------------

MEDICATION_FIELDS = (
    "name",
    "dose",
    "schedule",
    "purpose",
    "effects",
    "notes",
    "started_on",
    "stopped_on",
)


def add_medication(
    *,
    owner: User,
    name: str,
    dose: str = "",
    schedule: str = "",
    purpose: str = "",
    effects: str = "",
    notes: str = "",
    started_on: date | None = None,
    stopped_on: date | None = None,
) -> Medication:
    """Add a medication; it is current until its stop date. A stop date before the start date
    is refused."""
    medication = Medication(owner=owner)
    _fill_medication(medication, name, dose, schedule, purpose, effects, notes)
    medication.started_on = started_on
    medication.stopped_on = stopped_on
    with transaction.atomic():
        _save(medication)
    return medication


def _fill_medication(
    medication: Medication,
    name: str,
    dose: str,
    schedule: str,
    purpose: str,
    effects: str,
    notes: str,
) -> None:
    medication.name = name.strip()
    medication.dose = dose.strip()
    medication.schedule = schedule.strip()
    medication.purpose = purpose.strip()
    medication.effects = effects.strip()
    medication.notes = notes.strip()


def update_medication(
    *,
    owner: User,
    medication: Medication,
    name: str,
    dose: str,
    schedule: str,
    purpose: str,
    effects: str,
    notes: str,
    started_on: date | None,
    stopped_on: date | None,
) -> Medication:
    _check_owner(owner, medication)
    _fill_medication(medication, name, dose, schedule, purpose, effects, notes)
    medication.started_on = started_on
    medication.stopped_on = stopped_on
    with transaction.atomic():
        _save(medication, update_fields=[*MEDICATION_FIELDS, "updated_at"])
    return medication


def stop_medication(
    *, owner: User, medication: Medication, stopped_on: date | None = None
) -> Medication:
    """Move a medication to "past" from ``stopped_on`` (today by default)."""
    _check_owner(owner, medication)
    medication.stopped_on = stopped_on or timezone.localdate()
    with transaction.atomic():
        _save(medication, update_fields=["stopped_on", "updated_at"])
    return medication


def delete_medication(*, owner: User, medication: Medication) -> None:
    _check_owner(owner, medication)
    medication.delete()


# --- Network ---------------------------------------------------------------------------------


def add_network_member(
    *,
    owner: User,
    name: str,
    relationship: str = "",
    contact: str = "",
    circle: str,
    quality: str,
) -> NetworkMember:
    member = NetworkMember(
        owner=owner,
        name=name.strip(),
        relationship=relationship.strip(),
        contact=contact.strip(),
        circle=circle,
        quality=quality,
    )
    with transaction.atomic():
        _save(member)
    return member


def update_network_member(
    *,
    owner: User,
    member: NetworkMember,
    name: str,
    relationship: str,
    contact: str,
    circle: str,
    quality: str,
) -> NetworkMember:
    _check_owner(owner, member)
    member.name = name.strip()
    member.relationship = relationship.strip()
    member.contact = contact.strip()
    member.circle = circle
    member.quality = quality
    with transaction.atomic():
        _save(
            member,
            update_fields=["name", "relationship", "contact", "circle", "quality", "updated_at"],
        )
    return member


def delete_network_member(*, owner: User, member: NetworkMember) -> None:
    _check_owner(owner, member)
    member.delete()


# --- Crisis plan -----------------------------------------------------------------------------


def save_crisis_plan(*, owner: User, sections: Mapping[str, str]) -> CrisisPlan:
    """Create or update the owner's crisis plan. Sections not in ``sections`` keep their text;
    unknown keys are refused."""
    known = {key for key, _title, _prompt in CRISIS_PLAN_SECTIONS}
    unknown = set(sections) - known
    if unknown:
        raise ValidationError(_("Unknown crisis plan section."), code="unknown_section")
    with transaction.atomic():
        plan, _created = CrisisPlan.objects.select_for_update().get_or_create(owner=owner)
        for key, text in sections.items():
            setattr(plan, key, text.strip())
        _save(plan)
    return plan


# --- Exercises -------------------------------------------------------------------------------


def log_practice(*, owner: User, exercise: str, helped: int, note: str = "") -> ExercisePractice:
    """Record that the owner did ``exercise`` and how much it helped (0-5)."""
    practice = ExercisePractice(owner=owner, exercise=exercise, helped=helped, note=note.strip())
    with transaction.atomic():
        _save(practice)
    return practice


def delete_practice(*, owner: User, practice: ExercisePractice) -> None:
    _check_owner(owner, practice)
    practice.delete()


# --- Journal ---------------------------------------------------------------------------------


def write_journal_entry(*, owner: User, title: str, body: str) -> JournalEntry:
    """Write a private entry: nobody else sees it until the owner shares it."""
    entry = JournalEntry(owner=owner, title=title.strip(), body=body.strip())
    with transaction.atomic():
        _save(entry)
    return entry


def edit_journal_entry(*, owner: User, entry: JournalEntry, title: str, body: str) -> JournalEntry:
    _check_owner(owner, entry)
    entry.title = title.strip()
    entry.body = body.strip()
    with transaction.atomic():
        _save(entry, update_fields=["title", "body", "updated_at"])
    return entry


def delete_journal_entry(*, owner: User, entry: JournalEntry) -> None:
    """Delete an entry, whom it was shared with, and the comments on it."""
    _check_owner(owner, entry)
    with transaction.atomic():
        _delete_comments(owner, Module.JOURNAL, [entry.pk])
        entry.delete()


def share_journal_entry(
    *, owner: User, entry: JournalEntry, relationship: CareRelationship
) -> JournalShare:
    """Share one entry with one provider of the owner's care team. Sharing twice is harmless.

    The provider reads it only while the relationship is active and they hold a journal grant.
    """
    _check_owner(owner, entry)
    if relationship.service_user_id != owner.pk or relationship.status != RelationshipStatus.ACTIVE:
        raise ValidationError(
            {"relationship": _("Choose someone from your care team.")}, code="relationship"
        )
    try:
        with transaction.atomic():
            share, _created = JournalShare.objects.get_or_create(
                entry=entry, relationship=relationship
            )
    except IntegrityError:  # a double submit raced us to it
        share = JournalShare.objects.get(entry=entry, relationship=relationship)
    return share


def unshare_journal_entry(
    *, owner: User, entry: JournalEntry, relationship: CareRelationship
) -> None:
    """Stop sharing an entry with one provider; they lose access at once."""
    _check_owner(owner, entry)
    JournalShare.objects.filter(entry=entry, relationship=relationship).delete()
