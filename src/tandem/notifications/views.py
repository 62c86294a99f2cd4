"""Thin views for the in-portal notification list and the email preference."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role
from tandem.accounts.requests import current_user, roles_of
from tandem.notifications import selectors, services
from tandem.notifications.access import get_notification_for_recipient
from tandem.notifications.forms import EmailPreferenceForm

PER_PAGE = 30


class NotificationListView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        page = Paginator(selectors.notifications_for_user(user), PER_PAGE).get_page(
            request.GET.get("page")
        )
        return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    notification = get_notification_for_recipient(current_user(request), notification_id)
    services.mark_read(notification=notification)
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:notification-list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(user=current_user(request))
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:notification-list")


def _offers_quiet_hours(request: HttpRequest) -> bool:
    """Quiet hours are for people with a provider membership (verified or not)."""
    # Attached lazily by MFARequiredMiddleware: one query per request, shared with the menu.
    return roles_of(request).has(Role.PROVIDER)


class PreferenceEditView(View):
    template_name = "notifications/preference_edit.html"

    def _render(
        self, request: HttpRequest, form: EmailPreferenceForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"form": form, "quiet_hours": "quiet_hours_start" in form.fields},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        preference = selectors.preference_for_user(current_user(request))
        form = EmailPreferenceForm(
            initial={
                "email": preference.email,
                "quiet_hours_start": preference.quiet_hours_start,
                "quiet_hours_end": preference.quiet_hours_end,
            },
            quiet_hours=_offers_quiet_hours(request),
        )
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EmailPreferenceForm(request.POST, quiet_hours=_offers_quiet_hours(request))
        if not form.is_valid():
            return self._render(request, form, status=400)
        services.set_email_preference(
            user=current_user(request),
            frequency=form.cleaned_data["email"],
            # Absent (None) for people who are not offered quiet hours: theirs stay as they are.
            quiet_hours_start=form.cleaned_data.get("quiet_hours_start"),
            quiet_hours_end=form.cleaned_data.get("quiet_hours_end"),
            # Quiet hours mean the organisation's clock, which the middleware has activated.
            time_zone=timezone.get_current_timezone_name(),
        )
        messages.success(request, _("Your email setting is saved."))
        return redirect("notifications:notification-list")
