"""The record of changes: who changed access to a person's data, or the rules around it, when,
and from what to what. One append-only table for every app, written by one function.

What is recorded (``ChangeKind``): a grant created, changed or revoked; a care relationship
started or ended; an agreement changed; a joint session started or ended; a role added; a
provider verified; a community's settings changed; a moderator's action. The service that makes
the change calls ``record_change`` inside its transaction, once, so the change and its record
are saved together or not at all.

Moderator actions keep their own detailed line in moderation's ``AuditEntry`` (reason, what
the moderator wrote, pseudonyms as they were); the change record holds one line per action that
points at it (``target``: the audit entry) with the request id, so this table is the one list
of changes and the moderation log is its detail, not a second copy.

``before`` and ``after`` are small JSON objects of ids, levels, states, setting names and
values: never health text, never free text someone typed (``_check_values`` refuses long
strings and nested values, so a caller cannot slip a note in by accident).

Append-only like the access record: the model and queryset refuse changes, database triggers
refuse UPDATE and DELETE (``tandem.core.append_only``), and on PostgreSQL UPDATE, DELETE and
TRUNCATE are revoked from the application's role (``install_change_record_guard``, run by
migration core 0002 and by ``manage.py lock_access_record``). References to people are plain
ids without a database constraint, so deleting an account never rewrites the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.append_only import install_append_only_triggers, remove_append_only_triggers
from tandem.core.request_id import current_request

TABLE = "core_changerecord"
# Long enough for a setting's value or a state's name; too short for a sentence of health text.
MAX_VALUE_LENGTH = 60
MAX_KEYS = 12

JsonValue = str | int | bool | None
# A Mapping (covariant), so a caller's dict[str, int] is accepted as it is.
Values = Mapping[str, JsonValue | list[str] | list[int]]


class ChangeKind(models.TextChoices):
    GRANT_CREATED = "grant.created", _("Gave a care provider access")
    GRANT_CHANGED = "grant.changed", _("Changed a care provider's access")
    GRANT_REVOKED = "grant.revoked", _("Took a care provider's access away")
    RELATIONSHIP_STARTED = "relationship.started", _("Care relationship started")
    RELATIONSHIP_ENDED = "relationship.ended", _("Care relationship ended")
    AGREEMENT_CHANGED = "agreement.changed", _("Agreement changed")
    JOINT_SESSION_STARTED = "joint_session.started", _("Joint session started")
    JOINT_SESSION_ENDED = "joint_session.ended", _("Joint session ended")
    ROLE_ADDED = "role.added", _("Role given")
    PROVIDER_VERIFIED = "provider.verified", _("Care provider verified")
    COMMUNITY_SETTINGS_CHANGED = "community.settings", _("Community settings changed")
    MODERATOR_ACTION = "moderation.action", _("Moderator action")


class ChangeRecordError(Exception):
    """Raised when code tries to change or delete a change record, or record bad values."""


class ChangeRecordQuerySet(models.QuerySet["ChangeRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise ChangeRecordError("The change record is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ChangeRecordError("The change record is append-only.")


class ChangeRecord(models.Model):
    """One change, written once by ``record_change`` and never changed by the application.

    ``subject``: whose data the change concerns (the service user of a grant, relationship,
    agreement or session; the person whose role changed); they see the line. None for changes
    about a community.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    kind = models.CharField(max_length=30, choices=ChangeKind.choices)
    # What changed, as "<app>.<model>" and its id (no constraint: the row may go later).
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-created_at"]),
            models.Index(fields=["kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.target_type} {self.target_id} by {self.actor_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise ChangeRecordError("The change record is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ChangeRecordError("The change record is append-only.")


def _check_values(given: Values | None) -> dict[str, Any]:
    values = dict(given or {})
    if len(values) > MAX_KEYS:
        raise ChangeRecordError("A change record holds a few values, not a document.")
    for key, value in values.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is not None and not isinstance(item, str | int | bool):
                raise ChangeRecordError(f"{key}: only ids, levels, states and names")
            if isinstance(item, str) and len(item) > MAX_VALUE_LENGTH:
                raise ChangeRecordError(f"{key}: too long for a change record (no free text)")
    return values


def record_change(
    *,
    actor: Any,
    kind: ChangeKind,
    subject_id: int | None = None,
    target: models.Model | None = None,
    before: Values | None = None,
    after: Values | None = None,
) -> ChangeRecord:
    """Append one line to the change record (``actor`` None: Tandem acted by itself).

    Call it inside the transaction that makes the change. The request id comes from the request
    being answered (empty in commands and tasks). Raise ChangeRecordError for values that are
    not small ids, levels, states or names.
    """
    context = current_request()
    entry = ChangeRecord(
        actor_id=getattr(actor, "pk", None),
        subject_id=subject_id,
        kind=ChangeKind(kind),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        before=_check_values(before),
        after=_check_values(after),
        request_id=context.request_id if context is not None else "",
    )
    entry.full_clean(exclude=["actor", "subject"])
    entry.save()
    return entry


def revoke_statements(connection: Any, role: str = "") -> list[str]:
    """REVOKE of the changing privileges from PUBLIC, the current role and ``role``
    (PostgreSQL only; the same three as the access record, docs/security-access-record.md)."""
    if connection.vendor != "postgresql":
        return []
    grantees = ["PUBLIC", "CURRENT_USER"]
    if role:
        grantees.append(connection.ops.quote_name(role))
    return [f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM {grantee}" for grantee in grantees]


def install_change_record_guard(connection: Any) -> None:
    """Install the triggers and, on PostgreSQL, revoke the privileges (safe to run again)."""
    install_append_only_triggers(connection, [TABLE])
    with connection.cursor() as cursor:
        for statement in revoke_statements(connection, settings.TANDEM_DB_APP_ROLE):
            cursor.execute(statement)


def remove_change_record_guard(connection: Any) -> None:
    """Drop the triggers (privileges are left as they are: granting is the operator's call)."""
    remove_append_only_triggers(connection, [TABLE])
