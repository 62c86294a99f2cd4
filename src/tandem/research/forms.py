from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from tandem.research.models import Study

# Long enough for a page of plain words; a study's purpose is read before saying yes.
TEXT_MAX_LENGTH = 4000

REQUIRED_MESSAGES = {
    "title": _("Enter the study's title."),
    "purpose": _("Say what the study is for."),
    "collected": _("Say what is collected."),
    "ethics_reference": _("Enter the ethics approval's reference."),
    "start_date": _("Enter the date the study starts."),
    "end_date": _("Enter the date the study ends."),
}

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


class StudyForm(forms.ModelForm[Study]):
    """A study as its organisation's admin sets it up. ``locked``: the fields people agreed to,
    shown but not sent back (``disabled``), once anyone has consented."""

    class Meta:
        model = Study
        fields = ["title", "purpose", "collected", "ethics_reference", "start_date", "end_date"]
        labels = {
            "purpose": _("Purpose, in plain words"),
            "collected": _("What is collected"),
        }
        help_texts = {
            "purpose": _("Why the study is done, as the people asked will read it."),
            "collected": _("Shown to each person before they answer, in plain words."),
            "ethics_reference": _("The reference of the ethics committee's approval."),
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}),
            "collected": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("purpose", "collected"):
            field = self.fields[name]
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.disabled = locked
        for name, field in self.fields.items():
            field.error_messages["required"] = REQUIRED_MESSAGES[name]
        self.fields["start_date"].error_messages["invalid"] = _("Enter a date, like 2026-03-01.")
        self.fields["end_date"].error_messages["invalid"] = _("Enter a date, like 2026-09-01.")
