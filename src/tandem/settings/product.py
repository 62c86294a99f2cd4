"""Tandem's own settings: invitations, quick exit, message limits and the crisis contacts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tandem.settings.environment import DATA_DIR, IS_PROD, IS_TEST, env_list

TANDEM_INVITATION_DAYS = int(os.environ.get("TANDEM_INVITATION_DAYS", "7"))
# Quick exit goes somewhere neutral that does not reveal what the person was looking at.
TANDEM_QUICK_EXIT_URL = os.environ.get("TANDEM_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
TANDEM_DEMO_PASSWORD = os.environ.get("TANDEM_DEMO_PASSWORD", "tandem-demo-2026")
# Messages one person may send in an hour (messaging.services; past it: 429, text kept).
TANDEM_MESSAGES_PER_HOUR = int(os.environ.get("TANDEM_MESSAGES_PER_HOUR", "60"))
# Forum search (docs/search.md): PostgreSQL cancels a search after this many ms (0: never;
# SQLite has no statement timeout); searches one person may run a minute (past it: 429, 0: no
# limit).
TANDEM_SEARCH_TIMEOUT_MS = int(os.environ.get("TANDEM_SEARCH_TIMEOUT_MS", "1500"))
TANDEM_SEARCHES_PER_MINUTE = int(os.environ.get("TANDEM_SEARCHES_PER_MINUTE", "20"))
# Requests one person may make of the REST API a minute, all their tokens and their session
# together (api.throttling; past it: 429 with Retry-After; 0: no limit).
TANDEM_API_REQUESTS_PER_MINUTE = int(os.environ.get("TANDEM_API_REQUESTS_PER_MINUTE", "120"))
# A visit in the access log: the same person reading the same item again within this many
# minutes of the line written for it adds no line (care.access.record_access).
TANDEM_ACCESS_VISIT_MINUTES = int(os.environ.get("TANDEM_ACCESS_VISIT_MINUTES", "30"))

# --- Crisis contacts, also when the database is down (docs/operations.md "Failure modes") ---
# The national numbers every crisis page shows: the first is the one sentences name ("call 999
# now"); all of them are listed when an organisation has no contacts of its own. 999 is the
# UK's number, 112 works across Europe and on UK mobiles.
TANDEM_EMERGENCY_NUMBERS = env_list("TANDEM_EMERGENCY_NUMBERS", "999,112") or ["999"]
_CRISIS_CONTACT_FIELDS = ("name", "phone", "text_number", "url", "description", "hours")


def _national_crisis_contacts() -> list[dict[str, Any]]:
    """Helplines open to everyone, shown under an organisation's own contacts (or alone).

    ``TANDEM_NATIONAL_CRISIS_CONTACTS`` is a JSON list of objects with the fields of a crisis
    contact; the built-in one is Samaritans, whose 116 123 is also the European number for
    emotional support lines (the helpline seed_demo and the crisis page already showed).
    """
    raw = os.environ.get("TANDEM_NATIONAL_CRISIS_CONTACTS", "")
    if not raw:
        return [
            {
                "name": "Samaritans",
                "phone": "116 123",
                "url": "https://www.samaritans.org/",
                "description": _("Talk to someone about anything that is troubling you."),
                "hours": _("Any time, day or night"),
            }
        ]
    try:
        contacts = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TANDEM_NATIONAL_CRISIS_CONTACTS is not JSON: {error}"
        ) from None
    if not isinstance(contacts, list) or not all(
        isinstance(contact, dict)
        and set(contact) <= set(_CRISIS_CONTACT_FIELDS)
        and all(isinstance(value, str) for value in contact.values())
        and contact.get("name")
        and (contact.get("phone") or contact.get("text_number") or contact.get("url"))
        for contact in contacts
    ):
        raise ImproperlyConfigured(
            "TANDEM_NATIONAL_CRISIS_CONTACTS must be a JSON list of objects with a name and a "
            f"phone, text_number or url (fields: {', '.join(_CRISIS_CONTACT_FIELDS)})."
        )
    return contacts


TANDEM_NATIONAL_CRISIS_CONTACTS = _national_crisis_contacts()
# The saved copy of every organisation's crisis contacts that the crisis page and the outage
# page read when the database is down. Not in the database or in Redis, which may be down too:
# a JSON file on this host (rewritten atomically), plus each process's memory. Tests keep
# theirs apart so a test run never leaves its made-up contacts in a developer's copy.
TANDEM_CRISIS_CACHE_FILE = Path(
    os.environ.get(
        "TANDEM_CRISIS_CACHE_FILE",
        DATA_DIR / ("crisis-contacts-test.json" if IS_TEST else "crisis-contacts.json"),
    )
)
# A small signed cookie, present only while someone is logged in, that names their
# organisation: with the sessions in the database, it is how the outage pages still know
# whose contacts to show.
TANDEM_CRISIS_ORGANISATION_COOKIE = "__Host-tandem-crisis-org" if IS_PROD else "tandem-crisis-org"
