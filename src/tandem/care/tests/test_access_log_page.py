"""The service user's access log page: a plain sentence per line naming the item read (its title
today, or that it was deleted), in the person's time zone; filters by who, what and days, kept
across pages; bad filter values are a clear 400 that keeps what was typed; a fixed number of
queries whatever the log's size."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care import access
from tandem.care.access_log import ItemKind, register_item_kind
from tandem.care.models import (
    AccessAction,
    AccessedData,
    AccessLogEntry,
    CareRelationship,
    Grant,
    Level,
    Module,
)
from tandem.care.tests.factories import AccessLogEntryFactory, CareRelationshipFactory
from tandem.conftest import login_client
from tandem.toolbox.models import Goal, JournalShare
from tandem.toolbox.tests.factories import GoalFactory, JournalEntryFactory

pytestmark = pytest.mark.django_db

LOG = "/care/access-log/"


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: login_client(client_factory(), user)


def _lines(response: object) -> list[str]:
    """The sentences of the log's lines, as a person reads them."""
    text = response.content.decode()  # type: ignore[attr-defined]
    found = re.findall(r"<li data-module=\"[a-z_]+\">\s*<p>(.*?)</p>", text, re.S)
    return [html.unescape(line) for line in found]


def _read_goal(relationship: CareRelationship, title: str, when: datetime) -> int:
    goal = GoalFactory.create(owner=relationship.service_user, title=title)
    with time_machine.travel(when, tick=False):
        access.get_item_access_for_viewer(
            relationship.provider,
            relationship.service_user_id,
            Module.GOALS,
            kind="goal",
            fetch=lambda owner: goal,
        )
    return int(goal.pk)


def test_a_line_says_who_read_which_goal_and_when_in_the_persons_time_zone(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    organisation: Organisation,
) -> None:
    organisation.time_zone = "Europe/London"
    organisation.save()
    grant(relationship, Module.GOALS, Level.VIEW)
    _read_goal(relationship, "Sleep better", datetime(2026, 12, 3, 14, 2, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        response = as_user(relationship.service_user).get(LOG)
    assert response.status_code == 200
    name = relationship.provider.get_full_name()
    assert _lines(response) == [f"{name} viewed your goal “Sleep better” on 3 Dec at 14:02."]


def test_the_title_is_todays_and_a_deleted_item_is_said_to_be_deleted(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    grant(relationship, Module.GOALS, Level.VIEW)
    now = timezone.now()
    kept = _read_goal(relationship, "Old title", now - timedelta(hours=2))
    gone = _read_goal(relationship, "Walk the dog", now - timedelta(hours=1))
    Goal.objects.filter(pk=kept).update(title="New title")
    Goal.objects.filter(pk=gone).delete()
    lines = _lines(as_user(relationship.service_user).get(LOG))
    assert "viewed an item that has since been deleted on" in lines[0]
    assert "viewed your goal “New title” on" in lines[1]
    assert not any("Walk the dog" in line or "Old title" in line for line in lines)


def test_the_journal_entry_module_pages_and_joint_sessions_have_sentences(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    grant(relationship, Module.JOURNAL, Level.VIEW)
    owner = relationship.service_user
    entry = JournalEntryFactory.create(owner=owner, title="A hard week")
    JournalShare.objects.create(entry=entry, relationship=relationship)
    provider = as_user(relationship.provider)
    assert provider.get(f"/people/{owner.pk}/journal/{entry.pk}/").status_code == 200
    assert provider.get(f"/people/{owner.pk}/").status_code == 200
    AccessLogEntryFactory.create(
        owner=owner,
        viewer=relationship.provider,
        module=Module.CRISIS_PLAN,
        action=AccessAction.JOINT_SESSION,
        created_at=timezone.now() - timedelta(days=1),
    )
    lines = _lines(as_user(owner).get(LOG))
    name = relationship.provider.get_full_name()
    assert lines[0].startswith(f"{name} viewed the overview of what you share on ")
    assert lines[1].startswith(f"{name} viewed your journal entry “A hard week” on ")
    assert lines[2].startswith(f"{name} viewed your crisis plan with you in a joint session on ")


def test_a_kind_nobody_registered_still_says_the_module(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    AccessLogEntryFactory.create(
        owner=relationship.service_user,
        viewer=relationship.provider,
        module=Module.EXERCISES,
        item_kind="unheard_of",
        item_id=3,
    )
    lines = _lines(as_user(relationship.service_user).get(LOG))
    assert "viewed one item of your exercises on" in lines[0]


def test_registering_a_different_kind_under_a_taken_name_is_refused() -> None:
    impostor = ItemKind(kind="goal", module=Module.GOALS, named="x", titles=lambda o, ids: {})
    with pytest.raises(Exception, match="Two different access-log item kinds"):
        register_item_kind(impostor)


def test_the_sentence_follows_the_language_of_the_request(
    as_user: Callable[[User], Client], relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    """Sentences are gettext messages and dates use the language's month names."""
    grant(relationship, Module.GOALS, Level.VIEW)
    _read_goal(relationship, "Sove bedre", datetime(2026, 12, 3, 14, 2, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        client = as_user(relationship.service_user)
        english = _lines(client.get(LOG, headers={"accept-language": "en"}))
        norwegian = _lines(client.get(LOG, headers={"accept-language": "nb"}))
    assert english[0].endswith("on 3 Dec at 14:02.")
    assert "så på målet ditt «Sove bedre»" in norwegian[0]
    assert norwegian[0].endswith("3 Des kl. 14:02.")


# --- Filters ------------------------------------------------------------------------------------


@pytest.fixture
def two_viewers(
    relationship: CareRelationship, make_member: Callable[..., User], organisation: Organisation
) -> tuple[User, User]:
    """Pat (the relationship's provider) and Quinn, each with a few lines on different days."""
    quinn = make_member(Role.PROVIDER, totp=True, full_name="Quinn Colleague")
    CareRelationshipFactory.create(
        service_user=relationship.service_user, provider=quinn, organisation=organisation
    )
    owner = relationship.service_user
    base = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    for day, viewer, module in (
        (0, relationship.provider, Module.GOALS),
        (1, relationship.provider, AccessedData.OVERVIEW),
        (2, quinn, Module.GOALS),
        (3, quinn, Module.MEDICATIONS),
    ):
        AccessLogEntryFactory.create(
            owner=owner, viewer=viewer, module=module, created_at=base + timedelta(days=day)
        )
    return relationship.provider, quinn


def test_filters_by_who_what_and_days(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    two_viewers: tuple[User, User],
) -> None:
    pat, quinn = two_viewers
    client = as_user(relationship.service_user)

    def lines(query: str) -> list[str]:
        response = client.get(f"{LOG}?{query}")
        assert response.status_code == 200, query
        return _lines(response)

    assert len(lines("")) == 4
    assert all(line.startswith(pat.full_name) for line in lines(f"who={pat.pk}"))
    assert len(lines(f"who={pat.pk}")) == 2
    assert [line.split(" viewed ")[1][:20] for line in lines("module=goals")] == [
        "your goals and activ",
        "your goals and activ",
    ]
    assert len(lines(f"who={quinn.pk}&module=goals")) == 1
    assert len(lines("start=2026-11-11&end=2026-11-12")) == 2
    assert len(lines("start=2026-11-13")) == 1
    assert len(lines("end=2026-11-10")) == 1
    assert len(lines("who=&module=&start=&end=")) == 4
    empty = client.get(f"{LOG}?module=network").content.decode()
    assert "Nothing matches these filters." in empty


def test_filters_are_kept_on_the_next_page(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    AccessLogEntryFactory.create_batch(
        55, owner=relationship.service_user, viewer=relationship.provider, module=Module.GOALS
    )
    AccessLogEntryFactory.create_batch(
        5, owner=relationship.service_user, viewer=relationship.provider, module=Module.NETWORK
    )
    client = as_user(relationship.service_user)
    first = client.get(f"{LOG}?module=goals").content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?page=2&amp;module=goals"' in first
    second = client.get(f"{LOG}?module=goals&page=2")
    assert len(_lines(second)) == 5
    assert all("goals" in line for line in _lines(second))


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("who=abc", "who", "Select a valid choice"),
        ("who=999999", "who", "Select a valid choice"),
        ("module=secrets", "module", "Select a valid choice"),
        ("start=2026-13-45", "start", "Enter a valid date"),
        ("end=yesterday", "end", "Enter a valid date"),
        ("start=2026-11-12&end=2026-11-10", "end", "The end date must be the same as the start"),
    ],
)
def test_bad_filter_values_are_a_clear_400_keeping_what_was_typed(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    two_viewers: tuple[User, User],
    query: str,
    field: str,
    message: str,
) -> None:
    response = as_user(relationship.service_user).get(f"{LOG}?{query}")
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert message in html.unescape(text)
    form = response.context["form"]
    assert field in form.errors
    typed = query.split("&")[-1].split("=", 1)[1] if field == "end" else query.split("=", 1)[1]
    assert form[field].value() == typed
    assert len(_lines(response)) == 4  # the log itself is still shown, unfiltered


def test_someone_elses_viewer_is_not_a_choice_and_a_bad_page_number_is_the_first_page(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
    two_viewers: tuple[User, User],
) -> None:
    stranger = make_member(Role.PROVIDER, totp=True, full_name="Sid Stranger")
    client = as_user(relationship.service_user)
    page = client.get(LOG).content.decode()
    assert "Quinn Colleague" in page
    assert "Sid Stranger" not in page
    assert client.get(f"{LOG}?who={stranger.pk}").status_code == 400
    for bad in ("zzz", "-1", "99999", "1.5"):
        response = client.get(f"{LOG}?page={bad}")
        assert response.status_code == 200, bad
        assert len(_lines(response)) == 4


def test_only_service_users_have_an_access_log(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    assert as_user(relationship.provider).get(LOG).status_code == 404
    assert as_user(relationship.service_user).post(LOG).status_code == 405


# --- Queries ------------------------------------------------------------------------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _grow(relationship: CareRelationship, colleague: User, lines: int) -> None:
    owner = relationship.service_user
    for n in range(lines):
        goal = GoalFactory.create(owner=owner)
        entry = JournalEntryFactory.create(owner=owner)
        for viewer in (relationship.provider, colleague):
            AccessLogEntryFactory.create(
                owner=owner, viewer=viewer, module=Module.GOALS, item_kind="goal", item_id=goal.pk
            )
            AccessLogEntryFactory.create(
                owner=owner,
                viewer=viewer,
                module=Module.JOURNAL,
                item_kind="journal_entry",
                item_id=entry.pk,
            )
            AccessLogEntryFactory.create(
                owner=owner, viewer=viewer, module=[*AccessedData.values][n % 12]
            )


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_size_of_the_log(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
    organisation: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    colleague = make_member(Role.PROVIDER, totp=True)
    CareRelationshipFactory.create(
        service_user=relationship.service_user, provider=colleague, organisation=organisation
    )
    client = as_user(relationship.service_user)
    client.get(LOG)  # the first request stamps the session; measure after it
    _grow(relationship, colleague, 2)
    paths = [LOG, f"{LOG}?who={colleague.pk}&module=goals&start=2020-01-01", f"{LOG}?page=2"]
    small = [_count(client, path) for path in paths]
    _grow(relationship, colleague, 40)
    large = [_count(client, path) for path in paths]
    assert small == large, (small, large)
    # session, user, roles (middleware), the viewers for the filter, the count, the page, and
    # one titles query per item kind on the page (goals, journal entries).
    with django_assert_max_num_queries(12):
        client.get(LOG)
    assert len(_lines(client.get(LOG))) == 50
    assert AccessLogEntry.objects.filter(owner=relationship.service_user).count() == 252
