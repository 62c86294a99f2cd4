"""The national crisis numbers from the settings, for templates rendered without a context:
the footer of every page and the 500 page (Django renders it with no context at all)."""

from __future__ import annotations

from django import template

from tandem.accounts.crisis_cache import SavedContact
from tandem.web import crisis

register = template.Library()


@register.simple_tag
def emergency_number() -> str:
    """``{% emergency_number %}``: the number sentences name ("call 999 now")."""
    return crisis.emergency_number()


@register.simple_tag
def national_helpline() -> SavedContact | None:
    """``{% national_helpline as helpline %}``: the first national helpline with a phone."""
    return next((contact for contact in crisis.national_contacts() if contact.phone), None)
