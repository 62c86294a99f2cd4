"""How often one person may call the API: ``TANDEM_API_REQUESTS_PER_MINUTE`` requests a clock
minute, all their tokens and their browser session together.

The pages need no such limit (a person clicks); a script holding a token does not stop by
itself, and one runaway app must not take the workers from everyone else. The sending and
posting limits of messages and the forum stay where they are, in the services.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from tandem.accounts.requests import current_user

# Counters outlive their minute a little, so a clock a second off between workers still
# finds the same counter.
_COUNTER_SECONDS = 120


def _now() -> float:
    return time.time()


class PersonRateThrottle(BaseThrottle):
    """Count the request for the person the API authenticated (throttles run after
    authentication); refuse it past the limit for this clock minute.

    One counter per person and minute in the shared cache, so every worker sees it. Two
    requests racing at the limit may both pass: one request more, never an unbounded number.
    A fixed minute rather than a sliding window: one counter to read and write per request,
    and ``Retry-After`` is simply the rest of the minute.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        limit: int = settings.TANDEM_API_REQUESTS_PER_MINUTE
        if limit <= 0:
            return True
        minute = int(_now()) // 60
        key = f"tandem:throttle:api:{current_user(request).pk}:{minute}"
        try:
            count = cache.incr(key)
        except ValueError:  # the first request of this minute
            cache.set(key, 1, timeout=_COUNTER_SECONDS)
            count = 1
        return count <= limit

    def wait(self) -> float:
        """Seconds until the next minute starts, when the counter starts again (ninja sends
        them, rounded up, as ``Retry-After``). Worked out again rather than kept from
        ``allow_request``: one throttle object serves every thread."""
        return 60 - _now() % 60
