"""Thin views: parse the request, check the gate, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role, User
from tandem.accounts.reauth import require_fresh_proof
from tandem.care import access, selectors, services
from tandem.care.forms import (
    AgreementForm,
    JointSessionModulesForm,
    LinkCodeForm,
    LinkRequestForm,
    SessionNoteForm,
    SharingForm,
)
from tandem.care.models import Agreement, CareRelationship, JointSession

ACCESS_LOG_PAGE_SIZE = 50

# Shown on the page that asks for fresh proof before a change that gives more access.
ADD_PROVIDER_PROOF_MESSAGE = _(
    "Adding someone to your care team lets them ask to see your information, so please "
    "confirm it is you."
)
MORE_ACCESS_PROOF_MESSAGE = _(
    "You are giving your care team more access, so please confirm it is you."
)
TAKEN_AWAY_FIRST_MESSAGE = _("What you took away is already removed.")
SHOW_MODULES_PROOF_MESSAGE = _(
    "You are showing your care provider more of your toolbox, so please confirm it is you."
)

# Shown after every request by email, whether or not the address belongs to anyone.
REQUEST_SENT_MESSAGE = _(
    "If this person uses Tandem at your organisation, they will see your request."
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware guarantees it
    return user


def _roles(request: HttpRequest) -> Any:
    # Attached lazily by MFARequiredMiddleware: one query per request, shared with the menu.
    return request.roles  # type: ignore[attr-defined]


def _service_user(request: HttpRequest) -> User:
    """The logged-in service user; anyone else gets the 404 page (these pages are theirs)."""
    if not _roles(request).has(Role.SERVICE_USER):
        raise Http404
    return _user(request)


def _provider(request: HttpRequest) -> User:
    if not _roles(request).has(Role.PROVIDER):
        raise Http404
    return _user(request)


def _not_verified(request: HttpRequest) -> HttpResponse:
    return render(request, "care/not_verified.html", status=403)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form so the page shows it beside the field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _side(user: User, relationship: CareRelationship) -> str:
    return "user" if relationship.service_user_id == user.pk else "provider"


# --- Service user: my care team, sharing, access log -------------------------------------------


class CareTeamView(View):
    template_name = "care/care_team.html"

    def _render(self, request: HttpRequest, form: LinkCodeForm | None = None) -> HttpResponse:
        user = _service_user(request)
        context = {
            "team": selectors.care_team_for_service_user(user),
            "form": form or LinkCodeForm(),
        }
        return render(request, self.template_name, context, status=400 if form else 200)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _service_user(request)
        form = LinkCodeForm(request.POST)
        if form.is_valid():
            require_fresh_proof(request, reason=ADD_PROVIDER_PROOF_MESSAGE)
            try:
                relationship = services.link_provider_by_code(
                    service_user=user, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is now in your care team. They see nothing of yours until "
                        "you choose what to share."
                    )
                    % {"name": relationship.provider.get_full_name()},
                )
                return redirect("care:sharing")
        return self._render(request, form)


@require_POST
def request_accept(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = _service_user(request)
    relationship = access.get_pending_relationship_for_service_user(user, relationship_id)
    require_fresh_proof(request, reason=ADD_PROVIDER_PROOF_MESSAGE)
    try:
        services.accept_request(service_user=user, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:team")
    messages.success(
        request,
        _("%(name)s is now in your care team. They see nothing until you choose what to share.")
        % {"name": relationship.provider.get_full_name()},
    )
    return redirect("care:sharing")


@require_POST
def request_decline(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = _service_user(request)
    relationship = access.get_pending_relationship_for_service_user(user, relationship_id)
    services.decline_request(service_user=user, relationship=relationship)
    messages.success(request, _("Request declined. The care provider is not told."))
    return redirect("care:team")


class SharingView(View):
    template_name = "care/sharing.html"

    def _render(self, request: HttpRequest, form: SharingForm, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _service_user(request)
        return self._render(request, SharingForm(rows=selectors.sharing_for_service_user(user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _service_user(request)
        form = SharingForm(request.POST, rows=selectors.sharing_for_service_user(user))
        if form.is_valid():
            # Taking access away never waits for proof: that part is saved at once. When the
            # person is asked to confirm it is them, allauth replays this whole form afterwards.
            lower, higher = form.levels_by_direction()
            taken_away = services.set_grants(service_user=user, levels=lower)
            if higher:
                reason = MORE_ACCESS_PROOF_MESSAGE
                if taken_away:
                    reason = f"{reason} {TAKEN_AWAY_FIRST_MESSAGE}"
                require_fresh_proof(request, reason=reason)
                services.set_grants(service_user=user, levels=higher)
            messages.success(request, _("Saved. Your care team sees exactly this from now on."))
            return redirect("care:sharing")
        return self._render(request, form, status=400)


def access_log(request: HttpRequest) -> HttpResponse:
    user = _service_user(request)
    paginator = Paginator(selectors.access_log_for_owner(user), ACCESS_LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "care/access_log.html", {"page": page})


# --- Both sides: relationship, agreement, joint sessions ---------------------------------------


def relationship_detail(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = access.get_relationship_for_member(user, relationship_id)
    page = selectors.relationship_page(relationship)
    side = _side(user, relationship)
    agreed_at = None
    if page.agreement is not None:
        agreed_at = (
            page.agreement.user_agreed_at if side == "user" else page.agreement.provider_agreed_at
        )
    context = {
        "page": page,
        "side": side,
        "may_agree": relationship.is_active and page.agreement is not None and agreed_at is None,
        "session_form": JointSessionModulesForm(),
    }
    return render(request, "care/relationship_detail.html", context)


@require_POST
def relationship_end(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = _user(request)
    relationship = access.get_relationship_for_member(user, relationship_id)
    try:
        services.end_relationship(actor=user, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:relationship-detail", relationship_id=relationship.pk)
    if _side(user, relationship) == "user":
        messages.success(
            request,
            _("%(name)s is no longer in your care team and can no longer see anything of yours.")
            % {"name": relationship.provider.get_full_name()},
        )
        return redirect("care:team")
    messages.success(request, _("You no longer work with this person on Tandem."))
    return redirect("care:caseload")


def _agreement_initial(agreement: Agreement | None) -> dict[str, Any]:
    agreement = agreement or Agreement()
    return {
        "purpose": agreement.purpose,
        "reply_within_days": agreement.reply_within_days,
        "not_for": agreement.not_for,
        "review_every_weeks": agreement.review_every_weeks,
    }


class AgreementEditView(View):
    template_name = "care/agreement_edit.html"

    def _relationship(self, request: HttpRequest, relationship_id: int) -> CareRelationship:
        relationship = access.get_relationship_for_member(_user(request), relationship_id)
        if not relationship.is_active:
            raise Http404
        return relationship

    def _render(
        self,
        request: HttpRequest,
        relationship: CareRelationship,
        form: AgreementForm,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "relationship": relationship,
            "form": form,
            "side": _side(_user(request), relationship),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, relationship_id: int) -> HttpResponse:
        relationship = self._relationship(request, relationship_id)
        agreement = selectors.agreement_for(relationship.service_user, relationship.provider)
        return self._render(
            request, relationship, AgreementForm(initial=_agreement_initial(agreement))
        )

    def post(self, request: HttpRequest, relationship_id: int) -> HttpResponse:
        relationship = self._relationship(request, relationship_id)
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.edit_agreement(
                    actor=_user(request), relationship=relationship, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Agreement saved. The other person is asked to read it and agree."),
                )
                return redirect("care:relationship-detail", relationship_id=relationship.pk)
        return self._render(request, relationship, form, status=400)


@require_POST
def agreement_agree(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = _user(request)
    relationship = access.get_relationship_for_member(user, relationship_id)
    if not relationship.is_active:
        raise Http404
    services.agree_to_agreement(actor=user, relationship=relationship)
    messages.success(request, _("You have agreed to this agreement."))
    return redirect("care:relationship-detail", relationship_id=relationship.pk)


@require_POST
def joint_session_start(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = _user(request)
    relationship = access.get_relationship_for_member(user, relationship_id)
    if relationship.service_user_id != user.pk:
        raise Http404
    form = JointSessionModulesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose modules from the list."))
        return redirect("care:relationship-detail", relationship_id=relationship.pk)
    if form.cleaned_data["modules"]:
        require_fresh_proof(request, reason=SHOW_MODULES_PROOF_MESSAGE)
    try:
        session = services.start_joint_session(
            service_user=user, relationship=relationship, modules=form.cleaned_data["modules"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:relationship-detail", relationship_id=relationship.pk)
    return redirect("care:joint-session-detail", session_id=session.pk)


def _note_initial(session: JointSession) -> dict[str, str]:
    return {
        "note": session.note,
        "seen": session.note_updated_at.isoformat() if session.note_updated_at else "",
    }


class JointSessionDetailView(View):
    template_name = "care/joint_session_detail.html"

    def _render(
        self,
        request: HttpRequest,
        session: JointSession,
        form: SessionNoteForm | None = None,
        *,
        status: int = 200,
        unsaved_text: str = "",
    ) -> HttpResponse:
        context = {
            "session": session,
            "relationship": session.relationship,
            "side": _side(_user(request), session.relationship),
            "note_form": form or SessionNoteForm(initial=_note_initial(session)),
            "modules_form": JointSessionModulesForm(initial={"modules": session.shown_modules}),
            "shown": [
                (
                    selectors.MODULE_LABELS[module],
                    selectors.module_url(session.relationship.service_user_id, module),
                )
                for module in session.shown_modules
            ],
            "unsaved_text": unsaved_text,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, session_id: int) -> HttpResponse:
        session = access.get_joint_session_for_member(_user(request), session_id)
        return self._render(request, session)

    def post(self, request: HttpRequest, session_id: int) -> HttpResponse:
        user = _user(request)
        session = access.get_joint_session_for_member(user, session_id)
        form = SessionNoteForm(request.POST)
        if form.is_valid():
            try:
                services.save_session_note(
                    actor=user,
                    session=session,
                    note=form.cleaned_data["note"],
                    seen_updated_at=form.seen_updated_at(),
                )
            except services.NoteConflictError as error:
                # Start again from the other person's saved note, and keep this person's
                # words on the page so nothing typed is lost.
                session.refresh_from_db()
                fresh = SessionNoteForm(data=_note_initial(session))
                fresh.is_valid()
                fresh.add_error(None, error)
                return self._render(
                    request,
                    session,
                    fresh,
                    status=409,
                    unsaved_text=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Note saved."))
                return redirect("care:joint-session-detail", session_id=session.pk)
        return self._render(request, session, form, status=400)


@require_POST
def joint_session_modules(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = _user(request)
    session = access.get_joint_session_for_member(user, session_id)
    if session.relationship.service_user_id != user.pk:
        raise Http404
    form = JointSessionModulesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose modules from the list."))
        return redirect("care:joint-session-detail", session_id=session.pk)
    # Showing fewer modules never waits for proof; showing one more does.
    if set(form.cleaned_data["modules"]) - set(session.shown_modules):
        require_fresh_proof(request, reason=SHOW_MODULES_PROOF_MESSAGE)
    try:
        services.set_shown_modules(
            service_user=user, session=session, modules=form.cleaned_data["modules"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your care provider now sees only what is ticked."))
    return redirect("care:joint-session-detail", session_id=session.pk)


@require_POST
def joint_session_end(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = _user(request)
    session = access.get_joint_session_for_member(user, session_id)
    if session.relationship.service_user_id != user.pk:
        raise Http404
    services.end_joint_session(service_user=user, session=session)
    messages.success(
        request, _("The joint session has ended. You both keep the note; nothing else is shown.")
    )
    return redirect("care:relationship-detail", relationship_id=session.relationship_id)


# --- Provider: caseload and person overview ----------------------------------------------------


class CaseloadView(View):
    template_name = "care/caseload.html"

    def _render(self, request: HttpRequest, form: LinkRequestForm | None = None) -> HttpResponse:
        provider = _provider(request)
        if not _roles(request).verified_provider:
            return _not_verified(request)
        context = {
            "caseload": selectors.caseload_for_provider(provider),
            "link_code": services.ensure_link_code(provider=provider),
            "sent_requests": selectors.sent_requests_for_provider(provider)[:100],
            "form": form or LinkRequestForm(),
        }
        return render(request, self.template_name, context, status=400 if form else 200)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        provider = _provider(request)
        if not _roles(request).verified_provider:
            return _not_verified(request)
        form = LinkRequestForm(request.POST)
        if form.is_valid():
            services.request_link(provider=provider, email=form.cleaned_data["email"])
            messages.success(request, REQUEST_SENT_MESSAGE)
            return redirect("care:caseload")
        return self._render(request, form)


@require_POST
def link_code_regenerate(request: HttpRequest) -> HttpResponseBase:
    provider = _provider(request)
    if not _roles(request).verified_provider:
        return _not_verified(request)
    services.regenerate_link_code(provider=provider)
    messages.success(request, _("You have a new code. The old one no longer works."))
    return redirect("care:caseload")


@require_POST
def care_request_withdraw(request: HttpRequest, request_id: int) -> HttpResponseBase:
    provider = _provider(request)
    care_request = access.get_care_request_for_provider(provider, request_id)
    services.withdraw_request(provider=provider, care_request=care_request)
    messages.success(request, _("Request withdrawn."))
    return redirect("care:caseload")


def person_detail(request: HttpRequest, owner_id: int) -> HttpResponse:
    provider = _user(request)
    relationship = access.get_relationship_for_provider(provider, owner_id)
    # Read first: the page shows what changed since the previous visit, then marks this one.
    overview = selectors.person_overview(relationship)
    services.mark_person_seen(provider=provider, relationship=relationship)
    return render(request, "care/person_detail.html", {"overview": overview})
