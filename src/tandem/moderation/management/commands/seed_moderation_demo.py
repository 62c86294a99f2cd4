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
from tandem.moderation import services
from tandem.moderation.models import (
    CommunitySettings,
    EscalationContact,
    ItemState,
    ModeratorDuty,
    PreModeration,
    ReviewItem,
    WatchedWord,
    WatchedWordAction,
)

MODERATOR_EMAIL = "mo@demo.tandem"
# Pat, a verified community mental health nurse, is the demo's clinical escalation contact.
CLINICAL_CONTACT_EMAIL = "pat@demo.tandem"
WATCHED = (("pro-ana", WatchedWordAction.HOLD, ""),)


def _release_premoderated(community: Community, moderator: User) -> int:
    """Approve, as Mo, the demo posts held only by pre-moderation: the welcome topic is
    written by ``seed_forum_demo`` before pre-moderation is switched off here, and new members
    must not land in an empty community. Through the review service, so each is audited;
    a post the risk screen held stays held."""
    items = ReviewItem.objects.filter(
        community=community, state=ItemState.OPEN, is_held=True
    ).select_related("post", "post__topic")
    released = 0
    for item in items:
        rules = set(item.post.screening_decisions.values_list("rule", flat=True))
        if rules != {"premoderation"}:
            continue
        item.community = community
        services.approve_item(
            moderator=moderator,
            item=item,
            reason="Demo data: written before pre-moderation was switched off.",
        )
        released += 1
    return released


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
            released = _release_premoderated(community, mo)
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
            f"watched words: 1; posts released from pre-moderation: {released}"
        )
