"""Pages for both sides of a care relationship: the relationship and joint sessions (the
agreement's own pages are in ``views.agreement``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.reauth import require_fresh_proof
from tandem.accounts.requests import current_user
from tandem.care import access, agreement_selectors, selectors, services
from tandem.care.forms import JointSessionModulesForm, SessionNoteForm
from tandem.care.models import CareRelationship, JointSession
from tandem.care.views.common import side_of
from tandem.core.forms import attach_service_error

# Shown on the page that asks for fresh proof before showing more in a joint session.
SHOW_MODULES_PROOF_MESSAGE = _(
    "You are showing your care provider more of your toolbox, so please confirm it is you."
)


def render_relationship(
    request: HttpRequest, relationship: CareRelationship, *, status: int = 200
) -> HttpResponse:
    """The relationship page: the agreement (in force, and any proposal), what is shared,
    joint sessions. The caller has opened ``relationship`` through the access gate."""
    user = current_user(request)
    context = {
        "page": selectors.relationship_page(relationship),
        "agreement": agreement_selectors.agreement_section(relationship, user),
        "side": side_of(user, relationship),
        "session_form": JointSessionModulesForm(),
    }
    return render(request, "care/relationship_detail.html", context, status=status)


def relationship_detail(request: HttpRequest, relationship_id: int) -> HttpResponse:
    relationship = access.get_relationship_for_member(current_user(request), relationship_id)
    return render_relationship(request, relationship)


@require_http_methods(["GET", "POST"])
def relationship_end(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    """GET asks first (what the provider loses, and that it cannot be undone); POST ends."""
    user = current_user(request)
    relationship = access.get_relationship_for_member(user, relationship_id)
    if request.method == "GET":
        if not relationship.is_active:
            return redirect("care:relationship-detail", relationship_id=relationship.pk)
        context = {
            "page": selectors.relationship_page(relationship),
            "side": side_of(user, relationship),
        }
        return render(request, "care/relationship_end.html", context)
    try:
        services.end_relationship(actor=user, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:relationship-detail", relationship_id=relationship.pk)
    if side_of(user, relationship) == "user":
        messages.success(
            request,
            _("%(name)s is no longer in your care team and can no longer see anything of yours.")
            % {"name": relationship.provider.get_full_name()},
        )
        return redirect("care:team")
    messages.success(request, _("You no longer work with this person on Tandem."))
    return redirect("care:caseload")


@require_POST
def joint_session_start(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = current_user(request)
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
            "side": side_of(current_user(request), session.relationship),
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
        session = access.get_joint_session_for_member(current_user(request), session_id)
        return self._render(request, session)

    def post(self, request: HttpRequest, session_id: int) -> HttpResponse:
        user = current_user(request)
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
                attach_service_error(form, error)
            else:
                messages.success(request, _("Note saved."))
                return redirect("care:joint-session-detail", session_id=session.pk)
        return self._render(request, session, form, status=400)


@require_POST
def joint_session_modules(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = current_user(request)
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
    user = current_user(request)
    session = access.get_joint_session_for_member(user, session_id)
    if session.relationship.service_user_id != user.pk:
        raise Http404
    services.end_joint_session(service_user=user, session=session)
    messages.success(
        request, _("The joint session has ended. You both keep the note; nothing else is shown.")
    )
    return redirect("care:relationship-detail", relationship_id=session.relationship_id)
