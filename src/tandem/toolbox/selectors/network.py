"""The network map and its list."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, QuerySet

from tandem.accounts.models import User
from tandem.toolbox.charts import NetworkMap, network_map
from tandem.toolbox.models import NetworkMember
from tandem.toolbox.selectors.common import latest_per

MAP_MEMBERS_PER_CIRCLE = 16


def network_for_owner(owner: User) -> QuerySet[NetworkMember]:
    return NetworkMember.objects.filter(owner=owner).order_by("circle", "created_at", "id")


def network_map_for_owner(owner: User) -> NetworkMap:
    """The map: up to MAP_MEMBERS_PER_CIRCLE people per ring, and how many more (two queries)."""
    totals = dict(
        NetworkMember.objects.filter(owner=owner)
        .values_list("circle")
        .annotate(n=Count("id"))
        .order_by()
    )
    members: dict[str, list[NetworkMember]] = defaultdict(list)
    for member in latest_per(
        NetworkMember.objects.filter(owner=owner),
        "circle",
        ["created_at", "id"],
        MAP_MEMBERS_PER_CIRCLE,
    ).order_by("circle", "created_at", "id"):
        members[member.circle].append(member)
    return network_map(members, totals)
