"""Replies: publishing one (or keeping it as a draft), and its autosave."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum import access, selectors, services
from tandem.forum.errors import PostingLimitError
from tandem.forum.forms import DraftBodyForm, ReplyForm
from tandem.forum.models import POST_MAX_LENGTH, Post, Topic
from tandem.forum.views.common import (
    after_publish,
    conduct_gate,
    draft_saved,
    locked_message,
    needs_guidance,
    saving_draft,
)
from tandem.forum.views.topics import render_topic


def _quote_in_topic(topic: Topic, quote_id: int | None) -> Post | None:
    if quote_id is None:
        return None
    return selectors.quotable_post(topic, quote_id)


def _keep_reply_for_conduct(request: HttpRequest, user: User, topic_id: int) -> access.TopicAccess:
    """The topic for the reply, once the person has accepted its community's current code of
    conduct. If a new version came out while they were writing, their text is kept as their
    draft reply first, and they are sent to accept it and then back to the reply box, where
    the draft waits (nothing typed is lost)."""
    found = access.get_topic_access(user, topic_id, require_conduct=False)
    topic = found.topic
    if found.member.has_accepted_conduct:
        return found
    body = request.POST.get("body", "")
    if body.strip():
        services.save_reply_draft(author=user, topic=topic, body=body[:POST_MAX_LENGTH])
    raise access.ConductNotAcceptedError(
        topic.community,
        return_to=reverse("forum:topic-detail", kwargs={"topic_id": topic.pk}) + "#reply",
    )


@require_POST
@conduct_gate
def topic_reply(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    found = _keep_reply_for_conduct(request, user, topic_id)
    topic = found.topic
    professional = found.member.is_verified_provider
    form = ReplyForm(request.POST, professional=professional, publishing=not saving_draft(request))
    if not form.is_valid():
        return render_topic(request, user, found, form, status=400)
    data = form.cleaned_data
    quote = _quote_in_topic(topic, data.get("quoted_post"))
    try:
        if saving_draft(request):
            services.save_reply_draft(
                author=user, topic=topic, body=data["body"], quoted_post=quote
            )
            draft_saved(request, data["body"])
            return redirect(reverse("forum:topic-detail", kwargs={"topic_id": topic.pk}) + "#reply")
        post = services.reply_to_topic(
            author=user,
            topic=topic,
            body=data["body"],
            quoted_post=quote,
            as_professional=data.get("as_professional", False),
            client_key=data.get("client_key"),
        )
    except PermissionDenied:
        form.add_error(None, locked_message())
        return render_topic(request, user, found, form, status=403)
    except PostingLimitError as error:
        attach_service_error(form, error)
        return render_topic(request, user, found, form, status=error.status)
    except ValidationError as error:
        attach_service_error(form, error)
        return render_topic(request, user, found, form, status=400)
    return after_publish(request, post)


@require_POST
@conduct_gate
def reply_draft_save(request: HttpRequest, topic_id: int) -> HttpResponse:
    """Autosave of a reply (the static script posts here while the person types)."""
    user = current_user(request)
    topic = access.get_topic_access(user, topic_id).topic
    form = DraftBodyForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False}, status=400)
    quote = _quote_in_topic(topic, form.cleaned_data.get("quoted_post"))
    services.save_reply_draft(
        author=user, topic=topic, body=form.cleaned_data["body"], quoted_post=quote
    )
    return JsonResponse({"saved": True, "guidance": needs_guidance(form.cleaned_data["body"])})
