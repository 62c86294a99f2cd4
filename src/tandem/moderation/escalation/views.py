"""Thin views for the second tier: escalate an item, read and take on an escalation, keep the
clinical escalation rota."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import Organisation
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.moderation import access as moderation_access
from tandem.moderation import selectors as moderation_selectors
from tandem.moderation.escalation import access, selectors, services
from tandem.moderation.escalation.forms import (
    EscalateAfterForm,
    EscalateForm,
    RotaAddForm,
    RotaMoveForm,
)
from tandem.moderation.views.items import render_item


@require_POST
def item_escalate(request: HttpRequest, item_id: int) -> HttpResponse:
    user = current_user(request)
    found = moderation_access.get_item_for_moderator(user, item_id)
    moderation_access.check_can_moderate(found.staff)
    item = found.item
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            services.escalate_item(
                moderator=user,
                item=item,
                targets=form.cleaned_data["targets"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(
                request,
                _("Escalated. The people you asked have been told, and so has the author."),
            )
            return redirect("moderation:item-detail", item_id=item.pk)
    return render_item(request, found, escalate_form=form, status=400)


def escalation_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """What a clinical contact or care-team member asked to help sees: the post, the reasons,
    who the person is, and who has taken it on."""
    user = current_user(request)
    item = access.get_item_for_escalation_recipient(user, item_id)
    context = {
        "item": item,
        "ctx": moderation_selectors.item_context(item),
        "escalations": selectors.escalations_of(item),
        "author": item.post.author,
    }
    return render(request, "moderation/escalation_detail.html", context)


@require_POST
def escalation_acknowledge(request: HttpRequest, item_id: int) -> HttpResponse:
    user = current_user(request)
    item = access.get_item_for_escalation_recipient(user, item_id)
    services.acknowledge(user=user, item=item)
    messages.success(request, _("Thank you. The moderators can see that you are on it."))
    return redirect("moderation:escalation-detail", item_id=item.pk)


# --- The rota (organisation admins) ----------------------------------------------------------


def _render_rota(
    request: HttpRequest,
    organisation: Organisation,
    *,
    add_form: RotaAddForm | None = None,
    after_form: EscalateAfterForm | None = None,
    status: int = 200,
) -> HttpResponse:
    minutes = selectors.safety_settings(organisation.pk).escalate_after_minutes
    context = {
        "organisation": organisation,
        "contacts": selectors.rota(organisation.pk),
        "add_form": add_form or RotaAddForm(candidates=selectors.rota_candidates(organisation)),
        "after_form": after_form or EscalateAfterForm(initial={"minutes": minutes}),
    }
    return render(request, "moderation/rota.html", context, status=status)


@require_http_methods(["GET", "POST"])
def rota(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = moderation_access.get_organisation_for_admin(user, organisation_id)
    if request.method == "GET":
        return _render_rota(request, organisation)
    form = RotaAddForm(request.POST, candidates=selectors.rota_candidates(organisation))
    if form.is_valid():
        try:
            services.add_to_rota(
                admin=user,
                organisation=organisation,
                person=form.cleaned_data["person"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Added to the rota."))
            return redirect("moderation:rota", organisation_id=organisation.pk)
    return _render_rota(request, organisation, add_form=form, status=400)


@require_POST
def rota_escalate_after(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = moderation_access.get_organisation_for_admin(user, organisation_id)
    form = EscalateAfterForm(request.POST)
    if not form.is_valid():
        return _render_rota(request, organisation, after_form=form, status=400)
    services.set_escalate_after(
        admin=user,
        organisation=organisation,
        minutes=form.cleaned_data["minutes"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Saved."))
    return redirect("moderation:rota", organisation_id=organisation.pk)


@require_POST
def rota_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = current_user(request)
    contact = access.get_rota_contact_for_admin(user, contact_id)
    services.remove_from_rota(admin=user, contact=contact)
    messages.success(request, _("Removed from the rota."))
    return redirect("moderation:rota", organisation_id=contact.organisation_id)


@require_POST
def rota_move(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = current_user(request)
    contact = access.get_rota_contact_for_admin(user, contact_id)
    form = RotaMoveForm(request.POST)
    if form.is_valid():
        services.move_on_rota(
            admin=user, contact=contact, up=form.cleaned_data["direction"] == "up"
        )
    return redirect("moderation:rota", organisation_id=contact.organisation_id)
