"""Give Skylark a believable toolbox and a care relationship with Pat that shares some modules
and not others. Idempotent: a toolbox that already has content is left alone.

Refuses to run in production, like ``seed_demo`` which calls it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.care import services as care_services
from tandem.care.models import CareRelationship, Level, Module, RelationshipStatus
from tandem.toolbox import services
from tandem.toolbox.models import Circle, Goal, LifeDomain, Quality

# What Skylark shares with Pat: enough to work together, not everything (medications and the
# journal stay private, except one entry shared on purpose).
PAT_GRANTS = {
    Module.STATUS: Level.VIEW,
    Module.GOALS: Level.COMMENT,
    Module.CRISIS_PLAN: Level.VIEW,
    Module.EXERCISES: Level.VIEW,
    Module.JOURNAL: Level.VIEW,
    Module.MEDICATIONS: Level.NONE,
    Module.NETWORK: Level.NONE,
}


def _domain(key: str) -> LifeDomain:
    return LifeDomain.objects.get(key=key, organisation__isnull=True, owner__isnull=True)


class Command(BaseCommand):
    help = "Create Skylark's demo toolbox and care relationship with Pat (never in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_toolbox_demo refuses to run with TANDEM_ENV=prod.")
        sam = User.objects.get(email="sam@demo.tandem")
        pat = User.objects.get(email="pat@demo.tandem")
        organisation = Organisation.objects.get(slug="northside")
        with transaction.atomic():
            relationship = self._relationship(sam, pat, organisation)
            if not Goal.objects.filter(owner=sam).exists():
                self._toolbox(sam, relationship)
            care_services.set_grants(
                service_user=sam,
                levels={relationship.pk: {str(m): int(v) for m, v in PAT_GRANTS.items()}},
            )
        self.stdout.write(
            self.style.SUCCESS("Demo toolbox ready: Skylark shares some modules with Pat")
        )

    def _relationship(self, sam: User, pat: User, organisation: Organisation) -> CareRelationship:
        relationship = CareRelationship.objects.filter(
            service_user=sam, provider=pat, status=RelationshipStatus.ACTIVE
        ).first()
        if relationship is None:
            code = care_services.ensure_link_code(provider=pat).code
            relationship = care_services.link_provider_by_code(service_user=sam, code=code)
            proposal = care_services.propose_agreement_change(
                actor=sam,
                relationship=relationship,
                purpose=(
                    "Keeping track of my goals between appointments, and letting Pat see how "
                    "my week has been before we meet."
                ),
                reply_within_days=2,
                not_for="Emergencies. In a crisis I use my crisis plan or call the crisis line.",
                crisis_section=(
                    "If Pat does not answer, I follow my crisis plan and call the crisis line."
                ),
                review_every_weeks=12,
            )
            care_services.accept_agreement_change(actor=pat, version=proposal)
        return relationship

    def _toolbox(self, sam: User, relationship: CareRelationship) -> None:
        now = timezone.now()
        ratings = {
            "mental_health": [3, 4, 4, 5, 6],
            "relationships": [4, 4, 5, 5, 6],
            "physical_health": [5, 5, 4, 5, 5],
            "daily_living": [3, 4, 5, 5, 6],
            "work_study": [2, 2, 3, 3, 4],
        }
        for key, values in ratings.items():
            for weeks_ago, rating in zip(range(len(values) * 2, 0, -2), values, strict=True):
                services.record_status(
                    owner=sam,
                    domain=_domain(key),
                    rating=rating,
                    note="",
                    recorded_at=now - timedelta(weeks=weeks_ago),
                )
        services.record_status(
            owner=sam,
            domain=_domain("mental_health"),
            rating=6,
            note="Sleeping better since I started the wind-down routine.",
        )
        walk = services.create_goal(
            owner=sam,
            domain=_domain("physical_health"),
            title="Walk to the park three times a week",
            why="Being outside clears my head and I sleep better after.",
            target_date=timezone.localdate() + timedelta(weeks=6),
            steps=[
                "Find a route I like",
                "Walk once this week",
                "Walk twice a week",
                "Walk three times a week",
            ],
        )
        for step in list(walk.steps.order_by("position"))[:2]:
            services.set_step_done(owner=sam, step=step, done=True)
        services.create_goal(
            owner=sam,
            domain=_domain("work_study"),
            title="Look into a part-time college course",
            why="I want something of my own to work towards.",
            steps=["Ask the library about courses", "Visit the open day"],
        )
        services.create_goal(
            owner=sam,
            domain=_domain("relationships"),
            title="Call my sister every Sunday",
            why="We used to be close and I miss her.",
            manual_progress=60,
        )
        services.log_activity(
            owner=sam,
            description="Walked to the park with Jo",
            goal=walk,
            done_on=timezone.localdate() - timedelta(days=2),
        )
        services.log_activity(
            owner=sam,
            description="Cooked a proper dinner",
            domain=_domain("daily_living"),
            done_on=timezone.localdate() - timedelta(days=1),
        )
        services.add_medication(
            owner=sam,
            name="Sertraline",
            dose="100 mg",
            schedule="Every morning",
            purpose="Low mood and anxiety",
            effects="A bit queasy the first weeks; steadier now.",
            started_on=timezone.localdate() - timedelta(days=200),
        )
        services.add_medication(
            owner=sam,
            name="Zopiclone",
            dose="3.75 mg",
            schedule="At night when needed",
            purpose="Sleep",
            started_on=timezone.localdate() - timedelta(days=300),
            stopped_on=timezone.localdate() - timedelta(days=120),
        )
        for name, rel, circle, quality in [
            ("Jo", "Best friend", Circle.INNER, Quality.SUPPORTIVE),
            ("Mum", "Family", Circle.INNER, Quality.MIXED),
            ("Pat", "Community mental health nurse", Circle.MIDDLE, Quality.SUPPORTIVE),
            ("Running group", "Tuesday evenings", Circle.OUTER, Quality.SUPPORTIVE),
            ("Landlord", "Housing", Circle.OUTER, Quality.STRAINED),
        ]:
            services.add_network_member(
                owner=sam, name=name, relationship=rel, circle=circle, quality=quality
            )
        services.save_crisis_plan(
            owner=sam,
            sections={
                "warning_signs": "Not sleeping for two nights. Cancelling plans. Thinking everyone would be better off without me.",
                "coping_alone": "Box breathing. A hot shower. Music with headphones. Walk round the block.",
                "distraction": "Jo's flat. The park cafe. The library.",
                "help_people": "Jo: 07700 900123. My sister: 07700 900456.",
                "professionals": "Pat (weekdays): 0300 555 0123. Northside crisis team (24 hours): 0300 555 0199. Samaritans: 116 123.",
                "safer_environment": "Jo keeps my spare tablets. I leave the car keys with Mum on bad days.",
                "reasons_for_living": "My sister's kids. Finishing the course. The dog next door who waits for me.",
            },
        )
        services.log_practice(
            owner=sam, exercise="box-breathing", helped=4, note="Before the appointment."
        )
        services.log_practice(owner=sam, exercise="wind-down-routine", helped=3)
        services.write_journal_entry(
            owner=sam,
            title="A hard Monday",
            body="Didn't want to get up. Made myself walk to the shop and it helped a little.",
        )
        shared = services.write_journal_entry(
            owner=sam,
            title="Things I want to talk about with Pat",
            body="- How to keep going with the walks when it rains\n- Whether the course is too much right now",
        )
        services.share_journal_entry(owner=sam, entry=shared, relationship=relationship)
