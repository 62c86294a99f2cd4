"""Exports of a person's data: asked for, built in the background, downloaded for 24 hours."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.language import language_for
from tandem.accounts.models import User
from tandem.core.fields import get_keyring
from tandem.datarights.models import EXPORT_LIFETIME, DataExport, ExportStatus

logger = logging.getLogger(__name__)


def export_dir() -> Path:
    path = Path(settings.TANDEM_EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@transaction.atomic
def request_export(*, user: User) -> DataExport:
    """Queue an export of ``user``'s data. Raise ``ValidationError`` while one is building."""
    from tandem.datarights.tasks import build_export_task

    if (
        DataExport.objects.select_for_update()
        .filter(user=user, status__in=[ExportStatus.QUEUED, ExportStatus.BUILDING])
        .exists()
    ):
        raise ValidationError(
            _("Your export is still being prepared. You can download it here once it is ready.")
        )
    export = DataExport(user=user, step=_("Waiting to start"))
    export.full_clean()
    export.save()
    export_id = str(export.pk)
    transaction.on_commit(lambda: build_export_task.enqueue(export_id))
    return export


def _progress(export: DataExport, percent: int, step: str) -> None:
    DataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.BUILDING, progress=percent, step=step
    )


def build_export(*, export_id: str) -> bool:
    """Build the export's file, encrypt it, store it and tell the owner by a content-free email.

    Return whether it was built. A failure marks the export failed (the owner may ask again)
    and is logged with the export's id only.
    """
    from tandem.datarights.archive import build_archive

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return False
    try:
        content = build_archive(export.user, lambda pct, step: _progress(export, pct, step))
        token = get_keyring().primary.encrypt(content)
        file_name = f"{export.pk}.zip.enc"
        (export_dir() / file_name).write_bytes(token)
    except Exception:
        logger.exception("Building export %s failed.", export.pk)
        DataExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, step="")
        return False
    now = timezone.now()
    DataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY,
        progress=100,
        step="",
        file_name=file_name,
        size=len(content),
        ready_at=now,
        expires_at=now + EXPORT_LIFETIME,
    )
    _send_ready_email(export.user)
    return True


def _send_ready_email(user: User) -> None:
    # No content, no link with an id, nothing about what is inside: like every Tandem email.
    # In the person's language, whatever language the worker runs in (accounts.language).
    with translation.override(language_for(user)):
        send_mail(
            subject=_("Something new in Tandem"),
            message=_(
                "Hello,\n\nWhat you asked for in Tandem is ready. Log in to Tandem to see it.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )


def read_export(export: DataExport) -> bytes:
    """The decrypted ZIP of a ready export (the caller has checked it is the owner's)."""
    token = (export_dir() / export.file_name).read_bytes()
    return get_keyring().all_keys.decrypt(token)


def _remove_file(export: DataExport) -> None:
    if export.file_name:
        (export_dir() / export.file_name).unlink(missing_ok=True)


def purge_expired_exports() -> int:
    """Delete the files of exports older than 24 hours; return how many were removed."""
    expired = list(
        DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=timezone.now())
    )
    for export in expired:
        _remove_file(export)
    DataExport.objects.filter(pk__in=[export.pk for export in expired]).update(
        status=ExportStatus.EXPIRED, file_name=""
    )
    return len(expired)


def delete_exports_of(*, user: User) -> None:
    for export in DataExport.objects.filter(user=user):
        _remove_file(export)
    DataExport.objects.filter(user=user).delete()
