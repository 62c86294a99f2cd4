"""Moderator notes and identity-reveal reasons are encrypted at rest (issue 13): in the
database, through migration 0006 for notes written before, and through key rotation."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from pytest_django.fixtures import Settings

from tandem.accounts.models import User
from tandem.core.encrypted_values import encrypted_value_sources
from tandem.core.fields import decrypt_text
from tandem.forum.models import Community
from tandem.moderation import services
from tandem.moderation.identity import services as identity_services
from tandem.moderation.models import ModeratorNote, RevealRequest

NOTE = "Said their sister is visiting on Friday"
REASON = "Arranging urgent help"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test
        (value,) = cursor.fetchone()
    return str(value)


@pytest.mark.django_db
def test_a_note_is_stored_encrypted(otter: User, mo: User, community: Community) -> None:
    note = services.add_note(moderator=mo, community=community, subject=otter, body=NOTE)
    stored = _raw("moderation_moderatornote", "body", note.pk)
    assert "sister" not in stored and decrypt_text(stored) == NOTE
    assert ModeratorNote.objects.get().body == NOTE


@pytest.mark.django_db
def test_key_rotation_covers_notes_and_reveal_reasons(
    otter: User, mo: User, community: Community, settings: Settings
) -> None:
    names = {source.name for source in encrypted_value_sources()}
    assert {"moderation.ModeratorNote", "moderation.RevealRequest"} <= names
    # Everything written so far (the fixtures' two-step secrets too) is under the test keys.
    old_keys, new_key = list(settings.TANDEM_ENCRYPTION_KEYS), Fernet.generate_key().decode()
    note = services.add_note(moderator=mo, community=community, subject=otter, body=NOTE)
    reveal = identity_services.request_reveal(
        moderator=mo, community=community, subject=otter, reason=REASON
    )
    settings.TANDEM_ENCRYPTION_KEYS = [new_key, *old_keys]
    call_command("rotate_encryption_key", stdout=StringIO())
    settings.TANDEM_ENCRYPTION_KEYS = [new_key]  # the old keys are gone
    assert ModeratorNote.objects.get(pk=note.pk).body == NOTE
    assert RevealRequest.objects.get(pk=reveal.pk).reason == REASON
    new_only = Fernet(new_key.encode())
    raw = _raw("moderation_revealrequest", "reason", reveal.pk)
    assert new_only.decrypt(raw.encode()).decode() == REASON


BEFORE = [("moderation", "0005_remove_moderatormessage")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


# Requested by name so that the flush after the test may clear the append-only audit log.
@pytest.mark.usefixtures("transactional_db")
def test_migration_encrypts_the_notes_written_before_and_can_go_back(
    otter: User, mo: User, community: Community
) -> None:
    executor = _migrate(BEFORE)
    old_note = executor.loader.project_state(BEFORE).apps.get_model("moderation", "ModeratorNote")
    written = old_note.objects.create(
        community_id=community.pk, subject_id=otter.pk, author_id=mo.pk, body=NOTE
    )
    empty = old_note.objects.create(
        community_id=community.pk, subject_id=otter.pk, author_id=mo.pk, body=""
    )
    assert _raw("moderation_moderatornote", "body", written.pk) == NOTE

    _migrate()
    stored = _raw("moderation_moderatornote", "body", written.pk)
    assert stored != NOTE and decrypt_text(stored) == NOTE
    assert ModeratorNote.objects.get(pk=written.pk).body == NOTE
    assert ModeratorNote.objects.get(pk=empty.pk).body == ""

    _migrate(BEFORE)
    assert _raw("moderation_moderatornote", "body", written.pk) == NOTE
    _migrate()
