"""The review queue and one item's page: deciding on a post, and writing to its author.
``render_item`` is shared with the escalation views, which re-render the same page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.moderation import access, selectors, services
from tandem.moderation.escalation import selectors as escalation_selectors
from tandem.moderation.escalation.forms import EscalateForm
from tandem.moderation.forms import ItemActionForm, ReachOutForm, SlowModeForm
from tandem.moderation.outreach import pages as outreach_pages

QUEUE_PAGE_SIZE = 20


def queue(request: HttpRequest, community_id: int) -> HttpResponse:
    user = current_user(request)
    community = access.get_community_for_moderator(user, community_id).community
    page = Paginator(selectors.open_items(community), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.queue_rows(list(page.object_list), community)
    return render(
        request, "moderation/queue.html", {"community": community, "page": page, "rows": rows}
    )


def render_item(
    request: HttpRequest,
    found: access.ItemAccess,
    *,
    action_form: ItemActionForm | None = None,
    reach_out_form: ReachOutForm | None = None,
    escalate_form: EscalateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    item = found.item
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
            current_user(request), found, form=reach_out_form
        ),
        "slow_mode_form": SlowModeForm(),
        "can_act": found.staff.is_moderator,
    }
    return render(request, "moderation/item_detail.html", context, status=status)


def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    return render_item(request, access.get_item_for_moderator(current_user(request), item_id))


@require_POST
def item_act(request: HttpRequest, item_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_item_for_moderator(user, item_id)
    access.check_can_moderate(found.staff)
    item = found.item
    form = ItemActionForm(request.POST)
    if not form.is_valid():
        return render_item(request, found, action_form=form, status=400)
    data = form.cleaned_data
    action, reason = data["action"], data["reason"]
    if item.state != "open" and action in {"approve", "hide", "edit"}:
        form.add_error(None, _("Another moderator has already dealt with this post."))
        return render_item(request, found, action_form=form, status=409)
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
        attach_service_error(form, error)
        return render_item(request, found, action_form=form, status=400)
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
    found = access.get_item_for_moderator(user, item_id)
    access.check_can_moderate(found.staff)
    item = found.item
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
            attach_service_error(form, error)
        except PermissionDenied as denied:
            # Resolved meanwhile: the page shows the conversation closed, and says so.
            form.add_error(None, str(denied))
            status = 403
        else:
            messages.success(request, _("Your message has been sent privately to the author."))
            url = reverse("moderation:item-detail", kwargs={"item_id": item.pk})
            return redirect(f"{url}#message-{result.message.pk}")
    return render_item(request, found, reach_out_form=form, status=status)
