"""The community administration pages. Each view: a gate, a form, one service, then a
redirect (or the page again with the errors and everything typed, status 400)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.forum.models import Category, Community
from tandem.moderation.community_admin import access, selectors, services
from tandem.moderation.community_admin.conduct_diff import conduct_diff
from tandem.moderation.community_admin.forms import (
    CategoryForm,
    CommunityCreateForm,
    CommunityForm,
    ConductForm,
    LimitsForm,
    StateForm,
)
from tandem.moderation.posting import settings_for

STATE_MESSAGES = {
    services.StateChange.LOCK: gettext_lazy("Locked: members can read, nobody can post."),
    services.StateChange.UNLOCK: gettext_lazy("Unlocked: members can post again."),
    services.StateChange.ARCHIVE: gettext_lazy("Archived: hidden from every list and read-only."),
    services.StateChange.RESTORE: gettext_lazy("Restored."),
}


def _community(steward: access.Steward) -> Community:
    if steward.community is None:  # community gates always set it
        raise Http404
    return steward.community


def community_list(request: HttpRequest, organisation_id: int) -> HttpResponse:
    steward = access.get_organisation_for_steward(current_user(request), organisation_id)
    context = {
        "steward": steward,
        "organisation": steward.organisation,
        "communities": selectors.communities_for_admin(steward.organisation),
    }
    return render(request, "moderation/community_admin/community_list.html", context)


class CommunityCreateView(View):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, organisation_id: int) -> HttpResponse:
        steward = access.get_organisation_for_steward(current_user(request), organisation_id)
        access.check_can_administer(steward)
        return self._render(request, steward, CommunityCreateForm())

    def post(self, request: HttpRequest, organisation_id: int) -> HttpResponse:
        user = current_user(request)
        steward = access.get_organisation_for_steward(user, organisation_id)
        access.check_can_administer(steward)
        form = CommunityCreateForm(
            request.POST, instance=Community(organisation=steward.organisation)
        )
        if form.is_valid():
            try:
                community = services.create_community(
                    actor=user,
                    organisation=steward.organisation,
                    details=form.details(),
                    code_of_conduct=form.cleaned_data["code_of_conduct"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Created. Add its first category below."))
                return redirect("moderation:community-manage", community_id=community.pk)
        return self._render(request, steward, form, status=400)

    @staticmethod
    def _render(
        request: HttpRequest, steward: access.Steward, form: CommunityCreateForm, status: int = 200
    ) -> HttpResponse:
        context = {"organisation": steward.organisation, "form": form}
        return render(
            request, "moderation/community_admin/community_create.html", context, status=status
        )


def _render_manage(
    request: HttpRequest,
    steward: access.Steward,
    *,
    form: CommunityForm | None = None,
    category_form: CategoryForm | None = None,
    state_form: StateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    community = _community(steward)
    context = {
        "steward": steward,
        "community": community,
        "form": form or CommunityForm(instance=community),
        "category_form": category_form or CategoryForm(),
        "state_form": state_form,
        "categories": selectors.categories_for_admin(community),
    }
    return render(
        request, "moderation/community_admin/community_manage.html", context, status=status
    )


class CommunityManageView(View):
    """A community's details, its state (locked, archived) and its categories."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        steward = access.get_community_for_steward(current_user(request), community_id)
        return _render_manage(request, steward)

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        steward = access.get_community_for_steward(user, community_id)
        access.check_can_administer(steward)
        community = _community(steward)
        form = CommunityForm(request.POST, instance=copy.copy(community))
        if form.is_valid():
            try:
                services.update_community(
                    actor=user,
                    community=community,
                    details=form.details(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("moderation:community-manage", community_id=community.pk)
        return _render_manage(request, steward, form=form, status=400)


@require_POST
def community_state(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    steward = access.get_community_for_steward(user, community_id)
    access.check_can_set_limits(steward)
    form = StateForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, steward, state_form=form, status=400)
    change = form.state_change()
    if change in (services.StateChange.ARCHIVE, services.StateChange.RESTORE):
        access.check_can_administer(steward)
    services.set_community_state(
        actor=user,
        community=_community(steward),
        change=change,
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, STATE_MESSAGES[change])
    return redirect("moderation:community-manage", community_id=community_id)


class ConductView(View):
    """A new version of the code of conduct: write it, see what changed, publish it."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        steward = access.get_community_for_steward(current_user(request), community_id)
        access.check_can_administer(steward)
        community = _community(steward)
        form = ConductForm(
            initial={
                "text": community.code_of_conduct,
                "version": community.code_of_conduct_version,
            }
        )
        return self._render(request, community, form)

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        steward = access.get_community_for_steward(user, community_id)
        access.check_can_administer(steward)
        community = _community(steward)
        form = ConductForm(request.POST)
        if not form.is_valid():
            return self._render(request, community, form, status=400)
        data = form.cleaned_data
        if request.POST.get("action") != "publish":
            return self._render(request, community, form, preview=True)
        try:
            services.publish_conduct(
                actor=user,
                community=community,
                text=data["text"],
                based_on_version=data["version"],
                reason=data["reason"],
            )
        except ValidationError as error:
            # Compare against what is published now, keeping the admin's text.
            community.refresh_from_db()
            fresh = request.POST.copy()
            fresh["version"] = str(community.code_of_conduct_version)
            form = ConductForm(fresh)
            form.is_valid()
            attach_service_error(form, error)
            return self._render(request, community, form, preview=True, status=400)
        messages.success(
            request,
            _("Version %(version)s is published. Members will be asked to accept it.")
            % {"version": community.code_of_conduct_version},
        )
        return redirect("moderation:community-manage", community_id=community.pk)

    @staticmethod
    def _render(
        request: HttpRequest,
        community: Community,
        form: ConductForm,
        *,
        preview: bool = False,
        status: int = 200,
    ) -> HttpResponse:
        text = form.data.get("text", "") if form.is_bound else ""
        context = {
            "community": community,
            "form": form,
            "diff": conduct_diff(community.code_of_conduct, str(text)) if preview else None,
        }
        return render(request, "moderation/community_admin/conduct.html", context, status=status)


class LimitsView(View):
    """Pre-moderation, slow mode in every topic, and posting limits."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        steward = access.get_community_for_steward(current_user(request), community_id)
        access.check_can_set_limits(steward)
        community = _community(steward)
        return self._render(request, community, LimitsForm(instance=settings_for(community)))

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        steward = access.get_community_for_steward(user, community_id)
        access.check_can_set_limits(steward)
        community = _community(steward)
        form = LimitsForm(request.POST, instance=copy.copy(settings_for(community)))
        if form.is_valid():
            try:
                services.update_limits(
                    actor=user,
                    community=community,
                    limits=form.limits(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("moderation:community-limits", community_id=community.pk)
        return self._render(request, community, form, status=400)

    @staticmethod
    def _render(
        request: HttpRequest, community: Community, form: LimitsForm, status: int = 200
    ) -> HttpResponse:
        context = {"community": community, "form": form}
        return render(request, "moderation/community_admin/limits.html", context, status=status)


@require_POST
def category_create(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    steward = access.get_community_for_steward(user, community_id)
    access.check_can_administer(steward)
    community = _community(steward)
    form = CategoryForm(request.POST, instance=Category(community=community))
    if form.is_valid():
        try:
            services.create_category(actor=user, community=community, **form.values)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Category added."))
            return redirect("moderation:community-manage", community_id=community.pk)
    return _render_manage(request, steward, category_form=form, status=400)


class CategoryEditView(View):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, category_id: int) -> HttpResponse:
        category, steward = access.get_category_for_steward(current_user(request), category_id)
        access.check_can_administer(steward)
        return self._render(request, category, CategoryForm(instance=category), StateForm())

    def post(self, request: HttpRequest, category_id: int) -> HttpResponse:
        user = current_user(request)
        category, steward = access.get_category_for_steward(user, category_id)
        access.check_can_administer(steward)
        form = CategoryForm(request.POST, instance=copy.copy(category))
        if form.is_valid():
            try:
                services.update_category(
                    actor=user, category=category, reason=form.cleaned_data["reason"], **form.values
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("moderation:community-manage", community_id=category.community_id)
        return self._render(request, category, form, StateForm(), status=400)

    @staticmethod
    def _render(
        request: HttpRequest,
        category: Category,
        form: CategoryForm,
        state_form: StateForm,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "category": category,
            "community": category.community,
            "form": form,
            "state_form": state_form,
        }
        return render(
            request, "moderation/community_admin/category_edit.html", context, status=status
        )


@require_POST
def category_state(request: HttpRequest, category_id: int) -> HttpResponse:
    user = current_user(request)
    category, steward = access.get_category_for_steward(user, category_id)
    access.check_can_administer(steward)
    form = StateForm(request.POST)
    if not form.is_valid():
        return CategoryEditView._render(
            request, category, CategoryForm(instance=category), form, status=400
        )
    change = form.state_change()
    services.set_category_state(
        actor=user, category=category, change=change, reason=form.cleaned_data["reason"]
    )
    messages.success(request, STATE_MESSAGES[change])
    return redirect("moderation:community-manage", community_id=category.community_id)
