"""Communities and their categories: the list, joining and leaving, a community's front page,
a category's topics and watching it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum import access, selectors, services
from tandem.forum.forms import JoinForm, SearchForm
from tandem.forum.models import Category, Community, JoinPolicy
from tandem.forum.views.common import conduct_gate, record_visit, safe_return_path
from tandem.forum.views.confirm import confirm_page, confirmed

TOPICS_PER_PAGE = 30


def community_list(request: HttpRequest) -> HttpResponse:
    choices = selectors.communities_for_user(current_user(request))
    return render(request, "forum/community_list.html", {"choices": choices})


class CommunityJoinView(View):
    """Join a community (or accept its new code of conduct): the code, and the form."""

    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        community = access.get_joinable_community(user, community_id)
        form = JoinForm(
            initial={"version": community.code_of_conduct_version},
            ask_date_of_birth=self._ask_date_of_birth(user, community),
        )
        return_to = safe_return_path(request, request.GET.get("next"))
        return self._render(request, community, form, return_to=return_to)

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        community = access.get_joinable_community(user, community_id)
        form = JoinForm(request.POST, ask_date_of_birth=self._ask_date_of_birth(user, community))
        # Where the person was when a new code of conduct stopped them (their kept reply).
        return_to = safe_return_path(request, request.POST.get("next"))
        if form.is_valid():
            try:
                services.join_community(
                    user=user,
                    community=community,
                    accepted_version=form.cleaned_data["version"],
                    date_of_birth=form.cleaned_data.get("date_of_birth"),
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                if return_to is not None:
                    messages.success(request, _("Thank you. Here is where you were."))
                    return redirect(return_to)
                messages.success(request, _("Welcome to %(name)s.") % {"name": community.name})
                return redirect("forum:community-detail", community_id=community.pk)
        return self._render(request, community, form, status=400, return_to=return_to)

    @staticmethod
    def _ask_date_of_birth(user: User, community: Community) -> bool:
        return community.has_age_limits and user.date_of_birth is None

    @staticmethod
    def _render(
        request: HttpRequest,
        community: Community,
        form: JoinForm,
        status: int = 200,
        return_to: str | None = None,
    ) -> HttpResponse:
        context = {"community": community, "form": form, "return_to": return_to}
        return render(request, "forum/community_join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def community_leave(request: HttpRequest, community_id: int) -> HttpResponse:
    """Ask first (GET, or a POST without the question page's "yes"), then leave: the person's
    circle places and watches there go too (``services.leave_community``), and the page says
    so."""
    user = current_user(request)
    community = access.get_community_access(user, community_id, require_conduct=False).community
    if confirmed(request):
        services.leave_community(user=user, community=community)
        messages.success(request, _("You have left %(name)s.") % {"name": community.name})
        return redirect("forum:community-list")
    return confirm_page(
        request,
        title=_("Leave %(name)s?") % {"name": community.name},
        what=_("From the moment you confirm:"),
        consequences=_leaving_consequences(user, community),
        button=_("Yes, leave this community"),
        cancel_url=reverse("forum:community-detail", kwargs={"community_id": community.pk}),
    )


def _leaving_consequences(user: User, community: Community) -> list[str]:
    lines = [_("You no longer see its topics and cannot post there. What you wrote stays.")]
    circles = list(selectors.circles_queryset_for_member(user, community))
    if circles:
        lines.append(
            _(
                "You also leave its circles you are in: %(circles)s. To be in one again, "
                "its starter has to add you again."
            )
            % {"circles": ", ".join(circle.name for circle in circles)}
        )
    if any(circle.created_by_id == user.pk for circle in circles):
        lines.append(
            _(
                "The circles you started stay with the people in them, but nobody can add "
                "anyone to them any more."
            )
        )
    lines.append(_("You no longer hear about the topics and categories you watch there."))
    if community.join_policy == JoinPolicy.CLOSED:
        lines.append(
            _("Nobody joins this community by themselves: to come back, you must be added again.")
        )
    else:
        lines.append(
            _("You can join again later; you will be asked to accept its code of conduct again.")
        )
    return lines


@conduct_gate
def community_detail(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_access(user, community_id).community
    record_visit(request, user, community)
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
    category.community = access.get_community_access(user, category.community_id).community
    return category


@conduct_gate
def category_detail(request: HttpRequest, category_id: int) -> HttpResponse:
    user = current_user(request)
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
    user = current_user(request)
    category = _category_for_member(user, category_id)
    watching = services.toggle_category_watch(user=user, category=category)
    messages.success(
        request,
        _("You will hear about new topics here.")
        if watching
        else _("You will no longer hear about new topics here."),
    )
    return redirect("forum:category-detail", category_id=category.pk)
