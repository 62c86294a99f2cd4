"""Joining and leaving a community, being added and removed by another app (a closed
community's members), and its code of conduct."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.accounts.age import check_age_allows
from tandem.accounts.models import User
from tandem.forum.access import fits_audience
from tandem.forum.models import (
    CircleMember,
    Community,
    CommunityMember,
    Watch,
)


def check_can_join(*, user: User, community: Community, date_of_birth: date | None) -> None:
    """Raise ValidationError with a message for the person when they may not join."""
    if not fits_audience(user, community):
        raise ValidationError(
            _("This community is for %(audience)s.")
            % {"audience": community.get_audience_display().lower()},
            code="audience",
        )
    # The organisation's age rule, kept in one place (accounts.age).
    check_age_allows(
        user=user,
        organisation=community.organisation,
        min_age=community.min_age,
        max_age=community.max_age,
        date_of_birth=date_of_birth,
    )


@transaction.atomic
def join_community(
    *, user: User, community: Community, accepted_version: int, date_of_birth: date | None = None
) -> CommunityMember:
    """Join ``community`` (or accept its new code of conduct) as ``user``.

    ``accepted_version`` is the version the person read; if the code changed meanwhile they are
    asked again. A date of birth given here is saved on the account when it had none.
    """
    if accepted_version != community.code_of_conduct_version:
        raise ValidationError(
            _("The code of conduct has just changed. Please read the new version."),
            code="stale_conduct",
        )
    dob = user.date_of_birth or date_of_birth
    check_can_join(user=user, community=community, date_of_birth=dob)
    if user.date_of_birth is None and date_of_birth is not None:
        user.date_of_birth = date_of_birth
        user.save(update_fields=["date_of_birth"])
    member, _created = CommunityMember.objects.update_or_create(
        community=community,
        user=user,
        defaults={"accepted_conduct_version": community.code_of_conduct_version},
    )
    return member


@transaction.atomic
def leave_community(*, user: User, community: Community) -> None:
    """Leave at once: membership, circle places and watches in the community go."""
    CircleMember.objects.filter(user=user, circle__community=community).delete()
    Watch.objects.filter(user=user).filter(
        Q(topic__community=community) | Q(category__community=community)
    ).delete()
    CommunityMember.objects.filter(user=user, community=community).delete()


# The version a person added by another app has accepted: none yet. Versions start at 1, so
# every gate sends them to read and accept the code of conduct on their first visit.
NOT_YET_ACCEPTED = 0


@transaction.atomic
def add_member(*, community: Community, user: User) -> CommunityMember:
    """Add ``user`` to ``community`` on another app's decision (a course enrolling them on
    its closed board). The community's audience and age rules still apply (ValidationError
    otherwise, as on the join page), and the person still accepts the code of conduct
    themselves before reading: they are asked on their first visit. Adding someone already
    there changes nothing."""
    existing = CommunityMember.objects.filter(community=community, user=user).first()
    if existing is not None:
        return existing
    check_can_join(user=user, community=community, date_of_birth=user.date_of_birth)
    member = CommunityMember(
        community=community, user=user, accepted_conduct_version=NOT_YET_ACCEPTED
    )
    member.full_clean()
    member.save()
    return member


def remove_member(*, community: Community, user: User) -> None:
    """Remove ``user`` on another app's decision (their enrolment ended): the same as their
    leaving, so their circle places and watches there go too. Nothing happens if they were
    not a member."""
    leave_community(user=user, community=community)


@transaction.atomic
def publish_code_of_conduct(*, community: Community, text: str) -> Community:
    """Replace the code of conduct; every member is asked to accept it before going on."""
    community.code_of_conduct = text
    community.code_of_conduct_version += 1
    community.full_clean()
    community.save(update_fields=["code_of_conduct", "code_of_conduct_version", "updated_at"])
    return community
