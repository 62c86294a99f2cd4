"""The shape of answers and schedules. Whether a response is complete is the service's rule
(a draft may be half-way); here only: each answer is one the item offers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import CLIENT_KEY_MAX_LENGTH, NOTE_MAX_LENGTH, Unit

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


class ProposalForm(ScheduleForm):
    """A provider's proposal: which questionnaire, then the same schedule fields."""

    field_order = ["instrument", "every", "unit", "starts_on"]

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        self.fields["instrument"] = forms.ChoiceField(
            label=_("Questionnaire"),
            choices=[(instrument.key, instrument.name) for instrument in instruments],
        )
        self.order_fields(self.field_order)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Your note on this check-in"),
        help_text=_("Up to 280 characters. Only you can see it unless you share it."),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared = forms.BooleanField(
        label=_("Let the care providers who see my questionnaires read this note"),
        required=False,
    )


HIGHER_BETTER, HIGHER_WORSE = "better", "worse"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _split(line: str) -> tuple[str, str]:
    number, sep, label = line.partition("=")
    if not sep or not label.strip():
        raise forms.ValidationError(
            _("Write each line as a number, “=”, and its words, like “0 = Not at all”: “%(line)s”")
            % {"line": line[:60]}
        )
    return number.strip(), label.strip()


class CustomInstrumentForm(forms.Form):
    """A simple questionnaire typed as plain lines, so it can be written on a phone without
    JavaScript; ``authoring.check_definition`` decides whether it can be answered and scored."""

    audience = forms.ChoiceField(label=_("Who is it for?"))
    title = forms.CharField(label=_("Name"), max_length=80)
    stem = forms.CharField(
        label=_("Introduction"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown above the questions, e.g. “Over the last week, how often…”"),
    )
    items = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One question per line."),
    )
    options = forms.CharField(
        label=_("Answers offered for every question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="0 = Not at all\n1 = A little\n2 = Quite a lot\n3 = Very much",
        help_text=_("One answer per line: its number, “=”, and its words."),
    )
    bands = forms.CharField(
        label=_("Bands (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Names for ranges of the total, one per line, like “0-4 = Low”. They must cover "
            "every possible total once. Leave empty to show only the total and its change."
        ),
    )
    direction = forms.ChoiceField(
        label=_("Which way is better?"),
        choices=[
            (HIGHER_BETTER, _("A higher total is better")),
            (HIGHER_WORSE, _("A higher total is worse")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, audiences: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        audience = self.fields["audience"]
        if audiences and isinstance(audience, forms.ChoiceField):
            audience.choices = audiences
        else:  # a new version keeps the instrument's audience
            del self.fields["audience"]

    def clean_items(self) -> list[str]:
        return _lines(self.cleaned_data["items"])

    def clean_options(self) -> list[tuple[int, str]]:
        options = []
        for line in _lines(self.cleaned_data["options"]):
            number, label = _split(line)
            if not number.isdigit():
                raise forms.ValidationError(
                    _("“%(number)s” is not a whole number.") % {"number": number[:20]}
                )
            if len(label) > 80:
                raise forms.ValidationError(_("Each answer can be up to 80 characters long."))
            options.append((int(number), label))
        return options

    def clean_bands(self) -> list[tuple[int, int, str]]:
        bands = []
        for line in _lines(self.cleaned_data["bands"]):
            numbers, label = _split(line)
            low, dash, high = numbers.partition("-")
            if not (dash and low.strip().isdigit() and high.strip().isdigit()):
                raise forms.ValidationError(
                    _("Write each band's range as two whole numbers, like “0-4”: “%(range)s”")
                    % {"range": numbers[:20]}
                )
            if len(label) > 60:
                raise forms.ValidationError(_("Each band's name can be up to 60 characters."))
            bands.append((int(low), int(high), label))
        return bands
