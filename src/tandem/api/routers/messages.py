"""Secure messages: the inbox, a thread, and sending with a client key.

The thread gate is messaging's own (``messaging.access``); reading a care thread through
``read_thread_for_user`` writes a care team member's read to the service user's access log,
as the thread page does. Sending goes through ``messaging.services.send_message`` with the
gate's answer, so the rules (who may write, the sending limit, the body's checks through the
pages' ``MessageForm``) are the pages' rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import User
from tandem.api.routers.common import (
    REFUSALS,
    WRITE_REFUSALS,
    Id,
    PageNumber,
    checked,
    paged,
    person,
)
from tandem.api.schemas import (
    MessageIn,
    Page,
    RecipientsOut,
    SentOut,
    StartedOut,
    ThreadDetailOut,
    ThreadIn,
    ThreadOut,
)
from tandem.messaging import access, kinds, selectors, services
from tandem.messaging.forms import MessageForm, ThreadStartForm
from tandem.messaging.models import Thread
from tandem.messaging.selectors import MessageView, message_views

router = Router(tags=["Messages"])


def _thread(thread: Thread, viewer: User, others: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "subject": thread.subject,
        "kind": thread.kind,
        "others": others or [],
        "unread": getattr(thread, "unread", 0),
        "waiting_for": thread.waiting_for,
        "last_message_at": thread.last_message_at,
        "closed": thread.closed_at is not None,
    }


def _message(view: MessageView) -> dict[str, Any]:
    message = view.message
    return {
        "id": message.pk,
        "sender": view.sender_name,
        "is_mine": view.is_mine,
        "body": "" if message.is_withdrawn else message.body,
        "body_html": str(view.html),
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "withdrawn": message.is_withdrawn,
    }


@router.get("/threads", response={200: Page[ThreadOut], **REFUSALS})
def thread_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    """Threads the person may read, those waiting for the care team first (as the inbox)."""
    user = person(request)

    def shape(thread: Thread) -> dict[str, Any]:
        others = [
            kinds.display_name(p.user, thread, user)
            for p in getattr(thread, "participant_list", [])
            if p.user_id != user.pk
        ]
        return _thread(thread, user, others)

    return paged(selectors.inbox_threads(user), page, shape)


def _recipients(user: User) -> tuple[list[User], list[User]]:
    """Whom the thread page offers (``ThreadCreateView``): the care team's providers, or a
    verified provider's caseload."""
    options = selectors.start_options(user)
    return options.providers, options.service_users if is_verified_provider(user) else []


@router.get("/threads/recipients", response={200: RecipientsOut, **REFUSALS})
def thread_recipients(request: HttpRequest) -> dict[str, Any]:
    """Whom the person may start a thread with, named as the new-thread page names them."""
    providers, service_users = _recipients(person(request))
    return {
        "providers": [{"id": p.pk, "name": p.get_full_name()} for p in providers],
        "service_users": [{"id": u.pk, "name": u.get_full_name()} for u in service_users],
    }


@router.post("/threads", response={201: StartedOut, 200: StartedOut, **WRITE_REFUSALS})
def thread_start(request: HttpRequest, payload: ThreadIn) -> Status[dict[str, Any]]:
    """Start a thread with its first message: a service user with providers of their care
    team, a verified provider with a person of their caseload (the new-thread page's form and
    ``messaging.services.start_thread``: its sending limit, its checks). The same
    ``client_key`` again starts nothing new: 200 with the thread started the first time."""
    user = person(request)
    providers, service_users = _recipients(user)
    form = ThreadStartForm(
        {
            "subject": payload.subject,
            "body": payload.body,
            "client_key": str(payload.client_key),
            "providers": payload.providers,
            "service_user": payload.service_user or "",
        },
        providers=providers,
        service_users=service_users,
    )
    if not form.fields.keys() - {"subject", "body", "client_key"}:
        # The page says so instead of showing a form: nobody to write to.
        raise PermissionDenied(_("You can write to people once you are in a care team together."))
    data = checked(form)
    result = services.start_thread_from_form(author=user, data=data)
    view = message_views(user, [result.message], thread=result.message.thread)[0]
    return Status(
        201 if result.created else 200,
        {
            "thread_id": result.message.thread_id,
            "message": _message(view),
            "created": result.created,
        },
    )


@router.get("/threads/{thread_id}", response={200: ThreadDetailOut, **REFUSALS})
def thread_detail(request: HttpRequest, thread_id: Id, before: Id | None = None) -> dict[str, Any]:
    """The latest 50 messages (or the 50 before ``before``). Reading the latest moves the
    person's read mark, as opening the thread page does."""
    user = person(request)
    seen = access.read_thread_for_user(user, thread_id)
    thread = seen.thread
    found = selectors.thread_page(user, thread, before=before)
    if before is None:
        services.mark_thread_read(user=user, thread=thread, up_to=found.last_id)
    others = [
        kinds.display_name(p.user, thread, user) for p in found.participants if p.user_id != user.pk
    ]
    return {
        "thread": _thread(thread, user, others),
        "messages": [_message(view) for view in found.messages],
        "earlier_before": found.earlier_before,
        "may_write": seen.may_write,
        "read_only_reason": seen.read_only_reason,
    }


@router.post(
    "/threads/{thread_id}/messages", response={201: SentOut, 200: SentOut, **WRITE_REFUSALS}
)
def message_send(request: HttpRequest, thread_id: Id, payload: MessageIn) -> Status[dict[str, Any]]:
    """Send a message. The same ``client_key`` again (a retry after a lost answer) stores
    nothing new: the answer is 200 with the message stored the first time, else 201."""
    user = person(request)
    seen = access.get_thread_access_for_user(user, thread_id)
    data = checked(MessageForm({"body": payload.body, "client_key": str(payload.client_key)}))
    result = services.send_message(
        sender=user,
        thread=seen.thread,
        body=data["body"],
        client_key=data["client_key"],
        checked=seen,
    )
    view = message_views(user, [result.message], thread=seen.thread)[0]
    return Status(
        201 if result.created else 200, {"message": _message(view), "created": result.created}
    )
