"""Goals with their steps; the care team's read-only pages and comments on them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care import selectors as care_selectors
from tandem.care import services as care_services
from tandem.care.access import ItemAccess, get_item_access_for_viewer, get_owner_for_viewer
from tandem.care.models import Level, Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import (
    CommentForm,
    GoalCreateForm,
    GoalEditForm,
    StepForm,
)
from tandem.toolbox.models import Goal, GoalStatus
from tandem.toolbox.selectors.access_log import GOAL
from tandem.toolbox.views.common import (
    confirm_delete,
    domain_initial,
    form_page,
    keeps_typed_comment,
    page_context,
    paginate,
    toolbox_owner,
)
from tandem.toolbox.views.undo import confirm_undoable_delete, deleted_redirect


def _goal_list_page(request: HttpRequest, owner: User, *, read_only: bool) -> HttpResponse:
    status_filter = request.GET.get("status", GoalStatus.ACTIVE)
    if status_filter not in {*GoalStatus.values, "all"}:
        status_filter = GoalStatus.ACTIVE
    page_obj = paginate(
        request,
        selectors.goals_for_owner(owner, None if status_filter == "all" else status_filter),
    )
    comments = care_selectors.comments_for_items(
        owner, Module.GOALS, [goal.pk for goal in page_obj]
    )
    return render(
        request,
        "toolbox/goal_list.html",
        {
            "page_obj": page_obj,
            "status_filter": status_filter,
            "statuses": [*GoalStatus.choices, ("all", _("All"))],
            "goals": [(goal, len(comments[goal.pk])) for goal in page_obj],
            **page_context(owner, read_only),
        },
    )


@require_GET
@toolbox_owner
def goal_list(request: HttpRequest) -> HttpResponse:
    return _goal_list_page(request, current_user(request), read_only=False)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def goal_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = GoalCreateForm(request.POST or None, owner=user, initial=domain_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.create_goal_from_form(owner=user, data=data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your goal is saved."))
            return redirect("toolbox:goal-detail", goal_id=goal.pk)
    return form_page(
        request,
        form,
        title=_("New goal"),
        submit=_("Save goal"),
        cancel_url=reverse("toolbox:goal-list"),
        status=400 if form.errors else 200,
    )


def _goal_detail_page(
    request: HttpRequest,
    owner: User,
    goal: Goal,
    *,
    read_only: bool,
    can_comment: bool,
    step_form: StepForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "toolbox/goal_detail.html",
        {
            "detail": selectors.goal_detail(owner, goal),
            "goal": goal,
            "comments": care_selectors.comments_for_items(owner, Module.GOALS, [goal.pk])[goal.pk],
            "can_comment": can_comment,
            "comment_form": comment_form or (CommentForm() if can_comment else None),
            "step_form": step_form or (None if read_only else StepForm()),
            "comment_action": (
                reverse("toolbox:shared-goal-comment", args=[owner.pk, goal.pk])
                if read_only
                else reverse("toolbox:goal-comment", args=[goal.pk])
            ),
            **page_context(owner, read_only),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """The goal with its steps; a POST adds a step."""
    user = current_user(request)
    goal = access.get_goal_for_owner(user, goal_id)
    if request.method == "GET":
        return _goal_detail_page(request, user, goal, read_only=False, can_comment=True)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.add_step(owner=user, goal=goal, text=form.cleaned_data["text"])
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Step added."))
            return redirect(reverse("toolbox:goal-detail", args=[goal.pk]) + "#steps")
    return _goal_detail_page(
        request, user, goal, read_only=False, can_comment=True, step_form=form, status=400
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    user = current_user(request)
    goal = access.get_goal_for_owner(user, goal_id)
    form = GoalEditForm(request.POST or None, owner=user, initial=GoalEditForm.values_of(goal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_goal_from_form(owner=user, goal=goal, data=data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your goal is saved."))
            return redirect("toolbox:goal-detail", goal_id=goal.pk)
    return form_page(
        request,
        form,
        title=_("Change goal"),
        submit=_("Save goal"),
        cancel_url=reverse("toolbox:goal-detail", args=[goal.pk]),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    user = current_user(request)
    goal = access.get_goal_for_owner(user, goal_id)
    if request.method == "POST":
        services.delete_goal(owner=user, goal=goal)
        messages.success(request, _("The goal is deleted."))
        return redirect("toolbox:goal-list")
    return confirm_delete(
        request,
        title=_("Delete this goal?"),
        what=_(
            "“%(title)s”, its steps and the comments on it will be deleted. "
            "Activities you logged for it are kept."
        )
        % {"title": goal.title},
        cancel_url=reverse("toolbox:goal-detail", args=[goal.pk]),
    )


@require_POST
@toolbox_owner
def goal_comment(request: HttpRequest, goal_id: int) -> HttpResponse:
    """The owner answers on their own goal."""
    user = current_user(request)
    goal = access.get_goal_for_owner(user, goal_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            care_services.add_comment(
                author=user,
                owner=user,
                module=Module.GOALS,
                item_id=goal.pk,
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect(reverse("toolbox:goal-detail", args=[goal.pk]) + "#comments")
    return _goal_detail_page(
        request, user, goal, read_only=False, can_comment=True, comment_form=form, status=400
    )


@require_POST
@toolbox_owner
def step_toggle(request: HttpRequest, step_id: int) -> HttpResponseBase:
    user = current_user(request)
    step = access.get_step_for_owner(user, step_id)
    services.set_step_done(owner=user, step=step, done=request.POST.get("done") == "1")
    return redirect(reverse("toolbox:goal-detail", args=[step.goal_id]) + "#steps")


@require_POST
@toolbox_owner
def step_move(request: HttpRequest, step_id: int) -> HttpResponseBase:
    user = current_user(request)
    step = access.get_step_for_owner(user, step_id)
    services.move_step(owner=user, step=step, up=request.POST.get("direction") == "up")
    return redirect(reverse("toolbox:goal-detail", args=[step.goal_id]) + "#steps")


@require_http_methods(["GET", "POST"])
@toolbox_owner
def step_delete(request: HttpRequest, step_id: int) -> HttpResponseBase:
    user = current_user(request)
    step = access.get_step_for_owner(user, step_id)
    if request.method == "GET":
        return confirm_undoable_delete(
            request, step, title=_("Delete this step?"), button=_("Yes, delete")
        )
    services.delete_step(owner=user, step=step)
    return deleted_redirect("step", step)


@require_GET
def shared_goals(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.GOALS)
    return _goal_list_page(request, owner, read_only=True)


def _shared_goal(
    request: HttpRequest, owner_id: int, goal_id: int, *, need: int
) -> ItemAccess[Goal]:
    """The care gate for one of ``owner_id``'s goals: the goal, and the read recorded as a read
    of that goal (once per visit) in the owner's access log."""
    return get_item_access_for_viewer(
        request.user,
        owner_id,
        Module.GOALS,
        kind=GOAL,
        fetch=lambda owner: access.get_goal_for_owner(owner, goal_id),
        need=need,
    )


@require_GET
def shared_goal_detail(request: HttpRequest, owner_id: int, goal_id: int) -> HttpResponse:
    # The gate's answer says whether the viewer may comment: no second look at the grant.
    read = _shared_goal(request, owner_id, goal_id, need=Level.VIEW)
    return _goal_detail_page(
        request, read.seen.owner, read.item, read_only=True, can_comment=read.seen.may_comment
    )


@require_POST
@keeps_typed_comment
def shared_goal_comment(request: HttpRequest, owner_id: int, goal_id: int) -> HttpResponse:
    read = _shared_goal(request, owner_id, goal_id, need=Level.COMMENT)
    seen, owner, goal = read.seen, read.seen.owner, read.item
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            care_services.add_comment(
                author=current_user(request),
                owner=owner,
                module=Module.GOALS,
                item_id=goal.pk,
                body=form.cleaned_data["body"],
                owner_url=reverse("toolbox:goal-detail", args=[goal.pk]) + "#comments",
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect(
                reverse("toolbox:shared-goal-detail", args=[owner.pk, goal.pk]) + "#comments"
            )
    return _goal_detail_page(
        request,
        owner,
        goal,
        read_only=True,
        can_comment=seen.may_comment,
        comment_form=form,
        status=400,
    )
