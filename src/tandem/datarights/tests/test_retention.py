"""Retention: each rule deletes only what is past its setting; 0 keeps for ever; the access
record's trigger lets through only deletions past the retention it was installed with."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care.guards import TABLES, install_access_record_guard
from tandem.care.models import AccessLogEntry, CareRelationship, JointSession, SecurityEvent
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.datarights.models import DataExport, ExportStatus
from tandem.datarights.retention import apply_retention
from tandem.forum.models import ModerationState, Post, Topic
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.models import ItemState, ReviewItem
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

NONE_KEPT = {
    "TANDEM_RETAIN_ACCESS_LOG_DAYS": 0,
    "TANDEM_RETAIN_NOTIFICATIONS_DAYS": 0,
    "TANDEM_RETAIN_JOINT_SESSIONS_DAYS": 0,
    "TANDEM_RETAIN_EXPORTS_DAYS": 0,
    "TANDEM_RETAIN_REJECTED_POSTS_DAYS": 0,
}


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def relationship(
    service_user: User, provider: User, organisation: Organisation
) -> CareRelationship:
    made: CareRelationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    return made


@pytest.fixture
def access_lines(relationship: CareRelationship) -> Iterator[None]:
    """One old and one young line of each table of the access record."""
    for age in (400, 10):
        AccessLogEntry.objects.create(
            owner_id=relationship.service_user_id,
            viewer_id=relationship.provider_id,
            module="goals",
            created_at=days_ago(age),
        )
        SecurityEvent.objects.create(
            viewer_id=relationship.provider_id,
            owner_id=relationship.service_user_id,
            what="goals",
            path="/people/1/goals/",
            created_at=days_ago(age),
        )
    yield
    install_access_record_guard(connection)  # the default (keep for ever) back for others


def test_notifications_past_their_retention_go_and_younger_ones_stay(
    service_user: User,
) -> None:
    old, _young = (
        Notification.objects.create(recipient=service_user, kind="x", title=title, url="/")
        for title in ("old", "young")
    )
    Notification.objects.filter(pk=old.pk).update(created_at=days_ago(40))
    with override_settings(**{**NONE_KEPT, "TANDEM_RETAIN_NOTIFICATIONS_DAYS": 30}):
        assert apply_retention() == {"notifications": 1}
    assert [n.title for n in Notification.objects.all()] == ["young"]


def test_ended_joint_sessions_are_kept_by_default_and_go_when_a_retention_is_set(
    relationship: CareRelationship,
) -> None:
    old = JointSession.objects.create(relationship=relationship, ended_at=days_ago(40))
    JointSession.objects.create(relationship=relationship, ended_at=days_ago(5))
    with override_settings(**NONE_KEPT):
        assert apply_retention() == {}
    assert JointSession.objects.count() == 2
    with override_settings(**{**NONE_KEPT, "TANDEM_RETAIN_JOINT_SESSIONS_DAYS": 30}):
        assert apply_retention() == {"ended joint sessions": 1}
    assert not JointSession.objects.filter(pk=old.pk).exists()
    assert JointSession.objects.count() == 1


def test_finished_exports_go_and_ready_ones_stay(service_user: User) -> None:
    DataExport.objects.create(
        user=service_user, status=ExportStatus.EXPIRED, requested_at=days_ago(40)
    )
    DataExport.objects.create(
        user=service_user, status=ExportStatus.FAILED, requested_at=days_ago(40)
    )
    kept = DataExport.objects.create(
        user=service_user, status=ExportStatus.EXPIRED, requested_at=days_ago(2)
    )
    with override_settings(**{**NONE_KEPT, "TANDEM_RETAIN_EXPORTS_DAYS": 30}):
        assert apply_retention() == {"finished exports": 2}
    assert list(DataExport.objects.values_list("pk", flat=True)) == [kept.pk]


def test_held_posts_a_moderator_hid_go_after_their_retention_and_nothing_else_does(
    organisation: Organisation, make_member: Callable[..., User]
) -> None:
    community = CommunityFactory.create(organisation=organisation)
    category = CategoryFactory.create(community=community)
    otter = join(make_member(Role.SERVICE_USER, pseudonym="Otter"), community)
    skylark = join(make_member(Role.SERVICE_USER, pseudonym="Skylark"), community)
    topic: Topic = make_topic(skylark, category, title="Sleep", body="How do you sleep?")
    rejected_reply = reply(otter, topic, "A held reply")
    held_topic: Topic = make_topic(otter, category, title="Held", body="A held topic")
    held_opening = Post.objects.get(topic=held_topic)
    recent = reply(otter, topic, "Hidden last week")
    reported = reply(otter, topic, "Reported, not held")

    def resolve(post: Post, *, held: bool, age: int) -> None:
        Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.HIDDEN)
        ReviewItem.objects.create(
            community=community,
            post=post,
            is_held=held,
            state=ItemState.RESOLVED,
            resolution="hidden",
            resolved_at=days_ago(age),
        )

    resolve(rejected_reply, held=True, age=100)
    resolve(held_opening, held=True, age=100)
    resolve(recent, held=True, age=7)
    resolve(reported, held=False, age=100)
    with override_settings(**{**NONE_KEPT, "TANDEM_RETAIN_REJECTED_POSTS_DAYS": 90}):
        assert apply_retention() == {"rejected held posts": 2}
    assert not Post.objects.filter(pk=rejected_reply.pk).exists()
    assert not Topic.objects.filter(pk=held_topic.pk).exists()
    assert Post.objects.filter(pk__in=[recent.pk, reported.pk]).count() == 2
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_the_access_record_is_kept_for_ever_by_default(access_lines: None) -> None:
    with override_settings(**NONE_KEPT):
        assert apply_retention() == {}
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM care_accesslogentry")
    assert AccessLogEntry.objects.count() == SecurityEvent.objects.count() == 2


def test_with_a_retention_only_lines_past_it_can_be_deleted(access_lines: None) -> None:
    with override_settings(**{**NONE_KEPT, "TANDEM_RETAIN_ACCESS_LOG_DAYS": 365}):
        install_access_record_guard(connection)  # what lock_access_record does
        # Even a statement asking for every line deletes none of the young ones.
        for table in TABLES:
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant table names
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(f"UPDATE {table} SET request_id = 'x'")  # noqa: S608 - constant table names
        assert apply_retention() == {"access record": 2}
    assert [e.created_at.date() for e in AccessLogEntry.objects.all()] == [days_ago(10).date()]
    assert SecurityEvent.objects.count() == 1


def test_a_retention_shortened_without_locking_again_deletes_nothing_young_and_says_so(
    access_lines: None, service_user: User, caplog: pytest.LogCaptureFixture
) -> None:
    Notification.objects.create(recipient=service_user, kind="x", title="old", url="/")
    Notification.objects.update(created_at=days_ago(40))
    with override_settings(**{**NONE_KEPT, "TANDEM_RETAIN_ACCESS_LOG_DAYS": 365}):
        install_access_record_guard(connection)
    shortened = {
        **NONE_KEPT,
        "TANDEM_RETAIN_ACCESS_LOG_DAYS": 5,
        "TANDEM_RETAIN_NOTIFICATIONS_DAYS": 30,
    }
    with override_settings(**shortened):
        assert apply_retention() == {"notifications": 1}  # the other rules still ran
    assert "run lock_access_record" in caplog.text
    assert AccessLogEntry.objects.count() == 2


def test_on_postgresql_the_application_role_may_delete_only_lines_past_the_retention(
    access_lines: None,
) -> None:
    """With a retention, the guard gives the application role DELETE (it runs the retention)
    and still takes UPDATE and TRUNCATE; the trigger refuses young lines."""
    if connection.vendor != "postgresql":
        pytest.skip("privileges are PostgreSQL's; SQLite has none (the triggers cover it)")
    role = f"tandem_app_{uuid.uuid4().hex[:12]}"
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")  # rolled back with the test
        for table in TABLES:
            cursor.execute(f"GRANT ALL ON {table} TO {quoted}")
    with override_settings(TANDEM_DB_APP_ROLE=role, TANDEM_RETAIN_ACCESS_LOG_DAYS=365):
        install_access_record_guard(connection)

    def as_role(statement: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {quoted}")
            cursor.execute(statement)
            # SET LOCAL outlives a savepoint that succeeds: back to the test's role.
            cursor.execute("RESET ROLE")

    for table in TABLES:
        with pytest.raises(DatabaseError, match="append-only"):
            as_role(f"DELETE FROM {table}")  # noqa: S608 - constant table names
        as_role(f"DELETE FROM {table} WHERE created_at < now() - interval '365 days'")  # noqa: S608
        for statement in (f"UPDATE {table} SET request_id = 'x'", f"TRUNCATE {table}"):  # noqa: S608
            with pytest.raises(DatabaseError, match="permission denied"):
                as_role(statement)
    assert AccessLogEntry.objects.count() == SecurityEvent.objects.count() == 1


def test_the_command_says_what_it_deleted(service_user: User) -> None:
    Notification.objects.create(recipient=service_user, kind="x", title="old", url="/")
    Notification.objects.update(created_at=days_ago(400))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)  # the defaults: notifications after 365 days
    assert out.getvalue().strip() == "notifications: 1"
    call_command("apply_retention", stdout=out)
    assert out.getvalue().strip().endswith("Nothing to do.")
