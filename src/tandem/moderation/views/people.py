"""A person's page for a community's moderators: their record, notes, lifting a sanction.
``render_person`` is shared with the identity views, which re-render the same page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.moderation import access, selectors, services
from tandem.moderation.forms import NoteForm, ReasonForm, RevealForm, TrustLevelForm
from tandem.moderation.identity import selectors as identity_selectors


def render_person(
    request: HttpRequest,
    staff: access.StaffAccess,
    subject: User,
    *,
    note_form: NoteForm | None = None,
    reveal_form: RevealForm | None = None,
    trust_form: TrustLevelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A person's page for the community's moderators (the identity views render it too)."""
    community = staff.community
    context = {
        "community": community,
        "record": selectors.person_record(community, subject),
        "note_form": note_form or NoteForm(),
        "reveal_form": reveal_form or RevealForm(),
        "reveal_requests": identity_selectors.requests_about(
            current_user(request), community, subject
        ),
        "lift_form": ReasonForm(),
        "trust": selectors.summarise(subject, community),
        "trust_form": trust_form or TrustLevelForm(),
        "can_act": staff.is_moderator,
    }
    return render(request, "moderation/person_detail.html", context, status=status)


def person_detail(request: HttpRequest, community_id: int, user_id: int) -> HttpResponse:
    user = current_user(request)
    staff = access.get_community_for_moderator(user, community_id)
    subject = access.get_subject_for_moderator(user, staff.community, user_id)
    return render_person(request, staff, subject)


@require_POST
def note_create(request: HttpRequest, community_id: int, user_id: int) -> HttpResponse:
    user = current_user(request)
    staff = access.get_community_for_moderator(user, community_id)
    community = staff.community
    subject = access.get_subject_for_moderator(user, community, user_id)
    access.check_can_moderate(staff)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_note(
            moderator=user, community=community, subject=subject, body=form.cleaned_data["body"]
        )
        messages.success(request, _("Note saved. Only this community's moderators see it."))
        nxt = request.POST.get("next", "")
        if nxt.startswith("/moderation/"):
            return redirect(nxt)
        return redirect("moderation:person", community_id=community.pk, user_id=subject.pk)
    return render_person(request, staff, subject, note_form=form, status=400)


@require_POST
def trust_set(request: HttpRequest, community_id: int, user_id: int) -> HttpResponse:
    """Set a person's trust level by hand, with a reason (or give back the earned one)."""
    user = current_user(request)
    staff = access.get_community_for_moderator(user, community_id)
    community = staff.community
    subject = access.get_subject_for_moderator(user, community, user_id)
    access.check_can_moderate(staff)
    form = TrustLevelForm(request.POST)
    if not form.is_valid():
        return render_person(request, staff, subject, trust_form=form, status=400)
    services.set_trust_level(
        moderator=user,
        community=community,
        subject=subject,
        level=form.chosen_level(),
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Trust level saved."))
    return redirect("moderation:person", community_id=community.pk, user_id=subject.pk)


@require_POST
def sanction_lift(request: HttpRequest, sanction_id: int) -> HttpResponse:
    user = current_user(request)
    sanction = selectors.sanction_by_id(sanction_id)
    if sanction is None:
        raise Http404
    staff = access.get_community_for_moderator(user, sanction.community_id)
    access.check_can_moderate(staff)
    community = sanction.community = staff.community
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.lift_sanction(
            moderator=user, sanction=sanction, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Lifted."))
    else:
        messages.error(request, _("Give a reason. It is recorded in the audit log."))
    return redirect("moderation:person", community_id=community.pk, user_id=sanction.user_id)
