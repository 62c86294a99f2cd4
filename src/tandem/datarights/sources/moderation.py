"""Moderation about the person: the posts they reported and what became of each report, the
warnings, mutes and suspensions they were given (with the reason they were told), and the
review of their own posts (held, reported, and how it ended). Moderators' private messages to
them are outreach threads, exported with their other conversations in messages.json.

Not exported: who else reported their posts, moderators' notes, reveal requests (what protects
other people), and moderators' names (moderators act under their role: ids only).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.core.personal_data import ExportData, PersonalDataSource
from tandem.datarights.sources.rows import as_json
from tandem.moderation.models import Report, ReviewItem, Sanction


def export(user: AbstractBaseUser) -> ExportData:
    reports = Report.objects.filter(reporter_id=user.pk).select_related("item").order_by("pk")
    sanctions = Sanction.objects.filter(user_id=user.pk).order_by("pk")
    reviews = ReviewItem.objects.filter(post__author_id=user.pk).order_by("pk")
    return {
        "reports": [
            {
                "post": report.post_id,
                "reason": report.reason,
                "text": report.text,
                "created_at": as_json(report.created_at),
                "state": report.item.state,
                "resolution": report.item.resolution,
                "resolved_at": as_json(report.item.resolved_at),
            }
            for report in reports
        ],
        "sanctions": [
            {
                "community": sanction.community_id,
                "kind": sanction.kind,
                "reason": sanction.reason,
                "created_at": as_json(sanction.created_at),
                "until": as_json(sanction.until),
                "lifted_at": as_json(sanction.lifted_at),
            }
            for sanction in sanctions
        ],
        "reviews_of_my_posts": [
            {
                "post": item.post_id,
                "held": item.is_held,
                "state": item.state,
                "resolution": item.resolution,
                "created_at": as_json(item.created_at),
                "resolved_at": as_json(item.resolved_at),
            }
            for item in reviews
        ],
    }


# No ``erase``: reports, sanctions and review items go with the account's cascade (or with the
# posts), and moderation's audit log is append-only (docs/data-rights.md, "What stays").
SOURCE = PersonalDataSource(
    name="moderation",
    description=(
        "Moderation about you: the posts you reported and what became of each report; the "
        "warnings, mutes and suspensions you were given, with the reason you were told; how "
        "the review of your own posts ended. Moderators' messages to you are in messages.json."
    ),
    export=export,
)
