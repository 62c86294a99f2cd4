"""Shapes of second-tier input. Who may act and what a target reaches live in services."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.moderation.models import REASON_MAX_LENGTH, EscalationTarget


class EscalateForm(forms.Form):
    targets = forms.MultipleChoiceField(
        label=_("Who should be asked to help?"),
        choices=[
            (EscalationTarget.CLINICAL.value, EscalationTarget.CLINICAL.label),
            (EscalationTarget.CARE_TEAM.value, EscalationTarget.CARE_TEAM.label),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who to ask for help.")},
    )
    reason = forms.CharField(
        label=_("Why (recorded, and shown to the people you ask)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )

    def __init__(self, data: QueryDict | None = None) -> None:
        # Its own ids: the item page also has the decision form, whose reason field would
        # otherwise share "id_reason" and steal this form's label.
        super().__init__(data, auto_id="id_escalate_%s")


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} ({obj.email})"


class RotaAddForm(forms.Form):
    person = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        error_messages={"required": _("Choose a person.")},
    )
    note = forms.CharField(
        label=_("When to reach them (optional, shown to moderators)"),
        required=False,
        max_length=200,
    )

    def __init__(self, data: QueryDict | None = None, *, candidates: QuerySet[User]) -> None:
        super().__init__(data)
        field = self.fields["person"]
        assert isinstance(field, PersonChoiceField)  # noqa: S101 - declared above
        field.queryset = candidates


class RotaMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class EscalateAfterForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Minutes an urgent held post may wait unreviewed before it is escalated"),
        min_value=1,
        max_value=240,
        error_messages={"required": _("Enter a number of minutes between 1 and 240.")},
    )
    reason = forms.CharField(
        label=_("Reason (recorded)"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )
