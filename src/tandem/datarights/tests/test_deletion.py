from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.conftest import login_client, reauthenticate
from tandem.core.change_record import ChangeRecord
from tandem.datarights.models import DeletionRequest, ForumPostsChoice
from tandem.datarights.services.deletion import request_deletion
from tandem.datarights.tests.conftest import PHRASE, OtterWorld
from tandem.datarights.tests.scan import tables_containing
from tandem.forum.models import Post, Topic
from tandem.messaging.models import Message

pytestmark = pytest.mark.django_db

# Append-only by design (docs/data-rights.md): none of these is touched by Otter's data here.
APPEND_ONLY = {"moderation_auditentry", "care_accesslogentry", "care_securityevent"}


def _ask_for_deletion(client: Client, choice: str = ForumPostsChoice.DELETE) -> None:
    reauthenticate(client)
    response = client.post("/account/delete/", {"forum_posts": choice, "confirm": "on"})
    assert response.status_code == 200
    assert b"Log in before then and the deletion is cancelled" in response.content


def test_otter_deletes_his_account_and_logging_in_within_grace_period_cancels_it(
    client: Client, otter_world: OtterWorld
) -> None:
    login_client(client, otter_world.otter)
    assert b"For 7 days nothing is deleted" in client.get("/account/delete/").content
    _ask_for_deletion(client)
    assert client.get("/account/").status_code == 302  # logged out
    deletion = DeletionRequest.objects.get(user_ref=otter_world.otter.pk)
    assert deletion.is_pending
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        login_client(client, otter_world.otter)
        deletion.refresh_from_db()
        assert deletion.cancelled_at is not None
        call_command("datarights_sweep")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        call_command("datarights_sweep")
    assert User.objects.filter(pk=otter_world.otter.pk).exists()


def test_after_the_grace_period_nothing_of_otter_remains(otter_world: OtterWorld) -> None:
    otter = otter_world.otter
    request_deletion(user=otter, forum_posts=ForumPostsChoice.DELETE)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        call_command("datarights_sweep")
    assert not User.objects.filter(pk=otter.pk).exists()
    for needle in ("otter@example.org", "Otter", PHRASE):
        assert tables_containing(needle) - APPEND_ONLY == set(), needle
    # Others' words stay, with his name replaced; the topic they replied in stays.
    topic = Topic.objects.get(pk=otter_world.otter_topic.pk)
    assert topic.author.pseudonym == "a former member"
    assert Post.objects.filter(body="@a former member thank you for this").exists()
    # His messages in Skylark's thread and in his own thread with Pat, which Pat answered.
    assert Message.objects.filter(withdrawn_at__isnull=False, sender__isnull=True).count() == 2
    deletion = DeletionRequest.objects.get(user_ref=otter.pk)
    assert deletion.completed_at is not None and deletion.user is None
    # The record of changes keeps its line (ids only; scanned above like every other table).
    assert ChangeRecord.objects.filter(subject_id=otter.pk).count() == 1


def test_kept_posts_stay_anonymised_and_nothing_else_of_otter_remains(
    otter_world: OtterWorld,
) -> None:
    otter = otter_world.otter
    request_deletion(user=otter, forum_posts=ForumPostsChoice.ANONYMISE)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        call_command("datarights_sweep")
    for needle in ("otter@example.org", "Otter"):
        assert tables_containing(needle) - APPEND_ONLY == set(), needle
    # His published posts stay, as a former member's; his drafts, journal and toolbox go.
    # SQLite keeps the search index in FTS5 tables of its own; PostgreSQL in forum_post itself.
    search_index = (
        {"forum_post_fts", "forum_post_fts_content"} if connection.vendor == "sqlite" else set()
    )
    assert tables_containing(PHRASE) - APPEND_ONLY == {"forum_post", "forum_topic", *search_index}
    kept = Post.objects.filter(body__contains=PHRASE).select_related("author")
    assert {post.author.pseudonym for post in kept} == {"a former member"}
    assert not kept.filter(is_draft=True).exists()


def test_deletion_needs_the_confirmation_box(client: Client, otter_world: OtterWorld) -> None:
    login_client(client, otter_world.otter)
    response = client.post("/account/delete/", {"forum_posts": "delete"})
    assert response.status_code == 400
    assert not DeletionRequest.objects.exists()


def test_deletion_needs_fresh_proof_of_identity(client: Client, otter_world: OtterWorld) -> None:
    login_client(client, otter_world.otter)
    response = client.post("/account/delete/", {"forum_posts": "delete", "confirm": "on"})
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not DeletionRequest.objects.exists()


def test_a_second_deletion_request_is_refused_clearly(otter_world: OtterWorld) -> None:
    request_deletion(user=otter_world.otter, forum_posts=ForumPostsChoice.DELETE)
    with pytest.raises(Exception, match="already going to be deleted"):
        request_deletion(user=otter_world.otter, forum_posts=ForumPostsChoice.DELETE)


def test_nobody_can_delete_someone_elses_account(client: Client, otter_world: OtterWorld) -> None:
    """The page acts on the person logged in only; an id slipped into the form is ignored."""
    login_client(client, otter_world.skylark)
    reauthenticate(client)
    client.post(
        "/account/delete/",
        {"forum_posts": "delete", "confirm": "on", "user": otter_world.otter.pk},
    )
    assert DeletionRequest.objects.get().user_ref == otter_world.skylark.pk
    assert not DeletionRequest.objects.filter(user_ref=otter_world.otter.pk).exists()


def test_providers_and_moderators_see_the_rules_of_their_role(
    client: Client, otter_world: OtterWorld, make_member: Callable[..., User]
) -> None:
    login_client(client, otter_world.pat)
    page = client.get("/account/delete/").content.decode()
    assert "As a care provider" in page and "As a moderator" not in page
    moderator = make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org")
    page = login_client(Client(), moderator).get("/account/delete/").content.decode()
    assert "As a moderator" in page and "As a care provider" not in page


def test_the_deletion_page_names_everything_that_happens(
    client: Client, otter_world: OtterWorld
) -> None:
    login_client(client, otter_world.otter)
    page = " ".join(client.get("/account/delete/").content.decode().split())
    for what in (
        "goals and their history",
        "Your questionnaire answers, their scores",
        "Every message you wrote is withdrawn",
        "a conversation in which they wrote stays for them, closed",
        "If you take part in a research study, you are withdrawn from it",
        "Your forum drafts and reactions are deleted",
        "What stays: the record of who read your data",
    ):
        assert what in page, what
