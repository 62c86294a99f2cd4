"""An organisation admin sets up and changes studies (issue 20): who may, what is refused and
kept, the lock once people agreed, and the record of each change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.conftest import login_client
from tandem.research import services
from tandem.research.models import Study, StudyChange, StudyChangeKind

pytestmark = pytest.mark.django_db


def _values(**changes: str) -> dict[str, str]:
    today = timezone.localdate()
    values = {
        "title": "Peer support and waiting",
        "purpose": "To learn how people use the forum.",
        "collected": "Which part you used and the hour.",
        "ethics_reference": "REK 2026/42",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=180)).isoformat(),
    }
    values.update(changes)
    return values


def _list(org: Organisation) -> str:
    return f"/research/organisations/{org.pk}/studies/"


def test_the_settings_page_links_to_the_studies(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    page = client.get(f"/organisations/{organisation.pk}/settings/").content.decode()
    assert _list(organisation) in page


def test_an_admin_sets_up_a_study_and_the_change_is_recorded(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    response = client.post(_list(organisation) + "create/", _values())
    assert response.status_code == 302
    study = Study.objects.get()
    assert (study.organisation, study.title, study.ethics_reference) == (
        organisation,
        "Peer support and waiting",
        "REK 2026/42",
    )
    change = StudyChange.objects.get()
    assert (change.actor, change.kind, change.study) == (org_admin, StudyChangeKind.CREATED, study)
    page = client.get(_list(organisation)).content.decode()
    assert "Peer support and waiting" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2020-01-01"}, "A study cannot end before it starts."),
        ({"title": ""}, "Enter the study&#x27;s title."),
        ({"purpose": ""}, "Say what the study is for."),
        ({"start_date": "next week"}, "Enter a date, like 2026-03-01."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"collected": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_bad_input_is_refused_and_what_was_typed_is_kept(
    client: Client,
    org_admin: User,
    organisation: Organisation,
    changes: dict[str, str],
    message: str,
) -> None:
    login_client(client, org_admin)
    response = client.post(_list(organisation) + "create/", _values(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    typed = _values(**changes)
    for name, value in typed.items():
        if name not in changes:
            assert f'value="{value}"' in page or f"{value}</textarea>" in page, name
    assert not Study.objects.exists()


def test_an_admin_changes_a_study_and_the_fields_are_recorded(
    client: Client, org_admin: User, organisation: Organisation, study: Study
) -> None:
    login_client(client, org_admin)
    url = _list(organisation) + f"{study.pk}/edit/"
    assert client.get(url).status_code == 200
    values = _values(title="A better title", purpose="A clearer purpose.")
    assert client.post(url, values).status_code == 302
    study.refresh_from_db()
    assert (study.title, study.purpose) == ("A better title", "A clearer purpose.")
    change = StudyChange.objects.get(kind=StudyChangeKind.EDITED)
    assert change.actor == org_admin
    assert "title" in change.fields and "purpose" in change.fields
    # Names of fields only, never the text typed.
    assert "A clearer purpose." not in str(change.fields)


def test_once_someone_agreed_the_consented_text_is_locked(
    client: Client,
    org_admin: User,
    organisation: Organisation,
    study: Study,
    consenting: Callable[..., User],
) -> None:
    consenting()
    login_client(client, org_admin)
    url = _list(organisation) + f"{study.pk}/edit/"
    page = client.get(url).content.decode()
    assert "data-locked" in page
    # The locked form does not send the consented text back (its fields are disabled).
    values = _values(title="Still changeable")
    del values["purpose"], values["collected"]
    assert client.post(url, values).status_code == 302
    study.refresh_from_db()
    assert study.title == "Still changeable"
    assert study.purpose == "To learn which parts help."


def test_the_service_refuses_to_change_consented_text(
    org_admin: User, study: Study, consenting: Callable[..., User]
) -> None:
    user = consenting()
    services.withdraw_consent(user=user, study=study)  # they agreed once: still locked
    with pytest.raises(ValidationError) as refused:
        services.update_study(
            actor=org_admin, study=study, values={"collected": "Everything you write."}
        )
    assert "collected" in refused.value.message_dict
    study.refresh_from_db()
    assert study.collected.startswith("Which part of Tandem")
    assert not StudyChange.objects.exists()


def test_a_consent_given_between_opening_and_saving_is_seen(
    client: Client,
    org_admin: User,
    organisation: Organisation,
    study: Study,
    consenting: Callable[..., User],
) -> None:
    login_client(client, org_admin)
    url = _list(organisation) + f"{study.pk}/edit/"
    client.get(url)  # the form opens unlocked
    consenting()
    response = client.post(url, _values(purpose="Something else entirely."))
    assert response.status_code == 400
    page = response.content.decode()
    assert "People have agreed to this text" in page
    assert "Something else entirely." in page  # what was typed is kept
    study.refresh_from_db()
    assert study.purpose == "To learn which parts help."


def test_an_admin_of_another_organisation_gets_404(
    client: Client, organisation: Organisation, study: Study
) -> None:
    elsewhere = OrganisationFactory.create()
    admin = MembershipFactory.create(organisation=elsewhere, role=Role.ORG_ADMIN).user
    from allauth.mfa.totp.internal.auth import TOTP

    from tandem.conftest import TOTP_SECRET

    TOTP.activate(admin, TOTP_SECRET)
    login_client(client, admin)
    for url in (
        _list(organisation),
        _list(organisation) + "create/",
        _list(organisation) + f"{study.pk}/edit/",
        _list(elsewhere) + f"{study.pk}/edit/",  # their own organisation, another's study
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_list(organisation) + "create/", _values()).status_code == 404
    assert Study.objects.count() == 1


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.PROVIDER, Role.SERVICE_USER])
def test_other_roles_of_the_organisation_get_404(
    client: Client,
    make_member: Callable[..., User],
    organisation: Organisation,
    study: Study,
    role: str,
) -> None:
    login_client(client, make_member(role, totp=role != Role.SERVICE_USER))
    for url in (_list(organisation), _list(organisation) + f"{study.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    response = client.post(_list(organisation) + f"{study.pk}/edit/", _values(title="Mine"))
    assert response.status_code == 404
    study.refresh_from_db()
    assert study.title == "How people use Tandem"


def test_a_visitor_is_sent_to_log_in(client: Client, organisation: Organisation) -> None:
    response = client.get(_list(organisation))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_without_two_step_verification_is_sent_to_set_it_up(
    client: Client, make_member: Callable[..., User], organisation: Organisation
) -> None:
    login_client(client, make_member(Role.ORG_ADMIN))
    response = client.get(_list(organisation))
    assert response.status_code == 302 and "two-step" in response["Location"]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _more_studies(organisation: Organisation, make_member: Callable[..., User], n: int) -> None:
    today = timezone.localdate()
    for i in range(n):
        study = Study.objects.create(
            organisation=organisation,
            title=f"Study {i}",
            purpose="Plain words.",
            ethics_reference=f"REC {i}",
            collected="The hour.",
            start_date=today,
            end_date=today + timedelta(days=10),
        )
        services.give_consent(user=make_member(), study=study, role=Role.SERVICE_USER)


def test_the_admin_pages_cost_the_same_with_more_studies(
    client: Client,
    org_admin: User,
    organisation: Organisation,
    study: Study,
    make_member: Callable[..., User],
) -> None:
    login_client(client, org_admin)
    paths = [
        _list(organisation),
        _list(organisation) + "create/",
        _list(organisation) + f"{study.pk}/edit/",
    ]
    _more_studies(organisation, make_member, 2)
    small = [_queries(client, path) for path in paths]
    _more_studies(organisation, make_member, 20)
    large = [_queries(client, path) for path in paths]
    assert small == large
    assert max(large) <= 14, large


def test_the_list_says_how_many_take_part_without_small_counts(
    client: Client,
    org_admin: User,
    organisation: Organisation,
    study: Study,
    consenting: Callable[..., User],
) -> None:
    consenting()
    login_client(client, org_admin)
    page = client.get(_list(organisation)).content.decode()
    assert "taking part: &lt; 5" in page
