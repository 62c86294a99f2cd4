"""The researcher's figures: recomputed by hand from the raw events, and counting only the
people taking part."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import OrganisationFactory
from tandem.conftest import login_client
from tandem.core.usage import Action, Module
from tandem.research import selectors, services
from tandem.research.models import (
    POSTING_ACTIONS,
    Consent,
    ConsentStatus,
    ResearchEvent,
    Study,
)
from tandem.research.selectors import gini

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_study() -> Study:
    organisation = OrganisationFactory.create(slug="northside", name="Northside")
    call_command("seed_research_demo", verbosity=0)
    return Study.objects.get(organisation=organisation, synthetic=True)


def _add(study: Study, pseudonym: str, role: str, module: str, action: str, n: int = 1) -> None:
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    ResearchEvent.objects.bulk_create(
        ResearchEvent(
            study=study, pseudonym=pseudonym, role=role, module=module, action=action, hour=hour
        )
        for _ in range(n)
    )


def _participant(
    study: Study, n: int, role: str = Role.SERVICE_USER, *, status: str = ConsentStatus.CONSENTED
) -> str:
    """A generated participant (no account), as in a synthetic study."""
    pseudonym = study.pseudonym_for(90_000 + n)
    Consent.objects.create(study=study, role=role, pseudonym=pseudonym, status=status)
    return pseudonym


def test_the_module_table_matches_the_raw_events(demo_study: Study) -> None:
    visits: Counter[tuple[str, str]] = Counter()
    postings: Counter[tuple[str, str]] = Counter()
    for event in ResearchEvent.objects.filter(study=demo_study):
        if event.action == Action.VISIT:
            visits[(event.module, event.role)] += 1
        elif event.action in POSTING_ACTIONS:
            postings[(event.module, event.role)] += 1
    table = selectors.module_table(demo_study)
    assert len(table) == 13
    for row in table:
        assert row.service_user_visits == visits[(row.module, Role.SERVICE_USER)]
        assert row.provider_visits == visits[(row.module, Role.PROVIDER)]
        assert row.service_user_postings == postings[(row.module, Role.SERVICE_USER)]
        assert row.provider_postings == postings[(row.module, Role.PROVIDER)]
    # ReConnect's finding, reproduced by the generated study: the forum is visited most.
    assert table[0].module == Module.FORUM


def test_the_demo_study_has_the_reconnect_shape(demo_study: Study) -> None:
    board = selectors.dashboard(demo_study)
    assert (board.service_users, board.providers) == (30, 27)
    assert board.provider_use.never == 8
    assert board.provider_use.messaging_only > 0
    assert board.inequality.top_1_share + board.inequality.next_9_share > 30  # a few do most
    assert 0.4 < board.inequality.gini < 0.95
    assert board.replies.replies > 100
    assert board.replies.median_hours is not None and board.replies.p90_hours is not None
    assert board.replies.median_hours < board.replies.p90_hours
    assert 0 < board.replies.late < board.replies.replies


def test_the_dashboard_page_shows_the_table_it_computed(
    client: Client, demo_study: Study, make_member: Callable[..., User]
) -> None:
    researcher = make_member(Role.RESEARCHER, totp=True)
    Membership.objects.create(
        user=researcher, organisation=demo_study.organisation, role=Role.RESEARCHER
    )
    login_client(client, researcher)
    page = client.get(f"/research/{demo_study.pk}/").content.decode()
    for row in selectors.module_table(demo_study):
        cells = re.search(rf'<tr data-module="{row.module}">(.*?)</tr>', page)
        assert cells is not None, row.module
        numbers = re.findall(r"<td>(.*?)</td>", cells.group(1))
        expected = [
            row.service_user_visits,
            row.provider_visits,
            row.visits,
            row.service_user_postings,
            row.provider_postings,
            row.postings,
        ]
        assert numbers == ["&lt; 5" if 0 < value < 5 else str(value) for value in expected], (
            row.module
        )
    assert "Generated demo data" in page
    assert "<svg" in page and 'role="img"' in page


def test_people_not_taking_part_are_in_no_figure(study: Study) -> None:
    taking_part = [_participant(study, n) for n in range(5)]
    withdrawn = _participant(study, 10, status=ConsentStatus.WITHDRAWN)
    declined = _participant(study, 11, status=ConsentStatus.DECLINED)
    for pseudonym in taking_part:
        _add(study, pseudonym, Role.SERVICE_USER, Module.FORUM, Action.VISIT, 2)
    # Events that should never exist (written in the moment of withdrawing, or by a bug) are
    # still not counted: every figure reads only consents given.
    for pseudonym in (withdrawn, declined, "0123456789abcdef0123"):
        _add(study, pseudonym, Role.SERVICE_USER, Module.FORUM, Action.POST, 7)
        _add(study, pseudonym, Role.PROVIDER, Module.MESSAGING, Action.MESSAGE_SENT, 7)
    board = selectors.dashboard(study)
    assert board.participants == 5 and board.events == 10
    forum = next(row for row in board.modules if row.module == Module.FORUM)
    assert (forum.visits, forum.postings) == (10, 0)
    assert board.inequality.contributions == 0
    assert board.replies.replies == 0
    assert sum(week.people for week in board.weeks) == 5


def test_withdrawing_removes_a_persons_events_from_the_figures(
    consenting: Callable[..., User], study: Study
) -> None:
    people = [consenting() for _ in range(6)]
    for person in people:
        _add(study, study.pseudonym_for(person.pk), Role.SERVICE_USER, Module.GOALS, Action.VISIT)
    services.withdraw_consent(user=people[0], study=study)
    goals = next(row for row in selectors.module_table(study) if row.module == Module.GOALS)
    assert goals.visits == 5


def test_a_count_of_three_is_shown_as_less_than_five(
    client: Client, researcher: User, study: Study
) -> None:
    pseudonyms = [_participant(study, n) for n in range(6)]
    _add(study, pseudonyms[0], Role.SERVICE_USER, Module.JOURNAL, Action.VISIT, 3)
    for pseudonym in pseudonyms:
        _add(study, pseudonym, Role.SERVICE_USER, Module.FORUM, Action.VISIT, 2)
    login_client(client, researcher)
    page = client.get(f"/research/{study.pk}/").content.decode()
    journal = re.search(r'<tr data-module="journal">(.*?)</tr>', page)
    assert journal is not None
    assert re.findall(r"<td>(.*?)</td>", journal.group(1))[:3] == ["&lt; 5", "0", "&lt; 5"]
    forum = re.search(r'<tr data-module="forum">(.*?)</tr>', page)
    assert forum is not None and "<td>12</td>" in forum.group(1)
    assert ">3<" not in journal.group(1)


def test_gini_and_the_one_nine_ninety_shares() -> None:
    assert gini([3, 3, 3, 3]) == 0
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert gini([]) == 0


def test_shares_count_the_silent_majority(study: Study) -> None:
    pseudonyms = [_participant(study, n) for n in range(20)]
    _add(study, pseudonyms[0], Role.SERVICE_USER, Module.FORUM, Action.POST, 60)
    _add(study, pseudonyms[1], Role.SERVICE_USER, Module.FORUM, Action.POST, 30)
    _add(study, pseudonyms[2], Role.SERVICE_USER, Module.FORUM, Action.REACTION, 10)
    ineq = selectors.inequality(study, participants=20)
    # 20 people: the top 1 % is one person, the top 10 % two.
    assert (ineq.top_1_share, ineq.next_9_share, ineq.rest_90_share) == (60.0, 30.0, 10.0)
    assert ineq.silent == 17 and ineq.contributions == 100


def test_reply_times_median_and_ninetieth_percentile(study: Study) -> None:
    pseudonym = _participant(study, 1, Role.PROVIDER)
    hour = timezone.now() - timedelta(days=2)
    ResearchEvent.objects.bulk_create(
        ResearchEvent(
            study=study,
            pseudonym=pseudonym,
            role=Role.PROVIDER,
            module=Module.MESSAGING,
            action=Action.MESSAGE_SENT,
            hour=hour,
            wait_hours=wait,
            late=wait > 48,
        )
        for wait in range(1, 11)  # 1..10 hours, none late
    )
    replies = selectors.reply_times(study)
    assert (replies.replies, replies.median_hours, replies.p90_hours) == (10, 5.5, 9.1)
    assert replies.late == 0 and replies.with_agreement == 10


def test_providers_by_how_they_used_tandem(study: Study) -> None:
    never = _participant(study, 1, Role.PROVIDER)
    looker = _participant(study, 2, Role.PROVIDER)
    messenger = _participant(study, 3, Role.PROVIDER)
    broad = _participant(study, 4, Role.PROVIDER)
    _add(study, looker, Role.PROVIDER, Module.MESSAGING, Action.VISIT)
    _add(study, messenger, Role.PROVIDER, Module.MESSAGING, Action.MESSAGE_SENT)
    _add(study, broad, Role.PROVIDER, Module.MESSAGING, Action.MESSAGE_SENT)
    _add(study, broad, Role.PROVIDER, Module.CARE_TEAM, Action.JOINT_SESSION)
    use = selectors.provider_use(study, providers=4)
    assert (use.never, use.looked_only, use.messaging_only, use.messaging_and_more) == (1, 1, 1, 1)
    assert use.other_only == 0
    assert never  # listed among the providers taking part, with no event at all


def test_seeding_twice_keeps_one_generated_study(demo_study: Study) -> None:
    count = ResearchEvent.objects.filter(study=demo_study).count()
    call_command("seed_research_demo", verbosity=0)
    assert Study.objects.filter(synthetic=True).count() == 1
    assert ResearchEvent.objects.filter(study__synthetic=True).count() == count
    assert Study.objects.filter(synthetic=False, organisation=demo_study.organisation).count() == 1


def test_seeding_needs_the_demo_organisation(organisation: Organisation) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_research_demo", verbosity=0)
