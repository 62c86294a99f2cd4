"""Reads for messaging pages, always for the person asking (the live socket's reads are in
``socket_reads``). Care threads follow the rules of ``access``; threads of another kind are
filtered with that kind's ``readable_ids`` (``messaging.kinds``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString

from tandem.accounts.models import Membership, Role, User
from tandem.care.models import Agreement, CareRelationship, RelationshipStatus
from tandem.core.markdown import render_markdown
from tandem.messaging import kinds
from tandem.messaging.access import covered_provider_ids
from tandem.messaging.models import Message, Participant, ProviderAway, Side, Thread

THREAD_SCOPE = "messaging.thread"
MESSAGES_PER_PAGE = 50


def thread_ids_for_user(user: User) -> QuerySet[Any]:
    """Ids of the threads ``user`` may read, as a subquery (notification scope): the care
    threads they take part in and, while covering for an away colleague, that colleague's
    threads with people in their own care team (the same rule as
    ``access.get_thread_for_user``), and the threads of other kinds their kind lets them read.
    One query, so the notification badge costs the same for everyone."""
    covering_for = ProviderAway.objects.filter(
        covered_by=user, away_until__gt=timezone.now()
    ).values("provider_id")
    care = Participant.objects.filter(
        Q(user=user)
        | Q(
            user_id__in=covering_for,
            side=Side.CARE_TEAM,
            thread__service_user_id__in=_active_care_team_service_users(user),
        ),
        thread__kind=kinds.CARE,
    ).values("thread_id")
    others = kinds.other_kinds()
    if not others:
        return care
    condition = Q(pk__in=care)
    for kind in others:
        condition |= Q(pk__in=kind.readable_ids(user))
    return Thread.objects.filter(condition).values("pk")


def unread_message_count(user: User) -> int:
    """Messages from others, not withdrawn, newer than what ``user`` has read.

    Hand-written: it runs on every page (the menu's badge) and on every live recount, and the
    ORM spent longer building it than the database spent answering it. One query counts the
    care threads in one row (a participant row is the right to read there) and the threads of
    other kinds one row each; only when some of those have unread messages does one more query
    per kind keep the ones the person may still read (a moderator who lost the role, say).
    """
    query = f"""
    SELECT t.kind, CASE WHEN t.kind = '{kinds.CARE}' THEN 0 ELSE t.id END, COUNT(*)
    FROM {Message._meta.db_table} m
    JOIN {Participant._meta.db_table} p ON p.thread_id = m.thread_id
    JOIN {Thread._meta.db_table} t ON t.id = m.thread_id
    WHERE p.user_id = %(user)s AND m.id > p.last_read_message_id AND m.withdrawn_at IS NULL
      AND (m.sender_id IS NULL OR m.sender_id <> %(user)s)
    GROUP BY 1, 2
    """  # noqa: S608 - table names from _meta, the care kind a constant, values bound
    with connection.cursor() as cursor:
        cursor.execute(query, {"user": user.pk})
        rows = cursor.fetchall()
    total = 0
    others: dict[str, dict[int, int]] = {}
    for kind_name, thread_id, count in rows:
        if kind_name == kinds.CARE:
            total += int(count)
        else:
            others.setdefault(kind_name, {})[int(thread_id)] = int(count)
    for kind_name, counts in others.items():
        kind = kinds.get_kind(kind_name)
        if kind is None:
            continue
        readable = Thread.objects.filter(pk__in=list(counts)).filter(pk__in=kind.readable_ids(user))
        total += sum(counts[pk] for pk in readable.values_list("pk", flat=True))
    return total


def _active_care_team_service_users(
    provider: User,
) -> QuerySet[Any]:
    return CareRelationship.objects.filter(
        provider=provider, status=RelationshipStatus.ACTIVE
    ).values("service_user_id")


def inbox_threads(user: User) -> QuerySet[Thread]:
    """Threads ``user`` may read, with ``unread`` counted for them and the participants
    prefetched (two queries per page). Threads waiting for the care team come first, longest
    wait first; then the rest, most recent first. Threads of other kinds are listed for the
    people taking part in them, while their kind lets them read."""
    mine = Participant.objects.filter(user=user).values("thread_id")
    care = Q(pk__in=mine) | Q(service_user=user)
    covered = covered_provider_ids(user)
    if covered:
        care |= Q(
            pk__in=Participant.objects.filter(user_id__in=covered).values("thread_id"),
            service_user_id__in=_active_care_team_service_users(user),
        )
    condition = Q(kind=kinds.CARE) & care
    for kind in kinds.other_kinds():
        condition |= Q(kind=kind.name) & Q(pk__in=mine) & Q(pk__in=kind.readable_ids(user))
    last_read = Participant.objects.filter(thread=OuterRef("pk"), user=user).values(
        "last_read_message_id"
    )[:1]
    unread = (
        Message.objects.filter(
            thread=OuterRef("pk"), withdrawn_at__isnull=True, pk__gt=OuterRef("my_last_read")
        )
        .exclude(sender=user)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Thread.objects.filter(condition)
        .annotate(my_last_read=Subquery(last_read))
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
            waiting_rank=Case(
                When(waiting_for=Side.CARE_TEAM, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("service_user")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("user").order_by("id"),
                to_attr="participant_list",
            )
        )
        .order_by("waiting_rank", "waiting_since", "-last_message_at", "-pk")
    )


@dataclass(frozen=True)
class MessageView:
    message: Message
    html: SafeString
    is_mine: bool
    can_change: bool
    # How the sender is named to the reader (the thread's kind decides; no query).
    sender_name: str = ""

    @property
    def sender(self) -> User | None:
        return self.message.sender


def message_views(user: User, messages: Iterable[Message], *, thread: Thread) -> list[MessageView]:
    """Messages of ``thread`` ready to show to ``user``: bodies rendered through the one
    Markdown renderer, senders named as the thread's kind says."""
    now = timezone.now()
    messages = list(messages)
    # A message someone else wrote after is answered: it stays as the reply read it
    # (``access.check_can_change_message`` refuses the same on the server).
    answered: set[int] = set()
    senders_after: set[int | None] = set()
    for message in sorted(messages, key=lambda m: m.pk, reverse=True):
        if senders_after - {message.sender_id}:
            answered.add(message.pk)
        senders_after.add(message.sender_id)
    views = []
    for message in messages:
        is_mine = message.sender_id == user.pk
        views.append(
            MessageView(
                message=message,
                html=SafeString("") if message.is_withdrawn else render_markdown(message.body),
                is_mine=is_mine,
                can_change=is_mine
                and message.withdrawn_at is None
                and message.pk not in answered
                and now < message.changeable_until(),
                sender_name=kinds.display_name(message.sender, thread, user),
            )
        )
    return views


@dataclass(frozen=True)
class ReplyExpectation:
    provider: User
    reply_within_days: int


@dataclass(frozen=True)
class AwayNotice:
    provider: User
    away_until: datetime
    covered_by: User | None


@dataclass(frozen=True)
class CareTeamFacts:
    """What a person should know before writing: expected reply times and who is away."""

    replies: list[ReplyExpectation]
    away: list[AwayNotice]


def care_team_facts(service_user_id: int, provider_ids: list[int]) -> CareTeamFacts:
    """Reply times from the agreements of active relationships, and current absences
    (two queries)."""
    agreements = (
        Agreement.objects.filter(
            relationship__service_user_id=service_user_id,
            relationship__provider_id__in=provider_ids,
            relationship__status=RelationshipStatus.ACTIVE,
        )
        .select_related("relationship__provider")
        .order_by("relationship__provider__full_name", "relationship__provider_id")
    )
    absences = ProviderAway.objects.filter(
        provider_id__in=provider_ids, away_until__gt=timezone.now()
    ).select_related("provider", "covered_by")
    return CareTeamFacts(
        replies=[
            ReplyExpectation(
                provider=agreement.relationship.provider,
                reply_within_days=agreement.reply_within_days,
            )
            for agreement in agreements
        ],
        away=[
            AwayNotice(provider=a.provider, away_until=a.away_until, covered_by=a.covered_by)
            for a in absences
        ],
    )


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    messages: list[MessageView]
    earlier_before: int | None
    participants: list[Participant]
    facts: CareTeamFacts

    @property
    def last_id(self) -> int:
        return self.messages[-1].message.pk if self.messages else 0

    @property
    def providers(self) -> list[User]:
        return [p.user for p in self.participants if p.side == Side.CARE_TEAM]


def thread_page(user: User, thread: Thread, *, before: int | None = None) -> ThreadPage:
    """The latest messages of ``thread`` (or those before ``before``), its participants, and
    the care team's reply times and absences (four queries; two for other kinds of thread,
    which have no care team)."""
    messages = Message.objects.filter(thread=thread).select_related("sender").order_by("-pk")
    if before is not None:
        messages = messages.filter(pk__lt=before)
    latest = list(messages[: MESSAGES_PER_PAGE + 1])
    earlier_before = None
    if len(latest) > MESSAGES_PER_PAGE:
        latest = latest[:MESSAGES_PER_PAGE]
        earlier_before = latest[-1].pk
    participants = list(
        Participant.objects.filter(thread=thread).select_related("user").order_by("id")
    )
    provider_ids = [p.user_id for p in participants if p.side == Side.CARE_TEAM]
    return ThreadPage(
        thread=thread,
        messages=message_views(user, reversed(latest), thread=thread),
        earlier_before=earlier_before,
        participants=participants,
        facts=care_team_facts(thread.service_user_id, provider_ids)
        if thread.kind == kinds.CARE
        else CareTeamFacts(replies=[], away=[]),
    )


@dataclass(frozen=True)
class StartOptions:
    """Who ``user`` may start a conversation with."""

    providers: list[User]
    service_users: list[User]
    facts: CareTeamFacts | None


def start_options(user: User) -> StartOptions:
    """A service user picks providers from their active care team; a provider picks one of the
    people they have an active relationship with (two or three queries)."""
    providers = [
        r.provider
        for r in CareRelationship.objects.filter(
            service_user=user, status=RelationshipStatus.ACTIVE
        )
        .select_related("provider")
        .order_by("provider__full_name", "provider_id")
    ]
    service_users = [
        r.service_user
        for r in CareRelationship.objects.filter(provider=user, status=RelationshipStatus.ACTIVE)
        .select_related("service_user")
        .order_by("service_user__full_name", "service_user_id")
    ]
    facts = care_team_facts(user.pk, [p.pk for p in providers]) if providers else None
    return StartOptions(providers=providers, service_users=service_users, facts=facts)


def colleagues_for_provider(provider: User) -> list[User]:
    """Verified providers of the organisations ``provider`` works for, except them (one query)."""
    organisations = Membership.objects.filter(user=provider, role=Role.PROVIDER).values(
        "organisation_id"
    )
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=organisations,
            memberships__role=Role.PROVIDER,
            memberships__verified_at__isnull=False,
        )
        .exclude(pk=provider.pk)
        .distinct()
        .order_by("full_name", "pk")
    )


def away_for_provider(provider: User) -> ProviderAway | None:
    return (
        ProviderAway.objects.filter(provider=provider, away_until__gt=timezone.now())
        .select_related("covered_by")
        .first()
    )
