"""An organisation admin confirms the age of a service user (the rule: ``accounts.age``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts import age
from tandem.accounts.access import get_membership_for_admin
from tandem.accounts.forms import ConfirmAgeForm
from tandem.accounts.models import Role, User


@require_POST
def membership_confirm_age(request: HttpRequest, membership_id: int) -> HttpResponseBase:
    admin = request.user
    assert isinstance(admin, User)  # noqa: S101 - LoginRequiredMiddleware guarantees it
    membership = get_membership_for_admin(admin, membership_id)
    # Age limits are for peer spaces of service users; staff roles have nothing to confirm.
    if membership.role != Role.SERVICE_USER:
        raise Http404
    form = ConfirmAgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of birth as a date, for example 2009-04-30."))
    else:
        try:
            age.confirm_age(
                actor=admin,
                person=membership.user,
                organisation=membership.organisation,
                as_role=Role.ORG_ADMIN,
                date_of_birth=form.cleaned_data["date_of_birth"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s's age is confirmed.") % {"name": membership.user})
    return redirect("accounts:organisation-members", org_id=membership.organisation_id)
