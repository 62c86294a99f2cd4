"""Put Mo on duty for the demo community's organisation, Pat on its clinical escalation rota,
and give the community its moderation settings. Safe to run again.

Run after ``seed_demo`` and ``seed_forum_demo`` (it needs the organisation "northside", its
community "young-people" and Mo). Refuses to run in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum.models import Community
from tandem.moderation.models import (
    CommunitySettings,
    EscalationContact,
    ModeratorDuty,
    PreModeration,
    WatchedWord,
    WatchedWordAction,
)

MODERATOR_EMAIL = "mo@demo.tandem"
# Pat, a verified community mental health nurse, is the demo's clinical escalation contact.
CLINICAL_CONTACT_EMAIL = "pat@demo.tandem"
WATCHED = (("pro-ana", WatchedWordAction.HOLD, ""),)


class Command(BaseCommand):
    help = (
        "Put Mo on duty for the demo community (after seed_demo and seed_forum_demo; not in prod)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_moderation_demo refuses to run with TANDEM_ENV=prod.")
        organisation = Organisation.objects.filter(slug="northside").first()
        community = Community.objects.filter(organisation=organisation, slug="young-people").first()
        if organisation is None or community is None:
            raise CommandError("Run seed_demo and seed_forum_demo first.")
        mo = User.objects.filter(email=MODERATOR_EMAIL).first()
        if (
            mo is None
            or not Membership.objects.filter(
                user=mo, organisation=organisation, role=Role.MODERATOR
            ).exists()
        ):
            raise CommandError("Run seed_demo first: Mo (moderator) is missing.")
        with transaction.atomic():
            ModeratorDuty.objects.update_or_create(
                user=mo,
                organisation=organisation,
                defaults={"on_duty": True, "changed_at": timezone.now()},
            )
            # The demo shows the risk screen; pre-moderation of new members would hold every
            # demo person's first posts too, which hides the rest of the forum in a short demo.
            CommunitySettings.objects.update_or_create(
                community=community, defaults={"premoderation": PreModeration.NONE}
            )
            pat = User.objects.filter(email=CLINICAL_CONTACT_EMAIL).first()
            if pat is not None:
                EscalationContact.objects.get_or_create(
                    organisation=organisation,
                    user=pat,
                    defaults={"position": 0, "note": "Crisis team on call"},
                )
            for word, action, replacement in WATCHED:
                WatchedWord.objects.get_or_create(
                    community=community,
                    word=word,
                    defaults={"action": action, "replacement": replacement, "created_by": mo},
                )
        self.stdout.write(self.style.SUCCESS(f"Moderation demo ready: {community.name}"))
        self.stdout.write(
            f"  on duty: {mo.pseudonym}; clinical escalation rota: Pat; pre-moderation: none; "
            "watched words: 1"
        )
