"""Questionnaires made in the portal by organisation admins and providers: the list of those
they manage, making one, publishing a new version, and archiving. For anyone without the right
(``authoring.authoring_rights``) the pages do not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.questionnaires import authoring
from tandem.questionnaires.authoring import AuthorRight, Definition
from tandem.questionnaires.forms import HIGHER_BETTER, HIGHER_WORSE, CustomInstrumentForm
from tandem.questionnaires.models import CustomInstrument, CustomInstrumentVersion


def _rights_or_404(request: HttpRequest) -> list[AuthorRight]:
    rights = authoring.authoring_rights(current_user(request))
    if not rights:
        raise Http404
    return rights


def _definition(form: CustomInstrumentForm) -> Definition:
    data = form.cleaned_data
    return Definition(
        title=data["title"].strip(),
        stem=data["stem"].strip(),
        items=tuple(data["items"]),
        options=tuple(data["options"]),
        bands=tuple(data["bands"]),
        higher_is_better=data["direction"] == HIGHER_BETTER,
    )


def _initial(version: CustomInstrumentVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "stem": version.stem,
        "items": "\n".join(version.items),
        "options": "\n".join(f"{value} = {label}" for value, label in version.options),
        "bands": "\n".join(f"{low}-{high} = {label}" for low, high, label in version.bands),
        "direction": HIGHER_BETTER if version.higher_is_better else HIGHER_WORSE,
    }


@require_GET
def custom_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rights = _rights_or_404(request)
    rows = authoring.managed_instruments(user, rights)
    return render(request, "questionnaires/custom_list.html", {"rows": rows})


class CustomCreateView(View):
    http_method_names = ["get", "post"]

    def _render(
        self, request: HttpRequest, form: CustomInstrumentForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "questionnaires/custom_form.html",
            {"form": form, "instrument": None},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        rights = _rights_or_404(request)
        form = CustomInstrumentForm(
            audiences=[(r.value, r.label) for r in rights],
            initial={"direction": HIGHER_WORSE},
        )
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        rights = _rights_or_404(request)
        form = CustomInstrumentForm(request.POST, audiences=[(r.value, r.label) for r in rights])
        if form.is_valid():
            right = next(r for r in rights if r.value == form.cleaned_data["audience"])
            try:
                authoring.create_instrument(
                    author=current_user(request), right=right, definition=_definition(form)
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("The questionnaire is published."))
                return redirect("questionnaires:custom-list")
        return self._render(request, form, status=400)


class CustomEditView(View):
    """Publish a new version: responses already given keep the version they answered."""

    http_method_names = ["get", "post"]

    def _render(
        self,
        request: HttpRequest,
        instrument: CustomInstrument,
        form: CustomInstrumentForm,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "questionnaires/custom_form.html",
            {"form": form, "instrument": instrument},
            status=status,
        )

    def get(self, request: HttpRequest, instrument_id: int) -> HttpResponse:
        _rights_or_404(request)
        instrument = authoring.get_managed_or_404(current_user(request), instrument_id)
        latest = instrument.versions.order_by("-number").first()
        initial = _initial(latest) if latest is not None else {}
        return self._render(
            request, instrument, CustomInstrumentForm(initial=initial, audiences=[])
        )

    def post(self, request: HttpRequest, instrument_id: int) -> HttpResponse:
        _rights_or_404(request)
        instrument = authoring.get_managed_or_404(current_user(request), instrument_id)
        form = CustomInstrumentForm(request.POST, audiences=[])
        if form.is_valid():
            try:
                published = authoring.publish_version(
                    instrument=instrument, definition=_definition(form)
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                if published is None:
                    messages.info(request, _("Nothing changed, so no new version was published."))
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(number)s is published. Answers already given keep the "
                            "version they answered."
                        )
                        % {"number": published.number},
                    )
                return redirect("questionnaires:custom-list")
        return self._render(request, instrument, form, status=400)


@require_POST
def custom_archive(request: HttpRequest, instrument_id: int) -> HttpResponse:
    _rights_or_404(request)
    instrument = authoring.get_managed_or_404(current_user(request), instrument_id)
    archive = instrument.archived_at is None
    authoring.set_archived(instrument=instrument, archived=archive)
    messages.success(
        request,
        _("The questionnaire is no longer offered. Answers already given are kept.")
        if archive
        else _("The questionnaire is offered again."),
    )
    return redirect("questionnaires:custom-list")
