"""Deleting an account: asked for, a grace period in which logging in cancels it, then final."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.personal_data import Erasure, personal_data_sources
from tandem.datarights.models import GRACE_PERIOD, DeletionRequest, ForumPostsChoice
from tandem.datarights.services.exports import delete_exports_of

logger = logging.getLogger(__name__)

# What the person's name becomes in what stays: kept posts, others' quotes and mentions.
REPLACEMENT_NAME = "a former member"


def pending_deletion(user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(
        user_ref=user.pk, cancelled_at__isnull=True, completed_at__isnull=True
    ).first()


@transaction.atomic
def request_deletion(*, user: User, forum_posts: str) -> DeletionRequest:
    """Ask for ``user``'s account to be deleted after the grace period.

    Raise ``ValidationError`` if a deletion is already pending or the choice is unknown.
    """
    if forum_posts not in ForumPostsChoice.values:
        raise ValidationError({"forum_posts": _("Choose what happens to your forum posts.")})
    if pending_deletion(user) is not None:
        raise ValidationError(_("Your account is already going to be deleted."))
    now = timezone.now()
    deletion = DeletionRequest(
        user=user,
        user_ref=user.pk,
        forum_posts=forum_posts,
        requested_at=now,
        final_after=now + GRACE_PERIOD,
    )
    deletion.full_clean()
    deletion.save()
    return deletion


@transaction.atomic
def cancel_deletion(*, user: User) -> bool:
    """Take back ``user``'s pending deletion; return whether there was one."""
    return bool(
        DeletionRequest.objects.filter(
            user_ref=user.pk, cancelled_at__isnull=True, completed_at__isnull=True
        ).update(cancelled_at=timezone.now())
    )


def cancel_deletion_on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Logging in during the grace period cancels the deletion, and says so."""
    if cancel_deletion(user=user):
        from django.contrib import messages

        messages.success(
            request,
            _("Welcome back. Your account will not be deleted: logging in cancelled it."),
        )


def end_sessions(*, user: User) -> None:
    """Log ``user`` out everywhere: only a new login, which cancels the deletion, gets back in."""
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()


def erase_account(*, deletion: DeletionRequest) -> None:
    """Erase the person of ``deletion`` now: each registered source, then the account row.

    One transaction: a failure leaves everything as it was, for the next run to try again.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=deletion.user_ref)
        erasure = Erasure(
            user=user,
            pseudonym=user.pseudonym,
            email=user.email,
            keep_forum_posts=deletion.forum_posts == ForumPostsChoice.ANONYMISE,
            replacement_name=REPLACEMENT_NAME,
        )
        delete_exports_of(user=user)
        for source in personal_data_sources():
            if source.erase is not None:
                source.erase(erasure)
        user.delete()
        DeletionRequest.objects.filter(pk=deletion.pk).update(completed_at=timezone.now())


def erase_due_accounts() -> int:
    """Erase every account whose grace period is over; return how many were erased.

    Each account is erased on its own, so one that fails (logged, with its id only) does not
    hold back the others; it is tried again at the next run.
    """
    due = DeletionRequest.objects.filter(
        cancelled_at__isnull=True, completed_at__isnull=True, final_after__lte=timezone.now()
    ).order_by("final_after")
    erased = 0
    for deletion in due:
        try:
            erase_account(deletion=deletion)
        except Exception:
            logger.exception("Erasing account %s failed; trying again next run.", deletion.user_ref)
            continue
        erased += 1
    return erased
