"""Reads for the review queue and one item's page: why each post waits, its reports, and its
author's record in the community, in a fixed number of queries whatever the queue's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from tandem.forum.models import Community, ModerationState, Post
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    ItemState,
    ModeratorNote,
    Outcome,
    Report,
    ReviewItem,
    Sanction,
    ScreeningDecision,
    SlowMode,
)
from tandem.moderation.rules import posts_shown_to_moderators_q
from tandem.moderation.screening import rule_labels
from tandem.moderation.selectors.dashboard import rule_label

HISTORY_POSTS = 5


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


@dataclass(frozen=True)
class ContextPost:
    """A post as the item page shows it, with what happened to it: deleted by its author
    (when), hidden by a moderator (when), edited (when, and whether by a moderator).

    ``show_text`` is False for a post its author deleted, unless it is the post under review
    and was deleted after it came before the moderators (least privilege, docs/moderation.md):
    a deleted post around it is context nobody needs to read any more."""

    post: Post
    show_text: bool
    hidden_at: datetime | None = None
    edited_by_moderator: bool = False

    @property
    def deleted_at(self) -> datetime | None:
        return self.post.deleted_at

    @property
    def edited_at(self) -> datetime | None:
        return self.post.edited_at

    @property
    def is_hidden(self) -> bool:
        return self.post.moderation_state == ModerationState.HIDDEN


@dataclass
class ItemContext:
    row: QueueRow
    before: list[ContextPost]
    under_review: ContextPost
    decisions: list[ScreeningDecision]
    notes: list[ModeratorNote]
    sanctions: list[Sanction]
    audit: list[AuditEntry]
    slow_mode: SlowMode | None


def _context_posts(item: ReviewItem, before: list[Post]) -> tuple[list[ContextPost], ContextPost]:
    """Mark each post with what moderators did to it (their hide and edit entries in the audit
    log: one query) and whether its text is shown."""
    post = item.post
    posts = [*before, post]
    hidden_at: dict[int, datetime] = {}
    moderator_edit_at: dict[int, datetime] = {}
    marked = [
        p.pk
        for p in posts
        if p.edited_at is not None or p.moderation_state == ModerationState.HIDDEN
    ]
    if marked:
        for post_id, action, at in (
            AuditEntry.objects.filter(
                post_id__in=marked, action__in=[AuditAction.HIDE, AuditAction.EDIT]
            )
            .order_by("created_at", "pk")
            .values_list("post_id", "action", "created_at")
        ):
            # Ordered oldest first, so the latest of each kind wins.
            (hidden_at if action == AuditAction.HIDE else moderator_edit_at)[post_id] = at

    def mark(p: Post, *, show_text: bool) -> ContextPost:
        moderator_edit = moderator_edit_at.get(p.pk)
        return ContextPost(
            post=p,
            show_text=show_text,
            hidden_at=hidden_at.get(p.pk) if p.moderation_state == ModerationState.HIDDEN else None,
            # The audit entry is written after the edit it records: a later edit by the author
            # moves edited_at past it.
            edited_by_moderator=(
                p.edited_at is not None
                and moderator_edit is not None
                and moderator_edit >= p.edited_at
            ),
        )

    # The post under review was before the moderators from the moment its item opened; its
    # author deleting it afterwards does not take away what the review needs.
    shown_under_review = post.deleted_at is None or post.deleted_at >= item.created_at
    return (
        [mark(p, show_text=p.deleted_at is None) for p in before],
        mark(post, show_text=shown_under_review),
    )


def item_context(item: ReviewItem) -> ItemContext:
    """Everything a moderator needs to decide on one item: the post in context (the posts
    before it in its topic, marked deleted, hidden or edited), why it is here, and the
    author's record in the community."""
    community = item.community
    post = item.post
    # A post written by code may lack a publication time: it has no "before" then (comparing
    # with None used to answer 500, issue 13). Hidden posts are context too (marked so);
    # held ones wait for their own review.
    before = (
        list(
            Post.objects.filter(
                posts_shown_to_moderators_q(),
                topic=post.topic_id,
                is_draft=False,
                published_at__lt=post.published_at,
                moderation_state__in=[ModerationState.VISIBLE, ModerationState.HIDDEN],
            )
            .select_related("author")
            .order_by("-published_at")[:3]
        )[::-1]
        if post.published_at is not None
        else []
    )
    context_before, under_review = _context_posts(item, before)
    author = post.author
    return ItemContext(
        row=queue_rows([item], community)[0],
        before=context_before,
        under_review=under_review,
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
