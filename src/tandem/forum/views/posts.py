"""One post: editing, deleting, its history, reactions, muting its author; and drafts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum import access, selectors, services
from tandem.forum.forms import PostEditForm, ReactionForm
from tandem.forum.links import post_page_url
from tandem.forum.models import ModerationState, Post
from tandem.forum.views.common import conduct_gate, locked_message
from tandem.forum.views.confirm import confirm_page, confirmed

# How much of a post the question "Delete this post?" shows, to say which one.
QUOTE_LENGTH = 200


@method_decorator(conduct_gate, name="dispatch")
class PostEditView(View):
    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, post_id: int) -> HttpResponse:
        post = access.get_own_post(current_user(request), post_id)
        form = PostEditForm(
            initial={"title": post.topic.title, "body": post.body}, with_title=post.is_opening
        )
        return self._render(request, post, form)

    def post(self, request: HttpRequest, post_id: int) -> HttpResponse:
        user = current_user(request)
        post = access.get_own_post(user, post_id)
        with_title = post.is_opening
        form = PostEditForm(request.POST, with_title=with_title, publishing=not post.is_draft)
        if not form.is_valid():
            return self._render(request, post, form, status=400)
        try:
            services.edit_post(
                editor=user,
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title") if with_title else None,
            )
        except PermissionDenied:
            form.add_error(None, locked_message())
            return self._render(request, post, form, status=403)
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, post, form, status=400)
        if post.moderation_state == ModerationState.HELD:
            return redirect("moderation:post-outcome", post_id=post.pk)
        messages.success(request, _("Your post is updated."))
        return redirect(post_page_url(post))

    @staticmethod
    def _render(
        request: HttpRequest, post: Post, form: PostEditForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "community": post.topic.community,
            "post": post,
            "form": form,
            "back_url": post_page_url(post),
        }
        return render(request, "forum/post_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@conduct_gate
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Ask first (the post's delete button and GET), delete on the question page's "yes"."""
    user = current_user(request)
    post = access.get_own_post(user, post_id)
    if confirmed(request):
        services.delete_post(user=user, post=post)
        messages.success(request, _("Your post is deleted."))
        return redirect("forum:topic-detail", topic_id=post.topic_id)
    return confirm_page(
        request,
        title=_("Delete this post?"),
        quote=Truncator(post.body).chars(QUOTE_LENGTH),
        what=_(
            "Everyone will see “This post was deleted by its author.” in its place in "
            "“%(topic)s”, and it leaves search at once. This cannot be undone."
        )
        % {"topic": post.topic.title},
        consequences=[_("Replies others wrote to it stay.")],
        button=_("Yes, delete my post"),
        cancel_url=post_page_url(post),
    )


@conduct_gate
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_post_access(user, post_id)
    access.check_can_see_history(found.member)
    post = found.post
    context = {
        "community": post.topic.community,
        "post": post,
        "revisions": selectors.revisions_of_post(post),
    }
    return render(request, "forum/post_history.html", context)


@require_POST
@conduct_gate
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    user = current_user(request)
    post = access.get_post_for_member(user, post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    services.toggle_reaction(user=user, post=post, kind=form.cleaned_data["kind"])
    return redirect(post_page_url(post))


@require_POST
@conduct_gate
def post_mute_author(request: HttpRequest, post_id: int) -> HttpResponse:
    user = current_user(request)
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
    user = current_user(request)
    post = access.get_own_post(user, post_id)
    services.delete_draft(user=user, post=post)
    messages.success(request, _("Draft deleted."))
    return redirect("forum:draft-list")


def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = selectors.drafts_for_user(current_user(request))
    return render(request, "forum/draft_list.html", {"drafts": drafts})
