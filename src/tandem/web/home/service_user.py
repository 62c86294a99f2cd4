"""The service user's "today": what is waiting for them, said gently.

No streaks, no counts of days missed, no "you haven't…": a prompt says what the person
*could* do, and only when it might help (ReConnect's dyads struggled with "feeling
overwhelmed", so the page shows a few things and links to the rest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tandem.accounts.models import User
from tandem.messaging.models import CARE_KIND, Side, Thread
from tandem.messaging.selectors import inbox_threads, unread_message_count
from tandem.questionnaires.selectors import Summary, summaries_for_owner
from tandem.toolbox.models import CrisisPlan, Goal, GoalStatus, GoalStep, StatusRating
from tandem.toolbox.selectors import goals_for_owner
from tandem.web.home import forum

# A status rating within this many days counts as a recent rating of how things are.
CHECK_IN_DAYS = 7
SHOWN = forum.SHOWN


@dataclass(frozen=True)
class MessageSummary:
    """The person's conversations at a glance: counts, and the few that want attention."""

    unread: int = 0
    waiting_for_me: int = 0
    waiting_for_team: int = 0
    threads: list[Thread] = field(default_factory=list)


@dataclass(frozen=True)
class Prompt:
    """A gentle, content-free suggestion: what the person could do, and where."""

    text: StrOrPromise
    url_name: str


@dataclass(frozen=True)
class ServiceUserHome:
    # Questionnaire check-ins the person scheduled and has not answered yet.
    check_ins_due: list[Summary]
    goals: list[Goal]
    more_goals: bool
    messages: MessageSummary
    has_crisis_plan: bool
    checked_in_recently: bool
    prompts: list[Prompt]


def active_goals_with_next_step(owner: User) -> list[Goal]:
    """The owner's active goals, most recently touched first, each with ``next_step`` (the
    text of its first step not done, or None) and its progress annotated (one query;
    ``SHOWN`` + 1 rows)."""
    first_open_step = GoalStep.objects.filter(goal=OuterRef("pk"), done=False).order_by(
        "position", "id"
    )
    return list(
        goals_for_owner(owner, GoalStatus.ACTIVE).annotate(
            # The subquery's output field is the step's encrypted field, so the text arrives
            # decrypted like any other read of it.
            next_step=Subquery(first_open_step.values("text")[:1])
        )[: SHOWN + 1]
    )


def message_summary(user: User) -> MessageSummary:
    """Unread messages (the menu's own count), who is waiting for whom in the person's own
    care conversations, and the few threads with something new or waiting for them, by the
    inbox's rule (four queries)."""
    waiting = Thread.objects.filter(kind=CARE_KIND, service_user=user).aggregate(
        for_me=Count("pk", filter=Q(waiting_for=Side.SERVICE_USER)),
        for_team=Count("pk", filter=Q(waiting_for=Side.CARE_TEAM)),
    )
    wanted = inbox_threads(user).filter(
        Q(unread__gt=0) | Q(kind=CARE_KIND, waiting_for=Side.SERVICE_USER, service_user=user)
    )
    return MessageSummary(
        unread=unread_message_count(user),
        waiting_for_me=int(waiting["for_me"]),
        waiting_for_team=int(waiting["for_team"]),
        threads=list(wanted[:SHOWN]),
    )


def _prompts(*, has_plan: bool, checked_in: bool, has_goals: bool) -> list[Prompt]:
    prompts = []
    if not checked_in:
        prompts.append(
            Prompt(
                _("How are things today? A quick rating of any life domain, whenever you like."),
                "toolbox:status",
            )
        )
    if not has_plan:
        prompts.append(
            Prompt(
                _("A crisis plan can be a few lines to start with. You can add to it any time."),
                "toolbox:crisis-plan",
            )
        )
    if not has_goals:
        prompts.append(
            Prompt(
                _("Is there something small you would like to work towards?"), "toolbox:goal-create"
            )
        )
    prompts.append(
        Prompt(
            _("A breathing exercise takes about two minutes, if you would like a pause."),
            "toolbox:exercise-list",
        )
    )
    return prompts


def service_user_home(user: User) -> ServiceUserHome:
    """Everything the service user's section shows, in a fixed number of queries (ten;
    the forum glance is read once for all roles, in ``web.home``)."""
    goals = active_goals_with_next_step(user)
    has_plan = CrisisPlan.objects.filter(owner=user).exists()
    checked_in = StatusRating.objects.filter(
        owner=user, recorded_at__gte=timezone.now() - timedelta(days=CHECK_IN_DAYS)
    ).exists()
    return ServiceUserHome(
        check_ins_due=[s for s in summaries_for_owner(user, timezone.localdate()) if s.due_on],
        goals=goals[:SHOWN],
        more_goals=len(goals) > SHOWN,
        messages=message_summary(user),
        has_crisis_plan=has_plan,
        checked_in_recently=checked_in,
        prompts=_prompts(has_plan=has_plan, checked_in=checked_in, has_goals=bool(goals)),
    )
