"""The printable summary of an export (toolbox, crisis plan, goals and their progress, and
questionnaire trends), drawn by WeasyPrint from a template: no JavaScript, no network, only the
template's own CSS.

Written as PDF/UA-1 (``pdf_variant``): a tagged PDF whose structure follows the template's
headings, paragraphs, lists and tables, with the document's language (``<html lang>``) and its
title (``<title>``, shown by readers instead of the file name), and each chart a figure whose
alternative text is its description. Screen readers and reflow then work as on the web page.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML  # type: ignore[import-untyped]  # ships no type hints

from tandem.accounts.models import User
from tandem.accounts.selectors import role_summary_for_user
from tandem.datarights.summary import summary_for

PDF_VARIANT = "pdf/ua-1"


def _time_zone(user: User) -> zoneinfo.ZoneInfo:
    """``user``'s organisation's time zone, as their pages show times
    (``accounts.middleware.OrganisationTimeZoneMiddleware``); UTC when it is not valid."""
    name = role_summary_for_user(user).time_zone or settings.TANDEM_DEFAULT_TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def build_summary_pdf(user: User) -> bytes:
    """The summary in the current language, with dates in ``user``'s time zone."""
    # The worker runs in UTC: the person reads the dates of their own days.
    with timezone.override(_time_zone(user)):
        html = render_to_string(
            "datarights/summary_pdf.html",
            {
                "person": user,
                "made_at": timezone.now(),
                "summary": summary_for(user),
                "language": translation.get_language() or "en",
            },
        )
    # base_url None and no external resources: the template embeds everything it needs.
    result: bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return result
