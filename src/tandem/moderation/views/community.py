"""A community's moderation tools: how each screening rule does, the settings and watched
words, and slow mode on a topic."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.moderation import access, selectors, services
from tandem.moderation.forms import SettingsForm, SlowModeForm, WatchedWordForm


def rule_stats(request: HttpRequest, community_id: int) -> HttpResponse:
    community = access.get_community_for_moderator(current_user(request), community_id).community
    context = {"community": community, "stats": selectors.rule_stats(community)}
    return render(request, "moderation/rule_stats.html", context)


def _render_settings(
    request: HttpRequest,
    staff: access.StaffAccess,
    *,
    settings_form: SettingsForm | None = None,
    word_form: WatchedWordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    community = staff.community
    context = {
        "community": community,
        "settings_form": settings_form
        or SettingsForm(instance=selectors.community_settings(community)),
        "word_form": word_form or WatchedWordForm(),
        "words": selectors.watched_words(community),
        "slow_topics": selectors.topics_for_slow_mode(community),
        "can_act": staff.is_moderator,
    }
    return render(request, "moderation/community_settings.html", context, status=status)


class CommunitySettingsView(View):
    """A community's moderation settings and watched words; moderators change them,
    organisation admins read them."""

    # As the function view's require_http_methods did: HEAD and OPTIONS answer 405.
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, community_id: int) -> HttpResponse:
        staff = access.get_community_for_moderator(current_user(request), community_id)
        return _render_settings(request, staff)

    def post(self, request: HttpRequest, community_id: int) -> HttpResponse:
        user = current_user(request)
        staff = access.get_community_for_moderator(user, community_id)
        access.check_can_moderate(staff)
        community = staff.community
        form = SettingsForm(request.POST, instance=selectors.community_settings(community))
        if not form.is_valid():
            return _render_settings(request, staff, settings_form=form, status=400)
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


@require_POST
def watched_word_create(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    staff = access.get_community_for_moderator(user, community_id)
    access.check_can_moderate(staff)
    community = staff.community
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
            attach_service_error(form, error)
        else:
            messages.success(request, _("Added to the watched words."))
            return redirect("moderation:community-settings", community_id=community.pk)
    return _render_settings(request, staff, word_form=form, status=400)


@require_POST
def watched_word_delete(request: HttpRequest, word_id: int) -> HttpResponse:
    user = current_user(request)
    watched = selectors.watched_word_by_id(word_id)
    if watched is None:
        raise Http404
    staff = access.get_community_for_moderator(user, watched.community_id)
    access.check_can_moderate(staff)
    community = watched.community = staff.community
    services.remove_watched_word(moderator=user, watched=watched)
    messages.success(request, _("Removed from the watched words."))
    return redirect("moderation:community-settings", community_id=community.pk)


@require_POST
def slow_mode(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = current_user(request)
    topic = selectors.topic_by_id(topic_id)
    if topic is None:
        raise Http404
    staff = access.get_community_for_moderator(user, topic.community_id)
    access.check_can_moderate(staff)
    topic.community = staff.community
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
