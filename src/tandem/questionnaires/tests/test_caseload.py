"""The caseload row of a person who shares questionnaires: latest score per instrument and the
change since the one before, never an answer; logged; a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.care.models import AccessLogEntry, Grant, Level, Module
from tandem.care.tests.test_triage_queries import CASELOAD_BUDGET
from tandem.questionnaires.tests.factories import answers_for, make_response
from tandem.toolbox.tests.factories import share_with

pytestmark = pytest.mark.django_db


def test_the_row_shows_the_latest_scores_and_change_and_the_read_is_logged(
    service_user: User, provider: User, logged_in: Callable[[User], Client]
) -> None:
    now = timezone.now()
    make_response(service_user, "phq9", answers_for("phq9", 2), submitted_at=now - timedelta(7))
    latest = answers_for("phq9", 1) | {"1": 3, "2": 3}  # 13: moderate, 5 better than 18
    make_response(service_user, "phq9", latest, submitted_at=now)
    make_response(service_user, "who5", answers_for("who5", 3), submitted_at=now)
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    client = logged_in(provider)
    html = client.get("/care/caseload/").content.decode()
    assert 'data-module-summary="questionnaires"' in html
    day = timezone.localtime(now).strftime("%-d %b %Y")
    assert f"PHQ-9: 13 (Moderate), {day}. 5 points better than last time." in html
    assert "<li>WHO-5: 60%" in html
    assert "Feeling down" not in html and "Nearly every day" not in html  # no answers
    entry = AccessLogEntry.objects.get()
    assert (entry.owner, entry.viewer, entry.module) == (service_user, provider, "questionnaires")
    Grant.objects.filter(relationship__provider=provider).update(level=Level.NONE)
    html = client.get("/care/caseload/").content.decode()
    assert "PHQ-9" not in html and 'data-module-summary="questionnaires"' not in html


def test_a_provider_without_the_questionnaires_grant_sees_no_scores_and_nothing_is_logged(
    service_user: User, provider: User, logged_in: Callable[[User], Client]
) -> None:
    make_response(service_user, "phq9", value=2)
    share_with(provider, service_user, Module.GOALS, Module.JOURNAL, level=Level.COMMENT)
    html = logged_in(provider).get("/care/caseload/").content.decode()
    assert "PHQ-9" not in html and "data-module-summary" not in html
    assert not AccessLogEntry.objects.exists()


def _add(owner: User, start: int, stop: int) -> None:
    now = timezone.now()
    for i in range(start, stop):
        instrument = ("phq9", "gad7", "who5")[i % 3]
        make_response(owner, instrument, submitted_at=now - timedelta(days=i))


def _count(client: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/care/caseload/").content.decode()
    return len(queries), html


def test_the_caseload_runs_the_same_queries_at_10_and_500_responses(
    service_user: User, provider: User, logged_in: Callable[[User], Client]
) -> None:
    _add(service_user, 0, 10)
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    client = logged_in(provider)
    client.get("/care/caseload/")  # the first visit creates the link code and the log line
    small, _ = _count(client)
    _add(service_user, 10, 500)
    large, html = _count(client)
    assert html.count("<li>PHQ-9: ") == html.count("<li>GAD-7: ") == 1
    # The caseload's own budget, the summary's two reads (ids and keys; the two latest of
    # each instrument) and the access record's one (the visit, already open).
    assert small == large <= CASELOAD_BUDGET + 3, (small, large)


def test_the_caseload_runs_the_same_queries_for_two_and_six_people_sharing_and_logs_each(
    provider: User, make_member: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    """Each summary shown is a read logged for its owner, all of them in the same two statements
    (the visits and the lines): a bigger caseload costs no more queries."""

    def person() -> User:
        someone = make_member(Role.SERVICE_USER)
        _add(someone, 0, 3)
        share_with(provider, someone, Module.QUESTIONNAIRES, level=Level.VIEW)
        return someone

    people = [person(), person()]
    client = logged_in(provider)
    client.get("/care/caseload/")
    small, _ = _count(client)
    people += [person() for _ in range(4)]
    client.get("/care/caseload/")  # the four new people's first visit: their lines
    large, html = _count(client)
    assert html.count("<li>PHQ-9: ") == 6
    assert small == large, (small, large)
    logged = AccessLogEntry.objects.filter(viewer=provider, module=Module.QUESTIONNAIRES)
    # One line per person per visit, however many times the page was drawn in it.
    assert sorted(logged.values_list("owner_id", flat=True)) == sorted(p.pk for p in people)
