"""The shape of answers and schedules. Whether a response is complete is the service's rule
(a draft may be half-way); here only: each answer is one the item offers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import CLIENT_KEY_MAX_LENGTH, Unit

SAVE = "save"
SUBMIT = "submit"


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    client_key = forms.CharField(
        widget=forms.HiddenInput, max_length=CLIENT_KEY_MAX_LENGTH, required=False
    )
    action = forms.ChoiceField(choices=[(SAVE, SAVE), (SUBMIT, SUBMIT)], required=False)

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[f"item_{item.key}"] = forms.TypedChoiceField(
                label=item.text,
                choices=[(option.value, option.label) for option in item.options],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Please choose one of the answers offered.")},
            )

    def clean_version(self) -> int:
        version: int = self.cleaned_data["version"]
        if version != self.instrument.version:
            raise forms.ValidationError(
                _(
                    "This questionnaire changed since the page was opened. Your answers are "
                    "kept below: please check them and send them again."
                )
            )
        return version

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") != SAVE

    def answers(self) -> dict[str, int]:
        return {
            item.key: value
            for item in self.instrument.items
            if (value := self.cleaned_data.get(f"item_{item.key}")) is not None
        }

    def item_rows(self) -> list[tuple[Any, forms.BoundField]]:
        """Each item with its bound field, for the template's fieldsets."""
        return [(item, self[f"item_{item.key}"]) for item in self.instrument.items]


class ScheduleForm(forms.Form):
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=52)
    unit = forms.ChoiceField(label=_("Days or weeks"), choices=Unit.choices)
    starts_on = forms.DateField(
        label=_("Starting on"), widget=forms.DateInput(attrs={"type": "date"})
    )
