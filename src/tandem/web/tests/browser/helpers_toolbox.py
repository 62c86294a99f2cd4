"""What the toolbox browser tests share: the crisis plan's address, and a toolbox with something
on every page, shared with a provider (the accessibility and Norwegian tests fill it)."""

from __future__ import annotations

from django.utils import timezone

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import Level, Module
from tandem.care.tests.factories import AccessLogEntryFactory, AgreementFactory
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    CrisisPlanFactory,
    ExercisePracticeFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    JournalShareFactory,
    MedicationFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
    default_domain,
    share_with,
)

CRISIS_PLAN = "/toolbox/crisis-plan/"


def fill_toolbox(owner: User, provider: User) -> dict[str, int]:
    """Something on every toolbox page, shared with ``provider`` (comments allowed)."""
    relationship = share_with(provider, owner, *Module.values, level=Level.COMMENT)
    AgreementFactory.create(relationship=relationship)
    goal = GoalFactory.create(
        owner=owner, title="Sleep before midnight", target_date=timezone.localdate()
    )
    GoalStepFactory.create(goal=goal, text="No screens after ten", done=True)
    GoalStepFactory.create(goal=goal, text="Read a book in bed")
    GoalFactory.create(owner=owner, title="Phone my sister", domain=default_domain("relationships"))
    ActivityFactory.create(owner=owner, goal=goal, description="Went to bed at half eleven")
    for rating in (3, 5, 6):
        StatusRatingFactory.create(owner=owner, rating=rating)
    StatusRatingFactory.create(owner=owner, rating=4, domain=default_domain("money"))
    MedicationFactory.create(owner=owner, name="Sertraline")
    for name, circle, quality in (
        ("Mum", "inner", "supportive"),
        ("Choir on Tuesdays", "middle", "mixed"),
        ("A very long name for the GP surgery on the high street", "outer", "strained"),
    ):
        NetworkMemberFactory.create(owner=owner, name=name, circle=circle, quality=quality)
    CrisisPlanFactory.create(owner=owner)
    ExercisePracticeFactory.create(owner=owner, note="Calmer afterwards")
    entry = JournalEntryFactory.create(owner=owner, title="A better week", body="Slept **well**.")
    JournalShareFactory.create(entry=entry, relationship=relationship)
    care_services.add_comment(
        author=provider,
        owner=owner,
        module=Module.GOALS,
        item_id=goal.pk,
        body="Well done on the screens.",
    )
    AccessLogEntryFactory.create(owner=owner, viewer=provider, module=Module.CRISIS_PLAN)
    return {"goal": goal.pk, "entry": entry.pk, "relationship": relationship.pk}
