"""Data-rights services at their edges: exports that are not there or not waiting, a build
that fails, files swept or deleted with their owner; deletion choices and requests refused,
and one account whose erasure fails not holding back the others."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.datarights.models import DataExport, DeletionRequest, ExportStatus, ForumPostsChoice
from tandem.datarights.services import deletion, exports

pytestmark = pytest.mark.django_db


def test_building_an_export_that_is_missing_or_not_waiting_does_nothing(
    service_user: User,
) -> None:
    ready = DataExport.objects.create(user=service_user, status=ExportStatus.READY)
    assert exports.build_export(export_id="8d5e5a62-5c36-4a8f-9a51-000000000000") is False
    assert exports.build_export(export_id=str(ready.pk)) is False
    ready.refresh_from_db()
    assert ready.status == ExportStatus.READY
    assert not mail.outbox


def test_a_failed_build_marks_the_export_failed_logs_its_id_and_sends_nothing(
    service_user: User, caplog: pytest.LogCaptureFixture
) -> None:
    export = DataExport.objects.create(user=service_user)
    with (
        mock.patch(
            "tandem.datarights.archive.build_archive", side_effect=RuntimeError("disk full")
        ),
        caplog.at_level(logging.ERROR, logger="tandem.datarights.services.exports"),
    ):
        assert exports.build_export(export_id=str(export.pk)) is False
    export.refresh_from_db()
    assert (export.status, export.file_name) == (ExportStatus.FAILED, "")
    assert not mail.outbox
    assert [record.getMessage() for record in caplog.records] == [
        f"Building export {export.pk} failed."
    ]
    # Failed, so the person may ask again.
    assert exports.request_export(user=service_user).status == ExportStatus.QUEUED


def test_a_second_export_while_one_waits_is_refused(service_user: User) -> None:
    exports.request_export(user=service_user)
    with pytest.raises(ValidationError):
        exports.request_export(user=service_user)
    assert DataExport.objects.count() == 1


def test_the_sweep_removes_only_expired_files(service_user: User) -> None:
    now = timezone.now()
    folder = exports.export_dir()
    made = {}
    for name, expires_at in (
        ("old", now - timedelta(minutes=1)),
        ("new", now + timedelta(hours=1)),
    ):
        (folder / f"{name}.zip.enc").write_bytes(b"sealed")
        made[name] = DataExport.objects.create(
            user=service_user,
            status=ExportStatus.READY,
            file_name=f"{name}.zip.enc",
            expires_at=expires_at,
        )
    assert exports.purge_expired_exports() == 1
    made["old"].refresh_from_db()
    made["new"].refresh_from_db()
    assert (made["old"].status, made["old"].file_name) == (ExportStatus.EXPIRED, "")
    assert made["new"].status == ExportStatus.READY
    assert sorted(path.name for path in folder.iterdir()) == ["new.zip.enc"]


def test_deleting_a_persons_exports_removes_their_files_and_rows_only(
    service_user: User, provider: User
) -> None:
    folder = exports.export_dir()
    for user, name in ((service_user, "mine.zip.enc"), (provider, "theirs.zip.enc")):
        (folder / name).write_bytes(b"sealed")
        DataExport.objects.create(user=user, status=ExportStatus.READY, file_name=name)
    DataExport.objects.create(user=service_user, status=ExportStatus.FAILED)  # no file
    exports.delete_exports_of(user=service_user)
    assert list(DataExport.objects.values_list("user", flat=True)) == [provider.pk]
    assert [path.name for path in folder.iterdir()] == ["theirs.zip.enc"]


def test_an_unknown_choice_for_forum_posts_is_refused(service_user: User) -> None:
    with pytest.raises(ValidationError) as refused:
        deletion.request_deletion(user=service_user, forum_posts="keep them all")
    assert "forum_posts" in refused.value.message_dict
    assert not DeletionRequest.objects.exists()


def test_a_second_pending_deletion_is_refused_and_cancelling_twice_finds_none(
    service_user: User,
) -> None:
    deletion.request_deletion(user=service_user, forum_posts=ForumPostsChoice.DELETE)
    with pytest.raises(ValidationError):
        deletion.request_deletion(user=service_user, forum_posts=ForumPostsChoice.ANONYMISE)
    assert deletion.cancel_deletion(user=service_user) is True
    assert deletion.cancel_deletion(user=service_user) is False
    assert deletion.pending_deletion(service_user) is None


def test_an_account_whose_erasure_fails_waits_for_the_next_run_and_the_others_go_on(
    service_user: User, provider: User, caplog: pytest.LogCaptureFixture
) -> None:
    for user in (service_user, provider):
        deletion.request_deletion(user=user, forum_posts=ForumPostsChoice.DELETE)
    DeletionRequest.objects.update(final_after=timezone.now() - timedelta(minutes=1))
    real_erase = deletion.erase_account

    def fail_for_the_service_user(*, deletion: DeletionRequest) -> None:
        if deletion.user_ref == service_user.pk:
            raise RuntimeError("source failed")
        real_erase(deletion=deletion)

    with (
        mock.patch.object(deletion, "erase_account", side_effect=fail_for_the_service_user),
        caplog.at_level(logging.ERROR, logger="tandem.datarights.services.deletion"),
    ):
        assert deletion.erase_due_accounts() == 1
    assert list(User.objects.filter(pk__in=[service_user.pk, provider.pk])) == [service_user]
    assert deletion.pending_deletion(service_user) is not None
    # The log names the account by its id only.
    assert [record.getMessage() for record in caplog.records] == [
        f"Erasing account {service_user.pk} failed; trying again next run."
    ]
