"""Answering, the result page with its safety follow-up, bad input, and the access matrix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.care import services as care_services
from tandem.care.models import AccessLogEntry, CareRelationship, Grant, Level, Module
from tandem.care.services.agreements import set_risk_alert
from tandem.conftest import login_client
from tandem.notifications.models import Notification
from tandem.questionnaires.models import FollowUpShown, Response
from tandem.questionnaires.services import FOLLOW_UP_KIND
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox import services as toolbox_services
from tandem.toolbox.tests.factories import share_with

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

PHQ9_ITEM9 = {f"item_{n}": "0" for n in range(1, 10)} | {"item_9": "1"}


def post_phq9(client: Client, answers: dict[str, str], **extra: str) -> _MonkeyPatchedWSGIResponse:
    data = {"version": "1", "client_key": "k1", "action": "submit", **answers, **extra}
    return client.post("/questionnaires/phq9/", data)


def test_phq9_with_item_9_shows_own_crisis_plan_and_contacts_at_once(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    toolbox_services.save_crisis_plan(
        owner=service_user,
        sections={
            "warning_signs": "Not sleeping",
            "coping_alone": "Walk the dog",
            "help_people": "Jo 07700 900123",
            "professionals": "Crisis team 0300 555 0199 (24 hours)",
        },
    )
    client = logged_in(service_user)
    response = post_phq9(client, PHQ9_ITEM9)
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Walk the dog" in html and "0300 555 0199" in html and "Not sleeping" in html
    assert "1 / 27" in html and "not a diagnosis" in html
    assert FollowUpShown.objects.get().reasons == "self_harm_thoughts"
    client.get(response["Location"])
    assert FollowUpShown.objects.count() == 1


def test_no_follow_up_without_the_flags(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    answers = {f"item_{n}": "2" for n in range(1, 9)} | {"item_9": "0"}
    page = client.get(post_phq9(client, answers)["Location"])
    assert "You do not have to deal with this alone" not in page.content.decode()
    assert not FollowUpShown.objects.exists()


def test_double_submit_makes_one_response(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    first = post_phq9(client, PHQ9_ITEM9)
    second = post_phq9(client, PHQ9_ITEM9)
    assert first["Location"] == second["Location"]
    assert Response.objects.count() == 1


def test_save_half_way_and_resume(service_user: User, logged_in: Callable[[User], Client]) -> None:
    client = logged_in(service_user)
    saved = post_phq9(client, {"item_1": "2", "item_2": "3"}, action="save")
    assert saved.status_code == 302
    draft = Response.objects.get()
    assert draft.is_draft and draft.answers == {"1": 2, "2": 3}
    assert "2" not in draft.answers_json.split('"1"')[0]  # the stored value is ciphertext
    page = client.get("/questionnaires/phq9/").content.decode()
    assert 'name="item_2" value="3" checked' in page
    post_phq9(client, {f"item_{n}": "1" for n in range(1, 10)})
    assert Response.objects.filter(submitted_at__isnull=False).count() == 1
    assert not Response.objects.filter(submitted_at__isnull=True).exists()


def test_answers_are_encrypted_at_rest(service_user: User) -> None:
    make_response(service_user, "gad7", value=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_json FROM questionnaires_response")
        stored = cursor.fetchone()[0]
    assert '"1"' not in stored and stored.startswith("gAAAA")


def test_missing_items_refused_with_clear_messages_and_answers_kept(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    response = post_phq9(client, {"item_1": "2", "item_3": "1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please answer this question." in html and 'href="#item-2"' in html
    assert 'name="item_1" value="2" checked' in html
    assert not Response.objects.exists()


def test_out_of_range_answer_is_refused_and_others_kept(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    answers = {f"item_{n}": "1" for n in range(1, 10)} | {"item_4": "7"}
    response = post_phq9(client, answers)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please choose one of the answers offered." in html
    assert 'name="item_5" value="1" checked' in html


def test_forged_version_and_instrument(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    response = post_phq9(client, {f"item_{n}": "1" for n in range(1, 10)}, version="99")
    assert response.status_code == 400
    assert "changed since the page was opened" in response.content.decode()
    assert 'name="version" value="1"' in response.content.decode()
    assert client.post("/questionnaires/nope/", {"version": "1"}).status_code == 404
    assert client.get("/questionnaires/nope/trends/").status_code == 404
    assert not Response.objects.exists()


def test_another_persons_response_is_404(
    service_user: User, make_member: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    other = make_member(Role.SERVICE_USER)
    theirs = make_response(other)
    client = logged_in(service_user)
    assert client.get(f"/questionnaires/responses/{theirs.pk}/").status_code == 404
    assert client.get("/questionnaires/responses/999999/").status_code == 404


def test_trends_page_has_chart_text_and_table(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    now = timezone.now()
    for weeks, value in ((8, 3), (4, 2), (0, 1)):
        make_response(service_user, "who5", value=value, submitted_at=now - timedelta(weeks=weeks))
    html = logged_in(service_user).get("/questionnaires/who5/trends/").content.decode()
    assert "<svg" in html and 'role="img"' in html and "<table" in html
    assert "Higher scores are better." in html and "Better" in html


@pytest.fixture
def granted(service_user: User, provider: User) -> User:
    make_response(service_user, "phq9", value=2)
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    return service_user


def test_provider_with_grant_sees_scores_and_the_read_is_logged(
    granted: User, provider: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(provider)
    page = client.get(f"/people/{granted.pk}/questionnaires/")
    assert page.status_code == 200
    assert "Latest PHQ-9" in page.content.decode()
    entry = AccessLogEntry.objects.get()
    assert (entry.owner, entry.viewer, entry.module) == (granted, provider, "questionnaires")
    Grant.objects.filter(relationship__provider=provider).update(level=Level.NONE)
    assert client.get(f"/people/{granted.pk}/questionnaires/").status_code == 404


@pytest.mark.parametrize(
    "who", ["owner", "other", "provider_without", "moderator", "researcher", "anonymous"]
)
def test_access_matrix(
    who: str,
    granted: User,
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    response = Response.objects.get()
    owner_pages = [
        "/questionnaires/",
        "/questionnaires/phq9/",
        "/questionnaires/phq9/trends/",
        "/questionnaires/phq9/schedule/",
        f"/questionnaires/responses/{response.pk}/",
    ]
    shared = f"/people/{granted.pk}/questionnaires/"
    client = client_factory()
    if who == "anonymous":
        assert all(client.get(p).status_code == 302 for p in [*owner_pages, shared])
        return
    if who == "owner":
        login_client(client, granted)
        assert all(client.get(p).status_code == 200 for p in [*owner_pages, shared])
        assert not AccessLogEntry.objects.exists()
        return
    role = {
        "other": Role.SERVICE_USER,
        "provider_without": Role.PROVIDER,
        "moderator": Role.MODERATOR,
        "researcher": Role.RESEARCHER,
    }[who]
    login_client(client, make_member(role, totp=role != Role.SERVICE_USER))
    assert client.get(shared).status_code == 404
    assert client.get(f"/questionnaires/responses/{response.pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("count", [10, 500])
def test_pages_run_a_bounded_number_of_queries(
    count: int, granted: User, provider: User, client_factory: Callable[[], Client]
) -> None:
    now = timezone.now()
    for i in range(count):
        instrument = ("phq9", "gad7", "who5")[i % 3]
        make_response(granted, instrument, submitted_at=now - timedelta(days=i))
    # The person chose to tell Pat about worrying answers: the first view of the result (a
    # follow-up, PHQ-9 item 9 = 1) tells him, within the budget.
    relationship = CareRelationship.objects.get(service_user=granted, provider=provider)
    care_services.start_agreement(relationship=relationship)
    set_risk_alert(actor=granted, relationship=relationship, on=True)
    owner = login_client(client_factory(), granted)
    carer = login_client(client_factory(), provider)
    latest = Response.objects.order_by("-submitted_at").first()
    assert latest is not None
    for client, path, limit in (
        # The list: ids and keys of every response, then the two latest of each instrument
        # (decrypted), the custom instruments offered: flat whatever the history's length.
        (owner, "/questionnaires/", 14),
        (owner, "/questionnaires/phq9/trends/", 10),
        # 18, and the research event log's one insert per page view (core.usage); the first
        # view of a follow-up the person asked their care team to hear about also finds who
        # to tell, tells them (one insert per provider) and notes it (3; reloads: 19), in
        # the provider's language (one query when the organisation's default decides it).
        (owner, f"/questionnaires/responses/{latest.pk}/", 23),
        (carer, f"/people/{granted.pk}/questionnaires/", 16),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert len(queries) <= limit, (path, len(queries))
    assert Notification.objects.filter(recipient=provider, kind=FOLLOW_UP_KIND).count() == 1


def test_who5_at_28_percent_shows_the_follow_up(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    answers = {"item_1": "2", "item_2": "2", "item_3": "1", "item_4": "1", "item_5": "1"}
    data = {"version": "1", "client_key": "w", "action": "submit", **answers}
    page = client.get(client.post("/questionnaires/who5/", data)["Location"])
    html = page.content.decode()
    assert "28%" in html and "You do not have to deal with this alone" in html
    assert "You have not written a crisis plan yet." in html
    assert FollowUpShown.objects.get().reasons == "likely_depression"


def test_schedule_shows_a_due_check_in_and_bad_input_keeps_what_was_typed(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    bad = client.post("/questionnaires/gad7/schedule/", {"every": "0", "unit": "weeks"})
    assert bad.status_code == 400
    assert 'name="every" value="0"' in bad.content.decode()
    today = timezone.localdate().isoformat()
    saved = client.post(
        "/questionnaires/gad7/schedule/", {"every": "2", "unit": "weeks", "starts_on": today}
    )
    assert saved.status_code == 302
    page = client.get("/questionnaires/").content.decode()
    assert "You have a check-in due" in page
    make_response(service_user, "gad7")
    assert "You have a check-in due" not in client.get("/questionnaires/").content.decode()
    assert client.post("/questionnaires/gad7/schedule/delete/").status_code == 302
    assert "Check-in every" not in client.get("/questionnaires/").content.decode()
