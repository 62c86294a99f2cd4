"""The language Tandem writes in to a person when no page is open: every email.

Pages follow the request (the browser, then the person's own choice: PersonLanguageMiddleware).
An email has no request, or the request of someone else (an admin inviting, a task worker), so
its language comes from the recipient alone: their own choice, else the default language of
their organisation, else the site's default (``settings.LANGUAGE_CODE``).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from tandem.accounts.models import Organisation, User
from tandem.accounts.selectors import primary_organisation_for_user


def _known(language: str) -> bool:
    return bool(language) and language in dict(settings.LANGUAGES)


def language_for(user: User) -> str:
    """The language of the emails ``user`` receives.

    Costs no query when the person chose a language, one when their organisation decides.
    """
    if _known(user.language):
        return user.language
    organisation = primary_organisation_for_user(user)
    if organisation is not None and _known(organisation.default_language):
        return organisation.default_language
    return str(settings.LANGUAGE_CODE)


def language_for_email(email: str, organisation: Organisation | None = None) -> str:
    """The language of an email to an address, which may not belong to an account yet.

    An address of an account (its login address or another of its addresses) gets that
    person's language (``language_for``). One without
    (an invitation, a password reset asked for an unknown address) gets ``organisation``'s
    default when the email is on an organisation's behalf, else the site's default.
    """
    address = email.strip()
    user = (
        User.objects.filter(Q(email__iexact=address) | Q(emailaddress__email__iexact=address))
        .order_by("pk")
        .first()
        if address
        else None
    )
    if user is not None:
        return language_for(user)
    if organisation is not None and _known(organisation.default_language):
        return organisation.default_language
    return str(settings.LANGUAGE_CODE)
