"""A member's page inside one community, and the key in its address.

An @mention of a member links to that member's page *in the community where it was written*
(``forum/mentions.py``). The address carries the community's id and a key, never the person's
id: the key is the pair (community id, person's id) encrypted with one AES block under a key
derived from ``SECRET_KEY``. So it is

- not guessable: without the secret, no one can write the key of a person they have not seen
  mentioned, and a made-up key decrypts to a pair whose community is wrong (one chance in
  2**64 of passing), which answers 404 like a missing page;
- pseudonymous: it says nothing about the person, and the same person has an unrelated key in
  each community, so keys cannot be matched across communities;
- stable: the same person keeps the same key in a community (leaving and joining again, or
  changing their display name), so links written into posts keep working. Rotating
  ``SECRET_KEY`` keeps them working while the old secret is in ``SECRET_KEY_FALLBACKS``.

One block of AES on its own (ECB over exactly 16 bytes) is the block cipher used as a keyed
permutation, which is all a fixed-size, non-secret-shaped value needs; nothing longer is ever
encrypted this way.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import salted_hmac

from tandem.accounts.models import User
from tandem.forum import rules
from tandem.forum.access import CommunityAccess, get_community_access
from tandem.forum.models import Community, CommunityMember

# 16 bytes in unpadded base32: 26 letters and digits, lower case (addresses are case-blind
# in people's hands).
KEY_LENGTH = 26
_SALT = "tandem.forum.profiles.key"
_ID_BYTES = 8


def _cipher(secret: str) -> Cipher[modes.ECB]:
    key = salted_hmac(_SALT, "aes-128", secret=secret, algorithm="sha256").digest()[:16]
    # One block, never more (see the module's docstring): ECB is the bare permutation here.
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305


def profile_key(*, community_id: int, user_id: int) -> str:
    """The key of ``user_id``'s page in community ``community_id``."""
    block = community_id.to_bytes(_ID_BYTES, "big") + user_id.to_bytes(_ID_BYTES, "big")
    encryptor = _cipher(settings.SECRET_KEY).encryptor()
    sealed = encryptor.update(block) + encryptor.finalize()
    return base64.b32encode(sealed).decode().rstrip("=").lower()


def user_id_from_key(*, community_id: int, key: str) -> int | None:
    """The person's id in ``key`` when it is a key of community ``community_id``, else None
    (a malformed key, a key of another community, a made-up one)."""
    if len(key) != KEY_LENGTH:
        return None
    try:
        sealed = base64.b32decode(key.upper() + "======")
    except (binascii.Error, ValueError):
        return None
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        decryptor = _cipher(secret).decryptor()
        block = decryptor.update(sealed) + decryptor.finalize()
        if int.from_bytes(block[:_ID_BYTES], "big") == community_id:
            return int.from_bytes(block[_ID_BYTES:], "big")
    return None


def profile_url(*, community_id: int, user_id: int) -> str:
    key = profile_key(community_id=community_id, user_id=user_id)
    return reverse("forum:member-profile", kwargs={"community_id": community_id, "key": key})


def _membership_now(user_id: int, community_id: int) -> CommunityMember | None:
    """``user_id``'s membership of the community with the parts of them a member's page shows
    (display name, avatar), if they belong to it now (``forum.rules``, the one membership
    rule: a member, with a role in its organisation, not barred), else None. One query."""
    return (
        CommunityMember.objects.filter(
            community_id=community_id,
            user_id=user_id,
            user__is_active=True,
            # rules.params reads only the person's id.
            community_id__in=rules.member_community_ids_subquery(User(pk=user_id)),
        )
        .select_related("user")
        # Never more of the person than the page shows: no email, no real name.
        .only("joined_at", "user__pseudonym", "user__avatar_colour", "user__avatar_shape")
        .first()
    )


def belongs_now(user_id: int, community_id: int) -> bool:
    """Whether ``user_id`` belongs to the community now (whose mentions there are links)."""
    return _membership_now(user_id, community_id) is not None


@dataclass(frozen=True)
class MemberProfile:
    """A member's page as one reader may see it: the reader's standing in the community (what
    its gate decided), the person (display name and avatar only) and when they joined it."""

    viewer: CommunityAccess
    person: User
    member_since: datetime

    @property
    def community(self) -> Community:
        return self.viewer.community


def get_member_profile_for_member(viewer: User, community_id: int, key: str) -> MemberProfile:
    """Return the page of the person ``key`` names in the community, for ``viewer``.

    Raise Http404 unless the viewer belongs to the community (``get_community_access``; a new
    code of conduct raises ``ConductNotAcceptedError`` first, as every forum page does), the
    key is one of this community's, and the person it names belongs to it now. A made-up key,
    a person who left, and a community the viewer is not in all look the same.
    """
    access = get_community_access(viewer, community_id)
    user_id = user_id_from_key(community_id=community_id, key=key)
    member = _membership_now(user_id, community_id) if user_id is not None else None
    if member is None:
        raise Http404
    return MemberProfile(viewer=access, person=member.user, member_since=member.joined_at)
