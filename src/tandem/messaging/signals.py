"""Close live sockets when the session behind them ends.

Each socket also re-reads its session at least every minute, so nothing depends on these
alone; they make the common cases (logging out, logging out everywhere, changing the
password, an account switched off) take effect at once.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from tandem.accounts.signals import sessions_ended
from tandem.messaging import events


@receiver(user_logged_out)
@receiver(sessions_ended)
@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def check_live_sockets(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None and getattr(user, "pk", None) is not None:
        events.publish_session_check(user_id=user.pk)
