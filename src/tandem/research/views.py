"""Research pages: a person answering a study (or withdrawing), and a researcher's dashboards
and exports. Each view passes a gate (``research.access``), calls one service or selector, and
responds."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core import usage
from tandem.core.forms import attach_service_error
from tandem.research import access, charts, export, selectors, services
from tandem.research.forms import TAKE_PART, ConsentForm
from tandem.research.models import ConsentStatus, ExportFormat, Study


def study_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    lines = selectors.studies_with_answers(user, access.studies_for_participant(user))
    return render(request, "research/study_list.html", {"lines": lines})


class StudyConsentView(View):
    """A study, said plainly, and the person's answer: take part or not."""

    http_method_names = ["get", "post"]

    def _render(
        self, request: HttpRequest, study: Study, form: ConsentForm, *, status: int = 200
    ) -> HttpResponse:
        consent = selectors.answer_of(current_user(request), study)
        context = {
            "study": study,
            "form": form,
            "consent": consent,
            "taking_part": consent is not None and consent.status == ConsentStatus.CONSENTED,
            "is_open": study.is_open_on(timezone.localdate()),
        }
        return render(request, "research/study_consent.html", context, status=status)

    def get(self, request: HttpRequest, study_id: int) -> HttpResponse:
        study, _role = access.get_study_for_participant(current_user(request), study_id)
        return self._render(request, study, ConsentForm())

    def post(self, request: HttpRequest, study_id: int) -> HttpResponse:
        user = current_user(request)
        study, role = access.get_study_for_participant(user, study_id)
        form = ConsentForm(request.POST)
        if not form.is_valid():
            return self._render(request, study, form, status=400)
        try:
            if form.cleaned_data["answer"] == TAKE_PART:
                services.give_consent(user=user, study=study, role=role)
                messages.success(request, _("Thank you. You are taking part in this study."))
            else:
                services.decline_consent(user=user, study=study, role=role)
                messages.success(
                    request, _("You are not taking part. Nothing about you is recorded.")
                )
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, study, form, status=400)
        usage.set_taking_part(request, user.pk, selectors.takes_part(user))
        return redirect("research:study-consent", study_id=study.pk)


class StudyWithdrawView(View):
    """Stop taking part, after saying what that does."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, study_id: int) -> HttpResponse:
        study, _role = access.get_study_for_participant(current_user(request), study_id)
        return render(request, "research/study_withdraw.html", {"study": study})

    def post(self, request: HttpRequest, study_id: int) -> HttpResponse:
        user = current_user(request)
        study, _role = access.get_study_for_participant(user, study_id)
        if services.withdraw_consent(user=user, study=study) is not None:
            messages.success(
                request,
                _(
                    "You have withdrawn. What was recorded about you is deleted and will be in no "
                    "future export."
                ),
            )
        usage.set_taking_part(request, user.pk, selectors.takes_part(user))
        return redirect("research:study-consent", study_id=study.pk)


def dashboard_list(request: HttpRequest) -> HttpResponse:
    studies = access.studies_for_researcher(current_user(request)).order_by("-start_date", "pk")
    return render(request, "research/dashboard_list.html", {"studies": list(studies)})


def dashboard(request: HttpRequest, study_id: int) -> HttpResponse:
    study = access.get_study_for_researcher(current_user(request), study_id)
    board = selectors.dashboard(study)
    use = board.provider_use
    provider_chart = charts.horizontal_bars(
        [
            (_("Never used Tandem"), use.never),
            (_("Looked, never wrote"), use.looked_only),
            (_("Messages only"), use.messaging_only),
            (_("Messages and more"), use.messaging_and_more),
            (_("Wrote, but no messages"), use.other_only),
        ],
        _("How the %(n)s providers taking part used Tandem.") % {"n": use.providers},
    )
    context = {
        "board": board,
        "study": study,
        "modules_chart": charts.module_visits_chart(board.modules),
        "weeks_chart": charts.weekly_chart(board.weeks),
        "provider_chart": provider_chart,
    }
    return render(request, "research/dashboard.html", context)


def _download(request: HttpRequest, study_id: int, export_format: str) -> HttpResponse:
    user = current_user(request)
    study = access.get_study_for_researcher(user, study_id)
    data = export.build_export(study)
    services.record_export(
        researcher=user,
        study=study,
        export_format=export_format,
        participants=data.participants,
        events=len(data.events),
    )
    stamp = data.exported_at.strftime("%Y%m%d-%H%M")
    if export_format == ExportFormat.JSON:
        body, content_type, suffix = export.as_json(data), "application/json", "json"
    else:
        body, content_type, suffix = export.as_zip(data), "application/zip", "zip"
    response = HttpResponse(body, content_type=content_type)
    # The file is named by the study's number, not its title: a title may be anything.
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{stamp}.{suffix}"'
    return response


@require_POST
def export_csv(request: HttpRequest, study_id: int) -> HttpResponse:
    return _download(request, study_id, ExportFormat.CSV)


@require_POST
def export_json(request: HttpRequest, study_id: int) -> HttpResponse:
    return _download(request, study_id, ExportFormat.JSON)
