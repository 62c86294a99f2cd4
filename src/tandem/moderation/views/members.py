"""What members see of moderation: reporting a post, a held post's outcome, old links to a
moderator's message, and what moderators did about them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum import access as forum_access
from tandem.forum.models import Post
from tandem.moderation import access, selectors, services
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.forms import ReportForm
from tandem.moderation.identity import selectors as identity_selectors
from tandem.moderation.outreach import pages as outreach_pages


class PostReportView(View):
    """Report a post to the community's moderators: the form, and taking it."""

    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, post_id: int) -> HttpResponse:
        post = self._reportable_post(current_user(request), post_id)
        if isinstance(post, HttpResponse):
            return post
        return self._render(request, post, ReportForm())

    def post(self, request: HttpRequest, post_id: int) -> HttpResponse:
        user = current_user(request)
        post = self._reportable_post(user, post_id)
        if isinstance(post, HttpResponse):
            return post
        form = ReportForm(request.POST or None)
        if not form.is_valid():
            return self._render(request, post, form, status=400)
        try:
            result = services.report_post(
                reporter=user,
                post=post,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except PostingLimitError as error:
            attach_service_error(form, error)
            return self._render(request, post, form, status=error.status)
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, post, form, status=400)
        messages.success(
            request,
            _("Thank you. You had already reported this post; we have updated your report.")
            if result.updated
            else _(
                "Thank you for telling us. A moderator will look at this post. If someone "
                "is in danger now, use “Need help now?” at the top of the page."
            ),
        )
        return redirect(
            reverse("forum:topic-detail", kwargs={"topic_id": post.topic_id}) + f"#post-{post.pk}"
        )

    @staticmethod
    def _reportable_post(user: User, post_id: int) -> Post | HttpResponse:
        """The published post ``user`` may see, else 404; a member who has not accepted the
        community's new code of conduct is sent to accept it first."""
        try:
            post = forum_access.get_post_for_member(user, post_id)
        except forum_access.ConductNotAcceptedError as pending:
            return redirect("forum:community-join", community_id=pending.community.pk)
        if post.is_draft:
            raise Http404
        return post

    @staticmethod
    def _render(
        request: HttpRequest, post: Post, form: ReportForm, status: int = 200
    ) -> HttpResponse:
        context = {"post": post, "community": post.topic.community, "form": form}
        return render(request, "moderation/post_report.html", context, status=status)


def post_outcome(request: HttpRequest, post_id: int) -> HttpResponse:
    """The author's view of a post held or acted on: kind words, crisis resources, outcome."""
    user = current_user(request)
    post = access.get_own_post(user, post_id)
    outcome = selectors.post_outcome(user, post)
    # The conversation with the moderators, if one started (opening the page reads it).
    outreach = outreach_pages.open_for_author(user, post)
    return render(
        request,
        "moderation/post_outcome.html",
        {"outcome": outcome, "post": post, "outreach": outreach},
    )


def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """Old notification links to a moderator's message: it is in a conversation now."""
    message = access.get_message_for_recipient(current_user(request), message_id)
    url = reverse("messaging:thread-detail", kwargs={"thread_id": message.thread_id})
    return redirect(f"{url}#message-{message.pk}")


def my_trust(request: HttpRequest) -> HttpResponse:
    """What the person can do in each of their communities now, and what comes next."""
    context = {"summaries": selectors.trust_in_my_communities(current_user(request))}
    return render(request, "moderation/my_trust.html", context)


def about_me(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    context = {
        "entries": identity_selectors.about_me_rows(user),
        "messages_from_moderators": selectors.messages_for_user(user),
    }
    return render(request, "moderation/about_me.html", context)
