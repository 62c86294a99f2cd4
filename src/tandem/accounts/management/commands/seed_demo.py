"""Load the demo organisation and people. Safe to run again: it updates rather than duplicates.

Refuses to run in production: demo accounts share a published password and TOTP secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import CrisisContact, Membership, Organisation, Role, User

# A published, fixed secret so testers can compute codes (e.g. `oathtool --totp -b SECRET`).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo only, refused in prod


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    pseudonym: str
    roles: tuple[str, ...]
    profession: str = ""
    totp: bool = False


DEMO_PEOPLE = (
    DemoPerson("sam@demo.tandem", "Sam Demo", "Skylark", (Role.SERVICE_USER,)),
    DemoPerson("alex@demo.tandem", "Alex Demo", "Otter", (Role.SERVICE_USER,)),
    DemoPerson(
        "pat@demo.tandem",
        "Pat Demo",
        "Pat",
        (Role.PROVIDER,),
        profession="Community mental health nurse",
        totp=True,
    ),
    DemoPerson("mo@demo.tandem", "Mo Demo", "Mo", (Role.MODERATOR,), totp=True),
    DemoPerson(
        "fay@demo.tandem",
        "Fay Demo",
        "Fay",
        (Role.FACILITATOR,),
        profession="Peer support worker",
        totp=True,
    ),
    DemoPerson("rita@demo.tandem", "Rita Demo", "Rita", (Role.RESEARCHER,), totp=True),
    DemoPerson("ada@demo.tandem", "Ada Demo", "Ada", (Role.ORG_ADMIN,), totp=True),
)

DEMO_CRISIS_CONTACTS = (
    {
        "name": "Emergency services",
        "phone": "999",
        "description": "If you or someone else is in immediate danger.",
        "hours": "24 hours",
    },
    {
        "name": "Northside crisis team",
        "phone": "0300 555 0199",
        "description": "Our 24-hour mental health crisis line for people under our care.",
        "hours": "24 hours, every day",
    },
    {
        "name": "Samaritans",
        "phone": "116 123",
        "url": "https://www.samaritans.org/",
        "description": "Talk to someone about anything that is troubling you.",
        "hours": "24 hours, every day",
    },
    {
        "name": "Shout",
        "text_number": "85258",
        "description": "Text SHOUT if you would rather not talk on the phone.",
        "hours": "24 hours, every day",
    },
)


class Command(BaseCommand):
    help = "Create or refresh the demo organisation and its people (never in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_demo refuses to run with TANDEM_ENV=prod.")
        password = settings.TANDEM_DEMO_PASSWORD
        with transaction.atomic():
            organisation, _ = Organisation.objects.update_or_create(
                slug="northside",
                defaults={
                    "name": "Northside Community Mental Health",
                    "time_zone": "Europe/London",
                },
            )
            if not organisation.crisis_contacts.exists():
                for position, contact in enumerate(DEMO_CRISIS_CONTACTS):
                    CrisisContact.objects.create(
                        organisation=organisation, position=position, **contact
                    )
            admin: User | None = None
            people: list[tuple[DemoPerson, User]] = []
            for person in DEMO_PEOPLE:
                user, _ = User.objects.update_or_create(
                    email=person.email,
                    defaults={
                        "full_name": person.full_name,
                        "pseudonym": person.pseudonym,
                        "profession": person.profession,
                        "is_active": True,
                    },
                )
                user.set_password(password)
                user.save(update_fields=["password"])
                EmailAddress.objects.update_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
                for role in person.roles:
                    Membership.objects.get_or_create(
                        user=user, organisation=organisation, role=role
                    )
                if person.totp:
                    Authenticator.objects.filter(user=user).delete()
                    TOTP.activate(user, DEMO_TOTP_SECRET)
                    RecoveryCodes.activate(user)
                if Role.ORG_ADMIN in person.roles:
                    admin = user
                people.append((person, user))
            Membership.objects.filter(
                organisation=organisation, role=Role.PROVIDER, verified_at__isnull=True
            ).update(verified_at=timezone.now(), verified_by=admin)

        # Each module seeds its own part, in dependency order.
        call_command("seed_toolbox_demo", stdout=self.stdout)
        call_command("seed_forum_demo", stdout=self.stdout)
        call_command("seed_moderation_demo", stdout=self.stdout)
        call_command("seed_questionnaires_demo", stdout=self.stdout)
        call_command("seed_research_demo", stdout=self.stdout)
        call_command("seed_courses_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready: Northside Community Mental Health"))
        self.stdout.write(f"Password for every demo account: {password}")
        self.stdout.write(f"Staff TOTP secret (base32): {DEMO_TOTP_SECRET}")
        for person, _user in people:
            roles = ", ".join(str(Role(role).label) for role in person.roles)
            extra = "  [TOTP]" if person.totp else ""
            self.stdout.write(f"  {person.email:<20} {person.pseudonym:<8} {roles}{extra}")
