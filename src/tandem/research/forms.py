from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

TAKE_PART = "yes"
SAY_NO = "no"


class ConsentForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you take part?"),
        choices=[
            (TAKE_PART, _("Yes, I will take part")),
            (SAY_NO, _("No, I will not take part")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
