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
    """The person's display name, avatar, trust level and month of joining, and their recent
    posts here that the reader may already read; 404 for anyone outside the community."""
    user = current_user(request)
    profile = get_member_profile_for_member(user, community_id, key)
    context = {
        "community": profile.community,
        "profile": profile,
        "trust_level": trust_level_name(profile),
        "posts": recent_posts_on_profile(user, profile),
        "is_self": profile.person.pk == user.pk,
    }
    return render(request, "forum/member_profile.html", context)
