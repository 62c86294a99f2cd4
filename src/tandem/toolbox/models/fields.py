"""The encrypted text field every toolbox model uses for what people write."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django_stubs_ext import StrOrPromise

from tandem.core.fields import EncryptedTextField


def encrypted_text(
    verbose_name: StrOrPromise, max_length: int, *, blank: bool = True, help_text: Any = ""
) -> EncryptedTextField[str, str]:
    """An encrypted text field whose length limit is checked by ``full_clean``."""
    return EncryptedTextField(
        verbose_name,
        max_length=max_length,
        blank=blank,
        default="",
        help_text=help_text,
        validators=[MaxLengthValidator(max_length)],
    )
