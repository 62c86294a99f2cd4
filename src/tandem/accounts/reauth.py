"""Fresh proof of identity before a change that lets more people see a person's data.

A session left open on a shared or borrowed phone must not be enough to give a care provider
access, add a provider, or change two-step verification. Taking access away never asks for
proof: it must always be easy (see docs/security-reauth-age.md).

The check is allauth's own, through its public ``reauthentication_required`` decorator, so
there is one notion of "recently": the person typed their password or a two-step code on
allauth's reauthenticate page within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds. Logging in
does not count as such proof in allauth; only the reauthenticate page does.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.http import HttpRequest


def _proceed(request: HttpRequest) -> None:
    return None


# The public decorator around a view that does nothing: calling it is the check alone.
_check_fresh_proof = reauthentication_required(_proceed)


def require_fresh_proof(request: HttpRequest, *, reason: str) -> None:
    """Return if the person proved who they are in the last few minutes, else raise.

    ``reason`` is shown on the confirmation page, so the person knows why they are asked.
    Raise allauth's ``ReauthenticationRequired``. allauth's ``AccountMiddleware`` turns it
    into a redirect to ``/accounts/reauthenticate/`` (or the two-step page for someone
    without a password), keeps the submitted POST in the session, and once the person has
    confirmed it is them, replays that POST through the same view: what they chose is not
    lost and does not have to be entered again. Call it after the form is valid and before
    anything widening is saved.
    """
    try:
        _check_fresh_proof(request)
    except ReauthenticationRequired:
        messages.info(request, reason)
        raise
