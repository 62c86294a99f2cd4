"""An organisation admin's pages for its studies: the list, setting one up, changing one.

Admins only, of that organisation (404 otherwise, as ``accounts.access`` does for every admin
page); two-step verification is required of admins by ``MFARequiredMiddleware``. Once anyone
has agreed to take part, the purpose and what is collected are locked (``services.update_study``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tandem.accounts.access import get_managed_organisation_for_admin
from tandem.accounts.models import Organisation
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.research import access, services
from tandem.research.forms import StudyForm
from tandem.research.models import ConsentStatus, Study


def study_admin_list(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = get_managed_organisation_for_admin(current_user(request), org_id)
    studies = (
        Study.objects.filter(organisation=organisation)
        .annotate(taking_part=Count("consents", filter=Q(consents__status=ConsentStatus.CONSENTED)))
        .order_by("-start_date", "pk")
    )
    context = {"organisation": organisation, "studies": list(studies)}
    return render(request, "research/study_admin_list.html", context)


def _render_form(
    request: HttpRequest,
    organisation: Organisation,
    form: StudyForm,
    *,
    study: Study | None = None,
    locked: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {"organisation": organisation, "form": form, "study": study, "locked": locked}
    return render(request, "research/study_form.html", context, status=status)


class StudyCreateView(View):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, org_id: int) -> HttpResponse:
        organisation = get_managed_organisation_for_admin(current_user(request), org_id)
        return _render_form(request, organisation, StudyForm())

    def post(self, request: HttpRequest, org_id: int) -> HttpResponse:
        user = current_user(request)
        organisation = get_managed_organisation_for_admin(user, org_id)
        form = StudyForm(request.POST)
        if form.is_valid():
            try:
                services.create_study(
                    actor=user, organisation=organisation, values=form.cleaned_data
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("The study is set up."))
                return redirect("research:study-admin-list", org_id=organisation.pk)
        return _render_form(request, organisation, form, status=400)


class StudyEditView(View):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, org_id: int, study_id: int) -> HttpResponse:
        study = access.get_study_for_admin(current_user(request), org_id, study_id)
        locked = services.anyone_consented(study)
        form = StudyForm(instance=study, locked=locked)
        return _render_form(request, study.organisation, form, study=study, locked=locked)

    def post(self, request: HttpRequest, org_id: int, study_id: int) -> HttpResponse:
        user = current_user(request)
        study = access.get_study_for_admin(user, org_id, study_id)
        locked = services.anyone_consented(study)
        # A form opened before anyone agreed sends the consented text back: take it, so that a
        # change is refused beside the field (and kept on screen), never dropped silently.
        sent = any(name in request.POST for name in services.CONSENTED_FIELDS)
        form = StudyForm(request.POST, instance=study, locked=locked and not sent)
        if form.is_valid():
            try:
                changed = services.update_study(actor=user, study=study, values=form.cleaned_data)
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                if changed:
                    messages.success(request, _("The study is saved."))
                return redirect("research:study-admin-list", org_id=study.organisation_id)
        return _render_form(
            request, study.organisation, form, study=study, locked=locked, status=400
        )
