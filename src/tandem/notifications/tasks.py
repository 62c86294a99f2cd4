"""Background work for notifications: the content-free email, held emails and digests."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tandem.accounts.language import language_for
from tandem.accounts.models import User
from tandem.notifications import selectors
from tandem.notifications.models import EmailFrequency, Notification, NotificationPreference
from tandem.notifications.scopes import visible_scopes_q


@task()
def send_notification_email(notification_id: int) -> bool:
    """Tell the recipient by email that there is something new in Tandem, and nothing more.

    The email carries no content, no names and no community: mailboxes are read on shared
    screens and lock screens, and a subject line alone can out someone as a service user. It is
    sent only when the person wants email, the notification is still unread and visible to
    them, and no earlier unread notification has already been emailed (one nudge until they
    visit). Return whether an email went out.
    """
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, read_at__isnull=True, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    recipient = notification.recipient
    if not recipient.is_active:
        return False
    preference = selectors.preference_for_user(recipient)
    if preference.email != EmailFrequency.IMMEDIATELY:
        return False
    if preference.in_quiet_hours(timezone.now()):
        # Held, not dropped: ``send_digests`` sends the nudge once the quiet hours are over.
        return False
    visible = Notification.objects.filter(recipient=recipient).filter(visible_scopes_q(recipient))
    if not visible.filter(pk=notification.pk).exists():
        return False
    if visible.filter(read_at__isnull=True, emailed_at__isnull=False).exists():
        return False
    _send_nudge(recipient)
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def _send_nudge(recipient: User) -> None:
    # The same words whatever happened: no content, no names, no count, no community. In the
    # recipient's language (accounts.language), never the language the worker happens to run in.
    with translation.override(language_for(recipient)):
        send_mail(
            subject=_("Something new in Tandem"),
            message=_(
                "Hello,\n\nThere is something new for you in Tandem. Log in to Tandem to see "
                "it.\n\nYou can turn these emails off in Tandem under Notifications, then Email "
                "settings."
            ),
            from_email=None,
            recipient_list=[recipient.email],
        )


# A digest is due once a day; a little less than 24 hours so an hourly run never slips a day.
DIGEST_INTERVAL = timedelta(hours=23)


@task()
def send_digests() -> int:
    """Send the daily digests that are due, and the emails held back by quiet hours.

    For people who chose a daily digest: at most one email a day, only when something visible
    to them is unread and not yet emailed, and never during their quiet hours. For people who
    chose "immediately": the one nudge that quiet hours held back, once they are over. Each
    email says only that there is something new. Return how many emails went out.
    """
    now = timezone.now()
    sent = 0
    preferences = NotificationPreference.objects.filter(
        email__in=[EmailFrequency.DAILY, EmailFrequency.IMMEDIATELY], user__is_active=True
    ).select_related("user")
    for preference in preferences.iterator(chunk_size=500):
        if preference.in_quiet_hours(now):
            continue
        if preference.email == EmailFrequency.IMMEDIATELY and preference.quiet_hours_start is None:
            continue  # nothing was held back for them
        if preference.email == EmailFrequency.DAILY and (
            preference.last_digest_at is not None
            and now - preference.last_digest_at < DIGEST_INTERVAL
        ):
            continue
        user = preference.user
        visible = Notification.objects.filter(recipient=user, read_at__isnull=True).filter(
            visible_scopes_q(user)
        )
        pending = visible.filter(emailed_at__isnull=True)
        if not pending.exists():
            continue
        if (
            preference.email == EmailFrequency.IMMEDIATELY
            and visible.filter(emailed_at__isnull=False).exists()
        ):
            continue  # one nudge until they visit
        _send_nudge(user)
        pending.update(emailed_at=now)
        if preference.email == EmailFrequency.DAILY:
            preference.last_digest_at = now
            preference.save(update_fields=["last_digest_at"])
        sent += 1
    return sent
