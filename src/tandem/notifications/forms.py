from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.notifications.models import EmailFrequency


class EmailPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label=_("Email me when there is something new"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "The email only says that there is something new in Tandem: never what, who or where."
        ),
    )
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours start (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("No email reaches you between these times; what was held comes after."),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    def __init__(self, *args: Any, quiet_hours: bool, **kwargs: Any) -> None:
        """``quiet_hours``: offer the quiet-hours fields (care providers only). Without them,
        quiet-hours values in the data are ignored."""
        super().__init__(*args, **kwargs)
        if not quiet_hours:
            del self.fields["quiet_hours_start"]
            del self.fields["quiet_hours_end"]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Give both a start and an end for quiet hours, or leave both empty.")
            )
        return cleaned
