"""``{% reltime value %}``: "3 hours ago", with the exact time for whoever wants it.

Rendered on the server, so it reads the same without JavaScript: a ``<time>`` with the
machine-readable ``datetime``, the exact local time in ``title`` (a mouse hover) and in a
span that CSS shows on hover and on keyboard focus and that screen readers always read.
Times more than a week away, and times in the future, show their date instead.

In core, so every app's templates and tag code may use it (apps never depend on web).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()

EXACT_FORMAT = "j M Y, H:i"


def relative_words(value: datetime, now: datetime) -> str:
    """How long before ``now`` ``value`` was, in words."""
    delta = now - value
    if delta < timedelta(0) or delta >= timedelta(days=7):
        return date_format(timezone.localtime(value), "j M Y")
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return gettext("just now")
    if minutes < 60:
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    days = hours // 24
    if days == 1:
        return gettext("yesterday")
    return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}


@register.simple_tag
def reltime(value: datetime | None) -> SafeString:
    if value is None:
        return mark_safe("")
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    exact = escape(date_format(local, EXACT_FORMAT))
    words = escape(relative_words(value, timezone.now()))
    html = (
        f'<time class="reltime" datetime="{escape(local.isoformat())}" title="{exact}"'
        f' tabindex="0">{words}<span class="reltime-exact"> ({exact})</span></time>'
    )
    # Safe: every part is escaped above.
    return mark_safe(html)  # noqa: S308
