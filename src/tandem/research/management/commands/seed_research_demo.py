"""A believable, generated 6-month study for the demo, and an open study to answer.

The generated study ("synthetic") has 30 service users and 27 providers who are not people:
their consents have no account, and every page that shows the study says so. Its shape
follows the ReConnect study (docs/research.md): the forum is the most visited module, a few
people write most of the postings, about 3 in 10 providers never use the portal and many of
the rest use only messaging, and replies mostly come within a day or two with a long tail.
Seeded random numbers make the figures the same on every fresh ``make run``.

Safe to run again: an existing study is left as it is (``--refresh`` generates it again).
Refuses to run in production.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Organisation, Role
from tandem.core.usage import Action, Module
from tandem.research.models import UNANSWERED, Consent, ConsentStatus, ResearchEvent, Study

SERVICE_USERS = 30
PROVIDERS = 27
WEEKS = 26
# Synthetic participants get ids far above any real account's, so their pseudonyms are
# computed the same way as everyone's without meeting a real person's.
SYNTHETIC_ID_BASE = 10_000_000

SYNTHETIC_TITLE = "ReConnect replication (generated demo data)"
OPEN_TITLE = "How Northside uses Tandem"

# Relative weights of a service user's visits, forum first as in ReConnect.
SERVICE_USER_VISITS = {
    Module.FORUM: 30,
    Module.MESSAGING: 14,
    Module.GOALS: 12,
    Module.STATUS: 9,
    Module.JOURNAL: 7,
    Module.ACTIVITIES: 6,
    Module.EXERCISES: 6,
    Module.QUESTIONNAIRES: 5,
    Module.CRISIS_PLAN: 4,
    Module.MEDICATIONS: 3,
    Module.NETWORK: 3,
    Module.CARE_TEAM: 2,
}
POSTING_OF_MODULE = {
    Module.FORUM: Action.POST,
    Module.MESSAGING: Action.MESSAGE_SENT,
    Module.GOALS: Action.GOAL_CHANGED,
    Module.QUESTIONNAIRES: Action.CHECKIN_ANSWERED,
    Module.CARE_TEAM: Action.JOINT_SESSION,
}


class Generator:
    def __init__(self, study: Study, seed: int) -> None:
        self.study = study
        self.random = random.Random(seed)  # noqa: S311 - demo figures, not security
        # Messages left unanswered draw from their own stream, so every other figure of the
        # demo stays as it was before they were generated.
        self.waits = random.Random(seed + 1)  # noqa: S311 - demo figures, not security
        self.start = datetime.combine(
            study.start_date, time(0), tzinfo=timezone.get_current_timezone()
        )
        self.events: list[ResearchEvent] = []

    def when(self, week: int) -> datetime:
        moment = self.start + timedelta(
            days=week * 7 + self.random.randrange(7), hours=self.random.choice(range(7, 23))
        )
        return moment.replace(minute=0, second=0, microsecond=0)

    def add(
        self, pseudonym: str, role: str, module: str, action: str, week: int, **extra: Any
    ) -> None:
        self.events.append(
            ResearchEvent(
                study=self.study,
                pseudonym=pseudonym,
                role=role,
                module=module,
                action=action,
                hour=self.when(week),
                **extra,
            )
        )

    def unanswered(self, pseudonym: str, week: int) -> None:
        """Nobody answered in the agreed time ("waiting for the other")."""
        days, hours = self.waits.randrange(7), self.waits.randrange(7, 23)
        hour = self.start + timedelta(days=week * 7 + days, hours=hours)
        self.events.append(
            ResearchEvent(
                study=self.study,
                pseudonym=pseudonym,
                role=Role.SERVICE_USER,
                module=Module.MESSAGING,
                action=UNANSWERED,
                hour=hour,
            )
        )

    def service_user(self, pseudonym: str) -> None:
        # A heavy tail: most people use Tandem a little, a few a great deal.
        zeal = self.random.paretovariate(1.3)
        poster = self.random.random() < 0.35  # most people read the forum and never post
        modules = list(SERVICE_USER_VISITS)
        weights = list(SERVICE_USER_VISITS.values())
        for week in range(WEEKS):
            # Interest fades after the first weeks, as in every portal study.
            if self.random.random() > min(0.95, 0.25 + 0.6 * zeal / (1 + week / 8)):
                continue
            self.add(pseudonym, Role.SERVICE_USER, Module.PORTAL, Action.LOGIN, week)
            for module in self.random.choices(modules, weights, k=max(1, int(zeal * 3))):
                self.add(pseudonym, Role.SERVICE_USER, module, Action.VISIT, week)
                posting = POSTING_OF_MODULE.get(module)
                if posting == Action.POST and not poster:
                    if self.random.random() < 0.3:
                        self.add(pseudonym, Role.SERVICE_USER, module, Action.REACTION, week)
                    continue
                # Posters write in the forum often; elsewhere a visit leads to a change less.
                chance = 0.6 if posting == Action.POST else 0.3
                if posting is not None and self.random.random() < chance:
                    self.add(pseudonym, Role.SERVICE_USER, module, posting, week)
                    if posting == Action.MESSAGE_SENT and self.waits.random() < 0.12:
                        self.unanswered(pseudonym, week)
                if module == Module.MESSAGING and self.random.random() < 0.6:
                    self.add(pseudonym, Role.SERVICE_USER, module, Action.MESSAGE_READ, week)

    def provider(self, pseudonym: str, kind: str) -> None:
        if kind == "never":
            return
        for week in range(WEEKS):
            if self.random.random() > (0.25 if kind == "looker" else 0.6):
                continue
            self.add(pseudonym, Role.PROVIDER, Module.PORTAL, Action.LOGIN, week)
            self.add(pseudonym, Role.PROVIDER, Module.MESSAGING, Action.VISIT, week)
            if kind == "looker":
                continue
            for _reply in range(self.random.randrange(1, 4)):
                # Most replies within a day or two; a long tail of people left waiting.
                wait = max(1, round(self.random.lognormvariate(3.0, 0.9)))
                self.add(
                    pseudonym,
                    Role.PROVIDER,
                    Module.MESSAGING,
                    Action.MESSAGE_SENT,
                    week,
                    wait_hours=wait,
                    late=wait > 72,  # two working days and a weekend, roughly
                )
            if kind == "broad":
                for module in self.random.sample(
                    [Module.GOALS, Module.STATUS, Module.FORUM, Module.CARE_TEAM], 2
                ):
                    self.add(pseudonym, Role.PROVIDER, module, Action.VISIT, week)
                if self.random.random() < 0.3:
                    self.add(pseudonym, Role.PROVIDER, Module.CARE_TEAM, Action.JOINT_SESSION, week)
                if self.random.random() < 0.2:
                    self.add(pseudonym, Role.PROVIDER, Module.FORUM, Action.POST, week)


# ReConnect: 8 of 27 providers never interacted through the portal.
PROVIDER_KINDS = ["never"] * 8 + ["looker"] * 4 + ["messaging"] * 9 + ["broad"] * 6


class Command(BaseCommand):
    help = "Create the demo research studies: a generated 6-month one, and one open to answer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh", action="store_true", help="Generate the study again.")
        parser.add_argument("--seed", type=int, default=2015)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_research_demo refuses to run with TANDEM_ENV=prod.")
        organisation = Organisation.objects.filter(slug="northside").first()
        if organisation is None:
            raise CommandError("Run seed_demo first: the Northside organisation is missing.")
        today = timezone.localdate()
        with transaction.atomic():
            self._open_study(organisation, today)
            existing = Study.objects.filter(organisation=organisation, title=SYNTHETIC_TITLE)
            if existing.exists() and not options["refresh"]:
                self.stdout.write("Research demo: the generated study is there already.")
                return
            existing.delete()
            study = Study.objects.create(
                organisation=organisation,
                title=SYNTHETIC_TITLE,
                purpose="How service users and care providers use a recovery portal over six "
                "months, module by module.",
                ethics_reference="DEMO-2026-001",
                collected="Which part of Tandem was used, what kind of action, the role and the hour.",
                start_date=today - timedelta(weeks=WEEKS),
                end_date=today - timedelta(days=1),
                synthetic=True,
            )
            generator = Generator(study, options["seed"])
            consents = []
            for index in range(SERVICE_USERS + PROVIDERS):
                role = Role.SERVICE_USER if index < SERVICE_USERS else Role.PROVIDER
                pseudonym = study.pseudonym_for(SYNTHETIC_ID_BASE + index)
                consents.append(
                    Consent(
                        study=study,
                        role=role,
                        pseudonym=pseudonym,
                        status=ConsentStatus.CONSENTED,
                        consented_at=generator.start,
                    )
                )
                if role == Role.SERVICE_USER:
                    generator.service_user(pseudonym)
                else:
                    generator.provider(pseudonym, PROVIDER_KINDS[index - SERVICE_USERS])
            Consent.objects.bulk_create(consents)
            ResearchEvent.objects.bulk_create(generator.events, batch_size=2000)
        self.stdout.write(
            f"Research demo: {SERVICE_USERS} service users, {PROVIDERS} providers, "
            f"{len(generator.events)} generated events."
        )

    def _open_study(self, organisation: Organisation, today: Any) -> None:
        Study.objects.get_or_create(
            organisation=organisation,
            title=OPEN_TITLE,
            defaults={
                "purpose": "To learn which parts of Tandem help people most, so we can improve "
                "them. The results will be published as figures only.",
                "ethics_reference": "NCMH-REC 2026/14",
                "collected": "When you use Tandem, we note which part you used (for example "
                "goals or the forum), the kind of action, your role and the hour. Nothing you "
                "write is ever recorded.",
                "start_date": today - timedelta(days=7),
                "end_date": today + timedelta(days=180),
            },
        )
