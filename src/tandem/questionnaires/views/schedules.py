"""Check-in schedules: every N days or weeks from a start date."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.questionnaires import selectors, services
from tandem.questionnaires.access import (
    get_instrument_or_404,
    get_instrument_to_review_or_404,
)
from tandem.questionnaires.forms import ScheduleForm
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import Schedule, Unit
from tandem.questionnaires.views.common import service_user_only


@method_decorator(service_user_only, name="dispatch")
class ScheduleEditView(View):
    http_method_names = ["get", "post"]

    def _render(
        self,
        request: HttpRequest,
        instrument: Instrument,
        form: ScheduleForm,
        schedule: Schedule | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "questionnaires/schedule_edit.html",
            {"instrument": instrument, "form": form, "schedule": schedule},
            status=status,
        )

    def get(self, request: HttpRequest, instrument_key: str) -> HttpResponse:
        instrument = get_instrument_or_404(instrument_key, current_user(request))
        schedule = selectors.schedule_for_owner(current_user(request), instrument)
        initial = (
            {"every": schedule.every, "unit": schedule.unit, "starts_on": schedule.starts_on}
            if schedule
            else {"every": 2, "unit": Unit.WEEKS, "starts_on": timezone.localdate()}
        )
        return self._render(request, instrument, ScheduleForm(initial=initial), schedule)

    def post(self, request: HttpRequest, instrument_key: str) -> HttpResponse:
        user = current_user(request)
        instrument = get_instrument_or_404(instrument_key, user)
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.set_schedule(owner=user, instrument=instrument, **form.cleaned_data)
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Your check-in schedule is saved."))
                return redirect("questionnaires:list")
        schedule = selectors.schedule_for_owner(user, instrument)
        return self._render(request, instrument, form, schedule, status=400)


@require_POST
@service_user_only
def schedule_delete(request: HttpRequest, instrument_key: str) -> HttpResponse:
    instrument = get_instrument_to_review_or_404(current_user(request), instrument_key)
    services.remove_schedule(owner=current_user(request), instrument=instrument)
    messages.success(
        request, _("The check-ins for %(title)s are stopped.") % {"title": instrument.title}
    )
    return redirect("questionnaires:list")
