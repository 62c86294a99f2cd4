"""Confirm before harm (issue 19, item 4): deleting a post, leaving a community or a circle.

The button on the page (a link, or the post's delete button) leads to a question page that
says what will happen, with one button that does it and a way back; no JavaScript needed.
Only a POST carrying ``confirm=yes`` (the question page's hidden field) acts. A GET, or a POST
without that field (the post's delete button, a form from before this change, a replayed
request), shows the question page and changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed(request: HttpRequest) -> bool:
    """Whether this request is the "yes" from a question page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    what: str,
    button: str,
    cancel_url: str,
    consequences: list[str] | None = None,
    quote: str = "",
) -> HttpResponse:
    """The question page: ``what`` will happen (and each of ``consequences``), ``quote`` (what
    it is about, in the person's own words), the button that does it, and "No, go back"."""
    context = {
        "title": title,
        "what": what,
        "consequences": consequences or [],
        "quote": quote,
        "button": button,
        "cancel_url": cancel_url,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
    }
    return render(request, "forum/confirm.html", context)
