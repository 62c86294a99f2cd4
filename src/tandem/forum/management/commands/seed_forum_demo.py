"""Add the demo community to the demo organisation. Safe to run again.

Run after ``seed_demo`` (it needs the organisation "northside" and its people). Refuses to run
in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tandem.accounts.models import Organisation, User
from tandem.forum import services
from tandem.forum.models import Audience, Category, Community, Post, Topic

CODE_OF_CONDUCT = """\
1. Be kind. Everyone here is finding their own way.
2. Use your display name only. Never share your real name, address, school or workplace, or \
anyone else's.
3. Talk about your own experience. Do not give medical advice or describe ways of harming \
yourself.
4. If you are worried about your safety or someone else's, use "Need help now?" at the top of \
every page. This forum is not watched all the time and is not an emergency service.
5. Professionals here carry a badge and take part as peers. They are not your care team here.
6. Moderators may hide posts that break these rules.
"""

CATEGORIES = (
    ("Introductions", "Say hello and tell us a little about yourself (no real names)."),
    ("Coping day to day", "What helps, what doesn't, and the small wins."),
    ("Sleep and routines", "Nights, mornings and everything in between."),
)

WELCOME_TITLE = "Welcome to Young people's peer support"
WELCOME_BODY = """\
Hello and welcome!

This is a **closed** space for young people who use Northside's services, and for a few \
professionals who join as peers (you will see their *professional* badge).

- Everyone appears by their display name.
- You can save a post as a private **draft** and share it later, first with a small circle if \
you like.
- Instead of likes, you can say *I hear you*, *Me too* or *Thank you*.

Why not say hello in *Introductions*?
"""


class Command(BaseCommand):
    help = "Create or refresh the demo community for the organisation 'northside' (not in prod)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_forum_demo refuses to run with TANDEM_ENV=prod.")
        organisation = Organisation.objects.filter(slug="northside").first()
        if organisation is None:
            raise CommandError("Run seed_demo first: the organisation 'northside' is missing.")
        with transaction.atomic():
            community, _created = Community.objects.update_or_create(
                organisation=organisation,
                slug="young-people",
                defaults={
                    "name": "Young people's peer support",
                    "description": "Peer support for young people, with professionals as peers.",
                    "audience": Audience.MIXED,
                    "code_of_conduct": CODE_OF_CONDUCT,
                },
            )
            categories = []
            for position, (name, description) in enumerate(CATEGORIES):
                category, _created = Category.objects.update_or_create(
                    community=community,
                    name=name,
                    defaults={"description": description, "position": position},
                )
                categories.append(category)
            joined = []
            for email in (
                "fay@demo.tandem",
                "sam@demo.tandem",
                "alex@demo.tandem",
                "pat@demo.tandem",
                "mo@demo.tandem",
            ):
                user = User.objects.filter(email=email).first()
                if user is not None:
                    services.join_community(
                        user=user,
                        community=community,
                        accepted_version=community.code_of_conduct_version,
                    )
                    joined.append(user.pseudonym)
            author = User.objects.filter(email="fay@demo.tandem").first()
            exists = Topic.objects.filter(community=community, title=WELCOME_TITLE).exists()
            if author is not None and not exists:
                services.create_topic(
                    author=author,
                    community=community,
                    category=categories[0],
                    title=WELCOME_TITLE,
                    body=WELCOME_BODY,
                )
        posts = Post.objects.filter(topic__community=community).count()
        self.stdout.write(self.style.SUCCESS(f"Demo community ready: {community.name}"))
        self.stdout.write(f"  members: {', '.join(joined) or 'none'}; posts: {posts}")
