"""Questionnaires made in the portal: who may make them, who is offered them, versions that
keep old answers' scores, and bad definitions refused with what was typed kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, UserFactory
from tandem.care.models import RelationshipStatus
from tandem.conftest import login_client
from tandem.questionnaires import authoring, catalogue, fhir, selectors
from tandem.questionnaires.authoring import AuthorRight, Definition
from tandem.questionnaires.models import CustomInstrument, Response, Scope
from tandem.toolbox.tests.factories import share_with

pytestmark = pytest.mark.django_db

SLEEP = Definition(
    title="Sleep this week",
    stem="Over the last week:",
    items=("I fell asleep easily", "I woke up rested", "I slept through the night"),
    options=((0, "Never"), (1, "Sometimes"), (2, "Often")),
    bands=((0, 2, "Poor sleep"), (3, 6, "Good sleep")),
    higher_is_better=True,
)
FORM = {
    "title": "Sleep this week",
    "stem": "Over the last week:",
    "items": "I fell asleep easily\r\nI woke up rested\r\n\r\nI slept through the night",
    "options": "0 = Never\n1 = Sometimes\n2 = Often",
    "bands": "0-2 = Poor sleep\n3-6 = Good sleep",
    "direction": "better",
}


def org_wide(admin: User, organisation: Organisation) -> CustomInstrument:
    right = AuthorRight(organisation, Scope.ORGANISATION)
    return authoring.create_instrument(author=admin, right=right, definition=SLEEP)


def test_scoring_sums_the_answers_and_names_the_band(
    org_admin: User, organisation: Organisation
) -> None:
    key = catalogue.custom_key(org_wide(org_admin, organisation).pk)
    instrument = catalogue.resolve([(key, 1)])[(key, 1)]
    assert instrument.custom and instrument.higher_is_better and instrument.max_total == 6
    assert instrument.score({"1": 0, "2": 1, "3": 1}).total == 2
    assert instrument.score({"1": 0, "2": 1, "3": 1}).band.label == "Poor sleep"  # type: ignore[union-attr]
    assert instrument.score({"1": 1, "2": 1, "3": 1}).band.label == "Good sleep"  # type: ignore[union-attr]
    assert instrument.score({"1": 2, "2": 2, "3": 2}).total == 6
    missing = instrument.score({"1": 2, "3": 7})
    assert not missing.is_complete and missing.missing == (2, 3)
    assert not instrument.score({"1": True, "2": 1, "3": 1}).is_complete


def test_who_is_offered_what(
    org_admin: User,
    provider: User,
    service_user: User,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> None:
    everyone = org_wide(org_admin, organisation)
    mine = authoring.create_instrument(
        author=provider,
        right=AuthorRight(organisation, Scope.CASELOAD),
        definition=Definition(**{**SLEEP.__dict__, "title": "Pat's check"}),
    )
    elsewhere = UserFactory.create()
    MembershipFactory.create(
        user=elsewhere, organisation=Organisation.objects.create(name="Other", slug="other")
    )
    not_in_care = make_member()
    answerable = catalogue.to_answer(not_in_care, catalogue.custom_key(everyone.pk))
    assert answerable is not None and answerable.title == "Sleep this week"
    assert [i.key for i in catalogue.offered_to(not_in_care)] == [answerable.key]
    assert catalogue.offered_to(elsewhere) == []
    assert catalogue.to_answer(elsewhere, catalogue.custom_key(everyone.pk)) is None
    assert catalogue.to_answer(not_in_care, catalogue.custom_key(mine.pk)) is None
    relationship = share_with(provider, service_user)
    assert {i.title for i in catalogue.offered_to(service_user)} == {
        "Sleep this week",
        "Pat's check",
    }
    relationship.status = RelationshipStatus.ENDED
    relationship.save()
    assert [i.title for i in catalogue.offered_to(service_user)] == ["Sleep this week"]
    # Staff are not offered the organisation's questionnaires (they are for service users).
    assert catalogue.offered_to(provider) == []
    authoring.set_archived(instrument=everyone, archived=True)
    assert catalogue.offered_to(service_user) == []
    assert catalogue.to_answer(service_user, "c-notanumber") is None
    assert catalogue.to_answer(service_user, "phq9") is not None


def test_a_new_version_leaves_old_answers_scored_by_theirs(
    org_admin: User,
    service_user: User,
    organisation: Organisation,
    logged_in: Callable[[User], Client],
) -> None:
    instrument = org_wide(org_admin, organisation)
    key = catalogue.custom_key(instrument.pk)
    client = logged_in(service_user)
    page = client.get(f"/questionnaires/{key}/")
    assert page.status_code == 200 and "I woke up rested" in page.content.decode()
    answers = {"version": "1", "client_key": "k1", "item_1": "2", "item_2": "2", "item_3": "1"}
    sent = client.post(f"/questionnaires/{key}/", answers)
    assert sent.status_code == 302
    first = Response.objects.get()
    assert (first.instrument, first.version) == (key, 1)

    four_items = Definition(**{**SLEEP.__dict__, "items": (*SLEEP.items, "I napped"), "bands": ()})
    assert authoring.publish_version(instrument=instrument, definition=four_items) is not None
    assert authoring.publish_version(instrument=instrument, definition=four_items) is None
    # The page opened before the change: refused, answers kept, nothing stored.
    stale = client.post(f"/questionnaires/{key}/", {**answers, "client_key": "k2"})
    assert stale.status_code == 400
    assert "This questionnaire changed" in stale.content.decode()
    assert Response.objects.count() == 1
    old = selectors.scored(first)
    assert old is not None and old.score.total == 5 and old.score.band is not None
    assert old.instrument.version == 1 and len(old.instrument.items) == 3
    listed = client.get("/questionnaires/").content.decode()
    assert "Sleep this week" in listed
    trends = client.get(f"/questionnaires/{key}/trends/")
    assert trends.status_code == 200
    # Archived: no longer answerable, but the scores stay visible to their owner.
    authoring.set_archived(instrument=instrument, archived=True)
    assert client.get(f"/questionnaires/{key}/").status_code == 404
    assert client.get(f"/questionnaires/{key}/trends/").status_code == 200
    assert "no longer offered" in client.get("/questionnaires/").content.decode()
    bundle = fhir.build_bundle(selectors.submitted_responses(service_user))
    assert any(
        entry["resource"]["resourceType"] == "QuestionnaireResponse" for entry in bundle["entry"]
    )


def test_making_one_in_the_portal_and_bad_definitions_keep_what_was_typed(
    org_admin: User, organisation: Organisation, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(org_admin)
    assert client.get("/questionnaires/custom/").status_code == 200
    form = client.get("/questionnaires/custom/new/").content.decode()
    audience = f"{organisation.pk}:{Scope.ORGANISATION}"
    assert audience in form
    gap = {**FORM, "audience": audience, "bands": "0-1 = Poor\n3-6 = Good"}
    refused = client.post("/questionnaires/custom/new/", gap)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "no gaps or overlaps" in text and "I slept through the night" in text
    for field, value, message in (
        ("options", "0 = Never", "Offer between 2 and 7 answers"),
        ("options", "0 = Never\n0 = Always", "Each answer needs its own number"),
        ("options", "zero = Never\n1 = Always", "is not a whole number"),
        ("options", "0 Never\n1 = Always", "Write each line as a number"),
        ("bands", "low = Poor", "two whole numbers"),
        ("items", "\n\n", "This field is required"),
        ("title", "", "This field is required"),
    ):
        bad = client.post(
            "/questionnaires/custom/new/", {**FORM, "audience": audience, field: value}
        )
        assert bad.status_code == 400, field
        assert message in bad.content.decode(), (field, message)
    forged = client.post("/questionnaires/custom/new/", {**FORM, "audience": "999:organisation"})
    assert forged.status_code == 400
    assert not CustomInstrument.objects.exists()
    made = client.post("/questionnaires/custom/new/", {**FORM, "audience": audience})
    assert made.status_code == 302
    instrument = CustomInstrument.objects.get()
    assert (instrument.scope, instrument.author) == (Scope.ORGANISATION, org_admin)
    edit = client.get(f"/questionnaires/custom/{instrument.pk}/").content.decode()
    assert "0-2 = Poor sleep" in edit
    changed = client.post(f"/questionnaires/custom/{instrument.pk}/", {**FORM, "title": "Sleep"})
    assert changed.status_code == 302
    assert list(instrument.versions.values_list("number", "title")) == [
        (1, "Sleep this week"),
        (2, "Sleep"),
    ]
    assert client.post(f"/questionnaires/custom/{instrument.pk}/archive/").status_code == 302
    instrument.refresh_from_db()
    assert instrument.archived_at is not None


@pytest.mark.parametrize(
    "who", ["service_user", "unverified", "other_provider", "other_admin", "moderator"]
)
def test_only_its_makers_reach_the_authoring_pages(
    who: str,
    provider: User,
    organisation: Organisation,
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    pats = authoring.create_instrument(
        author=provider, right=AuthorRight(organisation, Scope.CASELOAD), definition=SLEEP
    )
    role = {
        "service_user": Role.SERVICE_USER,
        "unverified": Role.PROVIDER,
        "other_provider": Role.PROVIDER,
        "other_admin": Role.ORG_ADMIN,
        "moderator": Role.MODERATOR,
    }[who]
    user = make_member(role, totp=role != Role.SERVICE_USER)
    if who == "unverified":
        user.memberships.update(verified_at=None)
    client = login_client(client_factory(), user)
    if who == "other_admin":
        # An admin of this organisation manages its organisation-wide questionnaires, never a
        # provider's own caseload ones.
        assert client.get("/questionnaires/custom/").status_code == 200
        assert client.get(f"/questionnaires/custom/{pats.pk}/").status_code == 404
        assert client.post(f"/questionnaires/custom/{pats.pk}/archive/").status_code == 404
        return
    if who == "other_provider":
        assert client.get("/questionnaires/custom/").status_code == 200
    else:
        assert client.get("/questionnaires/custom/").status_code == 404
        assert client.get("/questionnaires/custom/new/").status_code == 404
    assert client.get(f"/questionnaires/custom/{pats.pk}/").status_code == 404
    assert client.post(f"/questionnaires/custom/{pats.pk}/", FORM).status_code == 404
    assert client.post(f"/questionnaires/custom/{pats.pk}/archive/").status_code == 404
    pats.refresh_from_db()
    assert pats.archived_at is None and pats.versions.count() == 1


def test_a_definition_is_checked_whoever_sends_it(
    org_admin: User, organisation: Organisation
) -> None:
    right = AuthorRight(organisation, Scope.ORGANISATION)
    overlap = Definition(**{**SLEEP.__dict__, "bands": ((0, 3, "Low"), (3, 6, "High"))})
    with pytest.raises(ValidationError) as caught:
        authoring.create_instrument(author=org_admin, right=right, definition=overlap)
    assert "bands" in caught.value.message_dict
    short = Definition(**{**SLEEP.__dict__, "bands": ((0, 2, "Low"), (3, 5, "High"))})
    with pytest.raises(ValidationError, match="highest possible total, 6"):
        authoring.create_instrument(author=org_admin, right=right, definition=short)
    wrong_right = AuthorRight(organisation, Scope.CASELOAD)
    with pytest.raises(ValidationError):
        authoring.create_instrument(author=org_admin, right=wrong_right, definition=SLEEP)
    assert not CustomInstrument.objects.exists()


@pytest.mark.usefixtures("back_to_english")
def test_a_questionnaire_made_in_the_portal_is_not_marked_as_english_on_a_bokmal_page(
    org_admin: User,
    service_user: User,
    organisation: Organisation,
    logged_in: Callable[[User], Client],
) -> None:
    key = catalogue.custom_key(org_wide(org_admin, organisation).pk)
    service_user.language = "nb"
    service_user.save(update_fields=["language"])
    page = logged_in(service_user).get(f"/questionnaires/{key}/").content.decode()
    assert '<html lang="nb"' in page and "I woke up rested" in page
    assert 'lang="en"' not in page and "data-text-language-note" not in page
