"""What a safety follow-up does beyond the page: the care team told when the person chose it
(once, content-free), and the person's use of its links recorded without standing in the way."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client

from tandem.accounts.models import CrisisContact, Organisation, User
from tandem.care import services as care_services
from tandem.care.models import CareRelationship, RelationshipStatus
from tandem.care.services.agreements import set_risk_alert
from tandem.conftest import login_client
from tandem.notifications.models import Notification
from tandem.questionnaires import services
from tandem.questionnaires.instruments import PHQ9_TEXTS
from tandem.questionnaires.models import FollowUpShown, Response

pytestmark = pytest.mark.django_db

ITEM_9 = {f"item_{n}": "0" for n in range(1, 10)} | {"item_9": "2"}
CALM = {f"item_{n}": "1" for n in range(1, 9)} | {"item_9": "0"}


def _send(client: Client, answers: dict[str, str], key: str = "k") -> str:
    data = {"version": "1", "client_key": key, "action": "submit", **answers}
    sent = client.post("/questionnaires/phq9/", data)
    assert sent.status_code == 302
    return str(sent["Location"])


@pytest.fixture
def care(service_user: User, provider: User, organisation: Organisation) -> CareRelationship:
    relationship = CareRelationship.objects.create(
        service_user=service_user,
        provider=provider,
        organisation=organisation,
        status=RelationshipStatus.ACTIVE,
    )
    care_services.start_agreement(relationship=relationship)
    return relationship


def _told(provider: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=provider, kind=services.FOLLOW_UP_KIND))


def test_the_care_team_is_told_once_when_the_person_chose_it_and_never_the_answers(
    care: CareRelationship, logged_in: Callable[[User], Client]
) -> None:
    user, provider = care.service_user, care.provider
    set_risk_alert(actor=user, relationship=care, on=True)
    client = logged_in(user)
    result = _send(client, ITEM_9)
    client.get(result)
    client.get(result)  # a reload tells nobody again
    (told,) = _told(provider)
    assert told.title == f"{user.get_full_name()}'s check-in needs attention"
    assert told.url == f"/people/{user.pk}/"
    assert (told.scope_type, told.scope_id) == ("care.relationship", care.pk)
    said = told.title.replace(user.get_full_name(), "").lower() + told.url
    assert said == "'s check-in needs attention" + f"/people/{user.pk}/"
    for content in ("phq", "patient health", "score", "27", PHQ9_TEXTS[8].lower(), "dead"):
        assert content not in said
    assert FollowUpShown.objects.get().care_team_told_at is not None
    # A calm response shows no follow-up and tells nobody.
    client.get(_send(client, CALM, key="k2"))
    assert len(_told(provider)) == 1
    # The provider reads it, while the relationship is active.
    assert told in Notification.objects.filter(recipient=provider)


def test_nothing_is_sent_when_the_choice_is_off(
    care: CareRelationship, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(care.service_user)
    client.get(_send(client, ITEM_9))
    assert _told(care.provider) == []
    follow_up = FollowUpShown.objects.get()
    assert follow_up.care_team_told_at is None


def test_nothing_is_sent_after_the_relationship_ended(
    care: CareRelationship, logged_in: Callable[[User], Client]
) -> None:
    set_risk_alert(actor=care.service_user, relationship=care, on=True)
    CareRelationship.objects.filter(pk=care.pk).update(status=RelationshipStatus.ENDED)
    client = logged_in(care.service_user)
    client.get(_send(client, ITEM_9))
    assert _told(care.provider) == []


def test_recording_the_follow_up_again_tells_nobody_again(care: CareRelationship) -> None:
    set_risk_alert(actor=care.service_user, relationship=care, on=True)
    response = Response(owner=care.service_user, instrument="phq9", version=1)
    response.answers = {str(n): 0 for n in range(1, 9)} | {"9": 1}
    response.save()
    services.record_follow_up(response=response, reasons=("self_harm_thoughts",))
    services.record_follow_up(response=response, reasons=("self_harm_thoughts",))
    assert len(_told(care.provider)) == 1


@pytest.fixture
def contact(organisation: Organisation) -> CrisisContact:
    return CrisisContact.objects.create(
        organisation=organisation, name="Crisis team", phone="0300 555 0199"
    )


def test_the_plan_and_call_links_record_what_the_person_did_and_still_lead_there(
    service_user: User, contact: CrisisContact, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    result = _send(client, ITEM_9)
    response = Response.objects.get()
    html = client.get(result).content.decode()
    plan = f"/questionnaires/responses/{response.pk}/follow-up/plan/"
    call = f"/questionnaires/responses/{response.pk}/follow-up/call/{contact.pk}/"
    assert f'href="{plan}"' in html and f'href="{call}"' in html
    assert FollowUpShown.objects.get().opened_plan_at is None
    opened = client.get(plan)
    assert (opened.status_code, opened["Location"]) == (302, "/toolbox/crisis-plan/")
    called = client.get(call)
    assert (called.status_code, called["Location"]) == (302, "tel:03005550199")
    follow_up = FollowUpShown.objects.get()
    assert follow_up.opened_plan_at is not None and follow_up.called_at is not None
    first = follow_up.opened_plan_at
    client.get(plan)
    assert FollowUpShown.objects.get().opened_plan_at == first  # the first time only


def test_the_links_work_when_recording_fails_or_nothing_is_to_be_recorded(
    service_user: User,
    contact: CrisisContact,
    logged_in: Callable[[User], Client],
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    client = logged_in(service_user)
    client.get(_send(client, ITEM_9))
    response = Response.objects.get()
    failing = mock.patch.object(
        services, "record_follow_up_action", side_effect=DatabaseError("down")
    )
    with failing:
        opened = client.get(f"/questionnaires/responses/{response.pk}/follow-up/plan/")
        called = client.get(f"/questionnaires/responses/{response.pk}/follow-up/call/{contact.pk}/")
    assert opened["Location"] == "/toolbox/crisis-plan/" and called["Location"].startswith("tel:")
    assert FollowUpShown.objects.get().opened_plan_at is None
    # Someone else's response id: still the way to one's own plan, and nothing recorded.
    other = login_client(client_factory(), make_member())
    assert other.get(f"/questionnaires/responses/{response.pk}/follow-up/plan/")["Location"] == (
        "/toolbox/crisis-plan/"
    )
    assert FollowUpShown.objects.get().opened_plan_at is None


def test_a_contact_of_another_organisation_is_404(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    elsewhere = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    contact = CrisisContact.objects.create(organisation=elsewhere, name="X", phone="1")
    client = logged_in(service_user)
    client.get(_send(client, ITEM_9))
    response = Response.objects.get()
    url = f"/questionnaires/responses/{response.pk}/follow-up/call/{contact.pk}/"
    assert client.get(url).status_code == 404
    assert FollowUpShown.objects.get().called_at is None


@pytest.mark.usefixtures("back_to_english")
def test_published_english_texts_are_marked_on_a_page_in_bokmal(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    english = client.get("/questionnaires/phq9/").content.decode()
    assert 'lang="en"' not in english.split("<html", 1)[1].split(">", 1)[1]
    assert "data-text-language-note" not in english
    service_user.language = "nb"
    service_user.save(update_fields=["language"])
    page = client.get("/questionnaires/phq9/").content.decode()
    assert '<html lang="nb"' in page
    assert page.count("data-text-language-note") == 1
    assert f'<span lang="en">{PHQ9_TEXTS[0]}</span>' in page
    assert '<span lang="en">Not at all</span>' in page
    assert '<p class="lead" lang="en">Over the last 2 weeks' in page


@pytest.mark.parametrize(
    ("person_language", "provider_language", "title"),
    [
        ("nb", "en", "{name}'s check-in needs attention"),
        ("en", "nb", "Innsjekken til {name} trenger oppmerksomhet"),
    ],
)
def test_the_care_team_is_told_in_the_providers_language_not_the_persons(
    care: CareRelationship,
    logged_in: Callable[[User], Client],
    back_to_english: None,
    person_language: str,
    provider_language: str,
    title: str,
) -> None:
    user, provider = care.service_user, care.provider
    User.objects.filter(pk=user.pk).update(language=person_language)
    User.objects.filter(pk=provider.pk).update(language=provider_language)
    set_risk_alert(actor=user, relationship=care, on=True)
    client = logged_in(user)
    page = client.get(_send(client, ITEM_9))
    assert page.headers["Content-Language"] == person_language
    (told,) = _told(provider)
    assert told.title == title.format(name=user.get_full_name())
