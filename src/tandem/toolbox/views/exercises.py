"""The exercise library and the practice log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.exercises import all_exercises, get_exercise
from tandem.toolbox.forms import PracticeForm
from tandem.toolbox.views.common import (
    page_context,
    paginate,
    toolbox_owner,
)


def _exercise_list_page(request: HttpRequest, owner: User, *, read_only: bool) -> HttpResponse:
    summaries = selectors.practice_summaries(owner)
    page_obj = paginate(request, selectors.practice_for_owner(owner))
    return render(
        request,
        "toolbox/exercise_list.html",
        {
            "library": [(exercise, summaries.get(exercise.slug)) for exercise in all_exercises()],
            "page_obj": page_obj,
            "practice_rows": [(practice, get_exercise(practice.exercise)) for practice in page_obj],
            **page_context(owner, read_only),
        },
    )


@require_GET
@toolbox_owner
def exercise_list(request: HttpRequest) -> HttpResponse:
    return _exercise_list_page(request, current_user(request), read_only=False)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    exercise = get_exercise(slug)
    if exercise is None:
        raise Http404
    form = PracticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_practice(
                owner=user,
                exercise=exercise.slug,
                helped=form.cleaned_data["helped"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Well done. Your practice is logged."))
            return redirect("toolbox:exercise-list")
    return render(
        request,
        "toolbox/exercise_detail.html",
        {"exercise": exercise, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@toolbox_owner
def practice_delete(request: HttpRequest, practice_id: int) -> HttpResponseBase:
    user = current_user(request)
    practice = access.get_practice_for_owner(user, practice_id)
    services.delete_practice(owner=user, practice=practice)
    messages.success(request, _("Deleted from your practice log."))
    return redirect("toolbox:exercise-list")


@require_GET
def shared_exercises(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.EXERCISES)
    return _exercise_list_page(request, owner, read_only=True)
