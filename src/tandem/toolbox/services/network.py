"""The network map: people and services around the person."""

from __future__ import annotations

from django.db import transaction

from tandem.accounts.models import User
from tandem.toolbox.models import NetworkMember
from tandem.toolbox.services.common import check_owner, save_cleaned
from tandem.toolbox.services.kept import keep_deleted


def add_network_member(
    *,
    owner: User,
    name: str,
    relationship: str = "",
    contact: str = "",
    circle: str,
    quality: str,
) -> NetworkMember:
    member = NetworkMember(
        owner=owner,
        name=name.strip(),
        relationship=relationship.strip(),
        contact=contact.strip(),
        circle=circle,
        quality=quality,
    )
    with transaction.atomic():
        save_cleaned(member)
    return member


def update_network_member(
    *,
    owner: User,
    member: NetworkMember,
    name: str,
    relationship: str,
    contact: str,
    circle: str,
    quality: str,
) -> NetworkMember:
    check_owner(owner, member)
    member.name = name.strip()
    member.relationship = relationship.strip()
    member.contact = contact.strip()
    member.circle = circle
    member.quality = quality
    with transaction.atomic():
        save_cleaned(
            member,
            update_fields=["name", "relationship", "contact", "circle", "quality", "updated_at"],
        )
    return member


def delete_network_member(*, owner: User, member: NetworkMember) -> None:
    keep_deleted(owner=owner, item=member)
