"""Each rule written once as SQL (``forum.rules``, ``moderation.rules``) agrees with its ORM
oracle on a matrix of cases. The oracles live only here: they say the rule the way the ORM
would, slowly and plainly, so that the fast SQL can be checked against them.

- membership and the person's role facts (``forum.rules.membership_*``, the gates, the
  notification scope ids, ``member_communities``);
- topic visibility (``forum.rules.topic_readable``: the topic gate and ``visible_topics_q``);
- a sanction in force (``moderation.rules.sanctions_in_force``: the suspension that shuts a
  community, the mute or suspension that stops posting, the ones a person's record lists as in
  force).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.forum import access, services
from tandem.forum.models import (
    Category,
    CircleMember,
    Community,
    CommunityMember,
    Topic,
    Visibility,
)
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CommunityFactory
from tandem.moderation.models import Sanction, SanctionKind
from tandem.moderation.posting import take_snapshot
from tandem.moderation.selectors import person_record

pytestmark = pytest.mark.django_db

FACTS = ("accepted_version", "is_moderator", "is_facilitator", "is_verified_provider")


# --- The oracles ---------------------------------------------------------------------------


def _in_force_q(now: object) -> Q:
    """A sanction in force: not lifted, and open-ended or ending later."""
    return Q(lifted_at__isnull=True) & (Q(until__isnull=True) | Q(until__gt=now))


def _sanction_in_force_oracle(user: User, community: Community) -> Sanction | None:
    return (
        Sanction.objects.filter(
            _in_force_q(timezone.now()),
            community=community,
            user=user,
            kind__in=[SanctionKind.MUTE, SanctionKind.SUSPEND],
        )
        .order_by("-kind", "-created_at")
        .first()
    )


def _membership_oracle(user: User) -> QuerySet[Community]:
    if not user.is_active:
        return Community.objects.none()
    roles = Membership.objects.filter(user=user, organisation=OuterRef("organisation"))
    member = CommunityMember.objects.filter(user=user, community=OuterRef("pk"))
    suspended = Sanction.objects.filter(
        _in_force_q(timezone.now()), community=OuterRef("pk"), user=user, kind=SanctionKind.SUSPEND
    )
    return Community.objects.filter(Exists(member), Exists(roles), ~Exists(suspended)).annotate(
        accepted_version=Subquery(member.values("accepted_conduct_version")[:1]),
        is_moderator=Exists(roles.filter(role=Role.MODERATOR)),
        is_facilitator=Exists(roles.filter(role=Role.FACILITATOR)),
        is_verified_provider=Exists(roles.filter(role=Role.PROVIDER, verified_at__isnull=False)),
    )


def _visible_topics_oracle(user: User) -> Q:
    in_circle = CircleMember.objects.filter(circle=OuterRef("circle"), user=user)
    shown = (
        Q(visibility=Visibility.COMMUNITY)
        | (Q(visibility=Visibility.CIRCLE) & Exists(in_circle))
        | Q(visibility=Visibility.DRAFT, author=user)
    )
    return shown & (Q(is_held=False) | Q(author=user))


# --- Membership and role facts --------------------------------------------------------------


def _by_sql(user: User) -> dict[int, tuple[object, ...]]:
    found = {}
    for community_id in access.member_community_ids(user):
        member = access.get_community_access(user, community_id, require_conduct=False)
        found[community_id] = tuple(getattr(member, fact) for fact in FACTS)
    return found


def _by_oracle(user: User) -> dict[int, tuple[object, ...]]:
    return {
        community.pk: tuple(getattr(community, fact) for fact in FACTS)
        for community in _membership_oracle(user)
    }


def _suspend(user: User, community: Community, **fields: object) -> Sanction:
    return Sanction.objects.create(
        community=community, user=user, kind=SanctionKind.SUSPEND, reason="Test", **fields
    )


MEMBERSHIP_CASES = [
    "member",
    "not_joined",
    "role_removed",
    "suspended",
    "suspended_until_later",
    "suspension_over",
    "suspension_lifted",
    "muted_only",
    "warned_only",
    "inactive",
    "moderator",
    "facilitator",
    "verified_provider",
    "unverified_provider",
    "old_code_of_conduct",
]


@pytest.mark.parametrize("case", MEMBERSHIP_CASES)
def test_membership_rule_agrees_with_the_orm_oracle(
    case: str, member: Callable[..., User], community: Community
) -> None:
    role = {
        "moderator": Role.MODERATOR,
        "facilitator": Role.FACILITATOR,
        "verified_provider": Role.PROVIDER,
        "unverified_provider": Role.PROVIDER,
    }.get(case, Role.SERVICE_USER)
    person = member(role)
    other = CommunityFactory.create(organisation=community.organisation, name="Second")
    join(person, other)
    now = timezone.now()
    if case == "not_joined":
        person.community_memberships.all().delete()
    elif case == "role_removed":
        Membership.objects.filter(user=person).delete()
    elif case == "suspended":
        _suspend(person, community)
    elif case == "suspended_until_later":
        _suspend(person, community, until=now + timedelta(days=1))
    elif case == "suspension_over":
        _suspend(person, community, until=now - timedelta(minutes=1))
    elif case == "suspension_lifted":
        _suspend(person, community, lifted_at=now)
    elif case in {"muted_only", "warned_only"}:
        kind = SanctionKind.MUTE if case == "muted_only" else SanctionKind.WARN
        Sanction.objects.create(community=community, user=person, kind=kind, reason="Test")
    elif case == "inactive":
        person.is_active = False
        person.save(update_fields=["is_active"])
    elif case == "verified_provider":
        Membership.objects.filter(user=person).update(verified_at=now)
    elif case == "old_code_of_conduct":
        Community.objects.filter(pk=community.pk).update(code_of_conduct_version=2)
    oracle = _by_oracle(person)
    assert _by_sql(person) == oracle
    # The same rule as a subquery inside ORM reads (search, drafts).
    assert set(access.member_communities(person).values_list("pk", flat=True)) == set(oracle)
    expected_member = case not in {
        "not_joined",
        "role_removed",
        "suspended",
        "suspended_until_later",
        "inactive",
    }
    assert (community.pk in oracle) is expected_member
    readable = access.member_community_ids(person, accepted_conduct=True)
    assert (community.pk in readable) is (expected_member and case != "old_code_of_conduct")


# --- Topic visibility -----------------------------------------------------------------------


TOPIC_CASES = [
    "community",
    "circle_in",
    "circle_out",
    "own_draft",
    "others_draft",
    "own_held",
    "others_held",
]


@pytest.mark.parametrize("case", TOPIC_CASES)
def test_topic_visibility_rule_agrees_with_the_orm_oracle(
    case: str, member: Callable[..., User], category: Category
) -> None:
    reader, author = member(), member()
    writer = reader if case in {"own_draft", "own_held"} else author
    topic = make_topic(writer, category, title=case)
    if case in {"circle_in", "circle_out"}:
        circle = services.create_circle(user=author, community=category.community, name="Ours")
        if case == "circle_in":
            CircleMember.objects.create(circle=circle, user=reader)
        Topic.objects.filter(pk=topic.pk).update(visibility=Visibility.CIRCLE, circle=circle)
    elif case in {"own_draft", "others_draft"}:
        Topic.objects.filter(pk=topic.pk).update(visibility=Visibility.DRAFT)
    elif case in {"own_held", "others_held"}:
        Topic.objects.filter(pk=topic.pk).update(is_held=True)
    oracle = Topic.objects.filter(_visible_topics_oracle(reader), pk=topic.pk).exists()
    assert Topic.objects.filter(access.visible_topics_q(reader), pk=topic.pk).exists() is oracle
    try:
        access.get_topic_access(reader, topic.pk)
        by_gate = True
    except Http404:
        by_gate = False
    assert by_gate is oracle
    assert oracle is (case in {"community", "circle_in", "own_draft", "own_held"})


# --- A sanction in force --------------------------------------------------------------------


SANCTION_CASES = [
    (kind, until, lifted)
    for kind in (SanctionKind.WARN, SanctionKind.MUTE, SanctionKind.SUSPEND)
    for until in ("none", "later", "over")
    for lifted in (False, True)
]


@pytest.mark.parametrize(("kind", "until", "lifted"), SANCTION_CASES)
def test_sanction_in_force_agrees_with_the_orm_oracle(
    kind: SanctionKind, until: str, lifted: bool, member: Callable[..., User], community: Community
) -> None:
    person = member()
    now = timezone.now()
    Sanction.objects.create(
        community=community,
        user=person,
        kind=kind,
        reason="Test",
        until={"none": None, "later": now + timedelta(hours=1), "over": now - timedelta(hours=1)}[
            until
        ],
        lifted_at=now if lifted else None,
    )
    oracle = _sanction_in_force_oracle(person, community)
    # Posting: the snapshot's sanction is the oracle's.
    snapshot = take_snapshot(author=person, community=community)
    assert snapshot.sanction_id == (oracle.pk if oracle else None)
    # Membership: only a suspension in force shuts the community.
    suspended = oracle is not None and oracle.kind == SanctionKind.SUSPEND
    assert (community.pk in access.member_community_ids(person)) is not suspended
    # A person's record for the moderators: the sanction is listed as in force (with a "Lift"
    # button) exactly when the oracle finds it.
    record = person_record(community, person)
    assert [s.pk for s in record.active] == ([oracle.pk] if oracle else [])
    in_force = kind != SanctionKind.WARN and until != "over" and not lifted
    assert (oracle is not None) is in_force


def test_the_latest_suspension_wins_over_a_mute_as_the_oracle_orders_them(
    member: Callable[..., User], community: Community
) -> None:
    person = member()
    for kind in (SanctionKind.MUTE, SanctionKind.SUSPEND, SanctionKind.MUTE):
        Sanction.objects.create(community=community, user=person, kind=kind, reason="Test")
    oracle = _sanction_in_force_oracle(person, community)
    assert oracle is not None
    assert take_snapshot(author=person, community=community).sanction_id == oracle.pk
