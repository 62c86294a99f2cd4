"""Reports, reaching out, notes, duty and the dashboard's figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.forum.models import Category, Community, Post
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import limits, selectors, services
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    CommunitySettings,
    ModeratorNote,
    Report,
    ReportReason,
    ReviewItem,
    Risk,
    ScreeningDecision,
)
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(otter: User, skylark: User, category: Category) -> Post:
    topic = make_topic(otter, category, title="Loud", body="Everyone here is useless.")
    post = Post.objects.select_related("topic__community").get(topic=topic)
    return post


def test_reports_of_one_post_merge_into_one_item(
    post: Post, skylark: User, member: Callable[..., User]
) -> None:
    first = services.report_post(reporter=skylark, post=post, reason=ReportReason.HARASSMENT)
    second = services.report_post(reporter=member(), post=post, reason=ReportReason.SPAM)
    again = services.report_post(
        reporter=skylark, post=post, reason=ReportReason.HARMFUL, text="It hurt"
    )
    assert not first.updated and not second.updated and again.updated
    item = ReviewItem.objects.get()
    assert item.reports.count() == 2
    assert item.risk == Risk.MEDIUM
    assert not item.is_held
    assert Report.objects.get(reporter=skylark).text == "It hurt"


def test_a_safety_report_is_urgent_and_tells_the_moderators(
    post: Post, skylark: User, mo: User
) -> None:
    services.report_post(reporter=skylark, post=post, reason=ReportReason.SAFETY)
    assert ReviewItem.objects.get().risk == Risk.HIGH
    assert Notification.objects.filter(recipient=mo, kind="moderation.safety_report").exists()


def test_own_posts_and_empty_other_reasons_cannot_be_reported(
    post: Post, otter: User, skylark: User
) -> None:
    with pytest.raises(ValidationError):
        services.report_post(reporter=otter, post=post, reason=ReportReason.SPAM)
    with pytest.raises(ValidationError):
        services.report_post(reporter=skylark, post=post, reason=ReportReason.OTHER, text=" ")


def test_reports_are_rate_limited(
    otter: User, skylark: User, category: Category, community: Community
) -> None:
    CommunitySettings.objects.filter(community=community).update(new_member_replies_per_day=100)
    topic = make_topic(otter, category)
    posts = [reply(otter, topic, f"post {n}") for n in range(limits.REPORTS_PER_HOUR + 1)]
    for post in posts[:-1]:
        post.topic.community = category.community
        services.report_post(reporter=skylark, post=post, reason=ReportReason.SPAM)
    with pytest.raises(PostingLimitError):
        services.report_post(reporter=skylark, post=posts[-1], reason=ReportReason.SPAM)


def test_reaching_out_keeps_the_words_in_the_portal(post: Post, otter: User, mo: User) -> None:
    services.report_post(reporter=mo, post=post, reason=ReportReason.HARASSMENT)
    item = ReviewItem.objects.get(post=post)
    result = services.reach_out(
        moderator=mo, item=item, body="How are you doing?", client_key=uuid.uuid4()
    )
    notification = Notification.objects.get(recipient=otter, kind="messaging.message")
    assert "How are you" not in notification.title
    assert notification.title == "A moderator of Young people sent you a message."
    assert notification.url == f"/messages/{result.message.thread_id}/"
    assert AuditEntry.objects.filter(action=AuditAction.REACH_OUT, subject=otter).exists()
    with pytest.raises(ValidationError):
        services.reach_out(moderator=mo, item=item, body=" ", client_key=uuid.uuid4())


def test_notes_are_for_moderators(post: Post, otter: User, mo: User, skylark: User) -> None:
    services.add_note(
        moderator=mo, community=post.topic.community, subject=otter, body="Check in tomorrow"
    )
    assert ModeratorNote.objects.get().author == mo
    with pytest.raises(PermissionDenied):
        services.add_note(
            moderator=skylark, community=post.topic.community, subject=otter, body="x"
        )


# Identity reveals (two people since issue 13): tests/test_identity.py.


def test_only_moderators_go_on_duty(mo: User, ada: User, organisation: Organisation) -> None:
    assert services.set_duty(moderator=mo, organisation=organisation, on_duty=True).on_duty
    with pytest.raises(PermissionDenied):
        services.set_duty(moderator=ada, organisation=organisation, on_duty=True)


def test_editing_shows_a_note_and_keeps_the_old_text(
    otter: User, skylark: User, mo: User, category: Category
) -> None:
    post = reply(otter, make_topic(skylark, category), "Call me on 07700 900123")
    item = ReviewItem.objects.get(post=post)
    services.edit_item(
        moderator=mo, item=item, body="Call me (number removed)", reason="No phone numbers"
    )
    post.refresh_from_db()
    assert (post.moderation_state, post.body, post.moderation_note) == (
        "visible",
        "Call me (number removed)",
        "No phone numbers",
    )
    assert post.revisions.get().body == "Call me on 07700 900123"


def test_warnings_mutes_and_suspensions_need_sane_periods(
    otter: User, mo: User, community: Community
) -> None:
    services.warn_person(moderator=mo, community=community, subject=otter, reason="Be kind")
    with pytest.raises(ValidationError):
        services.mute_person(moderator=mo, community=community, subject=otter, reason="x", hours=0)
    with pytest.raises(ValidationError):
        services.suspend_person(
            moderator=mo, community=community, subject=otter, reason="x", days=400
        )
    with pytest.raises(ValidationError):
        services.warn_person(moderator=mo, community=community, subject=mo, reason="me")
    assert [e.action for e in selectors.moderation_about_me(otter)] == [AuditAction.WARN]


def test_review_times_give_the_median_and_90th_percentile(
    otter: User, skylark: User, mo: User, category: Category, community: Community
) -> None:
    topic = make_topic(skylark, category)
    start = timezone.now() - timedelta(days=2)
    for minutes in (10, 20, 30, 40, 100):
        with time_machine.travel(start, tick=False):
            post = reply(otter, topic, "call 07700 900123")
        item = ReviewItem.objects.get(post=post)
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            services.approve_item(moderator=mo, item=item, reason="ok")
        start -= timedelta(hours=1)
    seven = selectors.review_times([community.pk], 7)
    assert (seven.reviewed, seven.median_minutes, seven.p90_minutes) == (5, 30.0, 100.0)
    assert selectors.review_times([community.pk], 1).reviewed == 0
    assert selectors.percentile([], 0.5) is None


def test_rule_statistics_count_firings_and_overrules(
    otter: User, skylark: User, mo: User, category: Category, community: Community
) -> None:
    # An opening post no rule or the second reader picks up: only the replies count here.
    topic = make_topic(skylark, category, body="Walking helped me today.")
    approve = reply(otter, topic, "Text me on 07700 900123")
    hide = reply(otter, topic, "my number is 07700 900124")
    services.approve_item(
        moderator=mo, item=ReviewItem.objects.get(post=approve), reason="a helpline"
    )
    services.hide_item(moderator=mo, item=ReviewItem.objects.get(post=hide), reason="private")
    stats = {stat.rule: stat for stat in selectors.rule_stats(community)}
    phone = stats["phone_number"]
    assert (phone.fired, phone.held, phone.upheld, phone.overruled, phone.overrule_rate) == (
        2,
        2,
        1,
        1,
        50,
    )
    assert ScreeningDecision.objects.count() == 2
