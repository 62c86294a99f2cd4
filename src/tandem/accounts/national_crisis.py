"""The national crisis numbers from the settings: the emergency numbers
(``TANDEM_EMERGENCY_NUMBERS``) and the helplines open to everyone
(``TANDEM_NATIONAL_CRISIS_CONTACTS``).

In accounts, beside the organisations' own crisis contacts, so that every app's pages may name
them (``{% load crisis_numbers %}``) without depending on the shell (``web``, issue 14).
"""

from __future__ import annotations

from django.conf import settings

from tandem.accounts.crisis_cache import SavedContact


def emergency_number() -> str:
    """The number sentences name: "call 999 now"."""
    return str(settings.TANDEM_EMERGENCY_NUMBERS[0])


def national_contacts() -> tuple[SavedContact, ...]:
    # Built when a page renders, so the built-in texts come out in the person's language.
    return tuple(
        SavedContact(**{key: str(value) for key, value in contact.items()})
        for contact in settings.TANDEM_NATIONAL_CRISIS_CONTACTS
    )
