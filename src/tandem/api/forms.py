"""The form that names a new API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.api.models import NAME_MAX_LENGTH
from tandem.core.text import SHORT_TEXT_VALIDATORS


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        validators=SHORT_TEXT_VALIDATORS,
        help_text=_("Where you will use it, so you can tell your tokens apart: “My phone”."),
    )
