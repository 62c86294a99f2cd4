"""Topics: writing one (and its autosaved draft), reading one, and its author's and
facilitators' tools (watch, topic of the week, who can see it)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum import access, hooks, replays, selectors, services
from tandem.forum.errors import PostingLimitError
from tandem.forum.forms import FeatureForm, ReplyForm, TopicForm, VisibilityForm
from tandem.forum.links import POSTS_PER_PAGE
from tandem.forum.models import Community, Post, Topic, Visibility
from tandem.forum.views.common import (
    after_publish,
    conduct_gate,
    draft_saved,
    form_errors_message,
    locked_message,
    needs_guidance,
    record_visit,
    saving_draft,
    typed_body,
)


def _topic_form(
    user: User, member: access.CommunityAccess, data: Any = None, **kwargs: Any
) -> TopicForm:
    return TopicForm(
        data,
        categories=selectors.categories_of_community(member.community),
        circles=selectors.circles_queryset_for_member(user, member.community),
        professional=member.is_verified_provider,
        **kwargs,
    )


def _own_draft_topic(
    user: User, community: Community, draft_id: Any, published_with: uuid.UUID | None = None
) -> Topic | None:
    """The person's draft topic ``draft_id`` (None without one), else 404. None too when the
    form whose key is ``published_with`` has published it already (a double submit): the
    service then answers with the topic it published."""
    if not draft_id:
        return None
    topic = selectors.own_draft_topic(user, community, draft_id)
    if topic is None and replays.stored_post(user, published_with) is None:
        raise Http404
    return topic


@method_decorator(conduct_gate, name="dispatch")
class TopicCreateView(View):
    """Write a new topic: publish it, or keep it as a private draft ("Save draft")."""

    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        member = access.get_community_access(user, community_id)
        community = member.community
        draft = _own_draft_topic(user, community, request.GET.get("draft"))
        initial: dict[str, Any] = {"category": request.GET.get("category")}
        if draft is not None:
            opening = selectors.opening_post(draft)
            initial = {
                "category": draft.category_id,
                "title": draft.title,
                "body": opening.body if opening else "",
                "draft": draft.pk,
            }
        return self._render(request, community, _topic_form(user, member, initial=initial))

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        # A new code of conduct may have come out while they wrote: their text is kept as a
        # draft before they are asked to accept it (below), so the gate must let them in.
        member = access.get_community_access(user, community_id, require_conduct=False)
        community = member.community
        publishing = not saving_draft(request)
        form = _topic_form(user, member, request.POST, publishing=publishing)
        if not form.is_valid():
            return self._render(request, community, form, status=400)
        data = form.cleaned_data
        key = data.get("client_key") if publishing else None
        draft = _own_draft_topic(user, community, data.get("draft"), published_with=key)
        stale_conduct = not member.has_accepted_conduct
        try:
            if not publishing or stale_conduct:
                draft = services.save_topic_draft(
                    author=user,
                    community=community,
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    draft=draft,
                )
                back = (
                    reverse("forum:topic-create", kwargs={"community_id": community.pk})
                    + f"?draft={draft.pk}"
                )
                if stale_conduct:
                    raise access.ConductNotAcceptedError(community, return_to=back)
                draft_saved(request, data["body"])
                return redirect(back)
            topic = services.create_topic(
                author=user,
                community=community,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                visibility=data.get("visibility") or Visibility.COMMUNITY,
                circle=data.get("circle"),
                as_professional=data.get("as_professional", False),
                draft=draft,
                client_key=key,
            )
        except PermissionDenied:
            form.add_error(None, locked_message())
            status = 403
        except PostingLimitError as error:
            attach_service_error(form, error)
            status = error.status
        except ValidationError as error:
            attach_service_error(form, error)
            status = 400
        else:
            opening = selectors.opening_post(topic)
            assert opening is not None  # noqa: S101 - create_topic always makes one
            return after_publish(request, opening)
        return self._render(request, community, form, status=status)

    @staticmethod
    def _render(
        request: HttpRequest, community: Community, form: TopicForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "community": community,
            "form": form,
            "show_guidance": needs_guidance(typed_body(form)),
        }
        return render(request, "forum/topic_create.html", context, status=status)


@require_POST
@conduct_gate
def topic_draft_save(request: HttpRequest, community_id: int) -> HttpResponse:
    """Autosave of a new topic (the static script posts here while the person types)."""
    user = current_user(request)
    member = access.get_community_access(user, community_id)
    community = member.community
    form = _topic_form(user, member, request.POST, publishing=False)
    form.is_valid()
    data = form.cleaned_data
    if "category" not in data or "body" not in data or "title" not in data:
        return JsonResponse({"saved": False}, status=400)
    draft = _own_draft_topic(user, community, data.get("draft"))
    draft = services.save_topic_draft(
        author=user,
        community=community,
        category=data["category"],
        title=data["title"],
        body=data["body"],
        draft=draft,
    )
    return JsonResponse(
        {"saved": True, "draft": draft.pk, "guidance": needs_guidance(data["body"])}
    )


@conduct_gate
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_topic_access(user, topic_id)
    topic = found.topic
    if topic.visibility == Visibility.DRAFT:
        return redirect(
            reverse("forum:topic-create", kwargs={"community_id": topic.community_id})
            + f"?draft={topic.pk}"
        )
    record_visit(request, user, topic.community)
    return render_topic(request, user, found, reply_form=None)


def render_topic(
    request: HttpRequest,
    user: User,
    found: access.TopicAccess,
    reply_form: ReplyForm | None,
    status: int = 200,
) -> HttpResponse:
    """A topic's page: a page of its posts, the reply form (a fresh one unless a reply failed),
    and the tools of whoever may use them (as the gate decided). Marks the topic read."""
    topic, member = found.topic, found.member
    community = member.community
    page = Paginator(selectors.posts_of_topic(user, found), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    reading = selectors.topic_reading(user, topic)
    posts = selectors.decorate_posts(user, list(page.object_list), reading.last_read_at)
    professional = member.is_verified_provider
    if reply_form is None:
        draft = reading.draft
        initial: dict[str, Any] = {}
        if draft is not None:
            initial = {"body": draft.body, "quoted_post": draft.quoted_post_id}
        quote = _quoted_post(posts, request.GET.get("quote"))
        if quote is not None:
            quoted = "\n".join(f"> {line}" for line in quote.body.splitlines())
            initial = {
                "body": f"> **{quote.author.pseudonym}** wrote:\n{quoted}\n\n{initial.get('body', '')}",
                "quoted_post": quote.pk,
            }
        reply_form = ReplyForm(initial=initial, professional=professional)
    can_feature = member.is_facilitator and topic.visibility == Visibility.COMMUNITY
    context = {
        "community": community,
        "topic": topic,
        "page": page,
        "posts": posts,
        "reply_form": reply_form,
        "is_watching": reading.is_watching,
        "can_feature": can_feature,
        # The tools' forms only for the people who see them: building a form costs a copy of
        # its fields, on every visit.
        "feature_form": (
            FeatureForm(
                initial={
                    "featured_from": topic.featured_from,
                    "featured_until": topic.featured_until,
                }
            )
            if can_feature
            else None
        ),
        "visibility_form": _visibility_form(user, topic),
        "is_moderator": member.is_moderator,
        "show_guidance": needs_guidance(typed_body(reply_form)),
        "slow_mode_minutes": hooks.page_hints().slow_mode_minutes(topic),
    }
    services.mark_topic_read(user=user, topic=topic, previous=reading.last_read_at)
    return render(request, "forum/topic_detail.html", context, status=status)


def _visibility_form(user: User, topic: Topic) -> VisibilityForm | None:
    """The "who can see this topic" form, for its author when they have somewhere to move it."""
    if topic.author_id != user.pk:
        return None
    circles = selectors.circles_queryset_for_member(user, topic.community)
    if topic.visibility == Visibility.CIRCLE or circles.exists():
        return VisibilityForm(circles=circles)
    return None


def _quoted_post(posts: list[selectors.PostView], quote_id: str | None) -> Post | None:
    if not quote_id or not quote_id.isdigit():
        return None
    for view in posts:
        if view.post.pk == int(quote_id) and not view.post.is_deleted:
            return view.post
    return None


@require_POST
@conduct_gate
def topic_watch(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    topic = access.get_topic_access(user, topic_id).topic
    watching = services.toggle_topic_watch(user=user, topic=topic)
    messages.success(
        request,
        _("You will hear about new replies.")
        if watching
        else _("You stopped watching this topic."),
    )
    return redirect("forum:topic-detail", topic_id=topic.pk)


@require_POST
@conduct_gate
def topic_feature(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_topic_access(user, topic_id)
    topic = found.topic
    access.check_can_feature_topics(found.member)
    if request.POST.get("action") == "remove":
        services.unfeature_topic(member=found.member, topic=topic)
        messages.success(request, _("This is no longer a topic of the week."))
        return redirect("forum:topic-detail", topic_id=topic.pk)
    form = FeatureForm(request.POST)
    if form.is_valid():
        try:
            services.feature_topic(
                member=found.member,
                topic=topic,
                start=form.cleaned_data["featured_from"],
                end=form.cleaned_data["featured_until"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("This topic is now the topic of the week."))
            return redirect("forum:topic-detail", topic_id=topic.pk)
    messages.error(request, form_errors_message(form))
    return redirect("forum:topic-detail", topic_id=topic.pk)


@require_POST
@conduct_gate
def topic_visibility(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    topic = access.get_topic_access(user, topic_id).topic
    form = VisibilityForm(
        request.POST, circles=selectors.circles_queryset_for_member(user, topic.community)
    )
    if form.is_valid():
        try:
            services.change_topic_visibility(
                user=user,
                topic=topic,
                visibility=form.cleaned_data["visibility"],
                circle=form.cleaned_data.get("circle"),
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Who can see this topic has changed."))
            return redirect("forum:topic-detail", topic_id=topic.pk)
    messages.error(request, form_errors_message(form))
    return redirect("forum:topic-detail", topic_id=topic.pk)
