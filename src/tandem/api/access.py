"""Gates for personal API tokens."""

from __future__ import annotations

from django.http import Http404

from tandem.accounts.models import User
from tandem.api.models import ApiToken


def get_token_for_owner(user: User, token_id: int) -> ApiToken:
    """Return one of ``user``'s own tokens (revoked ones too), else raise Http404: someone
    else's token and a missing one look the same."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404
    return token
