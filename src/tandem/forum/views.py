"""Thin views: parse input with a form, pass the gate, call one service or selector, respond."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.forum import access, replays, selectors, services
from tandem.forum.forms import (
    AddToCircleForm,
    CircleForm,
    DraftBodyForm,
    FeatureForm,
    JoinForm,
    MentionPolicyForm,
    PostEditForm,
    ReactionForm,
    ReplyForm,
    SearchForm,
    TopicForm,
    VisibilityForm,
)
from tandem.forum.links import POSTS_PER_PAGE, post_page_url
from tandem.forum.models import (
    Category,
    Circle,
    Community,
    ModerationState,
    Mute,
    Post,
    Topic,
    Visibility,
)
from tandem.forum.search import highlight, search_posts
from tandem.moderation import posting as moderation_posting
from tandem.moderation import screening
from tandem.moderation import selectors as moderation_selectors
from tandem.moderation.errors import PostingLimitError

TOPICS_PER_PAGE = 30
RESULTS_PER_PAGE = 20

P = ParamSpec("P")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware guarantees it
    return user


def conduct_gate(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Send a member whose community has a new code of conduct to accept it first."""

    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except access.ConductNotAcceptedError as pending:
            messages.info(
                request, _("The code of conduct has changed. Please read it and accept it again.")
            )
            return redirect("forum:community-join", community_id=pending.community.pk)

    functools.update_wrapper(wrapped, view)
    return wrapped


def _attach_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError beside its field, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _safe_messaging_guidance() -> str:
    return _(
        "It can help others to hear how you are feeling and what gets you through. Please "
        "leave out details of methods or images of injuries: they can put others at risk."
    )


def _record_visit(request: HttpRequest, user: User, community: Community) -> None:
    """Note today's visit (trust grows with days visited), at most once a day per session."""
    key = f"tandem.visit.{community.pk}"
    today = timezone.localdate().isoformat()
    if request.session.get(key) != today:
        moderation_posting.record_visit(user=user, community=community)
        request.session[key] = today


def _after_publish(request: HttpRequest, post: Post) -> HttpResponse:
    """Send the author to the kind "held for review" page, or to their post (with a gentle
    reminder when it talks about suicide or self-harm)."""
    if post.moderation_state == ModerationState.HELD:
        return redirect("moderation:post-outcome", post_id=post.pk)
    if moderation_selectors.post_needs_reminder(post):
        messages.info(
            request,
            _("Thank you for sharing this. A gentle reminder: %(guidance)s")
            % {"guidance": _safe_messaging_guidance()},
        )
    if post.is_opening:
        return redirect("forum:topic-detail", topic_id=post.topic_id)
    return redirect(post_page_url(post))


def _draft_saved(request: HttpRequest, body: str) -> None:
    messages.success(request, _("Draft saved. Only you can see it."))
    if screening.needs_guidance(body):
        messages.info(request, _safe_messaging_guidance())


def _locked_message() -> str:
    return _(
        "This community is locked: nobody can post in it at the moment. Your text is kept below."
    )


# --- Communities -----------------------------------------------------------------------------


def community_list(request: HttpRequest) -> HttpResponse:
    choices = selectors.communities_for_user(_user(request))
    return render(request, "forum/community_list.html", {"choices": choices})


@require_http_methods(["GET", "POST"])
def community_join(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    community = access.get_joinable_community(user, community_id)
    ask_dob = community.has_age_limits and user.date_of_birth is None
    if request.method == "POST":
        form = JoinForm(request.POST, ask_date_of_birth=ask_dob)
        if form.is_valid():
            try:
                services.join_community(
                    user=user,
                    community=community,
                    accepted_version=form.cleaned_data["version"],
                    date_of_birth=form.cleaned_data.get("date_of_birth"),
                )
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("Welcome to %(name)s.") % {"name": community.name})
                return redirect("forum:community-detail", community_id=community.pk)
        status = 400
    else:
        form = JoinForm(
            initial={"version": community.code_of_conduct_version}, ask_date_of_birth=ask_dob
        )
        status = 200
    context = {"community": community, "form": form}
    return render(request, "forum/community_join.html", context, status=status)


@require_POST
def community_leave(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    community = access.get_community_for_member(user, community_id, require_conduct=False)
    services.leave_community(user=user, community=community)
    messages.success(request, _("You have left %(name)s.") % {"name": community.name})
    return redirect("forum:community-list")


@conduct_gate
def community_detail(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    community = access.get_community_for_member(user, community_id)
    _record_visit(request, user, community)
    context = {
        "community": community,
        "featured": selectors.featured_topics(community),
        "categories": selectors.categories_for_community(user, community),
        "recent": selectors.recent_topics(user, community),
        "search_form": SearchForm(),
    }
    return render(request, "forum/community_detail.html", context)


def _category_for_member(user: User, category_id: int) -> Category:
    category = selectors.category_by_id(category_id)
    if category is None:
        raise Http404
    category.community = access.get_community_for_member(user, category.community_id)
    return category


@conduct_gate
def category_detail(request: HttpRequest, category_id: int) -> HttpResponse:
    user = _user(request)
    category = _category_for_member(user, category_id)
    page = Paginator(selectors.topics_in_category(user, category), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "community": category.community,
        "category": category,
        "page": page,
        "is_watching": selectors.is_watching_category(user, category),
    }
    return render(request, "forum/category_detail.html", context)


@require_POST
@conduct_gate
def category_watch(request: HttpRequest, category_id: int) -> HttpResponse:
    user = _user(request)
    category = _category_for_member(user, category_id)
    watching = services.toggle_category_watch(user=user, category=category)
    messages.success(
        request,
        _("You will hear about new topics here.")
        if watching
        else _("You will no longer hear about new topics here."),
    )
    return redirect("forum:category-detail", category_id=category.pk)


# --- Topics ----------------------------------------------------------------------------------


def _topic_form(
    request: HttpRequest, user: User, community: Community, data: Any = None, **kwargs: Any
) -> TopicForm:
    return TopicForm(
        data,
        categories=community.categories.order_by("position", "pk"),
        circles=selectors.circles_queryset_for_member(user, community),
        professional=bool(getattr(community, "is_verified_provider", False)),
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
    topic = Topic.objects.filter(
        pk=draft_id, author=user, community=community, visibility=Visibility.DRAFT
    ).first()
    if topic is None and replays.stored_post(user, published_with) is None:
        raise Http404
    return topic


@require_http_methods(["GET", "POST"])
@conduct_gate
def topic_create(request: HttpRequest, community_id: int) -> HttpResponse:
    """Write a new topic: publish it, or keep it as a private draft ("Save draft")."""
    user = _user(request)
    community = access.get_community_for_member(user, community_id)
    status = 200
    if request.method == "POST":
        publishing = not _saving_draft(request)
        form = _topic_form(request, user, community, request.POST, publishing=publishing)
        if form.is_valid():
            data = form.cleaned_data
            key = data.get("client_key") if publishing else None
            draft = _own_draft_topic(user, community, data.get("draft"), published_with=key)
            try:
                if not publishing:
                    draft = services.save_topic_draft(
                        author=user,
                        community=community,
                        category=data["category"],
                        title=data["title"],
                        body=data["body"],
                        draft=draft,
                    )
                    _draft_saved(request, data["body"])
                    return redirect(
                        reverse("forum:topic-create", kwargs={"community_id": community.pk})
                        + f"?draft={draft.pk}"
                    )
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
                form.add_error(None, _locked_message())
                status = 403
            except PostingLimitError as error:
                _attach_errors(form, error)
                status = error.status
            except ValidationError as error:
                _attach_errors(form, error)
                status = 400
            else:
                opening = selectors.opening_post(topic)
                assert opening is not None  # noqa: S101 - create_topic always makes one
                return _after_publish(request, opening)
        else:
            status = 400
    else:
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
        form = _topic_form(request, user, community, initial=initial)
    context = {
        "community": community,
        "form": form,
        "show_guidance": screening.needs_guidance(_typed_body(form)),
    }
    return render(request, "forum/topic_create.html", context, status=status)


def _saving_draft(request: HttpRequest) -> bool:
    """Whether the person pressed "Save draft" rather than publishing."""
    return request.POST.get("action") == "draft"


def _typed_body(form: Form) -> str:
    value = form.data.get("body") if form.is_bound else form.initial.get("body")
    return str(value or "")


@require_POST
@conduct_gate
def topic_draft_save(request: HttpRequest, community_id: int) -> HttpResponse:
    """Autosave of a new topic (the static script posts here while the person types)."""
    user = _user(request)
    community = access.get_community_for_member(user, community_id)
    form = _topic_form(request, user, community, request.POST, publishing=False)
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
        {"saved": True, "draft": draft.pk, "guidance": screening.needs_guidance(data["body"])}
    )


@conduct_gate
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = _user(request)
    topic = access.get_topic_for_member(user, topic_id)
    if topic.visibility == Visibility.DRAFT:
        return redirect(
            reverse("forum:topic-create", kwargs={"community_id": topic.community_id})
            + f"?draft={topic.pk}"
        )
    _record_visit(request, user, topic.community)
    return _render_topic(request, user, topic, reply_form=None)


def _render_topic(
    request: HttpRequest, user: User, topic: Topic, reply_form: ReplyForm | None, status: int = 200
) -> HttpResponse:
    community = topic.community
    page = Paginator(selectors.posts_of_topic(user, topic), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    reading = selectors.topic_reading(user, topic)
    posts = selectors.decorate_posts(user, list(page.object_list), reading.last_read_at)
    professional = bool(getattr(community, "is_verified_provider", False))
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
    can_feature = (
        getattr(community, "is_facilitator", False) and topic.visibility == Visibility.COMMUNITY
    )
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
        "is_moderator": getattr(community, "is_moderator", False),
        "show_guidance": screening.needs_guidance(_typed_body(reply_form)),
        "slow_mode": moderation_selectors.slow_mode_for_topic(topic),
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


def _quote_in_topic(topic: Topic, quote_id: int | None) -> Post | None:
    if quote_id is None:
        return None
    return Post.objects.filter(pk=quote_id, topic=topic, is_draft=False).first()


@require_POST
@conduct_gate
def topic_reply(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = _user(request)
    topic = access.get_topic_for_member(user, topic_id)
    community = topic.community
    professional = bool(getattr(community, "is_verified_provider", False))
    form = ReplyForm(request.POST, professional=professional, publishing=not _saving_draft(request))
    if not form.is_valid():
        return _render_topic(request, user, topic, form, status=400)
    data = form.cleaned_data
    quote = _quote_in_topic(topic, data.get("quoted_post"))
    try:
        if _saving_draft(request):
            services.save_reply_draft(
                author=user, topic=topic, body=data["body"], quoted_post=quote
            )
            _draft_saved(request, data["body"])
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
        form.add_error(None, _locked_message())
        return _render_topic(request, user, topic, form, status=403)
    except PostingLimitError as error:
        _attach_errors(form, error)
        return _render_topic(request, user, topic, form, status=error.status)
    except ValidationError as error:
        _attach_errors(form, error)
        return _render_topic(request, user, topic, form, status=400)
    return _after_publish(request, post)


@require_POST
@conduct_gate
def reply_draft_save(request: HttpRequest, topic_id: int) -> HttpResponse:
    """Autosave of a reply (the static script posts here while the person types)."""
    user = _user(request)
    topic = access.get_topic_for_member(user, topic_id)
    form = DraftBodyForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False}, status=400)
    quote = _quote_in_topic(topic, form.cleaned_data.get("quoted_post"))
    services.save_reply_draft(
        author=user, topic=topic, body=form.cleaned_data["body"], quoted_post=quote
    )
    return JsonResponse(
        {"saved": True, "guidance": screening.needs_guidance(form.cleaned_data["body"])}
    )


@require_POST
@conduct_gate
def topic_watch(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = _user(request)
    topic = access.get_topic_for_member(user, topic_id)
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
    user = _user(request)
    topic = access.get_topic_for_member(user, topic_id)
    access.check_can_feature_topics(topic.community)
    if request.POST.get("action") == "remove":
        services.unfeature_topic(community=topic.community, topic=topic)
        messages.success(request, _("This is no longer a topic of the week."))
        return redirect("forum:topic-detail", topic_id=topic.pk)
    form = FeatureForm(request.POST)
    if form.is_valid():
        try:
            services.feature_topic(
                community=topic.community,
                topic=topic,
                start=form.cleaned_data["featured_from"],
                end=form.cleaned_data["featured_until"],
            )
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, _("This topic is now the topic of the week."))
            return redirect("forum:topic-detail", topic_id=topic.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("forum:topic-detail", topic_id=topic.pk)


@require_POST
@conduct_gate
def topic_visibility(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = _user(request)
    topic = access.get_topic_for_member(user, topic_id)
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
            _attach_errors(form, error)
        else:
            messages.success(request, _("Who can see this topic has changed."))
            return redirect("forum:topic-detail", topic_id=topic.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("forum:topic-detail", topic_id=topic.pk)


# --- Posts -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@conduct_gate
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = access.get_own_post(user, post_id)
    with_title = post.is_opening
    status = 200
    if request.method == "POST":
        form = PostEditForm(request.POST, with_title=with_title, publishing=not post.is_draft)
        if form.is_valid():
            try:
                services.edit_post(
                    editor=user,
                    post=post,
                    body=form.cleaned_data["body"],
                    title=form.cleaned_data.get("title") if with_title else None,
                )
            except PermissionDenied:
                form.add_error(None, _locked_message())
                status = 403
            except ValidationError as error:
                _attach_errors(form, error)
                status = 400
            else:
                if post.moderation_state == ModerationState.HELD:
                    return redirect("moderation:post-outcome", post_id=post.pk)
                messages.success(request, _("Your post is updated."))
                return redirect(post_page_url(post))
        else:
            status = 400
    else:
        form = PostEditForm(
            initial={"title": post.topic.title, "body": post.body}, with_title=with_title
        )
    context = {
        "community": post.topic.community,
        "post": post,
        "form": form,
        "back_url": post_page_url(post),
    }
    return render(request, "forum/post_edit.html", context, status=status)


@require_POST
@conduct_gate
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = access.get_own_post(user, post_id)
    services.delete_post(user=user, post=post)
    messages.success(request, _("Your post is deleted."))
    return redirect("forum:topic-detail", topic_id=post.topic_id)


@conduct_gate
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = access.get_post_for_member(user, post_id)
    access.check_can_see_history(user, post)
    context = {
        "community": post.topic.community,
        "post": post,
        "revisions": selectors.revisions_of_post(post),
    }
    return render(request, "forum/post_history.html", context)


@require_POST
@conduct_gate
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = access.get_post_for_member(user, post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    services.toggle_reaction(user=user, post=post, kind=form.cleaned_data["kind"])
    return redirect(post_page_url(post))


@require_POST
@conduct_gate
def post_mute_author(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = access.get_post_for_member(user, post_id)
    try:
        services.mute_person(user=user, muted=post.author)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Their posts are now folded away for you. They are not told. Undo it under My boundaries."
            ),
        )
    return redirect(post_page_url(post))


@require_POST
@conduct_gate
def draft_discard(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = access.get_own_post(user, post_id)
    services.delete_draft(user=user, post=post)
    messages.success(request, _("Draft deleted."))
    return redirect("forum:draft-list")


def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = selectors.drafts_for_user(_user(request))
    return render(request, "forum/draft_list.html", {"drafts": drafts})


# --- Search ----------------------------------------------------------------------------------


def search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = search_posts(user, query)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page")) if query else None
    hits = [(post, highlight(post.body, query)) for post in page.object_list] if page else []
    context = {"form": form, "query": query, "page": page, "hits": hits}
    return render(request, "forum/search.html", context)


# --- Circles ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@conduct_gate
def circle_list(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    community = access.get_community_for_member(user, community_id)
    status = 200
    form = CircleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                circle = services.create_circle(
                    user=user, community=community, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                return redirect("forum:circle-detail", circle_id=circle.pk)
        status = 400
    context = {
        "community": community,
        "circles": selectors.circles_for_member(user, community),
        "form": form,
    }
    return render(request, "forum/circle_list.html", context, status=status)


def _render_circle(
    request: HttpRequest, user: User, circle: Circle, form: AddToCircleForm, status: int = 200
) -> HttpResponse:
    context = {
        "community": circle.community,
        "circle": circle,
        "members": selectors.circle_members(circle),
        "topics": selectors.circle_topics(user, circle),
        "form": form,
        "is_starter": circle.created_by_id == user.pk,
    }
    return render(request, "forum/circle_detail.html", context, status=status)


@conduct_gate
def circle_detail(request: HttpRequest, circle_id: int) -> HttpResponse:
    user = _user(request)
    circle = access.get_circle_for_member(user, circle_id)
    return _render_circle(request, user, circle, AddToCircleForm())


@require_POST
@conduct_gate
def circle_add(request: HttpRequest, circle_id: int) -> HttpResponse:
    user = _user(request)
    circle = access.get_circle_for_member(user, circle_id)
    form = AddToCircleForm(request.POST)
    if form.is_valid():
        try:
            member = services.add_to_circle(
                user=user, circle=circle, pseudonym=form.cleaned_data["pseudonym"]
            )
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is now in this circle.") % {"name": member.user.pseudonym}
            )
            return redirect("forum:circle-detail", circle_id=circle.pk)
    return _render_circle(request, user, circle, form, status=400)


@require_POST
def circle_leave(request: HttpRequest, circle_id: int) -> HttpResponse:
    user = _user(request)
    circle = Circle.objects.filter(pk=circle_id, members__user=user).first()
    if circle is None:
        raise Http404
    services.leave_circle(user=user, circle=circle)
    messages.success(request, _("You have left the circle."))
    return redirect("forum:community-list")


# --- Boundaries ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def boundaries(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = 200
    if request.method == "POST":
        form = MentionPolicyForm(request.POST)
        if form.is_valid():
            services.set_mention_policy(user=user, policy=form.cleaned_data["mention_policy"])
            messages.success(request, _("Saved."))
            return redirect("forum:boundaries")
        status = 400
    else:
        form = MentionPolicyForm(
            initial={"mention_policy": selectors.mention_policy_for_user(user)}
        )
    context = {"form": form, "mutes": selectors.mutes_for_user(user)}
    return render(request, "forum/boundaries.html", context, status=status)


@require_POST
def mute_delete(request: HttpRequest, mute_id: int) -> HttpResponse:
    user = _user(request)
    mute = Mute.objects.filter(pk=mute_id, user=user).first()
    if mute is None:
        raise Http404
    services.unmute_person(user=user, mute=mute)
    messages.success(request, _("Their posts show again."))
    return redirect("forum:boundaries")
