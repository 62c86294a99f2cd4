"""A member's page in a community: where an @mention leads (``forum/profiles.py``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.accounts.requests import current_user
from tandem.forum.profiles import get_member_profile_for_member
from tandem.forum.selectors.profiles import recent_posts_on_profile, trust_level_name
from tandem.forum.views.common import conduct_gate


@require_GET
@conduct_gate
def member_profile(request: HttpRequest, community_id: int, key: str) -> HttpResponse:
    """The person's display name, avatar and month of joining (and, to the person, their trust
    level), and their recent posts here that the reader may already read; 404 for anyone
    outside the community."""
    user = current_user(request)
    profile = get_member_profile_for_member(user, community_id, key)
    is_self = profile.person.pk == user.pk
    context = {
        "community": profile.community,
        "profile": profile,
        # Only the person sees their own level here (issue 19: the person and the moderators,
        # who see it on the person's moderation page): a level lowered by a recent sanction
        # would tell every member about the sanction.
        "trust_level": trust_level_name(profile) if is_self else None,
        "posts": recent_posts_on_profile(user, profile),
        "is_self": is_self,
    }
    return render(request, "forum/member_profile.html", context)
