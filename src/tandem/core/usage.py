"""Usage events for research: one call, ``record``, from the places where people use Tandem.

The apps that see what people do (toolbox, messaging, forum, care, questionnaires, accounts)
sit below the research app, so they cannot import it. Core offers this small registry instead:
the research app registers a *sink* from ``ResearchConfig.ready()``, and each meaningful event
is one line in the app where it happens::

    usage.record(user.pk, usage.Module.FORUM, usage.Action.POST)

With no sink registered (research not installed) ``record`` does nothing. The sink decides
whether to keep the event at all: only for a person who consented to an active study, and
then without content, free text or object ids (docs/research.md). ``record`` never raises: a
failing sink is logged (without the event's values) and the page goes on, since research must
never cost a person their post or their message.

Module visits are recorded by ``UsageMiddleware`` from the page's URL namespace, so no view
needs a line for them.

Cost. Most people take part in no study, and a page must not pay for research they are not
in. The sink's owner marks in the person's session whether they take part
(``set_taking_part``: at sign-in and when they answer a study); during a request, ``record``
skips every event of the requesting person whose session says no, without a query. Events
outside a request (commands, tests calling services) and of other people (the provider of a
joint session the service user starts) always reach the sink, which checks for itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


class Module:
    """The parts of Tandem that research counts (the ReConnect study's modules)."""

    STATUS = "status"
    GOALS = "goals"
    ACTIVITIES = "activities"
    MEDICATIONS = "medications"
    NETWORK = "network"
    CRISIS_PLAN = "crisis_plan"
    EXERCISES = "exercises"
    JOURNAL = "journal"
    MESSAGING = "messaging"
    FORUM = "forum"
    QUESTIONNAIRES = "questionnaires"
    COURSES = "courses"
    CARE_TEAM = "care_team"
    PORTAL = "portal"


class Action:
    VISIT = "visit"
    POST = "post"
    REACTION = "reaction"
    MESSAGE_SENT = "message_sent"
    MESSAGE_READ = "message_read"
    GOAL_CHANGED = "goal_changed"
    CHECKIN_ANSWERED = "checkin_answered"
    JOINT_SESSION = "joint_session"
    LOGIN = "login"


@dataclass(frozen=True)
class UsageEvent:
    """What happened, as the calling app knows it.

    ``page`` is the URL name of a visited page (visits only), for the sink to tell toolbox
    modules apart. ``waited_since`` and ``about_user_id`` are given with a care team's reply:
    since when the service user (``about_user_id``) had been waiting. The sink turns them into
    a wait in hours and whether it was longer than the agreed reply time; it stores neither
    the id nor the time itself.
    """

    user_id: int
    module: str
    action: str
    page: str = ""
    waited_since: datetime | None = None
    about_user_id: int | None = None


Sink = Callable[[UsageEvent], None]

_sinks: list[Sink] = []

# The session key saying whether the signed-in person takes part in a study (True/False).
SESSION_KEY = "usage.taking_part"
# During a request: (the requesting person's id, whether they take part); (0, False) while
# nobody is signed in (no person has id 0); None outside a request.
_requester: ContextVar[tuple[int, bool] | None] = ContextVar("usage_requester", default=None)
_NOBODY = (0, False)


def set_taking_part(request: HttpRequest, user_id: int, taking_part: bool) -> None:
    """Remember, for this session, whether ``user_id`` takes part in a study now."""
    request.session[SESSION_KEY] = taking_part
    # Only inside a request the middleware opened (and will reset): a login outside one (a
    # test client's force_login, a shell) must not leave the answer behind for the thread's
    # later work, where it would silently drop another person's events.
    if _requester.get() is not None:
        _requester.set((user_id, taking_part))


def register_sink(sink: Sink) -> None:
    """Keep every event ``record`` is given from now on (called from an ``AppConfig.ready``)."""
    if sink not in _sinks:
        _sinks.append(sink)


def unregister_sink(sink: Sink) -> None:
    if sink in _sinks:
        _sinks.remove(sink)


def has_sinks() -> bool:
    return bool(_sinks)


def record(
    user_id: int,
    module: str,
    action: str,
    *,
    page: str = "",
    waited_since: datetime | None = None,
    about_user_id: int | None = None,
) -> None:
    """Hand one usage event to the registered sinks once the current transaction commits;
    never raise (a sink's database error is logged and dropped)."""
    if not _sinks:
        return
    requester = _requester.get()
    if requester is not None and requester == (user_id, False):
        return
    event = UsageEvent(
        user_id=user_id,
        module=module,
        action=action,
        page=page,
        waited_since=waited_since,
        about_user_id=about_user_id,
    )
    # After the commit: an action that rolled back did not happen, and the write never holds
    # the action's transaction open (outside a transaction, that is at once).
    transaction.on_commit(lambda: _deliver(event))


def _deliver(event: UsageEvent) -> None:
    for sink in _sinks:
        try:
            sink(event)
        except DatabaseError:
            # The event's values are left out of the log on purpose: they say what a person did.
            logger.exception("A usage event could not be recorded.")


class UsageMiddleware:
    """Record a visit for every page a signed-in person opened (GET answered 200).

    Partial updates (htmx) and anything that is not a page of an app are left out; which app
    namespaces and pages count as a module is the sink's decision.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        # Set for every request and reset after it, so nothing leaks to the thread's next one.
        # No flag in the session (one older than research): taking part in nothing known.
        token = _requester.set(
            (user.pk, bool(request.session.get(SESSION_KEY, False)))
            if signed_in and user is not None
            else _NOBODY
        )
        try:
            response = self.get_response(request)
        finally:
            _requester.reset(token)
        match = request.resolver_match
        if (
            signed_in
            and _sinks
            and request.method == "GET"
            and response.status_code == 200  # a page shown, not a redirect or an error
            and match is not None
            and match.namespace
            and "HX-Request" not in request.headers
            and request.session.get(SESSION_KEY, False)
        ):
            assert user is not None  # noqa: S101 - signed_in says so
            record(user.pk, match.namespace, Action.VISIT, page=match.url_name or "")
        return response
