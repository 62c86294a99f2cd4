"""A provider with the person's questionnaires grant proposes check-ins; the person is told,
accepts or declines; only an accepted one is scheduled, and the person can stop it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.care.models import AccessLogEntry, Grant, Level, Module
from tandem.conftest import login_client
from tandem.notifications.models import Notification
from tandem.questionnaires import proposals
from tandem.questionnaires.models import ProposalStatus, Schedule, ScheduleProposal
from tandem.toolbox.tests.factories import share_with

pytestmark = pytest.mark.django_db


def _form(**changes: str) -> dict[str, str]:
    return {
        "instrument": "gad7",
        "every": "2",
        "unit": "weeks",
        "starts_on": timezone.localdate().isoformat(),
    } | changes


@pytest.fixture
def carer(service_user: User, provider: User, client_factory: Callable[[], Client]) -> Client:
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    return login_client(client_factory(), provider)


def test_a_proposal_waits_for_the_person_who_is_told_and_accepts(
    service_user: User, provider: User, carer: Client, client_factory: Callable[[], Client]
) -> None:
    path = f"/people/{service_user.pk}/questionnaires/schedule/propose/"
    assert carer.get(path).status_code == 200
    sent = carer.post(path, _form())
    assert sent.status_code == 302
    proposal = ScheduleProposal.objects.get()
    assert (proposal.provider, proposal.status) == (provider, ProposalStatus.WAITING)
    assert not Schedule.objects.exists()  # nothing until she accepts
    told = Notification.objects.get(recipient=service_user, kind=proposals.PROPOSED_KIND)
    assert told.title.startswith(provider.get_full_name())
    assert "GAD" not in told.title
    owner = login_client(client_factory(), service_user)
    page = owner.get("/questionnaires/").content.decode()
    assert f"{provider.get_full_name()} proposes GAD-7 every 2 weeks" in page
    accepted = owner.post(f"/questionnaires/proposals/{proposal.pk}/accept/")
    assert accepted.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.instrument, schedule.every, schedule.proposed_by) == ("gad7", 2, provider)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.answered_at is not None
    answer = Notification.objects.get(recipient=provider, kind=proposals.ANSWERED_KIND)
    assert "accepted" in answer.title
    assert (
        f"Proposed by {provider.get_full_name()}" in owner.get("/questionnaires/").content.decode()
    )
    # A second click changes nothing; she can stop it at any time.
    assert owner.post(f"/questionnaires/proposals/{proposal.pk}/accept/").status_code == 404
    assert owner.post("/questionnaires/gad7/schedule/delete/").status_code == 302
    assert not Schedule.objects.exists()


def test_a_declined_proposal_schedules_nothing_and_the_provider_is_told(
    service_user: User, provider: User, carer: Client, logged_in: Callable[[User], Client]
) -> None:
    carer.post(f"/people/{service_user.pk}/questionnaires/schedule/propose/", _form())
    proposal = ScheduleProposal.objects.get()
    owner = logged_in(service_user)
    assert owner.post(f"/questionnaires/proposals/{proposal.pk}/decline/").status_code == 302
    assert not Schedule.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    answer = Notification.objects.get(recipient=provider, kind=proposals.ANSWERED_KIND)
    assert "declined" in answer.title


def test_bad_proposals_are_refused_with_what_was_typed_kept(
    service_user: User, carer: Client
) -> None:
    path = f"/people/{service_user.pk}/questionnaires/schedule/propose/"
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    for bad in (_form(every="0"), _form(starts_on=past), _form(instrument="c-999999")):
        page = carer.post(path, bad)
        assert page.status_code == 400
        assert "There is a problem" in page.content.decode()
    assert 'name="every" value="0"' in carer.post(path, _form(every="0")).content.decode()
    assert not ScheduleProposal.objects.exists()


def test_proposing_again_changes_the_waiting_proposal(service_user: User, carer: Client) -> None:
    path = f"/people/{service_user.pk}/questionnaires/schedule/propose/"
    carer.post(path, _form())
    carer.post(path, _form(every="4"))
    assert ScheduleProposal.objects.get().every == 4


@pytest.mark.parametrize(
    "who",
    ["owner", "other", "provider_without", "after_revoke", "moderator", "researcher", "anon"],
)
def test_only_a_provider_with_the_grant_may_propose(
    who: str,
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    path = f"/people/{service_user.pk}/questionnaires/schedule/propose/"
    client = client_factory()
    if who == "anon":
        assert client.post(path, _form()).status_code == 302
        assert not ScheduleProposal.objects.exists()
        return
    if who == "owner":
        login_client(client, service_user)
    elif who in ("provider_without", "after_revoke"):
        module = Module.QUESTIONNAIRES if who == "after_revoke" else Module.GOALS
        share_with(provider, service_user, module, level=Level.COMMENT)
        Grant.objects.filter(module=Module.QUESTIONNAIRES).update(level=Level.NONE)
        login_client(client, provider)
    else:
        role = {
            "other": Role.SERVICE_USER,
            "moderator": Role.MODERATOR,
            "researcher": Role.RESEARCHER,
        }[who]
        login_client(client, make_member(role, totp=role != Role.SERVICE_USER))
    assert client.get(path).status_code == 404
    assert client.post(path, _form()).status_code == 404
    assert not ScheduleProposal.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_only_the_person_answers_a_proposal_made_to_them(
    service_user: User,
    provider: User,
    carer: Client,
    make_member: Callable[..., User],
    logged_in: Callable[[User], Client],
) -> None:
    carer.post(f"/people/{service_user.pk}/questionnaires/schedule/propose/", _form())
    proposal = ScheduleProposal.objects.get()
    for someone in (make_member(Role.SERVICE_USER), provider):
        client = logged_in(someone)
        assert client.post(f"/questionnaires/proposals/{proposal.pk}/accept/").status_code == 404
    assert carer.post(f"/questionnaires/proposals/{proposal.pk}/decline/").status_code == 404
    assert (
        logged_in(service_user).get(f"/questionnaires/proposals/{proposal.pk}/accept/").status_code
        == 405
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WAITING and not Schedule.objects.exists()
