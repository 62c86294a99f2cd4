"""The moderator's home: the queue by urgency, whether they are on duty, and how quickly held
posts get a first look. Counts only: the posts themselves are read on the queue pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from tandem.accounts.models import Organisation, User
from tandem.forum.models import Community
from tandem.moderation.access import moderated_communities
from tandem.moderation.models import ItemState, ModeratorDuty, ReviewItem, Risk
from tandem.moderation.selectors import ReviewTimes, review_times

# Time to first review is shown for the last week: long enough to mean something, short
# enough to reflect how the rota works now.
REVIEW_TIMES_DAYS = 7


@dataclass
class QueueLine:
    """One community's waiting items, by urgency."""

    community: Community
    urgent: int = 0  # high risk: possibly someone's safety
    medium: int = 0
    routine: int = 0  # low and routine
    oldest: datetime | None = None

    @property
    def waiting(self) -> int:
        return self.urgent + self.medium + self.routine


@dataclass(frozen=True)
class DutyLine:
    organisation: Organisation
    on_duty: bool


@dataclass(frozen=True)
class ModeratorHome:
    queue: list[QueueLine]
    duty: list[DutyLine]
    times: ReviewTimes
    urgent: int = 0
    waiting: int = 0
    communities: int = 0


def _urgency(line: QueueLine) -> tuple[int, int, float]:
    oldest = line.oldest.timestamp() if line.oldest else float("inf")
    return (-line.urgent, -line.medium, oldest)


def moderator_home(user: User) -> ModeratorHome:
    """The queue of every community ``user`` moderates, most urgent first, their duty in each
    organisation and the week's time to first review (four queries)."""
    communities = list(
        moderated_communities(user).select_related("organisation").order_by("name", "pk")
    )
    by_id = {c.pk: QueueLine(community=c) for c in communities}
    rows = (
        ReviewItem.objects.filter(community_id__in=list(by_id), state=ItemState.OPEN)
        .values("community_id", "risk")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    )
    for row in rows:
        line = by_id[row["community_id"]]
        if row["risk"] >= Risk.HIGH:
            line.urgent += row["n"]
        elif row["risk"] == Risk.MEDIUM:
            line.medium += row["n"]
        else:
            line.routine += row["n"]
        if line.oldest is None or row["oldest"] < line.oldest:
            line.oldest = row["oldest"]
    organisations = {c.organisation_id: c.organisation for c in communities}
    on_duty = set(
        ModeratorDuty.objects.filter(
            user=user, organisation_id__in=list(organisations), on_duty=True
        ).values_list("organisation_id", flat=True)
    )
    queue = sorted((line for line in by_id.values() if line.waiting), key=_urgency)
    return ModeratorHome(
        queue=queue,
        duty=[
            DutyLine(organisation=o, on_duty=o.pk in on_duty)
            for o in sorted(organisations.values(), key=lambda o: o.name)
        ],
        times=review_times(list(by_id), REVIEW_TIMES_DAYS),
        urgent=sum(line.urgent for line in queue),
        waiting=sum(line.waiting for line in queue),
        communities=len(communities),
    )
