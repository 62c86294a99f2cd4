"""The agreement of a care relationship: propose a change, accept, decline or withdraw it,
set the service user's own choice (telling the care team about a worrying check-in), and
read its history. The relationship page shows the agreement in force and any proposal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import current_user
from tandem.care import access, agreement_selectors, services
from tandem.care.agreement_models import TERMS
from tandem.care.forms import AgreementForm
from tandem.care.models import CareRelationship
from tandem.care.services.agreements import set_risk_alert
from tandem.care.views.common import side_of
from tandem.care.views.relationships import render_relationship
from tandem.core.forms import attach_service_error


def _active_relationship(request: HttpRequest, relationship_id: int) -> CareRelationship:
    relationship = access.get_relationship_for_member(current_user(request), relationship_id)
    if not relationship.is_active:
        raise Http404
    return relationship


class AgreementProposeView(View):
    """Propose new terms (or revise one's own open proposal)."""

    template_name = "care/agreement_propose.html"

    def _render(
        self,
        request: HttpRequest,
        relationship: CareRelationship,
        form: AgreementForm,
        section: agreement_selectors.AgreementSection,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "relationship": relationship,
            "form": form,
            "side": side_of(current_user(request), relationship),
            "section": section,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, relationship_id: int) -> HttpResponseBase:
        relationship = _active_relationship(request, relationship_id)
        section = agreement_selectors.agreement_section(relationship, current_user(request))
        if section.proposal is not None and not section.mine:
            messages.info(request, _("Answer the change that was proposed to you first."))
            return redirect("care:relationship-detail", relationship_id=relationship.pk)
        # Start from one's own open proposal when revising it, else from the terms in force.
        start = section.proposal if section.mine else section.agreement
        initial: dict[str, Any] = {"state": section.state}
        if start is not None:
            initial.update(start.terms())
        return self._render(request, relationship, AgreementForm(initial=initial), section)

    def post(self, request: HttpRequest, relationship_id: int) -> HttpResponse:
        user = current_user(request)
        relationship = _active_relationship(request, relationship_id)
        form = AgreementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.propose_agreement_change(
                    actor=user,
                    relationship=relationship,
                    seen_state=data["state"] or None,
                    **{name: data[name] for name in TERMS},
                )
            except services.AgreementConflictError as error:
                # Keep every typed word, show what changed meanwhile, and let a second
                # submit go ahead from the current state.
                section = agreement_selectors.agreement_section(relationship, user)
                fresh = request.POST.copy()
                fresh["state"] = section.state
                again = AgreementForm(fresh)
                again.is_valid()
                again.add_error(None, error)
                return self._render(request, relationship, again, section, status=409)
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Change proposed. The agreement as it stands stays in force until "
                        "the other person accepts it."
                    ),
                )
                return redirect("care:relationship-detail", relationship_id=relationship.pk)
        section = agreement_selectors.agreement_section(relationship, user)
        return self._render(request, relationship, form, section, status=400)


DECISIONS = {
    "accept": (
        services.accept_agreement_change,
        gettext_lazy("You accepted the change. It is now in force."),
    ),
    "decline": (
        services.decline_agreement_change,
        gettext_lazy("You declined the change. The agreement stays as it was."),
    ),
    "withdraw": (
        services.withdraw_agreement_change,
        gettext_lazy("You withdrew your proposal. The agreement stays as it was."),
    ),
}


# The service user's own choices, set on the version in force (``version_id`` only routes the
# form: the choice applies to whatever is in force when it arrives).
CHOICES = {
    "risk-alert-on": (
        True,
        gettext_lazy(
            "Done. If a questionnaire answer suggests you may be at risk, your care provider "
            "is told that a check-in needs attention."
        ),
    ),
    "risk-alert-off": (
        False,
        gettext_lazy("Done. Your care provider is no longer told about your check-ins."),
    ),
}


def _set_choice(request: HttpRequest, relationship: CareRelationship, decision: str) -> None:
    on, done = CHOICES[decision]
    set_risk_alert(actor=current_user(request), relationship=relationship, on=on)
    messages.success(request, str(done))


@require_POST
def agreement_decide(
    request: HttpRequest, relationship_id: int, version_id: int, decision: str
) -> HttpResponseBase:
    user = current_user(request)
    relationship = _active_relationship(request, relationship_id)
    if decision not in DECISIONS and decision not in CHOICES:
        raise Http404
    version = agreement_selectors.get_version_of(relationship, version_id)
    if decision in CHOICES:
        _set_choice(request, relationship, decision)
        return redirect(
            reverse("care:relationship-detail", kwargs={"relationship_id": relationship.pk})
            + "#risk-alert-title"
        )
    decide, done = DECISIONS[decision]
    try:
        decide(actor=user, version=version)
    except services.AgreementConflictError as error:
        # The other side acted first: show the page as it is now, with what happened.
        messages.error(request, " ".join(error.messages))
        return render_relationship(request, relationship, status=409)
    messages.success(request, str(done))
    return redirect("care:relationship-detail", relationship_id=relationship.pk)


@require_GET
def agreement_history(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = current_user(request)
    relationship = access.get_relationship_for_member(user, relationship_id)
    context = {
        "relationship": relationship,
        "side": side_of(user, relationship),
        "entries": agreement_selectors.agreement_history(relationship),
    }
    return render(request, "care/agreement_history.html", context)
