"""Give Skylark about six months of PHQ-9, GAD-7 and WHO-5 check-ins (two with her notes, one
shared with her care team), a fortnightly schedule,
her goals' history on the same months (so her trends show scores beside goals), and share the
check-ins with Pat (view). Idempotent: history already there is left alone.

Refuses to run in production, like ``seed_demo`` which calls it (after the toolbox seed, which
makes the care relationship with Pat).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import CareRelationship, Level, Module, RelationshipStatus
from tandem.questionnaires import authoring, services
from tandem.questionnaires.authoring import Definition
from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.questionnaires.models import CustomInstrument, Response, Scope, Unit
from tandem.toolbox.models import Goal, GoalStatus, GoalStatusChange

CHECK_INS = 13  # fortnightly for six months
# A slow recovery: symptoms ease and wellbeing rises, with one bad patch in the middle. Each
# row gives every item of that check-in the same answer.
PHQ9 = (2, 2, 2, 2, 2, 1, 2, 2, 1, 1, 1, 1, 0)
GAD7 = (2, 2, 2, 1, 2, 2, 1, 1, 1, 1, 1, 0, 0)
WHO5 = (1, 1, 2, 2, 2, 1, 2, 2, 3, 3, 3, 3, 4)
SLEEP = Definition(
    title="Sleep this week",
    stem="Thinking about the last seven nights:",
    items=(
        "I fell asleep without lying awake for long",
        "I woke up feeling rested",
        "I slept through the night",
        "I kept to my wind-down routine",
    ),
    options=((0, "Never"), (1, "Some nights"), (2, "Most nights"), (3, "Every night")),
    bands=((0, 4, "Poor sleep"), (5, 8, "Some good nights"), (9, 12, "Sleeping well")),
    higher_is_better=True,
)
# When the toolbox seed's goals started (weeks ago), and the sister goal's pause in the bad patch.
GOAL_STARTS = {
    "Walk to the park three times a week": 20,
    "Look into a part-time college course": 12,
    "Call my sister every Sunday": 16,
}
PAUSED = ("Call my sister every Sunday", 13, 9)  # paused, then active again (weeks ago)
# Her own notes on two PHQ-9 points: one she shares with her care team, one she keeps.
NOTES = {6: ("A hard fortnight: my sister was in hospital.", True), 3: ("Slept badly.", False)}


class Command(BaseCommand):
    help = "Create Skylark's demo questionnaire history and schedule (never in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_questionnaires_demo refuses to run with TANDEM_ENV=prod.")
        sam = User.objects.get(email="sam@demo.tandem")
        with transaction.atomic():
            if not Response.objects.filter(owner=sam).exists():
                self._history(sam)
                self._goal_history(sam)
            today = timezone.localdate()
            services.set_schedule(
                owner=sam,
                instrument=INSTRUMENTS["phq9"],
                every=2,
                unit=Unit.WEEKS,
                starts_on=today - timedelta(weeks=2 * (CHECK_INS - 1)),
            )
            relationship = CareRelationship.objects.filter(
                service_user=sam,
                provider__email="pat@demo.tandem",
                status=RelationshipStatus.ACTIVE,
            ).first()
            if relationship is not None:
                care_services.set_grants(
                    service_user=sam,
                    levels={relationship.pk: {str(Module.QUESTIONNAIRES): int(Level.VIEW)}},
                )
            self._custom_instrument()
        self.stdout.write(self.style.SUCCESS("Demo questionnaires ready: Skylark shares with Pat"))

    def _custom_instrument(self) -> None:
        """Ada's organisation-wide questionnaire, made as an admin would in the portal."""
        ada = User.objects.filter(email="ada@demo.tandem").first()
        if ada is None or CustomInstrument.objects.filter(author=ada).exists():
            return
        right = next(
            (r for r in authoring.authoring_rights(ada) if r.scope == Scope.ORGANISATION), None
        )
        if right is not None:
            authoring.create_instrument(author=ada, right=right, definition=SLEEP)

    def _history(self, sam: User) -> None:
        now = timezone.now()
        for index in range(CHECK_INS):
            when = now - timedelta(weeks=2 * (CHECK_INS - 1 - index), hours=1)
            for key, values in (("phq9", PHQ9), ("gad7", GAD7), ("who5", WHO5)):
                instrument = INSTRUMENTS[key]
                answers = {item.key: values[index] for item in instrument.scored_items}
                if key == "phq9":
                    answers["9"] = 0  # the demo history has no safety follow-ups
                response = services.submit_response(
                    owner=sam,
                    instrument=instrument,
                    answers=answers,
                    client_key=f"demo-{key}-{index}",
                )
                # A demo history is back-dated; real responses are stamped when sent.
                Response.objects.filter(pk=response.pk).update(submitted_at=when)
                if key == "phq9" and index in NOTES:
                    text, shared = NOTES[index]
                    services.set_note(response=response, text=text, shared=shared)

    def _goal_history(self, sam: User) -> None:
        """Back-date the goals' history (real changes are stamped when made)."""
        now = timezone.now()
        for goal in Goal.objects.filter(owner=sam):
            weeks = GOAL_STARTS.get(goal.title)
            if weeks is None:
                continue
            GoalStatusChange.objects.filter(goal=goal).update(
                changed_at=now - timedelta(weeks=weeks)
            )
            if goal.title == PAUSED[0]:
                for status, weeks_ago in (
                    (GoalStatus.PAUSED, PAUSED[1]),
                    (GoalStatus.ACTIVE, PAUSED[2]),
                ):
                    GoalStatusChange.objects.create(
                        goal=goal, status=status, changed_at=now - timedelta(weeks=weeks_ago)
                    )
