"""A person's boundaries: who may mention them, and whom they muted."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.forum import selectors, services
from tandem.forum.forms import MentionPolicyForm


class BoundariesView(View):
    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        form = MentionPolicyForm(
            initial={"mention_policy": selectors.mention_policy_for_user(user)}
        )
        return self._render(request, user, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        form = MentionPolicyForm(request.POST)
        if form.is_valid():
            services.set_mention_policy(user=user, policy=form.cleaned_data["mention_policy"])
            messages.success(request, _("Saved."))
            return redirect("forum:boundaries")
        return self._render(request, user, form, status=400)

    @staticmethod
    def _render(
        request: HttpRequest, user: User, form: MentionPolicyForm, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "mutes": selectors.mutes_for_user(user)}
        return render(request, "forum/boundaries.html", context, status=status)


@require_POST
def mute_delete(request: HttpRequest, mute_id: int) -> HttpResponse:
    user = current_user(request)
    mute = selectors.mute_of_user(user, mute_id)
    if mute is None:
        raise Http404
    services.unmute_person(user=user, mute=mute)
    messages.success(request, _("Their posts show again."))
    return redirect("forum:boundaries")
