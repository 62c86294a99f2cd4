"""Circles: the small private groups inside a community; starting one, adding to it, leaving,
ending it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum import access, selectors, services
from tandem.forum.forms import AddToCircleForm, CircleForm
from tandem.forum.models import Circle, Community
from tandem.forum.services.circles import end_circle
from tandem.forum.views.common import conduct_gate
from tandem.forum.views.confirm import confirm_page, confirmed


@method_decorator(conduct_gate, name="dispatch")
class CircleListView(View):
    """A community's circles the person is in, and the form to start one."""

    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        community = access.get_community_access(user, community_id).community
        return self._render(request, user, community, CircleForm())

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        community = access.get_community_access(user, community_id).community
        form = CircleForm(request.POST or None)
        if form.is_valid():
            try:
                circle = services.create_circle(
                    user=user, community=community, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                return redirect("forum:circle-detail", circle_id=circle.pk)
        return self._render(request, user, community, form, status=400)

    @staticmethod
    def _render(
        request: HttpRequest, user: User, community: Community, form: CircleForm, status: int = 200
    ) -> HttpResponse:
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
    user = current_user(request)
    circle = access.get_circle_for_member(user, circle_id)
    return _render_circle(request, user, circle, AddToCircleForm())


@require_POST
@conduct_gate
def circle_add(request: HttpRequest, circle_id: int) -> HttpResponse:
    user = current_user(request)
    circle = access.get_circle_for_member(user, circle_id)
    form = AddToCircleForm(request.POST)
    if form.is_valid():
        try:
            member = services.add_to_circle(
                user=user, circle=circle, pseudonym=form.cleaned_data["pseudonym"]
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(
                request, _("%(name)s is now in this circle.") % {"name": member.user.pseudonym}
            )
            return redirect("forum:circle-detail", circle_id=circle.pk)
    return _render_circle(request, user, circle, form, status=400)


@require_http_methods(["GET", "POST"])
def circle_leave(request: HttpRequest, circle_id: int) -> HttpResponse:
    """Ask first (GET, or a POST without the question page's "yes"), then leave. The last one
    out takes the circle and its topics with them (``services.leave_circle``): the page says
    so."""
    user = current_user(request)
    circle = selectors.circle_of_member(user, circle_id)
    if circle is None:
        raise Http404
    if confirmed(request):
        services.leave_circle(user=user, circle=circle)
        messages.success(request, _("You have left the circle."))
        return redirect("forum:community-list")
    return confirm_page(
        request,
        title=_("Leave the circle “%(name)s”?") % {"name": circle.name},
        what=_("From the moment you confirm:"),
        consequences=_leaving_consequences(user, circle),
        button=_("Yes, leave this circle"),
        cancel_url=reverse("forum:circle-detail", kwargs={"circle_id": circle.pk}),
    )


def _leaving_consequences(user: User, circle: Circle) -> list[str]:
    others = [m for m in selectors.circle_members(circle) if m.user_id != user.pk]
    if not others:
        return [
            _(
                "You are the last one in it, so the circle and its topics are deleted for "
                "good. This cannot be undone."
            )
        ]
    lines = [_("You no longer see its topics. What you wrote there stays for the others.")]
    if circle.created_by_id == user.pk:
        lines.append(
            _(
                "You started it: the others stay in it, but nobody can add anyone to it any "
                "more, and nobody can add you back."
            )
        )
    else:
        lines.append(_("To be in it again, the person who started it has to add you again."))
    return lines


@require_http_methods(["GET", "POST"])
def circle_end(request: HttpRequest, circle_id: int) -> HttpResponse:
    """Ask first (GET, or a POST without the question page's "yes"), then end the circle for
    everyone (``services.circles.end_circle``). Only its starter: 404 for anyone else."""
    user = current_user(request)
    circle = access.get_circle_for_starter(user, circle_id).circle
    if confirmed(request):
        try:
            end_circle(user=user, circle=circle)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("forum:circle-detail", circle_id=circle.pk)
        messages.success(request, _("The circle has ended."))
        return redirect("forum:circle-list", community_id=circle.community_id)
    others = any(m.user_id != user.pk for m in selectors.circle_members(circle))
    return confirm_page(
        request,
        title=_("End the circle “%(name)s”?") % {"name": circle.name},
        what=_("From the moment you confirm:"),
        consequences=_ending_consequences(others),
        button=_("Yes, end this circle"),
        cancel_url=reverse("forum:circle-detail", kwargs={"circle_id": circle.pk}),
    )


def _ending_consequences(others: bool) -> list[str]:
    lines = [
        _(
            "The circle and its topics are deleted for good, with everything written in them, "
            "for everyone in it."
        )
    ]
    if others:
        lines.append(_("Everyone else in it is told that a circle they were in has ended."))
    lines.append(_("This cannot be undone."))
    return lines
