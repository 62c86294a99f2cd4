"""Thin views: parse input with a form, pass the gate, call one service or selector, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.forum import access as forum_access
from tandem.forum.models import Topic
from tandem.moderation import access, selectors, services
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.escalation import selectors as escalation_selectors
from tandem.moderation.escalation.forms import EscalateForm
from tandem.moderation.forms import (
    AuditFilterForm,
    DutyForm,
    ItemActionForm,
    NoteForm,
    ReachOutForm,
    ReasonForm,
    ReportForm,
    RevealForm,
    SettingsForm,
    SlowModeForm,
    WatchedWordForm,
)
from tandem.moderation.identity import selectors as identity_selectors
from tandem.moderation.models import ReviewItem, Sanction, WatchedWord
from tandem.moderation.outreach import pages as outreach_pages

QUEUE_PAGE_SIZE = 20


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware guarantees it
    return user


def attach_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Dashboard and duty ----------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The moderation dashboard: communities with waiting items, duty, review times."""
    dashboards = selectors.dashboards_for_user(current_user(request))
    if not dashboards:
        raise Http404
    return render(request, "moderation/home.html", {"dashboards": dashboards})


@require_POST
def duty(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = access.get_organisation_for_moderator(user, organisation_id)
    form = DutyForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    services.set_duty(
        moderator=user, organisation=organisation, on_duty=form.cleaned_data["on_duty"]
    )
    messages.success(
        request,
        _("You are on duty: you will be told at once about urgent posts.")
        if form.cleaned_data["on_duty"]
        else _("You are off duty."),
    )
    return redirect("moderation:home")


# --- Queue and items -------------------------------------------------------------------------


def queue(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_for_moderator(user, community_id)
    page = Paginator(selectors.open_items(community), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.queue_rows(list(page.object_list), community)
    return render(
        request, "moderation/queue.html", {"community": community, "page": page, "rows": rows}
    )


def render_item(
    request: HttpRequest,
    item: ReviewItem,
    *,
    action_form: ItemActionForm | None = None,
    reach_out_form: ReachOutForm | None = None,
    escalate_form: EscalateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "escalation": escalation_selectors.item_escalation_facts(item),
        "escalate_form": escalate_form or EscalateForm(),
        "community": item.community,
        "item": item,
        "ctx": selectors.item_context(item),
        "action_form": action_form or ItemActionForm(initial={"body": item.post.body}),
        # The conversation with the author (None for an organisation admin, who may not read
        # it); opening the page reads it.
        "outreach": outreach_pages.open_for_moderator(
            current_user(request), item, form=reach_out_form
        ),
        "slow_mode_form": SlowModeForm(),
        "can_act": getattr(item.community, "is_moderator", False),
    }
    return render(request, "moderation/item_detail.html", context, status=status)


def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.get_item_for_moderator(current_user(request), item_id)
    return render_item(request, item)


@require_POST
def item_act(request: HttpRequest, item_id: int) -> HttpResponse:
    user = current_user(request)
    item = access.get_item_for_moderator(user, item_id)
    access.check_can_moderate(item.community)
    form = ItemActionForm(request.POST)
    if not form.is_valid():
        return render_item(request, item, action_form=form, status=400)
    data = form.cleaned_data
    action, reason = data["action"], data["reason"]
    if item.state != "open" and action in {"approve", "hide", "edit"}:
        form.add_error(None, _("Another moderator has already dealt with this post."))
        return render_item(request, item, action_form=form, status=409)
    try:
        if action == "approve":
            services.approve_item(moderator=user, item=item, reason=reason)
        elif action == "hide":
            services.hide_item(moderator=user, item=item, reason=reason)
        elif action == "edit":
            services.edit_item(moderator=user, item=item, body=data["body"], reason=reason)
        elif action == "warn":
            services.warn_person(
                moderator=user,
                community=item.community,
                subject=item.post.author,
                reason=reason,
                item=item,
            )
        elif action == "mute":
            services.mute_person(
                moderator=user,
                community=item.community,
                subject=item.post.author,
                reason=reason,
                hours=data["hours"],
                item=item,
            )
        else:
            services.suspend_person(
                moderator=user,
                community=item.community,
                subject=item.post.author,
                reason=reason,
                days=data.get("days"),
                item=item,
            )
    except ValidationError as error:
        attach_errors(form, error)
        return render_item(request, item, action_form=form, status=400)
    done = {
        "approve": _("Approved. The author has been told."),
        "hide": _("Hidden. The author has been told why."),
        "edit": _("Edited, with your note shown on the post."),
        "warn": _("Warning sent."),
        "mute": _("The author is muted in this community."),
        "suspend": _("The author is suspended from this community."),
    }
    messages.success(request, done[action])
    if action in {"approve", "hide", "edit"}:
        return redirect("moderation:queue", community_id=item.community_id)
    return redirect("moderation:item-detail", item_id=item.pk)


@require_POST
def item_reach_out(request: HttpRequest, item_id: int) -> HttpResponse:
    """A moderator writes to the post's author (the first message opens the conversation);
    a repeated post of the same form stores nothing new."""
    user = current_user(request)
    item = access.get_item_for_moderator(user, item_id)
    access.check_can_moderate(item.community)
    form = ReachOutForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            result = services.reach_out(
                moderator=user,
                item=item,
                body=form.cleaned_data["body"],
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            # Resolved meanwhile: the page shows the conversation closed, and says so.
            form.add_error(None, str(denied))
            status = 403
        else:
            messages.success(request, _("Your message has been sent privately to the author."))
            url = reverse("moderation:item-detail", kwargs={"item_id": item.pk})
            return redirect(f"{url}#message-{result.message.pk}")
    return render_item(request, item, reach_out_form=form, status=status)


# --- People ----------------------------------------------------------------------------------


def render_person(
    request: HttpRequest,
    community: Any,
    subject: User,
    *,
    note_form: NoteForm | None = None,
    reveal_form: RevealForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A person's page for the community's moderators (the identity views render it too)."""
    context = {
        "community": community,
        "record": selectors.person_record(community, subject),
        "note_form": note_form or NoteForm(),
        "reveal_form": reveal_form or RevealForm(),
        "reveal_requests": identity_selectors.requests_about(
            current_user(request), community, subject
        ),
        "lift_form": ReasonForm(),
        "can_act": getattr(community, "is_moderator", False),
    }
    return render(request, "moderation/person_detail.html", context, status=status)


def person_detail(request: HttpRequest, community_id: int, user_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_for_moderator(user, community_id)
    subject = access.get_subject_for_moderator(user, community, user_id)
    return render_person(request, community, subject)


@require_POST
def note_create(request: HttpRequest, community_id: int, user_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_for_moderator(user, community_id)
    subject = access.get_subject_for_moderator(user, community, user_id)
    access.check_can_moderate(community)
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
    return render_person(request, community, subject, note_form=form, status=400)


@require_POST
def sanction_lift(request: HttpRequest, sanction_id: int) -> HttpResponse:
    user = current_user(request)
    sanction = Sanction.objects.filter(pk=sanction_id).first()
    if sanction is None:
        raise Http404
    community = access.get_community_for_moderator(user, sanction.community_id)
    access.check_can_moderate(community)
    sanction.community = community
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.lift_sanction(
            moderator=user, sanction=sanction, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Lifted."))
    else:
        messages.error(request, _("Give a reason. It is recorded in the audit log."))
    return redirect("moderation:person", community_id=community.pk, user_id=sanction.user_id)


# --- Community tools -------------------------------------------------------------------------


def rule_stats(request: HttpRequest, community_id: int) -> HttpResponse:
    community = access.get_community_for_moderator(current_user(request), community_id)
    context = {"community": community, "stats": selectors.rule_stats(community)}
    return render(request, "moderation/rule_stats.html", context)


def _render_settings(
    request: HttpRequest,
    community: Any,
    *,
    settings_form: SettingsForm | None = None,
    word_form: WatchedWordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "community": community,
        "settings_form": settings_form
        or SettingsForm(instance=selectors.community_settings(community)),
        "word_form": word_form or WatchedWordForm(),
        "words": selectors.watched_words(community),
        "slow_topics": selectors.topics_for_slow_mode(community),
        "can_act": getattr(community, "is_moderator", False),
    }
    return render(request, "moderation/community_settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
def community_settings(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_for_moderator(user, community_id)
    if request.method == "GET":
        return _render_settings(request, community)
    access.check_can_moderate(community)
    form = SettingsForm(request.POST, instance=selectors.community_settings(community))
    if form.is_valid():
        data = form.cleaned_data
        services.update_settings(
            moderator=user,
            community=community,
            premoderation=data["premoderation"],
            new_member_held_posts=data["new_member_held_posts"],
            new_member_topics_per_day=data["new_member_topics_per_day"],
            new_member_replies_per_day=data["new_member_replies_per_day"],
            reason=data["reason"],
        )
        messages.success(request, _("Saved."))
        return redirect("moderation:community-settings", community_id=community.pk)
    return _render_settings(request, community, settings_form=form, status=400)


@require_POST
def watched_word_create(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_for_moderator(user, community_id)
    access.check_can_moderate(community)
    form = WatchedWordForm(request.POST)
    if form.is_valid():
        try:
            services.add_watched_word(
                moderator=user,
                community=community,
                word=form.cleaned_data["word"],
                action=form.cleaned_data["action"],
                replacement=form.cleaned_data["replacement"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Added to the watched words."))
            return redirect("moderation:community-settings", community_id=community.pk)
    return _render_settings(request, community, word_form=form, status=400)


@require_POST
def watched_word_delete(request: HttpRequest, word_id: int) -> HttpResponse:
    user = current_user(request)
    watched = WatchedWord.objects.filter(pk=word_id).first()
    if watched is None:
        raise Http404
    community = access.get_community_for_moderator(user, watched.community_id)
    access.check_can_moderate(community)
    watched.community = community
    services.remove_watched_word(moderator=user, watched=watched)
    messages.success(request, _("Removed from the watched words."))
    return redirect("moderation:community-settings", community_id=community.pk)


@require_POST
def slow_mode(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise Http404
    topic.community = access.get_community_for_moderator(user, topic.community_id)
    access.check_can_moderate(topic.community)
    form = SlowModeForm(request.POST)
    back = request.POST.get("next", "")
    target = (
        back
        if back.startswith("/") and not back.startswith("//")
        else reverse("forum:topic-detail", kwargs={"topic_id": topic.pk})
    )
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(target)
    minutes = form.cleaned_data.get("minutes")
    services.set_slow_mode(
        moderator=user, topic=topic, minutes=minutes, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request, _("Slow mode is on for this topic.") if minutes else _("Slow mode is off.")
    )
    return redirect(target)


# --- Audit log -------------------------------------------------------------------------------


def audit_log(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access.get_organisation_for_admin(current_user(request), organisation_id)
    communities = list(selectors.communities_of_organisation(organisation))
    form = AuditFilterForm(request.GET or None, communities=communities)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "action": data.get("action") or "",
                "community_id": data.get("community"),
                "pseudonym": (data.get("pseudonym") or "").strip(),
                "start": data.get("start"),
                "end": data.get("end"),
            }
        else:
            status = 400
    entries = selectors.audit_log(organisation, **filters)
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "querystring": query.urlencode(),
    }
    return render(request, "moderation/audit_log.html", context, status=status)


# --- Members: reporting, outcomes, messages, about me ----------------------------------------


@require_http_methods(["GET", "POST"])
def post_report(request: HttpRequest, post_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        post = forum_access.get_post_for_member(user, post_id)
    except forum_access.ConductNotAcceptedError as pending:
        return redirect("forum:community-join", community_id=pending.community.pk)
    if post.is_draft:
        raise Http404
    status = 200
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.report_post(
                    reporter=user,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            except PostingLimitError as error:
                attach_errors(form, error)
                status = error.status
            except ValidationError as error:
                attach_errors(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Thank you. You had already reported this post; we have updated your report.")
                    if result.updated
                    else _(
                        "Thank you for telling us. A moderator will look at this post. If someone "
                        "is in danger now, use “Need help now?” at the top of the page."
                    ),
                )
                return redirect(
                    reverse("forum:topic-detail", kwargs={"topic_id": post.topic_id})
                    + f"#post-{post.pk}"
                )
        else:
            status = 400
    context = {"post": post, "community": post.topic.community, "form": form}
    return render(request, "moderation/post_report.html", context, status=status)


def post_outcome(request: HttpRequest, post_id: int) -> HttpResponse:
    """The author's view of a post held or acted on: kind words, crisis resources, outcome."""
    user = current_user(request)
    post = access.get_own_post(user, post_id)
    outcome = selectors.post_outcome(user, post)
    # The conversation with the moderators, if one started (opening the page reads it).
    outreach = outreach_pages.open_for_author(user, post)
    return render(
        request,
        "moderation/post_outcome.html",
        {"outcome": outcome, "post": post, "outreach": outreach},
    )


def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """Old notification links to a moderator's message: it is in a conversation now."""
    message = access.get_message_for_recipient(current_user(request), message_id)
    url = reverse("messaging:thread-detail", kwargs={"thread_id": message.thread_id})
    return redirect(f"{url}#message-{message.pk}")


def about_me(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    context = {
        "entries": identity_selectors.about_me_rows(user),
        "messages_from_moderators": selectors.messages_for_user(user),
    }
    return render(request, "moderation/about_me.html", context)
