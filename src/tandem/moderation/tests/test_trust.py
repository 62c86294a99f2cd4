"""Trust levels: earned from taking part, lost for a while after a sanction, set by hand with a
reason (audited), and what each level unlocks, asked in one place (``moderation.trust``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, TopicRead
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import posting, services, trust
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    CommunitySettings,
    CommunityVisit,
    ReportReason,
    ReviewItem,
    Risk,
    Sanction,
    SanctionKind,
    TrustOverride,
)
from tandem.moderation.tests.conftest import trusted
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _settle_in(person: User, writer: User, category: Category, *, days: int = 2) -> None:
    """Visit on ``days`` days and read five topics of ``writer``'s."""
    for n in range(trust.REQUIREMENTS[trust.TrustLevel.MEMBER].topics_entered):
        topic = make_topic(writer, category, title=f"Read {n}")
        TopicRead.objects.create(topic=topic, user=person, last_read_at=timezone.now())
    for day in range(days):
        CommunityVisit.objects.create(
            community=category.community, user=person, day=timezone.localdate() - timedelta(day)
        )


@pytest.fixture
def roomy(community: Community) -> Community:
    CommunitySettings.objects.filter(community=community).update(
        new_member_topics_per_day=100, new_member_replies_per_day=100, topics_per_hour=100
    )
    return community


def test_new_member_earns_member_level_and_a_sanction_takes_it_away(
    otter: User, skylark: User, category: Category, roomy: Community, mo: User
) -> None:
    topic = make_topic(otter, category, title="Mine")
    for n in range(3):
        reply(otter, topic, f"Reply {n}")
    assert posting.trust_for(otter, roomy).level == trust.TrustLevel.NEW
    _settle_in(otter, skylark, category)
    found = posting.trust_for(otter, roomy)
    assert found.level == trust.TrustLevel.MEMBER
    assert found.facts is not None and found.facts.posts_read == 5
    Sanction.objects.create(
        community=roomy, user=otter, kind=SanctionKind.WARN, reason="x", created_by=mo
    )
    assert posting.trust_for(otter, roomy).level == trust.TrustLevel.NEW


def test_each_capability_is_unlocked_at_one_level() -> None:
    assert trust.unlocked_by(trust.TrustLevel.NEW) == []
    member = trust.unlocked_by(trust.TrustLevel.MEMBER)
    assert trust.Capability.POST_LINKS in member
    assert trust.Capability.WEIGHTY_REPORTS not in member
    assert set(trust.unlocked_by(trust.TrustLevel.REGULAR)) == set(trust.Capability)
    assert trust.next_level(trust.TrustLevel.REGULAR) is None


def test_moderator_sets_a_level_with_a_reason_and_it_is_audited(
    otter: User, mo: User, community: Community
) -> None:
    with pytest.raises(ValidationError):
        services.set_trust_level(
            moderator=mo, community=community, subject=otter, level=2, reason=""
        )
    services.set_trust_level(
        moderator=mo, community=community, subject=otter, level=2, reason="a steady helper"
    )
    assert posting.trust_for(otter, community).level == trust.TrustLevel.REGULAR
    entry = AuditEntry.objects.get(action=AuditAction.TRUST)
    assert (entry.subject_id, entry.reason) == (otter.pk, "a steady helper")
    assert entry.detail == "set to Regular (was New member)"
    services.set_trust_level(
        moderator=mo, community=community, subject=otter, level=None, reason="earned now"
    )
    assert not TrustOverride.objects.exists()
    assert posting.trust_for(otter, community).level == trust.TrustLevel.NEW
    assert AuditEntry.objects.filter(action=AuditAction.TRUST).count() == 2


def test_only_moderators_set_levels(
    otter: User, skylark: User, ada: User, community: Community
) -> None:
    for person in (skylark, ada):
        with pytest.raises(PermissionDenied):
            services.set_trust_level(
                moderator=person, community=community, subject=otter, level=2, reason="x"
            )


def test_new_member_cannot_post_links_and_keeps_the_text(
    client: Client, otter: User, category: Category, community: Community
) -> None:
    login_client(client, otter)
    text = "Try https://example.org/help it helped me"
    response = client.post(
        f"/communities/{community.pk}/topics/create/",
        {"category": str(category.pk), "title": "Links", "body": text, "action": "publish"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "New members can post links once they have settled in" in page
    assert "https://example.org/help" in page  # still in the box
    trusted(otter, community)
    make_topic(otter, category, title="Links", body=text)


def test_circles_and_mentions_outside_circles_need_member_level(
    otter: User, skylark: User, member: Callable[..., User], category: Category, roomy: Community
) -> None:
    stranger = member(pseudonym="Heron")
    with pytest.raises(ValidationError):
        forum_services.create_circle(user=otter, community=roomy, name="Close")
    trusted(skylark, roomy)
    circle = forum_services.create_circle(user=skylark, community=roomy, name="Close")
    forum_services.add_to_circle(user=skylark, circle=circle, pseudonym=otter.pseudonym)
    make_topic(otter, category, title="Hello", body="Thanks @Skylark and @Heron")
    mentioned = set(
        Notification.objects.filter(kind="forum.mention").values_list("recipient", flat=True)
    )
    assert mentioned == {skylark.pk}  # the stranger shares no circle with a new member
    trusted(otter, roomy)
    make_topic(otter, category, title="Again", body="Hello @Heron")
    assert Notification.objects.filter(kind="forum.mention", recipient=stranger).exists()


def test_a_regulars_report_of_harm_weighs_more(
    otter: User, skylark: User, member: Callable[..., User], category: Category, roomy: Community
) -> None:
    first = make_topic(otter, category, title="One").posts.get()
    second = make_topic(otter, category, title="Two").posts.get()
    services.report_post(reporter=skylark, post=first, reason=ReportReason.HARMFUL)
    trusted(skylark, roomy, trust.TrustLevel.REGULAR)
    services.report_post(reporter=skylark, post=second, reason=ReportReason.HARMFUL)
    risks = dict(ReviewItem.objects.values_list("post_id", "risk"))
    assert (risks[first.pk], risks[second.pk]) == (Risk.MEDIUM, Risk.HIGH)


def test_my_trust_page_says_what_i_can_do_and_what_comes_next(
    client: Client, otter: User, community: Community
) -> None:
    login_client(client, otter)
    page = client.get("/moderation/about-me/trust/").content.decode()
    assert community.name in page
    assert 'data-trust-level="0"' in page
    assert "You can read, reply and start topics" in page
    assert "Post links" in page  # what comes next
    assert "Days you visited" in page
    assert "/moderation/about-me/trust/" in client.get("/account/").content.decode()


def test_moderator_sets_a_level_on_the_persons_page(
    client: Client, otter: User, mo: User, community: Community
) -> None:
    login_client(client, mo)
    path = f"/moderation/communities/{community.pk}/people/{otter.pk}/"
    assert "data-trust-form" in client.get(path).content.decode()
    response = client.post(f"{path}trust/", {"level": "1", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    response = client.post(f"{path}trust/", {"level": "1", "reason": "known to us"})
    assert response.status_code == 302
    assert TrustOverride.objects.get(user=otter).level == 1
    page = client.get(path).content.decode()
    assert "set by a moderator" in page
