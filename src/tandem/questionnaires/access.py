"""Gates for a person's own questionnaires. Reads by anyone else go through
``care.access.get_module_access_for_viewer`` (the grant and the access log) instead."""

from __future__ import annotations

from django.http import Http404

from tandem.accounts.models import User
from tandem.questionnaires.instruments import Instrument, get_instrument
from tandem.questionnaires.models import Response


def get_instrument_or_404(key: str) -> Instrument:
    instrument = get_instrument(key)
    if instrument is None:
        raise Http404
    return instrument


def get_response_for_owner(user: User, response_id: int) -> Response:
    """One of ``user``'s submitted responses, else Http404 ("missing" and "someone else's"
    look the same)."""
    response = Response.objects.filter(
        pk=response_id, owner=user, submitted_at__isnull=False
    ).first()
    if response is None:
        raise Http404
    return response
