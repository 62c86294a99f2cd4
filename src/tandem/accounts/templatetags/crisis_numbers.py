"""The national crisis numbers from the settings, for templates rendered without a context:
the footer of every page, the 500 page (Django renders it with no context at all) and the page
that tells a person what happened to their post.

In accounts (``accounts.national_crisis``), so a feature app's template may load it without
depending on the shell (``web``, issue 14)."""

from __future__ import annotations

from django import template

from tandem.accounts.crisis_cache import SavedContact
from tandem.accounts.national_crisis import emergency_number as _emergency_number
from tandem.accounts.national_crisis import national_contacts

register = template.Library()


@register.simple_tag
def emergency_number() -> str:
    """``{% emergency_number %}``: the number sentences name ("call 999 now")."""
    return _emergency_number()


@register.simple_tag
def national_helpline() -> SavedContact | None:
    """``{% national_helpline as helpline %}``: the first national helpline with a phone."""
    return next((contact for contact in national_contacts() if contact.phone), None)
