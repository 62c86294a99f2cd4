"""Forum reads for the home pages: new replies in topics the person watches, and this week's
topics in their communities. Written here rather than in ``forum`` because only the home
pages need them; both go through the forum's own membership and visibility rules."""

from __future__ import annotations

from datetime import date

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from tandem.accounts.models import User
from tandem.forum.access import member_communities, visible_topics_q
from tandem.forum.models import Topic, TopicRead, Visibility, Watch

# A home page is a glance, not a list: beyond this, the person follows the link.
SHOWN = 5


def watched_topics_with_new_replies(user: User) -> list[Topic]:
    """Topics ``user`` watches and may still read, with posts since their last visit, most
    recent activity first (one query; ``SHOWN`` + 1 rows, so the page can say "more").

    A topic watched but never opened counts as new once it has a reply. The topic carries
    ``community`` (for its name) and ``last_read_at``.
    """
    reads = TopicRead.objects.filter(user=user, topic=OuterRef("pk")).values("last_read_at")[:1]
    watched = Watch.objects.filter(user=user, topic__isnull=False).values("topic_id")
    return list(
        Topic.objects.filter(
            visible_topics_q(user),
            pk__in=watched,
            community__in=member_communities(user).values("pk"),
            visibility=Visibility.COMMUNITY,
            is_held=False,
            last_posted_at__isnull=False,
        )
        .annotate(last_read_at=Subquery(reads))
        .filter(
            Q(last_read_at__isnull=True, reply_count__gt=0)
            | Q(last_posted_at__gt=F("last_read_at"))
        )
        .select_related("community")
        .order_by("-last_posted_at", "-pk")[: SHOWN + 1]
    )


def topics_of_the_week(user: User, today: date | None = None) -> list[Topic]:
    """This week's topics (featured today) in the communities ``user`` belongs to (one query)."""
    today = today or timezone.localdate()
    return list(
        Topic.objects.filter(
            community__in=member_communities(user).values("pk"),
            visibility=Visibility.COMMUNITY,
            is_held=False,
            featured_from__lte=today,
            featured_until__gte=today,
        )
        .select_related("community")
        .order_by("community__name", "-featured_from", "-pk")[:SHOWN]
    )
