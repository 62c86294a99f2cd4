"""Thin views: parse the request, check the gate, call a service or selector, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.views import LogoutView as AllauthLogoutView
from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts import age, selectors, services
from tandem.accounts.access import (
    get_invitation_for_admin,
    get_managed_organisation_for_admin,
    get_membership_for_admin,
)
from tandem.accounts.forms import (
    AcceptInvitationForm,
    AgeCheckForm,
    CrisisContactFormSet,
    InvitationForm,
    LanguageForm,
    MFAPolicyForm,
    OrganisationLanguageForm,
    ProfileForm,
    PseudonymForm,
)
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error

# The SHA-256 of the emailed token, never the token itself: a session row (or a stolen session
# cookie's data) must not be enough to accept someone else's invitation later.
INVITATION_SESSION_KEY = "tandem_invitation_token_hash"
AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"

INVALID_INVITATION_STATUS = {"invalid": 400, "expired": 410, "used": 410, "revoked": 410}


def _invitation_problem(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"reason": reason},
        status=INVALID_INVITATION_STATUS.get(reason, 400),
    )


@login_not_required
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Check the emailed token, keep its hash in the session, and move to a URL without it.

    The token leaves the address bar at once so it is not kept in history or sent onwards.
    """
    try:
        invitation = services.get_open_invitation(token)
    except services.InvitationError as problem:
        return _invitation_problem(request, problem.reason)
    request.session[INVITATION_SESSION_KEY] = invitation.token_hash
    return redirect("accounts:invitation-accept")


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(View):
    template_name = "accounts/invitation_accept.html"

    def _token_hash(self, request: HttpRequest) -> str:
        return str(request.session.get(INVITATION_SESSION_KEY, ""))

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return render(request, "accounts/invitation_logged_in.html", status=409)
        try:
            invitation = services.get_open_invitation_by_hash(self._token_hash(request))
        except services.InvitationError as problem:
            return _invitation_problem(request, problem.reason)
        form = AcceptInvitationForm(email=invitation.email)
        return render(request, self.template_name, {"form": form, "invitation": invitation})

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return render(request, "accounts/invitation_logged_in.html", status=409)
        token_hash = self._token_hash(request)
        try:
            invitation = services.get_open_invitation_by_hash(token_hash)
        except services.InvitationError as problem:
            return _invitation_problem(request, problem.reason)
        form = AcceptInvitationForm(request.POST, email=invitation.email)
        if form.is_valid():
            try:
                user = services.accept_invitation_by_hash(
                    token_hash=token_hash,
                    password=form.cleaned_data["password1"],
                    pseudonym=form.cleaned_data["pseudonym"],
                    full_name=form.cleaned_data["full_name"],
                )
            except services.InvitationError as problem:
                return _invitation_problem(request, problem.reason)
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                login(request, user, backend=AUTH_BACKEND)
                messages.success(
                    request,
                    _("Welcome to Tandem. Your email address %(email)s is verified.")
                    % {"email": user.email},
                )
                return redirect("web:home")
        return render(
            request, self.template_name, {"form": form, "invitation": invitation}, status=400
        )


def two_step_required(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/two_step_required.html")


class LogoutView(AllauthLogoutView):  # type: ignore[misc]
    """allauth's logout, plus Clear-Site-Data so nothing of the visit stays in the browser.

    This also wipes an offline copy of the crisis plan, as the person would expect on logout.
    """

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Tell a locked-out person plainly when they can try again (called by django-axes)."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    retry_at = timezone.localtime(timezone.now() + cool_off)
    minutes = max(1, int(cool_off.total_seconds() // 60))
    return render(
        request,
        "accounts/lockout.html",
        {"retry_at": retry_at, "minutes": minutes},
        status=429,
    )


class ProfileView(View):
    template_name = "accounts/profile.html"

    def _render(
        self, request: HttpRequest, *, pseudonym_form: Any = None, profile_form: Any = None
    ) -> HttpResponse:
        user = current_user(request)
        status = 400 if (pseudonym_form or profile_form) else 200
        return render(
            request,
            self.template_name,
            {
                "pseudonym_form": pseudonym_form
                or PseudonymForm(initial={"pseudonym": user.pseudonym}),
                "profile_form": profile_form
                or ProfileForm(
                    initial={"full_name": user.full_name, "profession": user.profession}
                ),
                "language_form": LanguageForm(initial={"language": user.language}),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        if "pseudonym" in request.POST:
            form: Any = PseudonymForm(request.POST)
            if form.is_valid():
                try:
                    services.change_pseudonym(user=user, pseudonym=form.cleaned_data["pseudonym"])
                except ValidationError as error:
                    attach_service_error(form, error)
                else:
                    messages.success(request, _("Your display name is changed."))
                    return redirect("accounts:profile")
            return self._render(request, pseudonym_form=form)
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.update_profile(
                user=user,
                full_name=form.cleaned_data["full_name"],
                profession=form.cleaned_data["profession"],
            )
            messages.success(request, _("Your details are saved."))
            return redirect("accounts:profile")
        return self._render(request, profile_form=form)


# --- Organisation admin ----------------------------------------------------------------------


def organisation_index(request: HttpRequest) -> HttpResponse:
    organisation = selectors.administered_organisations(current_user(request)).first()
    if organisation is None:
        return render(request, "accounts/not_an_admin.html", status=404)
    return redirect("accounts:organisation-members", org_id=organisation.pk)


class OrganisationMembersView(View):
    template_name = "accounts/organisation_members.html"

    def _render(
        self, request: HttpRequest, org_id: int, form: InvitationForm | None = None
    ) -> HttpResponse:
        organisation = get_managed_organisation_for_admin(current_user(request), org_id)
        context = {
            "organisation": organisation,
            "memberships": selectors.members_of_organisation(organisation)[:500],
            "invitations": selectors.invitations_of_organisation(organisation)[:100],
            "form": form or InvitationForm(),
            "now": timezone.now(),
        }
        return render(request, self.template_name, context, status=400 if form else 200)

    def get(self, request: HttpRequest, org_id: int) -> HttpResponse:
        return self._render(request, org_id)

    def post(self, request: HttpRequest, org_id: int) -> HttpResponse:
        user = current_user(request)
        organisation = get_managed_organisation_for_admin(user, org_id)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                issued = services.invite_member(
                    actor=user,
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    profession=form.cleaned_data["profession"],
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                accept_url = request.build_absolute_uri(
                    reverse("accounts:invitation-open", kwargs={"token": issued.token})
                )
                services.send_invitation_email(issued=issued, accept_url=accept_url)
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": issued.invitation.email},
                )
                return redirect("accounts:organisation-members", org_id=organisation.pk)
        return self._render(request, org_id, form)


@require_POST
def membership_verify(request: HttpRequest, membership_id: int) -> HttpResponseBase:
    user = current_user(request)
    membership = get_membership_for_admin(user, membership_id)
    try:
        services.verify_provider(actor=user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is now a verified provider.") % {"name": membership.user}
        )
    return redirect("accounts:organisation-members", org_id=membership.organisation_id)


@require_POST
def membership_deactivate(request: HttpRequest, membership_id: int) -> HttpResponseBase:
    user = current_user(request)
    membership = get_membership_for_admin(user, membership_id)
    try:
        services.deactivate_user(
            actor=user, organisation=membership.organisation, user=membership.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s's account is switched off and logged out everywhere.")
            % {"name": membership.user},
        )
    return redirect("accounts:organisation-members", org_id=membership.organisation_id)


@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponseBase:
    user = current_user(request)
    invitation = get_invitation_for_admin(user, invitation_id)
    services.revoke_invitation(actor=user, invitation=invitation)
    messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("accounts:organisation-members", org_id=invitation.organisation_id)


class OrganisationSettingsView(View):
    template_name = "accounts/organisation_settings.html"

    def get(self, request: HttpRequest, org_id: int) -> HttpResponse:
        organisation = get_managed_organisation_for_admin(current_user(request), org_id)
        contacts = selectors.crisis_contacts_for_organisation(organisation)
        formset = CrisisContactFormSet(
            initial=[
                {
                    "name": c.name,
                    "phone": c.phone,
                    "text_number": c.text_number,
                    "url": c.url,
                    "description": c.description,
                    "hours": c.hours,
                }
                for c in contacts
            ],
            prefix="contacts",
        )
        policy = MFAPolicyForm(
            initial={"required_for_everyone": organisation.require_mfa_for_everyone}
        )
        age_form = AgeCheckForm(initial={"age_check": organisation.age_check})
        return render(
            request,
            self.template_name,
            {
                "organisation": organisation,
                "formset": formset,
                "policy_form": policy,
                "age_form": age_form,
                "language_form": OrganisationLanguageForm(
                    initial={"default_language": organisation.default_language}
                ),
            },
        )

    def post(self, request: HttpRequest, org_id: int) -> HttpResponse:
        user = current_user(request)
        organisation = get_managed_organisation_for_admin(user, org_id)
        formset = CrisisContactFormSet(request.POST, prefix="contacts")
        policy = MFAPolicyForm(request.POST)
        age_form = AgeCheckForm(request.POST)
        if formset.is_valid() and policy.is_valid() and age_form.is_valid():
            contacts = [
                {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
                for form in formset.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and form.cleaned_data.get("name")
            ]
            try:
                services.set_crisis_contacts(
                    actor=user, organisation=organisation, contacts=contacts
                )
            except ValidationError as error:
                formset.non_form_errors().extend(error.messages)
            else:
                services.set_mfa_policy(
                    actor=user,
                    organisation=organisation,
                    required_for_everyone=policy.cleaned_data["required_for_everyone"],
                )
                if age_form.cleaned_data["age_check"]:  # a page without the choice keeps it
                    age.set_age_check(
                        actor=user,
                        organisation=organisation,
                        age_check=age_form.cleaned_data["age_check"],
                    )
                messages.success(request, _("Organisation settings saved."))
                return redirect("accounts:organisation-settings", org_id=organisation.pk)
        return render(
            request,
            self.template_name,
            {
                "organisation": organisation,
                "formset": formset,
                "policy_form": policy,
                "age_form": age_form,
                "language_form": OrganisationLanguageForm(
                    initial={"default_language": organisation.default_language}
                ),
            },
            status=400,
        )
