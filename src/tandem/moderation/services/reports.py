"""Members reporting a post; reports of one post merge into its open review item."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum.models import Post
from tandem.moderation import limits, trust
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import (
    REPORT_RISK,
    Report,
    ReportReason,
    Risk,
)
from tandem.moderation.posting import open_item, take_snapshot
from tandem.notifications.services import notify


@dataclass(frozen=True)
class ReportResult:
    report: Report
    updated: bool


@transaction.atomic
def report_post(*, reporter: User, post: Post, reason: str, text: str = "") -> ReportResult:
    """Report ``post`` (which the reporter can see: pass it through the forum's gate).

    Reports of one post merge into its open review item; the same person reporting again
    updates their report. Reporting one's own post is refused; 10 reports an hour at most.
    """
    if post.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own post. You can edit or delete it."))
    reason = ReportReason(reason)
    if reason == ReportReason.OTHER and not text.strip():
        raise ValidationError({"text": _("Tell the moderators what is wrong.")})
    recent = Report.objects.filter(
        reporter=reporter, created_at__gte=timezone.now() - limits.HOUR
    ).count()
    if recent >= limits.REPORTS_PER_HOUR:
        raise PostingLimitError(
            _("You have sent %(n)s reports in the last hour. Please wait a little.")
            % {"n": limits.REPORTS_PER_HOUR}
        )
    community = post.topic.community
    risk = REPORT_RISK[reason]
    # A regular's report of harm weighs more (``trust.Capability.WEIGHTY_REPORTS``): one step
    # higher in the queue, never above "high" and never for spam or "something else".
    if reason in (ReportReason.HARMFUL, ReportReason.HARASSMENT) and trust.may(
        take_snapshot(author=reporter, community=community).trust.level,
        trust.Capability.WEIGHTY_REPORTS,
    ):
        risk = Risk(min(risk + 1, Risk.HIGH))
    item = open_item(post=post, community=community, risk=risk, held=False)
    existing = Report.objects.filter(item=item, reporter=reporter).first()
    if existing is not None:
        existing.reason = reason
        existing.text = text.strip()
        existing.full_clean()
        existing.save(update_fields=["reason", "text"])
        return ReportResult(report=existing, updated=True)
    report = Report(item=item, post=post, reporter=reporter, reason=reason, text=text.strip())
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # a double click raced us: the report is there
        report = Report.objects.get(item=item, reporter=reporter)
        return ReportResult(report=report, updated=True)
    if reason == ReportReason.SAFETY:
        from tandem.moderation.posting import MODERATION_SCOPE, moderators_to_alert

        for moderator in moderators_to_alert(community):
            notify(
                recipient=moderator,
                kind="moderation.safety_report",
                title=_("Urgent: a member is worried about someone's safety in %(community)s")
                % {"community": community.name},
                url=reverse("moderation:item-detail", kwargs={"item_id": item.pk}),
                scope_type=MODERATION_SCOPE,
                scope_id=community.pk,
            )
    return ReportResult(report=report, updated=False)
