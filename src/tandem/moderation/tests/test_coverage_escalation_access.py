"""The second tier's gates called directly: a clinician whose account was closed reads no
escalation any more, and a rota entry is an admin's of its own organisation only."""

from __future__ import annotations

import pytest
from django.http import Http404

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tandem.forum.models import Topic
from tandem.moderation.escalation import services as escalation_services
from tandem.moderation.escalation.access import (
    get_item_for_escalation_recipient,
    get_rota_contact_for_admin,
)
from tandem.moderation.models import EscalationContact
from tandem.moderation.tests.helpers_escalation import _hold

pytestmark = pytest.mark.django_db


def test_a_deactivated_clinician_no_longer_reads_what_was_escalated_to_them(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    item = _hold(otter, topic)
    escalation_services.escalate_item(
        moderator=on_duty, item=item, targets=["clinical"], reason="Tonight."
    )
    dana, eli = clinicians
    assert get_item_for_escalation_recipient(dana, item.pk).pk == item.pk
    dana.is_active = False
    dana.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        get_item_for_escalation_recipient(dana, item.pk)
    # The others asked still read it, and nothing that was not escalated to them.
    assert get_item_for_escalation_recipient(eli, item.pk).pk == item.pk
    with pytest.raises(Http404):
        get_item_for_escalation_recipient(eli, item.pk + 1000)


def test_a_rota_entry_is_only_for_an_admin_of_its_organisation(
    ada: User, organisation: Organisation, clinicians: list[User]
) -> None:
    entry = EscalationContact.objects.get(user=clinicians[0])
    found = get_rota_contact_for_admin(ada, entry.pk)
    assert (found.pk, found.user, found.organisation) == (entry.pk, clinicians[0], organisation)
    # An unknown id and another organisation's admin get the same 404.
    with pytest.raises(Http404):
        get_rota_contact_for_admin(ada, entry.pk + 1000)
    other_admin = UserFactory.create()
    MembershipFactory.create(
        user=other_admin, organisation=OrganisationFactory.create(), role=Role.ORG_ADMIN
    )
    with pytest.raises(Http404):
        get_rota_contact_for_admin(other_admin, entry.pk)
    # Being on the rota oneself is not administering it.
    with pytest.raises(Http404):
        get_rota_contact_for_admin(clinicians[0], entry.pk)
