"""Reads for moderation pages, each for one person and scoped by what they may see. Every page
runs a fixed number of queries whatever the queue's size (``tests/test_query_counts.py``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from tandem.accounts.models import CrisisContact, Organisation, Role, User
from tandem.forum.access import posts_shown_to_moderators_q
from tandem.forum.models import Community, ModerationState, Post, Topic
from tandem.messaging.models import Thread
from tandem.messaging.selectors import inbox_threads
from tandem.moderation.access import moderated_communities
from tandem.moderation.dashboard import (
    CommunityLine,
    OrganisationDashboard,
    ReviewTimes,
    RuleStat,
    dashboards_for_user,
    percentile,
    review_times,
    rule_label,
    rule_stats,
)
from tandem.moderation.escalation.selectors import AuthorEscalation, escalations_for_author
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    CommunitySettings,
    ItemState,
    Level,
    ModeratorNote,
    Outcome,
    Report,
    ReviewItem,
    Sanction,
    SanctionKind,
    ScreeningDecision,
    SlowMode,
    WatchedWord,
)
from tandem.moderation.outreach.threads import KIND as OUTREACH_KIND
from tandem.moderation.posting import MODERATION_SCOPE, settings_for
from tandem.moderation.screening import rule_labels

# The dashboard's reads live in moderation.dashboard; pages and tests ask for them here.
__all__ = [
    "MODERATION_SCOPE",
    "CommunityLine",
    "OrganisationDashboard",
    "ReviewTimes",
    "RuleStat",
    "dashboards_for_user",
    "percentile",
    "review_times",
    "rule_label",
    "rule_stats",
]

HISTORY_POSTS = 5


def moderated_community_ids(user: User) -> QuerySet[Any]:
    """Ids of communities ``user`` moderates or administers (notification scope)."""
    return moderated_communities(user).values("pk")


# ---------------------------------------------------------------------------------------------
# The queue


@dataclass
class AuthorHistory:
    posts: int = 0
    held: int = 0
    hidden: int = 0
    sanctions: int = 0
    notes: int = 0
    recent: list[Post] = field(default_factory=list)


@dataclass
class QueueRow:
    item: ReviewItem
    reasons: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    report_counts: dict[str, int] = field(default_factory=dict)
    history: AuthorHistory = field(default_factory=AuthorHistory)

    @property
    def waiting(self) -> timedelta:
        return timezone.now() - self.item.created_at


def open_items(community: Community) -> QuerySet[ReviewItem]:
    """Open items of ``community``: highest risk first, then oldest first."""
    return (
        ReviewItem.objects.filter(community=community, state=ItemState.OPEN)
        .select_related("post", "post__author", "post__topic")
        .order_by("-risk", "created_at", "pk")
    )


def author_history(community: Community, author_ids: set[int]) -> dict[int, AuthorHistory]:
    """Per author, their record in ``community``: counts, and their latest posts (3 queries)."""
    histories: dict[int, AuthorHistory] = defaultdict(AuthorHistory)
    if not author_ids:
        return histories
    posts = Post.objects.filter(
        posts_shown_to_moderators_q(),
        author_id__in=author_ids,
        topic__community=community,
        is_draft=False,
    )
    for row in posts.values("author_id").annotate(
        n=Count("pk"),
        held=Count("pk", filter=Q(moderation_state=ModerationState.HELD)),
        hidden=Count("pk", filter=Q(moderation_state=ModerationState.HIDDEN)),
    ):
        history = histories[row["author_id"]]
        history.posts, history.held, history.hidden = row["n"], row["held"], row["hidden"]
    for row in (
        Sanction.objects.filter(community=community, user_id__in=author_ids)
        .values("user_id")
        .annotate(n=Count("pk"))
    ):
        histories[row["user_id"]].sanctions = row["n"]
    for row in (
        ModeratorNote.objects.filter(community=community, subject_id__in=author_ids)
        .values("subject_id")
        .annotate(n=Count("pk"))
    ):
        histories[row["subject_id"]].notes = row["n"]
    latest = (
        posts.select_related("topic")
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("author_id")], order_by=F("published_at").desc()
            )
        )
        .filter(rank__lte=HISTORY_POSTS)
        .order_by("author_id", "-published_at")
    )
    for post in latest:
        histories[post.author_id].recent.append(post)
    return histories


def queue_rows(items: list[ReviewItem], community: Community) -> list[QueueRow]:
    """Reasons, reports and the author's history for a page of items, in a fixed number of
    queries."""
    labels = rule_labels()
    post_ids = [item.post_id for item in items]
    reasons: dict[int, list[str]] = defaultdict(list)
    for post_id, rule in (
        ScreeningDecision.objects.filter(post_id__in=post_ids, outcome=Outcome.PENDING)
        .values_list("post_id", "rule")
        .order_by("pk")
    ):
        label = rule_label(rule, labels)
        if label not in reasons[post_id]:
            reasons[post_id].append(label)
    reports: dict[int, list[Report]] = defaultdict(list)
    for report in Report.objects.filter(item__in=[item.pk for item in items]).order_by(
        "created_at"
    ):
        reports[report.item_id].append(report)
    histories = author_history(community, {item.post.author_id for item in items})
    rows = []
    for item in items:
        counts: dict[str, int] = defaultdict(int)
        for report in reports[item.pk]:
            counts[report.get_reason_display()] += 1
        rows.append(
            QueueRow(
                item=item,
                reasons=reasons[item.post_id],
                reports=reports[item.pk],
                report_counts=dict(counts),
                history=histories[item.post.author_id],
            )
        )
    return rows


@dataclass
class ItemContext:
    row: QueueRow
    before: list[Post]
    decisions: list[ScreeningDecision]
    notes: list[ModeratorNote]
    sanctions: list[Sanction]
    audit: list[AuditEntry]
    slow_mode: SlowMode | None


def item_context(item: ReviewItem) -> ItemContext:
    """Everything a moderator needs to decide on one item: the post in context (the posts
    before it in its topic), why it is here, and the author's record in the community."""
    community = item.community
    post = item.post
    # A post written by code may lack a publication time: it has no "before" then (comparing
    # with None used to answer 500, issue 13).
    before = (
        list(
            Post.objects.filter(
                posts_shown_to_moderators_q(),
                topic=post.topic_id,
                is_draft=False,
                published_at__lt=post.published_at,
                moderation_state=ModerationState.VISIBLE,
            )
            .select_related("author")
            .order_by("-published_at")[:3]
        )[::-1]
        if post.published_at is not None
        else []
    )
    author = post.author
    return ItemContext(
        row=queue_rows([item], community)[0],
        before=before,
        decisions=list(ScreeningDecision.objects.filter(post=post).order_by("created_at")),
        notes=list(
            ModeratorNote.objects.filter(community=community, subject=author)
            .select_related("author")
            .order_by("-created_at")[:20]
        ),
        sanctions=list(
            Sanction.objects.filter(community=community, user=author)
            .select_related("created_by")
            .order_by("-created_at")[:20]
        ),
        audit=list(AuditEntry.objects.filter(post=post).order_by("-created_at")[:20]),
        slow_mode=SlowMode.objects.filter(topic=post.topic_id).first(),
    )


@dataclass
class PersonRecord:
    subject: User
    history: AuthorHistory
    notes: list[ModeratorNote]
    sanctions: list[Sanction]
    active: list[Sanction]


def person_record(community: Community, subject: User) -> PersonRecord:
    now = timezone.now()
    sanctions = list(
        Sanction.objects.filter(community=community, user=subject)
        .select_related("created_by")
        .order_by("-created_at")[:50]
    )
    return PersonRecord(
        subject=subject,
        history=author_history(community, {subject.pk})[subject.pk],
        notes=list(
            ModeratorNote.objects.filter(community=community, subject=subject)
            .select_related("author")
            .order_by("-created_at")[:50]
        ),
        sanctions=sanctions,
        active=[
            s
            for s in sanctions
            if s.kind != SanctionKind.WARN
            and s.lifted_at is None
            and (s.until is None or s.until > now)
        ],
    )


# ---------------------------------------------------------------------------------------------
# Audit log


AUDIT_PAGE_SIZE = 50


def audit_log(
    organisation: Organisation,
    *,
    action: str = "",
    community_id: int | None = None,
    pseudonym: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[AuditEntry]:
    """The organisation's audit log, newest first, filtered as asked."""
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("community")
    if action:
        entries = entries.filter(action=action)
    if community_id:
        entries = entries.filter(community_id=community_id)
    if pseudonym:
        entries = entries.filter(
            Q(actor_pseudonym__iexact=pseudonym) | Q(subject_pseudonym__iexact=pseudonym)
        )
    if start:
        entries = entries.filter(created_at__date__gte=start)
    if end:
        entries = entries.filter(created_at__date__lte=end)
    return entries.order_by("-created_at", "-pk")


def communities_of_organisation(organisation: Organisation) -> QuerySet[Community]:
    return Community.objects.filter(organisation=organisation).order_by("name")


# ---------------------------------------------------------------------------------------------
# For the author and the person


def post_needs_reminder(post: Post) -> bool:
    return ScreeningDecision.objects.filter(post=post, level=Level.REMIND).exists()


def slow_mode_for_topic(topic: Topic) -> SlowMode | None:
    return SlowMode.objects.filter(topic=topic).first()


@dataclass
class PostOutcome:
    post: Post
    high_risk: bool
    privacy: bool
    premoderated: bool
    contacts: list[CrisisContact]
    has_crisis_plan: bool
    # Held, urgent, and nobody was on duty: the author is told plainly that nobody is
    # reviewing right now (until someone does).
    nobody_reviewing: bool = False
    escalations: list[AuthorEscalation] = field(default_factory=list)


def post_outcome(user: User, post: Post) -> PostOutcome:
    """What the author of ``post`` is told about its review: why it waits (in kind words),
    where to find help, who else was asked to help, or what the moderator decided."""
    decisions = list(ScreeningDecision.objects.filter(post=post).values_list("level", "category"))
    organisation = post.topic.community.organisation
    high = any(level == Level.HIGH for level, _category in decisions)
    items = list(
        ReviewItem.objects.filter(post=post).values_list(
            "pk", "state", "nobody_on_duty", "first_reviewed_at"
        )
    )
    nobody = any(
        state == ItemState.OPEN and unseen and reviewed is None
        for _pk, state, unseen, reviewed in items
    )
    return PostOutcome(
        post=post,
        high_risk=high,
        privacy=any(category == "identifying" for _level, category in decisions),
        premoderated=any(category == "trust" for _level, category in decisions),
        contacts=list(CrisisContact.objects.filter(organisation=organisation))
        if high or nobody
        else [],
        has_crisis_plan=user.memberships.filter(role=Role.SERVICE_USER).exists(),
        nobody_reviewing=nobody,
        escalations=escalations_for_author([pk for pk, *_rest in items]),
    )


MY_ACTIONS = (
    AuditAction.REVEAL,
    AuditAction.ESCALATE,
    AuditAction.HIDE,
    AuditAction.EDIT,
    AuditAction.WARN,
    AuditAction.MUTE,
    AuditAction.SUSPEND,
    AuditAction.LIFT,
)


def moderation_about_me(user: User) -> list[AuditEntry]:
    """What moderators did about ``user``, identity reveals first among them: the person's
    right to know (the profile page can show the same through this selector)."""
    return list(
        AuditEntry.objects.filter(subject=user, action__in=MY_ACTIONS)
        .select_related("organisation", "community")
        .order_by("-created_at")[:100]
    )


def identity_reveals_for_user(user: User) -> list[AuditEntry]:
    return [entry for entry in moderation_about_me(user) if entry.action == AuditAction.REVEAL]


@dataclass(frozen=True)
class ConversationWithModerators:
    thread: Thread
    community: str
    unread: int


def messages_for_user(user: User) -> list[ConversationWithModerators]:
    """``user``'s conversations with moderators about their posts, newest first, with unread
    counts (three queries: messaging's inbox, and the communities)."""
    threads = list(inbox_threads(user).filter(kind=OUTREACH_KIND).order_by("-last_message_at")[:50])
    names = dict(
        ReviewItem.objects.filter(
            pk__in=[t.context_id for t in threads if t.context_id]
        ).values_list("pk", "community__name")
    )
    return [
        ConversationWithModerators(
            thread=thread,
            community=names.get(thread.context_id or 0, ""),
            unread=getattr(thread, "unread", 0),
        )
        for thread in threads
    ]


def watched_words(community: Community) -> QuerySet[WatchedWord]:
    return WatchedWord.objects.filter(community=community).order_by("word")


def community_settings(community: Community) -> CommunitySettings:
    return settings_for(community)


def topics_for_slow_mode(community: Community) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(community=community, slow_mode__isnull=False)
        .select_related("slow_mode")
        .order_by("title")
    )
