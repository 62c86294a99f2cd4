"""Research pages through the test client: answering a study, withdrawing, and who may see a
dashboard (the role matrix)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.conftest import login_client
from tandem.core import usage
from tandem.core.usage import Action, Module
from tandem.research.models import Consent, ConsentStatus, ResearchEvent, Study

pytestmark = pytest.mark.django_db


def test_a_service_user_reads_what_is_collected_and_consents(
    client: Client, service_user: User, study: Study
) -> None:
    login_client(client, service_user)
    page = client.get(f"/research/studies/{study.pk}/").content.decode()
    assert study.collected in page
    assert "withdraw at any time" in page
    assert "removed" in page or "deleted" in page
    response = client.post(f"/research/studies/{study.pk}/", {"answer": "yes"})
    assert response.status_code == 302
    consent = Consent.objects.get(user=service_user)
    assert (consent.status, consent.role) == (ConsentStatus.CONSENTED, Role.SERVICE_USER)
    assert consent.consented_at is not None
    assert "You are taking part" in client.get(f"/research/studies/{study.pk}/").content.decode()


def test_a_provider_consents_as_a_provider(client: Client, provider: User, study: Study) -> None:
    login_client(client, provider)
    client.post(f"/research/studies/{study.pk}/", {"answer": "yes"})
    assert Consent.objects.get(user=provider).role == Role.PROVIDER


def test_no_answer_is_refused_beside_the_question(
    client: Client, service_user: User, study: Study
) -> None:
    login_client(client, service_user)
    response = client.post(f"/research/studies/{study.pk}/", {})
    assert response.status_code == 400
    assert "Choose yes or no." in response.content.decode()
    assert not Consent.objects.exists()


def test_saying_no_records_the_answer_and_nothing_else(
    client: Client, service_user: User, study: Study
) -> None:
    login_client(client, service_user)
    client.post(f"/research/studies/{study.pk}/", {"answer": "no"})
    consent = Consent.objects.get(user=service_user)
    assert consent.status == ConsentStatus.DECLINED and consent.declined_at is not None
    usage.record(service_user.pk, Module.FORUM, Action.POST)
    assert not ResearchEvent.objects.exists()


def test_withdrawing_asks_first_then_deletes_the_events(
    client: Client, service_user: User, study: Study
) -> None:
    login_client(client, service_user)
    client.post(f"/research/studies/{study.pk}/", {"answer": "yes"})
    usage.record(service_user.pk, Module.FORUM, Action.POST)
    assert ResearchEvent.objects.count() == 1
    confirm = client.get(f"/research/studies/{study.pk}/withdraw/")
    assert "deleted" in confirm.content.decode()
    assert ResearchEvent.objects.count() == 1
    client.post(f"/research/studies/{study.pk}/withdraw/")
    consent = Consent.objects.get(user=service_user)
    assert consent.status == ConsentStatus.WITHDRAWN and consent.withdrawn_at is not None
    assert not ResearchEvent.objects.exists()


def test_a_study_of_another_organisation_is_missing_to_its_non_members(
    client: Client, service_user: User
) -> None:
    elsewhere = OrganisationFactory.create()
    study = Study.objects.create(
        organisation=elsewhere,
        title="Elsewhere",
        purpose="-",
        ethics_reference="-",
        collected="-",
        start_date="2020-01-01",
        end_date="2099-01-01",
    )
    login_client(client, service_user)
    assert client.get(f"/research/studies/{study.pk}/").status_code == 404
    assert client.post(f"/research/studies/{study.pk}/", {"answer": "yes"}).status_code == 404
    assert not Consent.objects.exists()


@pytest.mark.parametrize("role", [Role.SERVICE_USER, Role.PROVIDER, Role.MODERATOR, Role.ORG_ADMIN])
def test_only_researchers_see_dashboards(
    client: Client, make_member: Callable[..., User], study: Study, role: str
) -> None:
    login_client(client, make_member(role, totp=role != Role.SERVICE_USER))
    assert client.get(f"/research/{study.pk}/").status_code == 404
    assert client.post(f"/research/{study.pk}/export.json").status_code == 404


def test_a_visitor_is_sent_to_log_in(client: Client, study: Study) -> None:
    response = client.get(f"/research/{study.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_researcher_sees_their_organisations_studies_only(
    client: Client, researcher: User, study: Study
) -> None:
    elsewhere = OrganisationFactory.create()
    MembershipFactory.create(user=researcher, organisation=elsewhere, role=Role.SERVICE_USER)
    other = Study.objects.create(
        organisation=elsewhere,
        title="Not yours",
        purpose="-",
        ethics_reference="-",
        collected="-",
        start_date=study.start_date,
        end_date=study.end_date,
    )
    login_client(client, researcher)
    listing = client.get("/research/").content.decode()
    assert study.title in listing and "Not yours" not in listing
    assert client.get(f"/research/{study.pk}/").status_code == 200
    assert client.get(f"/research/{other.pk}/").status_code == 404
    assert client.post(f"/research/{other.pk}/export.zip").status_code == 404


def test_a_researcher_without_two_step_verification_is_sent_to_set_it_up(
    client: Client, make_member: Callable[..., User], study: Study
) -> None:
    login_client(client, make_member(Role.RESEARCHER))
    response = client.get(f"/research/{study.pk}/")
    assert response.status_code == 302
    assert "2fa" in response["Location"] or "two-step" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/toolbox/",
        "/toolbox/goals/",
        "/toolbox/journal/",
        "/people/{owner}/goals/",
        "/people/{owner}/journal/",
        "/messages/",
        "/communities/",
        "/research/studies/{study}/",
    ],
)
def test_a_researcher_cannot_reach_toolbox_message_or_forum_pages(
    client: Client, researcher: User, service_user: User, study: Study, path: str
) -> None:
    login_client(client, researcher)
    url = path.format(owner=service_user.pk, study=study.pk)
    assert client.get(url).status_code == 404, url
