"""Moderation's gates called directly: who gets a community, an item, a person, an
organisation or a post, and that an organisation admin may look but not act."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tandem.accounts.models import Organisation, Role, User
from tandem.forum.models import Community, Topic
from tandem.forum.tests.conftest import reply
from tandem.moderation.access import (
    check_can_moderate,
    check_can_reveal_identity,
    get_community_for_moderator,
    get_item_for_moderator,
    get_message_for_recipient,
    get_organisation_for_moderator,
    get_own_post,
    get_subject_for_moderator,
)
from tandem.moderation.tests.helpers_escalation import _hold

pytestmark = pytest.mark.django_db


def test_an_admin_may_open_the_community_but_not_act_or_ask_who_someone_is(
    mo: User, ada: User, otter: User, community: Community
) -> None:
    moderator = get_community_for_moderator(mo, community.pk)
    check_can_moderate(moderator)
    check_can_reveal_identity(moderator)
    admin = get_community_for_moderator(ada, community.pk)
    assert (admin.is_admin, admin.is_moderator) == (True, False)
    with pytest.raises(PermissionDenied):
        check_can_moderate(admin)
    with pytest.raises(PermissionDenied):
        check_can_reveal_identity(admin)
    with pytest.raises(Http404):
        get_community_for_moderator(otter, community.pk)


def test_an_item_is_the_moderators_of_its_community_and_an_unknown_one_is_404(
    mo: User, otter: User, topic: Topic
) -> None:
    item = _hold(otter, topic)
    found = get_item_for_moderator(mo, item.pk)
    assert found.item.pk == item.pk and found.staff.is_moderator
    with pytest.raises(Http404):
        get_item_for_moderator(mo, item.pk + 1000)
    with pytest.raises(Http404):
        get_item_for_moderator(otter, item.pk)  # the author is no moderator


def test_a_subject_must_belong_to_or_have_written_in_the_community(
    otter: User, community: Community, make_member: Callable[..., User]
) -> None:
    assert get_subject_for_moderator(otter, community, otter.pk) == otter
    stranger = make_member(Role.SERVICE_USER)  # in the organisation, not in the community
    with pytest.raises(Http404):
        get_subject_for_moderator(otter, community, stranger.pk)
    with pytest.raises(Http404):
        get_subject_for_moderator(otter, community, stranger.pk + 1000)


def test_the_organisation_is_its_active_moderators_and_admins(
    mo: User, ada: User, otter: User, organisation: Organisation
) -> None:
    assert get_organisation_for_moderator(mo, organisation.pk) == organisation
    assert get_organisation_for_moderator(ada, organisation.pk) == organisation
    with pytest.raises(Http404):
        get_organisation_for_moderator(otter, organisation.pk)
    mo.is_active = False
    mo.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        get_organisation_for_moderator(mo, organisation.pk)


def test_a_post_outcome_is_only_its_authors(otter: User, skylark: User, topic: Topic) -> None:
    post = reply(otter, topic, "Thank you all.")
    assert get_own_post(otter, post.pk) == post
    with pytest.raises(Http404):
        get_own_post(skylark, post.pk)


def test_an_unknown_old_moderator_message_is_404(otter: User) -> None:
    with pytest.raises(Http404):
        get_message_for_recipient(otter, 424242)
