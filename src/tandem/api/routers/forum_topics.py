"""Starting a topic in a community: the new-topic page's form and ``forum.services.create_topic``,
so the moderation screen (a risky topic is held), pre-moderation, posting limits, slow mode,
sanctions and locks apply as on the pages.

A router of its own beside ``forum``: no path here is also one of the forum's reads.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tandem.api.routers.common import WRITE_REFUSALS, Id, checked, fields_named, person
from tandem.api.schemas import TopicCreatedOut, TopicIn
from tandem.forum import access, selectors, services
from tandem.forum.forms import TopicForm
from tandem.forum.models import Visibility

router = Router(tags=["Forum"])

# The page's form fields → the API's names, for the messages of a refusal.
NAMES = {"category": "category_id", "circle": "circle_id"}


def _not_offered(form: TopicForm, payload: TopicIn) -> None:
    """Refuse what the page's form does not offer this person (it leaves such fields out, and
    would quietly ignore them): a circle without circles, a professional badge without one.
    A topic meant for a circle must never go to the whole community instead."""
    refused: dict[str, str] = {}
    if "visibility" not in form.fields and (
        payload.visibility == Visibility.CIRCLE or payload.circle_id is not None
    ):
        refused["circle_id"] = _("You are not in any circle in this community.")
    if "as_professional" not in form.fields and payload.as_professional:
        refused["as_professional"] = _("Only verified professionals can write as one here.")
    if refused:
        raise ValidationError({field: [message] for field, message in refused.items()})


@router.post(
    "/forum/communities/{community_id}/topics", response={201: TopicCreatedOut, **WRITE_REFUSALS}
)
def topic_create(
    request: HttpRequest, community_id: Id, payload: TopicIn
) -> Status[dict[str, Any]]:
    """Publish a new topic. The moderation screen runs as for the pages: a topic it (or the
    community's pre-moderation) holds answers ``state: held``, and only its author and the
    moderators see it until reviewed. The same ``client_key`` again publishes nothing new and
    answers with the topic stored. A new code of conduct must be accepted in Tandem first
    (403 ``conduct_not_accepted``; the client keeps the text)."""
    user = person(request)
    member = access.get_community_access(user, community_id)
    form = TopicForm(
        {
            "category": payload.category_id,
            "title": payload.title,
            "body": payload.body,
            "visibility": payload.visibility,
            "circle": payload.circle_id or "",
            "as_professional": "on" if payload.as_professional else "",
            "client_key": str(payload.client_key),
        },
        categories=selectors.categories_of_community(member.community),
        circles=selectors.circles_queryset_for_member(user, member.community),
        professional=member.is_verified_provider,
    )
    with fields_named(NAMES):
        _not_offered(form, payload)
        data = checked(form)
        try:
            topic = services.create_topic(
                author=user,
                community=member.community,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                visibility=data.get("visibility") or Visibility.COMMUNITY,
                circle=data.get("circle"),
                as_professional=data.get("as_professional", False),
                client_key=data["client_key"],
            )
        except PermissionDenied as refused:
            raise PermissionDenied(
                str(refused) or _("This community is locked: nobody can post in it at the moment.")
            ) from refused
    opening = selectors.opening_post(topic)
    assert opening is not None  # noqa: S101 - create_topic always makes one
    return Status(
        201, {"id": topic.pk, "post_id": opening.pk, "state": str(opening.moderation_state)}
    )
