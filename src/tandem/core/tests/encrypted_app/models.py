from __future__ import annotations

from typing import ClassVar

from django.db import models

from tandem.core.fields import EncryptedTextField
from tandem.core.models import TimeStampedModel


class SecretNote(TimeStampedModel):
    title = models.CharField(max_length=200)
    body = EncryptedTextField()
    # A second, optional encrypted column: rotation must handle several fields, NULL and "".
    private_remark = EncryptedTextField(blank=True, null=True)

    # Declared so mypy knows the manager even when this test-only app is not installed
    # (settings add it only when TANDEM_ENV=test).
    objects: ClassVar[models.Manager[SecretNote]] = models.Manager()

    def __str__(self) -> str:
        # Never the body: __str__ ends up in logs and admin lists.
        return self.title
