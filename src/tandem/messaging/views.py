"""Thin views for secure messaging: parse, gate, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.messaging import access, kinds, selectors, services
from tandem.messaging.forms import AwayForm, MessageEditForm, MessageForm, ThreadStartForm
from tandem.messaging.models import Thread

THREADS_PER_PAGE = 30


def websocket_url() -> str:
    """Where pages open the live socket: ``TANDEM_WS_ORIGIN`` when set, else the page origin
    (an empty origin tells the script to use the page's own host)."""
    return f"{settings.TANDEM_WS_ORIGIN}/ws/messaging/"


class ThreadListView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        page = Paginator(selectors.inbox_threads(user), THREADS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "messaging/thread_list.html",
            {"page": page, "is_provider": is_verified_provider(user)},
        )


class ThreadCreateView(View):
    template_name = "messaging/thread_create.html"

    def _form(self, user: User, data: Any = None) -> tuple[ThreadStartForm, Any]:
        options = selectors.start_options(user)
        providers = options.providers
        service_users = options.service_users if is_verified_provider(user) else []
        form = ThreadStartForm(data, providers=providers, service_users=service_users)
        return form, options

    def _render(
        self, request: HttpRequest, form: ThreadStartForm, options: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "options": options,
                "can_start": bool(form.fields.keys() - {"subject", "body", "client_key"}),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form, options = self._form(current_user(request))
        if "service_user" in form.fields:
            # The caseload's "Message" link chooses the person; the choices still decide.
            form.initial["service_user"] = request.GET.get("service_user", "")
        return self._render(request, form, options)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        form, options = self._form(user, request.POST)
        if not form.is_valid():
            return self._render(request, form, options, status=400)
        data = form.cleaned_data
        try:
            result = services.start_thread_from_form(author=user, data=data)
        except ValidationError as error:
            attach_service_error(form, error)
            status = 429 if isinstance(error, services.SendingLimitError) else 400
            return self._render(request, form, options, status=status)
        return redirect("messaging:thread-detail", thread_id=result.message.thread_id)


def _thread_context(
    request: HttpRequest, thread: Thread, read_only_reason: str, form: MessageForm | None = None
) -> dict[str, Any]:
    user = current_user(request)
    before = request.GET.get("before")
    page = selectors.thread_page(
        user, thread, before=int(before) if before and before.isdigit() else None
    )
    kind = kinds.get_kind(thread.kind)
    return {
        "page": page,
        "thread": thread,
        "form": form or MessageForm(),
        "read_only_reason": read_only_reason,
        "ws_url": websocket_url(),
        "is_owner": thread.service_user_id == user.pk,
        # Threads of another kind show their kind's note instead of the care team's.
        "panel": kind.panel(thread, user) if kind is not None else None,
    }


def _back_to(request: HttpRequest) -> str:
    """Where a reply form shown on another page (``next``, same site only) asked to go back to
    after sending; "" when it did not."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target.split("#")[0]
    return ""


class ThreadDetailView(View):
    template_name = "messaging/thread_detail.html"

    def get(self, request: HttpRequest, thread_id: int) -> HttpResponse:
        user = current_user(request)
        seen = access.read_thread_for_user(user, thread_id)
        thread = seen.thread
        context = _thread_context(request, thread, seen.read_only_reason)
        if "before" not in request.GET:
            services.mark_thread_read(user=user, thread=thread, up_to=context["page"].last_id)
        return render(request, self.template_name, context)


class MessageCreateView(View):
    """Send a reply. Without JavaScript this is a plain form post; a repeated post with the same
    key stores nothing new and lands on the same page. A reply form on another page (the
    author's outcome page for a moderation thread) says where to go back to with ``next``."""

    def post(self, request: HttpRequest, thread_id: int) -> HttpResponse:
        user = current_user(request)
        # The gate's answer carries whether they may write: sending does not ask again.
        seen = access.get_thread_access_for_user(user, thread_id)
        thread = seen.thread
        form = MessageForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                result = services.send_message(
                    sender=user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    client_key=form.cleaned_data["client_key"],
                    checked=seen,
                )
            except services.SendingLimitError as error:
                attach_service_error(form, error)
                status = 429
            except ValidationError as error:
                attach_service_error(form, error)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
                status = 403
            else:
                url = _back_to(request) or reverse(
                    "messaging:thread-detail", kwargs={"thread_id": thread.pk}
                )
                return redirect(f"{url}#message-{result.message.pk}")
        context = _thread_context(request, thread, seen.read_only_reason, form)
        if status == 403:
            # The thread closed while they wrote: give the words back, so nothing is lost.
            context["unsent"] = form.data.get("body", "")
        return render(request, "messaging/thread_detail.html", context, status=status)


class MessageEditView(View):
    template_name = "messaging/message_edit.html"

    def _render(
        self,
        request: HttpRequest,
        thread: Thread,
        message: Any,
        form: MessageEditForm,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"thread": thread, "message": message, "form": form},
            status=status,
        )

    def get(self, request: HttpRequest, thread_id: int, message_id: int) -> HttpResponse:
        user = current_user(request)
        thread = access.get_thread_for_user(user, thread_id)
        message = access.get_message_for_sender(user, thread, message_id)
        try:
            access.check_can_change_message(user, message)
        except PermissionDenied as denied:
            return _refused(request, thread, denied)
        return self._render(
            request, thread, message, MessageEditForm(initial={"body": message.body})
        )

    def post(self, request: HttpRequest, thread_id: int, message_id: int) -> HttpResponse:
        user = current_user(request)
        thread = access.get_thread_for_user(user, thread_id)
        message = access.get_message_for_sender(user, thread, message_id)
        form = MessageEditForm(request.POST)
        if not form.is_valid():
            return self._render(request, thread, message, form, status=400)
        try:
            services.edit_message(editor=user, message=message, body=form.cleaned_data["body"])
        except PermissionDenied as denied:
            return _refused(request, thread, denied, typed=form.cleaned_data["body"])
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, thread, message, form, status=400)
        messages.success(request, _("Your message is changed."))
        url = reverse("messaging:thread-detail", kwargs={"thread_id": thread.pk})
        return redirect(f"{url}#message-{message.pk}")


def _refused(
    request: HttpRequest, thread: Thread, denied: PermissionDenied, typed: str = ""
) -> HttpResponse:
    """Show the thread again with the reason in the error summary (HTTP 403). A refused edit's
    text is not lost: it waits in the reply box, or is shown to copy when the thread is
    read-only."""
    reason = access.read_only_reason(current_user(request), thread)
    form = MessageForm(initial={"body": typed}) if typed and not reason else None
    context = _thread_context(request, thread, reason, form)
    if typed and reason:
        context["unsent"] = typed
    context["change_error"] = str(denied)
    return render(request, "messaging/thread_detail.html", context, status=403)


class MessageWithdrawView(View):
    def post(self, request: HttpRequest, thread_id: int, message_id: int) -> HttpResponse:
        user = current_user(request)
        thread = access.get_thread_for_user(user, thread_id)
        message = access.get_message_for_sender(user, thread, message_id)
        try:
            services.withdraw_message(editor=user, message=message)
        except PermissionDenied as denied:
            return _refused(request, thread, denied)
        messages.success(request, _("Your message is withdrawn."))
        url = reverse("messaging:thread-detail", kwargs={"thread_id": thread.pk})
        return redirect(f"{url}#message-{message.pk}")


class AwayEditView(View):
    template_name = "messaging/away_edit.html"

    def _render(self, request: HttpRequest, form: AwayForm, status: int = 200) -> HttpResponse:
        away = selectors.away_for_provider(current_user(request))
        return render(request, self.template_name, {"form": form, "away": away}, status=status)

    def _check(self, user: User) -> None:
        if not is_verified_provider(user):
            raise PermissionDenied(_("Only verified care providers can set an absence."))

    def get(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        self._check(user)
        away = selectors.away_for_provider(user)
        initial = {"away_until": away.away_until, "covered_by": away.covered_by} if away else {}
        form = AwayForm(initial=initial, colleagues=selectors.colleagues_for_provider(user))
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        self._check(user)
        if "clear" in request.POST:
            services.clear_away(provider=user)
            messages.success(request, _("You are no longer shown as away."))
            return redirect("messaging:thread-list")
        form = AwayForm(request.POST, colleagues=selectors.colleagues_for_provider(user))
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.set_away(
                provider=user,
                away_until=form.cleaned_data["away_until"],
                covered_by=form.cleaned_data["covered_by"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, form, status=400)
        messages.success(request, _("People writing to you now see that you are away."))
        return redirect("messaging:thread-list")
