"""The two-step code form at login, with Tandem's limits on wrong codes (``MFA_FORMS``).

allauth's own limit on codes is its "login_failed" rate, which is off (see settings). Here a
code is refused unchecked while the account's two-step lock lasts (``accounts.throttling``,
keyed on the user, so a new session or address does not reset it), and a login attempt with
too many wrong codes is ended, so the next codes need the password again.
"""

from __future__ import annotations

import math
from datetime import datetime

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.accounts import throttling

# Wrong codes so far in this login attempt. The session is the attempt: it starts with the
# password and is flushed when the attempt is ended here or cancelled.
WRONG_CODES_SESSION_KEY = "tandem_wrong_two_step_codes"


class ThrottledAuthenticateForm(AuthenticateForm):  # type: ignore[misc]
    def clean_code(self) -> str:
        locked_until = throttling.two_step_locked_until(self.user.pk)
        if locked_until is not None:
            # Not checked at all while locked: a right code must not get through, and a
            # guesser must learn nothing from the answer.
            raise ValidationError(two_step_lock_message(locked_until), code="two_step_locked")
        try:
            code: str = super().clean_code()
        except ValidationError:
            self._count_wrong_code()
            raise
        throttling.clear_two_step(self.user.pk)
        context.request.session.pop(WRONG_CODES_SESSION_KEY, None)
        return code

    def _count_wrong_code(self) -> None:
        locked_until = throttling.record_wrong_code(self.user.pk)
        if locked_until is not None:
            raise ValidationError(two_step_lock_message(locked_until), code="two_step_locked")
        session = context.request.session
        wrong = int(session.get(WRONG_CODES_SESSION_KEY, 0)) + 1
        if wrong >= settings.TANDEM_TWO_STEP_FAILURES_PER_LOGIN:
            # Ends the pending login (as allauth's Cancel button does): the next code needs
            # the password first.
            session.flush()
            raise ValidationError(
                _(
                    "That code was not right either, and this login has had too many wrong "
                    "codes. Please log in again with your email address and password, then "
                    "enter the code your authenticator app shows at that moment."
                ),
                code="two_step_attempt_ended",
            )
        session[WRONG_CODES_SESSION_KEY] = wrong


def two_step_lock_message(until: datetime) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return _(
        "Too many wrong codes have been entered for this account, so to keep it safe, codes "
        "are not being accepted for now, not even the right one. You can try again after "
        "%(time)s (in %(wait)s). If these were not your attempts, someone may know your "
        "password: resetting it from the login page protects you and lets you log in straight "
        "away. Your care service or organisation can also help."
    ) % {
        "time": time_format(timezone.localtime(until), "H:i"),
        "wait": ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes},
    }
