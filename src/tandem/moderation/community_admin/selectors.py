"""Reads for the community administration pages: each a fixed number of queries whatever the
number of communities, categories or members (``tests/test_community_admin.py``)."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from tandem.accounts.models import Organisation
from tandem.forum.models import Category, Community


def communities_for_admin(organisation: Organisation) -> QuerySet[Community]:
    """Every community of ``organisation``, archived ones last, with how many members and
    categories each has (one query)."""
    return (
        Community.objects.filter(organisation=organisation)
        .annotate(
            member_count=Count("members", distinct=True),
            category_count=Count("categories", distinct=True),
        )
        .order_by(F("archived_at").asc(nulls_first=True), "name")
    )


def categories_for_admin(community: Community) -> QuerySet[Category]:
    """All the community's categories, archived and locked ones included, with their topic
    counts (one query)."""
    return (
        Category.objects.filter(community=community)
        .annotate(topic_count=Count("topics"))
        .order_by(F("archived_at").asc(nulls_first=True), "position", "pk")
    )
