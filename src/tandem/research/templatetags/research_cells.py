from __future__ import annotations

from django import template

from tandem.research.cells import suppressed

register = template.Library()


@register.filter
def cell(count: int) -> int | str:
    """A count in an aggregate table, with 1 to 4 shown as "< 5" (``research.cells``)."""
    return suppressed(count)
