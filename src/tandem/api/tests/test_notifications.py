"""Notifications through the API: the recipient's own, from spaces they still see; marking read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.notifications.models import Notification
from tandem.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_list_is_the_persons_own_newest_first(
    service_user: User, make_member: Callable[..., User]
) -> None:
    other = make_member(Role.SERVICE_USER)
    notify(recipient=service_user, kind="test", url="/toolbox/", title="First")
    notify(recipient=service_user, kind="test", url="/toolbox/", title="Second")
    notify(recipient=other, kind="test", url="/toolbox/", title="Not yours")
    body = ApiClient(token_for(service_user)).get("/api/v1/notifications").json()
    assert [n["title"] for n in body["items"]] == ["Second", "First"]
    assert body["count"] == 2 and not body["items"][0]["read"]


def test_marking_one_read_and_someone_elses_is_404(
    service_user: User, make_member: Callable[..., User]
) -> None:
    mine = notify(recipient=service_user, kind="test", url="/toolbox/", title="Mine")
    theirs = notify(recipient=make_member(), kind="test", url="/toolbox/", title="Theirs")
    client = ApiClient(token_for(service_user))
    read = client.post(f"/api/v1/notifications/{mine.pk}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert client.post("/api/v1/notifications/99999/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_counts_them(service_user: User) -> None:
    for title in ("a", "b", "c"):
        notify(recipient=service_user, kind="test", url="/toolbox/", title=title)
    client = ApiClient(token_for(service_user))
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 3}
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 0}
