"""Identity reveals with two keys (issue 13): one moderator asks with a reason; a second
moderator, or someone on the clinical escalation rota, approves or declines; only then do the
two of them see who it is, and the person is told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.conftest import login_client
from tandem.forum.models import Community
from tandem.moderation import selectors
from tandem.moderation.identity import access, services
from tandem.moderation.identity import selectors as identity_selectors
from tandem.moderation.models import (
    REVEAL_REQUEST_LIFETIME,
    REVEAL_SHOWN_FOR,
    AuditAction,
    AuditEntry,
    EscalationContact,
    RevealRequest,
    RevealState,
)
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

REASON = "Arranging urgent help with the crisis team"


@pytest.fixture
def bea(make_member: Callable[..., User]) -> User:
    """A second moderator of the organisation."""
    return make_member(Role.MODERATOR, totp=True, pseudonym="Bea", email="bea@example.org")


@pytest.fixture
def clinician(make_member: Callable[..., User], organisation: Organisation) -> User:
    """A verified care provider on the organisation's clinical escalation rota."""
    person = make_member(Role.PROVIDER, totp=True, pseudonym="Cleo", email="cleo@example.org")
    person.memberships.update(verified_at=timezone.now())
    EscalationContact.objects.create(organisation=organisation, user=person)
    return person


def _ask(mo: User, community: Community, otter: User, reason: str = REASON) -> RevealRequest:
    return services.request_reveal(moderator=mo, community=community, subject=otter, reason=reason)


def _client(user: User) -> Client:
    return login_client(Client(), user)


# --- The service ------------------------------------------------------------------------------


def test_asking_reveals_nothing_and_logs_no_reason(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    assert reveal.state == RevealState.PENDING
    assert reveal.expires_at == reveal.created_at + REVEAL_REQUEST_LIFETIME
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.subject, entry.reason) == (
        AuditAction.REVEAL_REQUEST,
        mo,
        otter,
        "",
    )
    assert not access.may_see_identity(mo, reveal)
    with pytest.raises(PermissionDenied):
        identity_selectors.identity_for(mo, reveal)
    # Bea is asked to decide; Otter is not told of a mere request, and Mo not asked.
    asked = Notification.objects.get(kind="moderation.reveal_request")
    assert asked.recipient == bea
    assert not Notification.objects.filter(recipient__in=[otter, mo]).exists()


def test_a_single_moderator_cannot_reveal(otter: User, mo: User, community: Community) -> None:
    """With nobody else to approve, asking is all one moderator can do."""
    reveal = _ask(mo, community, otter)
    with pytest.raises(PermissionDenied):
        services.approve_reveal(approver=mo, reveal=reveal)
    reveal.refresh_from_db()
    assert reveal.state == RevealState.PENDING
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_approving_ones_own_request_is_refused_even_by_the_database(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    from django.db import IntegrityError, transaction

    reveal = _ask(mo, community, otter)
    with pytest.raises(PermissionDenied):
        services.approve_reveal(approver=mo, reveal=reveal)
    with pytest.raises(PermissionDenied):
        services.decline_reveal(decider=mo, reveal=reveal)
    with pytest.raises(IntegrityError), transaction.atomic():
        RevealRequest.objects.filter(pk=reveal.pk).update(
            state=RevealState.APPROVED, decided_by=mo, decided_at=timezone.now()
        )


@pytest.mark.parametrize("who", ["ada", "skylark", "rita", "otter"])
def test_people_who_are_not_a_second_key_cannot_approve(
    request: pytest.FixtureRequest, otter: User, mo: User, bea: User, community: Community, who: str
) -> None:
    """Admins, service users, researchers, and the person themselves."""
    reveal = _ask(mo, community, otter)
    with pytest.raises(PermissionDenied):
        services.approve_reveal(approver=request.getfixturevalue(who), reveal=reveal)
    assert RevealRequest.objects.get().state == RevealState.PENDING


def test_a_provider_who_is_not_on_the_rota_cannot_approve(
    otter: User, mo: User, provider: User, community: Community
) -> None:
    provider.memberships.update(verified_at=timezone.now())
    reveal = _ask(mo, community, otter)
    with pytest.raises(PermissionDenied):
        services.approve_reveal(approver=provider, reveal=reveal)


def test_a_second_moderator_approves_and_both_see_the_identity(
    otter: User, mo: User, bea: User, ada: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    revealed = services.approve_reveal(approver=bea, reveal=reveal)
    assert (revealed.full_name, revealed.email) == ("Alex Real", "alex@example.org")
    reveal.refresh_from_db()
    assert (reveal.state, reveal.decided_by) == (RevealState.APPROVED, bea)
    assert identity_selectors.identity_for(mo, reveal).email == "alex@example.org"
    assert identity_selectors.identity_for(bea, reveal).email == "alex@example.org"
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor, entry.subject, entry.reason) == (bea, otter, "")
    assert "Mo" in entry.detail
    assert reveal.audit_entry == entry
    assert Notification.objects.filter(recipient=ada, kind="moderation.reveal").exists()
    assert Notification.objects.filter(recipient=mo, kind="moderation.reveal_approved").exists()
    about_me = selectors.moderation_about_me(otter)
    assert [e.pk for e in about_me if e.action == AuditAction.REVEAL] == [entry.pk]


def test_the_person_is_told_without_their_real_name_in_the_title(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    services.approve_reveal(approver=bea, reveal=_ask(mo, community, otter))
    told = Notification.objects.get(recipient=otter)
    assert told.kind == "moderation.identity_revealed"
    assert told.url == "/moderation/about-me/"
    for private in ("Alex", "Real", "alex@example.org", "Otter"):
        assert private not in told.title
    rows = identity_selectors.about_me_rows(otter)
    assert [(row.entry.action, row.reason) for row in rows] == [(AuditAction.REVEAL, REASON)]


def test_someone_on_the_clinical_rota_may_approve(
    otter: User, mo: User, clinician: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    assert Notification.objects.filter(recipient=clinician, kind="moderation.reveal_request")
    services.approve_reveal(approver=clinician, reveal=reveal)
    assert identity_selectors.identity_for(clinician, reveal).full_name == "Alex Real"


def test_a_declined_request_shows_nothing_and_the_asker_is_told(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    services.decline_reveal(decider=bea, reveal=reveal)
    assert reveal.state == RevealState.DECLINED
    with pytest.raises(PermissionDenied):
        identity_selectors.identity_for(mo, reveal)
    with pytest.raises(ValidationError):
        services.approve_reveal(approver=bea, reveal=reveal)
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL_DECLINE)
    assert (entry.actor, entry.reason) == (bea, "")
    assert Notification.objects.filter(recipient=mo, kind="moderation.reveal_declined").exists()
    assert not Notification.objects.filter(recipient=otter).exists()


def test_an_expired_request_cannot_be_approved(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    with time_machine.travel(timezone.now() + REVEAL_REQUEST_LIFETIME + timedelta(seconds=1)):
        assert reveal.is_expired
        with pytest.raises(ValidationError):
            services.approve_reveal(approver=bea, reveal=reveal)
        # Lapsed: the moderator may ask again.
        _ask(mo, community, otter)
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_identity_is_shown_for_a_limited_time(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    services.approve_reveal(approver=bea, reveal=reveal)
    later = timezone.now() + REVEAL_SHOWN_FOR + timedelta(seconds=1)
    with time_machine.travel(later), pytest.raises(PermissionDenied):
        identity_selectors.identity_for(mo, reveal)


def test_a_moderator_who_loses_the_role_no_longer_sees_it(
    otter: User, mo: User, bea: User, community: Community
) -> None:
    reveal = _ask(mo, community, otter)
    services.approve_reveal(approver=bea, reveal=reveal)
    mo.memberships.filter(role=Role.MODERATOR).delete()
    with pytest.raises(PermissionDenied):
        identity_selectors.identity_for(mo, reveal)


@pytest.mark.parametrize("who", ["ada", "skylark", "rita"])
def test_asking_is_for_moderators_only(
    request: pytest.FixtureRequest, otter: User, community: Community, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        _ask(request.getfixturevalue(who), community, otter)
    assert not RevealRequest.objects.exists() and not AuditEntry.objects.exists()


def test_asking_needs_a_reason_and_only_once_at_a_time(
    otter: User, mo: User, community: Community
) -> None:
    with pytest.raises(ValidationError):
        _ask(mo, community, otter, reason=" ")
    _ask(mo, community, otter)
    with pytest.raises(ValidationError):
        _ask(mo, community, otter)
    with pytest.raises(ValidationError):
        _ask(mo, community, mo)


def test_the_reason_is_encrypted_at_rest(otter: User, mo: User, community: Community) -> None:
    reveal = _ask(mo, community, otter)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM moderation_revealrequest WHERE id = %s", [reveal.pk])
        (stored,) = cursor.fetchone()
    assert "crisis" not in stored and stored.startswith("gAAAA")
    assert RevealRequest.objects.get().reason == REASON


# --- Over HTTP --------------------------------------------------------------------------------


def test_two_key_reveal_over_http(
    otter: User, mo: User, bea: User, ada: User, skylark: User, community: Community
) -> None:
    # One client each: a two-step code cannot be used twice, so nobody logs in twice.
    ada_client, skylark_client, otter_client = _client(ada), _client(skylark), _client(otter)
    ask_path = f"/moderation/communities/{community.pk}/people/{otter.pk}/reveal/"
    assert ada_client.post(ask_path, {"reason": "curious"}).status_code == 403
    assert skylark_client.post(ask_path, {"reason": "curious"}).status_code == 404
    mo_client = _client(mo)
    missing = mo_client.post(ask_path, {"reason": ""})
    assert missing.status_code == 400 and "alex@example.org" not in missing.content.decode()

    response = mo_client.post(ask_path, {"reason": REASON})
    reveal = RevealRequest.objects.get()
    detail = f"/moderation/reveals/{reveal.pk}/"
    assert response.status_code == 302 and response["Location"] == detail
    page = mo_client.get(detail).content.decode()
    assert REASON in page and "Alex Real" not in page and "alex@example.org" not in page
    assert "data-reveal-approve-form" not in page
    # Mo cannot approve their own request, nor see anything by asking to.
    assert mo_client.post(f"{detail}approve/").status_code == 403
    assert mo_client.post(f"{detail}show/").status_code == 403
    # Outsiders do not even learn that the request exists.
    for outsider in (ada_client, skylark_client, otter_client):
        assert outsider.get(detail).status_code == 404
        assert outsider.post(f"{detail}approve/").status_code == 404

    bea_client = _client(bea)
    person_page = bea_client.get(
        f"/moderation/communities/{community.pk}/people/{otter.pk}/"
    ).content.decode()
    assert detail in person_page
    assert "data-reveal-approve-form" in bea_client.get(detail).content.decode()
    approved = bea_client.post(f"{detail}approve/")
    assert approved.status_code == 200
    assert "Alex Real" in approved.content.decode()
    assert "Alex Real" not in bea_client.get(detail).content.decode()  # never on a GET
    assert bea_client.post(f"{detail}approve/").status_code == 409

    shown = mo_client.post(f"{detail}show/")
    assert shown.status_code == 200 and "alex@example.org" in shown.content.decode()

    about = otter_client.get("/moderation/about-me/").content.decode()
    assert "looked up your real name" in about and REASON in about

    audit = ada_client.get(f"/moderation/organisations/{community.organisation_id}/audit/")
    assert REASON not in audit.content.decode()


def test_declining_over_http(otter: User, mo: User, bea: User, community: Community) -> None:
    reveal = _ask(mo, community, otter)
    detail = f"/moderation/reveals/{reveal.pk}/"
    bea_client, mo_client = _client(bea), _client(mo)
    response = bea_client.post(f"{detail}decline/")
    assert response.status_code == 302
    page = mo_client.get(detail).content.decode()
    assert 'data-reveal-state="declined"' in page
    assert mo_client.post(f"{detail}show/").status_code == 403
    # The person who decided can still open it, to see what they decided.
    assert bea_client.get(detail).status_code == 200
