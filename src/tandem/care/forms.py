"""Forms check the shape of input; services check the rules of the domain."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.care.models import (
    AGREEMENT_CRISIS_MAX_LENGTH,
    AGREEMENT_NOT_FOR_MAX_LENGTH,
    AGREEMENT_PURPOSE_MAX_LENGTH,
    SESSION_NOTE_MAX_LENGTH,
    AccessedData,
    Level,
    Module,
)
from tandem.care.selectors import SharingRow


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your care provider's code"),
        max_length=20,
        help_text=_("8 letters and numbers. Your care provider finds it on their caseload page."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("The person's email address"),
        max_length=254,
        help_text=_("The address they use to log in to Tandem."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class SharingForm(forms.Form):
    """One radio group per provider and module, named ``r<relationship id>-<module>``."""

    def __init__(self, *args: Any, rows: list[SharingRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            provider = row.relationship.provider
            for module, label in Module.choices:
                self.fields[self.field_name(row.relationship.pk, module)] = forms.TypedChoiceField(
                    label=_("%(provider)s: %(module)s")
                    % {"provider": provider.get_full_name(), "module": label},
                    choices=Level.choices,
                    coerce=int,
                    # A provider added after the page was opened has no radios on it yet;
                    # their grants stay as they are.
                    required=False,
                    empty_value=None,
                    initial=row.levels[module],
                    widget=forms.RadioSelect,
                )

    @staticmethod
    def field_name(relationship_id: int, module: str) -> str:
        return f"r{relationship_id}-{module}"

    def table(self) -> Iterator[tuple[SharingRow, list[tuple[str, forms.BoundField]]]]:
        """Rows for the template: each provider with (module label, radio group) pairs."""
        for row in self.rows:
            yield (
                row,
                [
                    (str(label), self[self.field_name(row.relationship.pk, module)])
                    for module, label in Module.choices
                ],
            )

    def levels(self) -> dict[int, dict[str, int]]:
        levels: dict[int, dict[str, int]] = {}
        for row in self.rows:
            for module in Module.values:
                level = self.cleaned_data.get(self.field_name(row.relationship.pk, module))
                if level is not None:
                    levels.setdefault(row.relationship.pk, {})[module] = level
        return levels

    def levels_by_direction(self) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
        """Split ``levels()`` into (levels that lower or keep a grant, levels that raise one).

        "Raise" compares with the stored levels the form was built from, so the view can save
        what takes access away at once and ask for fresh proof only for what gives more.
        """
        stored = {row.relationship.pk: row.levels for row in self.rows}
        lower: dict[int, dict[str, int]] = {}
        higher: dict[int, dict[str, int]] = {}
        for relationship_id, module_levels in self.levels().items():
            for module, level in module_levels.items():
                side = higher if level > stored[relationship_id][module] else lower
                side.setdefault(relationship_id, {})[module] = level
        return lower, higher


class AgreementForm(forms.Form):
    """A proposed version of the agreement; the other side accepts or declines it."""

    purpose = forms.CharField(
        label=_("What we use Tandem for"),
        required=False,
        max_length=AGREEMENT_PURPOSE_MAX_LENGTH,
        help_text=_(
            "For example: sharing my goals before our meetings, and short questions between them."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reply_within_days = forms.IntegerField(
        label=_("Replies can be expected within (working days)"),
        min_value=1,
        max_value=20,
    )
    not_for = forms.CharField(
        label=_("What we do not use Tandem for"),
        max_length=AGREEMENT_NOT_FOR_MAX_LENGTH,
        help_text=_("Tandem is never for emergencies. Say what else, if anything."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    crisis_section = forms.CharField(
        label=_("In a crisis, or if you cannot reach me"),
        max_length=AGREEMENT_CRISIS_MAX_LENGTH,
        help_text=_(
            "What to do when a reply cannot wait: the crisis plan, who to call. The agreement "
            "links to the crisis plan."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    review_every_weeks = forms.IntegerField(
        label=_("We look at this agreement again every (weeks)"),
        min_value=1,
        max_value=52,
        help_text=_("Both of you are reminded when the review is due."),
    )
    # What the person saw when they started (the version in force and the open proposal):
    # a change made meanwhile is answered with a conflict instead of being overwritten.
    state = forms.CharField(required=False, widget=forms.HiddenInput)


class JointSessionModulesForm(forms.Form):
    modules = forms.MultipleChoiceField(
        label=_("Show these parts of my toolbox"),
        choices=Module.choices,
        required=False,
        help_text=_("Your care provider sees only these, and only until you end the session."),
        widget=forms.CheckboxSelectMultiple,
    )


class SessionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What we found out today"),
        required=False,
        max_length=SESSION_NOTE_MAX_LENGTH,
        help_text=_("You both write this note and you both keep it after the session."),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    # When the note this person started from was saved: guards against overwriting the
    # other person's words.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def seen_updated_at(self) -> datetime | None:
        value = self.cleaned_data.get("seen") or ""
        return parse_datetime(value) if value else None


class AccessLogFilterForm(forms.Form):
    """The access log's filters, from the query string: who, what and between which days.
    Any of them may be left out; a value that is not one of the choices, or a day that is not
    a date, is an error shown beside its field, with what was typed kept."""

    who = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    module = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything")), *AccessedData.choices],
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, viewers: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        who = self.fields["who"]
        assert isinstance(who, forms.TypedChoiceField)  # noqa: S101 - declared above
        who.choices = [("", _("Everyone")), *((str(v.pk), v.get_full_name()) for v in viewers)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must be the same as the start or after it."))
        return data
