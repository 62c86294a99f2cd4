"""Forum flows through the test client: watching topics and categories, notifications and unread
markers; real requests, then the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum.models import Category
from tandem.forum.tests.conftest import make_topic, reply
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_watching_a_topic_notifies_in_app_and_by_content_free_email(
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    category: Category,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    author = member(pseudonym="Robin", email="robin@example.org")
    topic = make_topic(author, category, title="Panic on buses", body="It happens a lot")
    replier = member(pseudonym="Kite")
    client = login_client(client_factory(), replier)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        client.post(f"/topics/{topic.pk}/reply/", {"body": "Breathing helps me"})
    notification = Notification.objects.get(recipient=author)
    assert notification.title == "Kite replied to “Panic on buses”"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["robin@example.org"]
    assert email.subject == "Something new in Tandem"
    for secret in ("Kite", "Panic", "Breathing", category.community.name, "Coping"):
        assert secret not in f"{email.subject} {email.body}"
    robin = login_client(client_factory(), author)
    assert 'Notifications <span class="badge badge-new">1' in robin.get("/").content.decode()
    assert "Kite replied" in robin.get("/notifications/").content.decode()
    response = robin.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"].startswith(f"/topics/{topic.pk}/#post-")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notifications_from_a_community_vanish_when_the_person_leaves(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, title="Sleep tips")
    reply(member(pseudonym="Kite"), topic)
    notification = Notification.objects.get(recipient=author)
    login_client(client, author)
    assert "Sleep tips" in client.get("/notifications/").content.decode()
    client.post(f"/communities/{category.community_id}/leave/", {"confirm": "yes"})
    assert "Sleep tips" not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404


def test_someone_elses_notification_is_404(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    reply(member(), make_topic(author, category))
    notification = Notification.objects.get(recipient=author)
    login_client(client, member())
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404


def test_watching_a_category_tells_about_new_topics(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    watcher = member()
    login_client(client, watcher)
    client.post(f"/categories/{category.pk}/watch/")
    make_topic(member(pseudonym="Kite"), category, title="New one")
    assert Notification.objects.get(recipient=watcher).title == "New topic in Coping: “New one”"


def test_unread_markers(client: Client, member: Callable[..., User], category: Category) -> None:
    me = member()
    topic = make_topic(member(), category, title="Marker topic")
    login_client(client, me)
    assert "New since your last visit" in client.get(f"/categories/{category.pk}/").content.decode()
    client.get(f"/topics/{topic.pk}/")
    assert (
        "New since your last visit"
        not in client.get(f"/categories/{category.pk}/").content.decode()
    )
    reply(member(), topic, "Fresh reply")
    assert "New since your last visit" in client.get(f"/categories/{category.pk}/").content.decode()
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert page.count("New since your last visit") == 1
