"""A care provider confirms the age of a person in their care (the rule: ``accounts.age``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts import age
from tandem.accounts.forms import ConfirmAgeForm
from tandem.accounts.models import Role
from tandem.accounts.requests import current_user
from tandem.care import access


@require_POST
def person_confirm_age(request: HttpRequest, owner_id: int) -> HttpResponseBase:
    provider = current_user(request)
    # Only a verified provider with an active care relationship gets past this gate.
    relationship = access.get_relationship_for_provider(provider, owner_id)
    form = ConfirmAgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of birth as a date, for example 2009-04-30."))
        return redirect("care:person-detail", owner_id=owner_id)
    try:
        age.confirm_age(
            actor=provider,
            person=relationship.service_user,
            organisation=relationship.organisation,
            as_role=Role.PROVIDER,
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
    except PermissionDenied:
        messages.error(
            request,
            _("At %(organisation)s only an organisation admin can confirm a person's age.")
            % {"organisation": relationship.organisation.name},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Their age is confirmed."))
    return redirect("care:person-detail", owner_id=owner_id)
