"""What several forum views share: the code-of-conduct gate, the safe-messaging guidance, and
where an author goes once a post is published.

The forum never imports moderation (docs/architecture.md): visits, guidance, reminders and
slow mode come through ``forum.hooks.page_hints()``, which moderation registers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum import access, hooks
from tandem.forum.links import post_page_url
from tandem.forum.models import Community, ModerationState, Post

P = ParamSpec("P")


def conduct_gate(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Send a member whose community has a new code of conduct to accept it first."""

    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except access.ConductNotAcceptedError as pending:
            return_to = pending.return_to
            if return_to is None and request.method == "GET":
                return_to = request.get_full_path()
            if pending.return_to is not None:
                message = _(
                    "The code of conduct has changed. Please read it and accept it again: "
                    "what you wrote is kept, and you will be taken back to it."
                )
            else:
                message = _("The code of conduct has changed. Please read it and accept it again.")
            messages.info(request, message)
            join = reverse("forum:community-join", kwargs={"community_id": pending.community.pk})
            if return_to:
                join += "?" + urlencode({"next": return_to})
            return redirect(join)

    functools.update_wrapper(wrapped, view)
    return wrapped


def safe_messaging_guidance() -> str:
    return _(
        "It can help others to hear how you are feeling and what gets you through. Please "
        "leave out details of methods or images of injuries: they can put others at risk."
    )


def needs_guidance(body: str) -> bool:
    """Whether the text talks about suicide or self-harm (the page then shows the guidance)."""
    return hooks.page_hints().needs_guidance(body)


def locked_message() -> str:
    return _(
        "This community is locked: nobody can post in it at the moment. Your text is kept below."
    )


def record_visit(request: HttpRequest, user: User, community: Community) -> None:
    """Note today's visit (trust grows with days visited), at most once a day per session."""
    key = f"tandem.visit.{community.pk}"
    today = timezone.localdate().isoformat()
    if request.session.get(key) != today:
        hooks.page_hints().record_visit(user=user, community=community)
        request.session[key] = today


def after_publish(request: HttpRequest, post: Post) -> HttpResponse:
    """Send the author to the kind "held for review" page, or to their post (with a gentle
    reminder when it talks about suicide or self-harm)."""
    if post.moderation_state == ModerationState.HELD:
        return redirect("moderation:post-outcome", post_id=post.pk)
    if hooks.page_hints().post_needs_reminder(post):
        messages.info(
            request,
            _("Thank you for sharing this. A gentle reminder: %(guidance)s")
            % {"guidance": safe_messaging_guidance()},
        )
    if post.is_opening:
        return redirect("forum:topic-detail", topic_id=post.topic_id)
    return redirect(post_page_url(post))


def draft_saved(request: HttpRequest, body: str) -> None:
    messages.success(request, _("Draft saved. Only you can see it."))
    if needs_guidance(body):
        messages.info(request, safe_messaging_guidance())


def saving_draft(request: HttpRequest) -> bool:
    """Whether the person pressed "Save draft" rather than publishing."""
    return request.POST.get("action") == "draft"


def typed_body(form: Form) -> str:
    value = form.data.get("body") if form.is_bound else form.initial.get("body")
    return str(value or "")


def form_errors_message(form: Form) -> str:
    """A form's errors as one line, for a small form whose page redirects (a message)."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def safe_return_path(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when it is a path on this site (where to go back to after accepting a code
    of conduct), else None: a ``next`` from a link must never send anyone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target
