"""The export's status page and its progress endpoint (no timed refresh: a script asks, and
a link does it by hand), and the queries of the data-rights pages at two data sizes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.datarights.models import DataExport, ExportStatus

pytestmark = pytest.mark.django_db


def test_the_status_page_of_a_building_export_shows_progress_without_a_timed_refresh(
    client: Client, logged_in: Callable[[User], Client], service_user: User
) -> None:
    export = DataExport.objects.create(user=service_user, status=ExportStatus.BUILDING, progress=40)
    logged_in(service_user)
    page = client.get(f"/account/data/exports/{export.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "datarights/export-status" in page and "Check again" in page
    assert f'data-export-progress-url="/account/data/exports/{export.pk}/progress/"' in page
    assert '<progress id="export-progress" max="100" value="40">' in page


def test_the_progress_endpoint_says_how_far_and_then_that_it_is_ready(
    client: Client, logged_in: Callable[[User], Client], service_user: User
) -> None:
    export = DataExport.objects.create(user=service_user, status=ExportStatus.BUILDING, progress=40)
    logged_in(service_user)
    url = f"/account/data/exports/{export.pk}/progress/"
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {"building": True, "ready": False, "progress": 40, "message": ""}
    DataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY, expires_at=timezone.now() + timedelta(hours=24)
    )
    state = client.get(url).json()
    assert (state["building"], state["ready"], state["progress"]) == (False, True, 100)
    assert state["message"].startswith("Your data is ready. You can download it until ")


def test_nobody_else_learns_anything_from_the_progress_endpoint(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    make_member: Callable[..., User],
) -> None:
    export = DataExport.objects.create(user=service_user, status=ExportStatus.BUILDING)
    url = f"/account/data/exports/{export.pk}/progress/"
    assert "/accounts/login/" in client.get(url)["Location"]
    logged_in(make_member(Role.SERVICE_USER, pseudonym="Otter"))
    assert client.get(url).status_code == 404
    assert client.get(url.replace(str(export.pk)[:8], "00000000")).status_code == 404


@pytest.mark.parametrize("earlier_exports", [1, 20])
def test_the_data_rights_pages_cost_the_same_with_many_exports(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    django_assert_max_num_queries: Any,
    earlier_exports: int,
) -> None:
    for days in range(earlier_exports):
        DataExport.objects.create(
            user=service_user,
            status=ExportStatus.EXPIRED,
            requested_at=timezone.now() - timedelta(days=days + 1),
        )
    latest = DataExport.objects.create(user=service_user, status=ExportStatus.BUILDING)
    logged_in(service_user)
    # The session, the person, their roles and the shell's unread counts, then the page's own.
    for path, budget in (
        ("/account/data/", 8),
        (f"/account/data/exports/{latest.pk}/", 8),
        (f"/account/data/exports/{latest.pk}/progress/", 6),
        ("/account/delete/", 7),
    ):
        with django_assert_max_num_queries(budget):
            assert client.get(path).status_code == 200, path
