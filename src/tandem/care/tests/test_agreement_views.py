"""The agreement's pages: propose, answer, withdraw, history; who may open them; bad input
and stale pages answered without losing what was typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.care import services
from tandem.care.models import Agreement, AgreementVersion, CareRelationship, Grant, Level, Module
from tandem.conftest import login_client

FORM = {
    "purpose": "Goals before our meetings.",
    "reply_within_days": "3",
    "not_for": "Emergencies.",
    "crisis_section": "Call the crisis line.",
    "review_every_weeks": "8",
}


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: login_client(client_factory(), user)


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def _base(relationship: CareRelationship) -> str:
    return f"/care/relationships/{relationship.pk}/agreement"


def _page(client: Client, relationship: CareRelationship) -> str:
    return _text(client.get(f"/care/relationships/{relationship.pk}/"))


def test_a_proposal_is_shown_as_a_diff_and_the_old_version_stays_until_accepted(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    pat, sam = as_user(relationship.provider), as_user(relationship.service_user)
    assert pat.get(f"{_base(relationship)}/propose/").status_code == 200
    response = pat.post(f"{_base(relationship)}/propose/", FORM)
    assert response.status_code == 302
    for client in (pat, sam):
        page = _page(client, relationship)
        assert "data-agreement-proposal" in page
        # The diff: the old reply time removed, the new one added, in words too.
        assert "removed:" in page and "added:" in page
        assert "<del>" in page and "<ins>" in page
        in_force = page.split("data-agreement-in-force")[1]
        assert "2 working days" in in_force and "Goals before our meetings." not in in_force
    assert "Accept the change" in _page(sam, relationship)
    assert "Accept the change" not in _page(pat, relationship)
    assert "Withdraw my proposal" in _page(pat, relationship)

    proposal = AgreementVersion.objects.get(relationship=relationship, status="proposed")
    assert pat.post(f"{_base(relationship)}/{proposal.pk}/accept/").status_code == 403
    response = sam.post(f"{_base(relationship)}/{proposal.pk}/accept/")
    assert response.status_code == 302
    page = _page(pat, relationship)
    assert "data-agreement-proposal" not in page
    assert "3 working days" in page and "Goals before our meetings." in page


def test_declining_and_withdrawing(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    pat, sam = as_user(relationship.provider), as_user(relationship.service_user)
    sam.post(f"{_base(relationship)}/propose/", FORM)
    proposal = AgreementVersion.objects.get(status="proposed")
    assert pat.post(f"{_base(relationship)}/{proposal.pk}/decline/").status_code == 302
    sam.post(f"{_base(relationship)}/propose/", FORM)
    proposal = AgreementVersion.objects.get(status="proposed")
    assert sam.post(f"{_base(relationship)}/{proposal.pk}/withdraw/").status_code == 302
    statuses = list(AgreementVersion.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "declined", "withdrawn"]
    assert Agreement.objects.get(relationship=relationship).reply_within_days == 2
    assert pat.post(f"{_base(relationship)}/{proposal.pk}/shred/").status_code == 404


def test_answering_a_proposal_that_was_withdrawn_meanwhile_is_409(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    pat, sam = as_user(relationship.provider), as_user(relationship.service_user)
    sam.post(f"{_base(relationship)}/propose/", FORM)
    proposal = AgreementVersion.objects.get(status="proposed")
    sam.post(f"{_base(relationship)}/{proposal.pk}/withdraw/")
    response = pat.post(f"{_base(relationship)}/{proposal.pk}/accept/")
    assert response.status_code == 409
    assert "already withdrawn" in _text(response)
    assert Agreement.objects.get(relationship=relationship).reply_within_days == 2


def test_a_stale_proposal_is_409_and_keeps_the_typed_text(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    pat, sam = as_user(relationship.provider), as_user(relationship.service_user)
    sam.post(f"{_base(relationship)}/propose/", FORM)
    # Sam opens their proposal to revise it; meanwhile Pat accepts it.
    form = sam.get(f"{_base(relationship)}/propose/").context["form"]
    state = form.initial["state"]
    proposal = AgreementVersion.objects.get(status="proposed")
    pat.post(f"{_base(relationship)}/{proposal.pk}/accept/")
    typed = {**FORM, "purpose": "My revised words", "state": state}
    response = sam.post(f"{_base(relationship)}/propose/", typed)
    assert response.status_code == 409
    assert "changed while you were writing" in _text(response)
    assert "My revised words" in _text(response)
    assert not AgreementVersion.objects.filter(status="proposed").exists()
    # Sending it again from the refreshed page goes through.
    again = {**typed, "state": response.context["form"].data["state"]}
    assert sam.post(f"{_base(relationship)}/propose/", again).status_code == 302


def test_proposing_while_the_other_side_has_a_proposal_is_409_with_their_diff(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    pat, sam = as_user(relationship.provider), as_user(relationship.service_user)
    state = sam.get(f"{_base(relationship)}/propose/").context["form"].initial["state"]
    pat.post(f"{_base(relationship)}/propose/", FORM)
    response = sam.post(
        f"{_base(relationship)}/propose/", {**FORM, "purpose": "Sam's words", "state": state}
    )
    assert response.status_code == 409
    assert "Sam&#x27;s words" in _text(response) or "Sam's words" in _text(response)
    assert "data-agreement-conflict" in _text(response)
    # Opening the form while their proposal waits sends Sam to answer it first.
    assert sam.get(f"{_base(relationship)}/propose/").status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("purpose", "p" * 2001, "at most 2000 characters"),
        ("not_for", "n" * 1001, "at most 1000 characters"),
        ("crisis_section", "c" * 2001, "at most 2000 characters"),
        ("reply_within_days", "0", "greater than or equal to 1"),
        ("review_every_weeks", "abc", "Enter a whole number"),
    ],
)
def test_bad_agreement_input_answers_400_and_keeps_what_was_typed(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    field: str,
    value: str,
    message: str,
) -> None:
    data = {**FORM, "purpose": "Typed purpose", field: value}
    response = as_user(relationship.service_user).post(f"{_base(relationship)}/propose/", data)
    text = _text(response)
    assert response.status_code == 400
    assert "There is a problem" in text
    assert message in text
    assert value in text
    assert not AgreementVersion.objects.filter(status="proposed").exists()


def test_an_unchanged_proposal_is_400(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    agreement = Agreement.objects.get(relationship=relationship)
    data = {name: str(value) for name, value in agreement.terms().items()}
    response = as_user(relationship.service_user).post(f"{_base(relationship)}/propose/", data)
    assert response.status_code == 400
    assert "Change something" in _text(response)


def test_the_crisis_link_for_the_provider_goes_through_the_crisis_plan_grant(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    shared = f"/people/{relationship.service_user_id}/crisis_plan/"
    assert "/toolbox/crisis-plan/" in _page(as_user(relationship.service_user), relationship)
    pat = as_user(relationship.provider)
    assert shared not in _page(pat, relationship)
    grant(relationship, Module.CRISIS_PLAN, Level.VIEW)
    assert shared in _page(pat, relationship)


def test_agreement_pages_are_for_the_pair_only(
    as_user: Callable[[User], Client],
    client: Client,
    relationship: CareRelationship,
    make_member: Callable[..., User],
) -> None:
    services.propose_agreement_change(
        actor=relationship.service_user,
        relationship=relationship,
        purpose="p",
        reply_within_days=3,
        not_for="n",
        crisis_section="c",
        review_every_weeks=8,
    )
    proposal = AgreementVersion.objects.get(status="proposed")
    paths = [f"{_base(relationship)}/propose/", f"{_base(relationship)}/history/"]
    for outsider in (make_member(Role.SERVICE_USER), make_member(Role.PROVIDER, totp=True)):
        other = as_user(outsider)
        for path in paths:
            assert other.get(path).status_code == 404
        assert other.post(f"{_base(relationship)}/{proposal.pk}/accept/").status_code == 404
    for path in paths:
        assert client.get(path).status_code == 302  # anonymous: to the login page
    assert client.post(f"{_base(relationship)}/{proposal.pk}/accept/").status_code == 302
    assert AgreementVersion.objects.get(pk=proposal.pk).status == "proposed"
    for member in (relationship.service_user, relationship.provider):
        history = as_user(member).get(f"{_base(relationship)}/history/")
        assert history.status_code == 200 and "data-agreement-history" in _text(history)


def test_a_version_of_another_relationship_is_404(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
    provider: User,
) -> None:
    other = services.link_provider_by_code(
        service_user=make_member(Role.SERVICE_USER),
        code=services.ensure_link_code(provider=provider).code,
    )
    foreign = Agreement.objects.get(relationship=other).version
    assert foreign is not None
    response = as_user(relationship.provider).post(f"{_base(relationship)}/{foreign.pk}/withdraw/")
    assert response.status_code == 404


def test_the_provider_home_lists_changes_the_person_proposed(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    as_user(relationship.service_user).post(f"{_base(relationship)}/propose/", FORM)
    home = _text(as_user(relationship.provider).get("/"))
    assert "data-home-agreements" in home
