"""What the crisis page and the outage page show, and how they know whose contacts to show.

Both pages list an organisation's crisis contacts (from the database, or from the saved copy in
``accounts.crisis_cache`` when the database is down) and the national ones from the settings:
the emergency numbers (``TANDEM_EMERGENCY_NUMBERS``) and helplines open to everyone
(``TANDEM_NATIONAL_CRISIS_CONTACTS``).

Whose contacts, when the database is down: sessions live in the database, so the person cannot
be told. While someone is logged in, a small signed cookie names their organisation (set and
removed here, by ``DatabaseOutageMiddleware``); without it, visitors see what they see on a
normal day: the organisation of a single-organisation deployment, else only the national
helplines. Never every organisation's list: in a deployment of several, a person in crisis
would have to pick their own team out of strangers' teams.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import LazyObject, empty

from tandem.accounts import crisis_cache
from tandem.accounts.crisis_cache import SavedOrganisation
from tandem.accounts.national_crisis import emergency_number as emergency_number
from tandem.accounts.national_crisis import national_contacts as national_contacts
from tandem.accounts.selectors import RoleSummary

ORGANISATION_COOKIE_SALT = "tandem.web.crisis-organisation"


class Contact(Protocol):
    """A crisis line as the templates read it: a ``CrisisContact`` or a ``SavedContact``."""

    @property
    def phone(self) -> str: ...

    @property
    def text_number(self) -> str: ...


class Named(Protocol):
    @property
    def name(self) -> str: ...


def _digits(number: str) -> str:
    return "".join(character for character in number if character.isdigit())


def crisis_context(
    *,
    organisation: Named | None,
    contacts: Sequence[Contact],
    saved_copy: bool = False,
    saved_at: datetime | None = None,
) -> dict[str, Any]:
    """The context of ``web/includes/crisis_contacts.html`` (and of the crisis page).

    With contacts of its own, the organisation's list comes first and the national helplines
    it does not already list follow it as one short list; without, the emergency numbers and
    the national helplines are the list.
    """
    national = national_contacts()
    listed = {_digits(number) for c in contacts for number in (c.phone, c.text_number) if number}
    return {
        "organisation": organisation,
        "contacts": contacts,
        "emergency_number": emergency_number(),
        "emergency_numbers": list(settings.TANDEM_EMERGENCY_NUMBERS),
        "national": national,
        "national_also": [
            contact
            for contact in national
            if not {_digits(contact.phone), _digits(contact.text_number)} & listed
        ]
        if contacts
        else [],
        "saved_copy": saved_copy,
        "saved_at": saved_at,
    }


# --- While the database is down ------------------------------------------------------------


def organisation_id_from_cookie(request: HttpRequest) -> int | None:
    value = request.get_signed_cookie(
        settings.TANDEM_CRISIS_ORGANISATION_COOKIE, default=None, salt=ORGANISATION_COOKIE_SALT
    )
    try:
        return int(value) if value else None
    except ValueError:
        return None


def saved_organisation_for(request: HttpRequest) -> SavedOrganisation | None:
    """The saved contacts this request should see, read without the database: the person's
    organisation (cookie), else the one every visitor sees, else none (national only)."""
    copy = crisis_cache.saved_copy()
    organisation_id = organisation_id_from_cookie(request)
    if organisation_id is not None and organisation_id in copy.organisations:
        return copy.organisations[organisation_id]
    return copy.public_organisation()


def saved_crisis_context(request: HttpRequest) -> dict[str, Any]:
    organisation = saved_organisation_for(request)
    return crisis_context(
        organisation=organisation,
        contacts=organisation.contacts if organisation is not None else (),
        saved_copy=True,
        saved_at=organisation.saved_at if organisation is not None else None,
    )


def _already_read(value: object) -> object | None:
    """``value``, unless it is a lazy object nobody has read yet (then None).

    ``request.user`` and ``request.roles`` cost a query the first time they are read; the
    cookie bookkeeping only uses them when the page already did, so it adds no query.
    """
    if isinstance(value, LazyObject):
        wrapped = getattr(value, "_wrapped", empty)
        return None if wrapped is empty else wrapped
    return value


def keep_organisation_cookie(request: HttpRequest, response: HttpResponseBase) -> None:
    """Name the logged-in person's organisation in a signed cookie; remove it once nobody is
    logged in (logout, timeouts), so a shared phone does not keep saying which service its
    last user belongs to. A browser-session cookie, like the session's."""
    name = settings.TANDEM_CRISIS_ORGANISATION_COOKIE
    user = _already_read(getattr(request, "user", None))
    if user is None:
        return
    wanted: int | None = None
    if getattr(user, "is_authenticated", False):
        roles = _already_read(getattr(request, "roles", None))
        if not isinstance(roles, RoleSummary):
            return
        wanted = roles.primary_organisation_id
    if wanted is None:
        if name in request.COOKIES:
            response.delete_cookie(name, samesite="Lax")
    elif organisation_id_from_cookie(request) != wanted:
        response.set_signed_cookie(
            name,
            str(wanted),
            salt=ORGANISATION_COOKIE_SALT,
            secure=settings.SESSION_COOKIE_SECURE or None,
            httponly=True,
            samesite="Lax",
        )
