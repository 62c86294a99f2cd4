"""What a date in the toolbox can be. "Today" is the organisation's: ``timezone.localdate()``
(the active time zone, ``TIME_ZONE`` unless a request set another).

Forms run these as field validators, so the message sits next to the field and the rest of
what was typed stays; services run them again (``check_dates``), because a service is the last
word on the domain's rules whoever calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Nothing in a person's toolbox happened before this; an earlier year is a slip of the keyboard.
EARLIEST = date(1900, 1, 1)
# A target further out than this is a slip too (2 instead of 202…).
LATEST_TARGET = date(2100, 12, 31)


def not_in_future(value: date) -> None:
    """For things that have happened: an activity, a medication started or stopped."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            _("This date is in the future. Choose today (%(today)s) or a day before.")
            % {"today": today.strftime("%d/%m/%Y")},
            code="future",
        )
    if value < EARLIEST:
        raise ValidationError(_("This date is too long ago. Check the year."), code="too_early")


def not_in_past(value: date) -> None:
    """For a new goal's target: it should still be ahead (or today)."""
    today = timezone.localdate()
    if value < today:
        raise ValidationError(
            _("A new goal's target date cannot be in the past. Choose today (%(today)s) or later.")
            % {"today": today.strftime("%d/%m/%Y")},
            code="past",
        )
    if value > LATEST_TARGET:
        raise ValidationError(_("This date is too far ahead. Check the year."), code="too_late")


def check_dates(**checks: tuple[date | None, Callable[[date], None]]) -> None:
    """Run ``validator`` on each named date that is set; raise one ValidationError naming
    each field that fails (so a view shows each message beside its field)."""
    errors: dict[str, list[ValidationError]] = {}
    for field, (value, validator) in checks.items():
        if value is None:
            continue
        try:
            validator(value)
        except ValidationError as error:
            errors[field] = [error]
    if errors:
        raise ValidationError(errors)
