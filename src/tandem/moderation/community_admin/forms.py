"""The shapes of what admins and moderators type about a community. Domain rules (who may,
what is allowed) live in ``services``; the model forms here only read the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.forum.models import CODE_OF_CONDUCT_MAX_LENGTH, Category, Community
from tandem.moderation.community_admin.services import (
    DETAIL_FIELDS,
    LIMIT_FIELDS,
    CommunityDetails,
    Limits,
    StateChange,
)
from tandem.moderation.models import REASON_MAX_LENGTH, CommunitySettings


def _reason(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Reason (kept in the audit log)")
        if required
        else _("Reason (optional, kept in the audit log)"),
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )


class CommunityForm(forms.ModelForm[Community]):
    """Views give it a copy of the community (or a new one of the organisation) as instance:
    the form validates fields on it, the service then changes the real one and records what
    changed."""

    reason = _reason(required=False)

    class Meta:
        model = Community
        fields = DETAIL_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "slug": _("Letters, numbers and dashes, unique in your organisation."),
            "min_age": _("Leave empty for no lower limit."),
            "max_age": _("Leave empty for no upper limit."),
        }

    def details(self) -> CommunityDetails:
        data = self.cleaned_data
        return CommunityDetails(**{name: data[name] for name in DETAIL_FIELDS})


class CommunityCreateForm(CommunityForm):
    code_of_conduct = forms.CharField(
        label=_("Code of conduct"),
        max_length=CODE_OF_CONDUCT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Members accept it when they join. Markdown is not needed: plain lines."),
        error_messages={"required": _("Write the code of conduct members will accept.")},
    )


class StateForm(forms.Form):
    change = forms.ChoiceField(choices=[(change.value, change.value) for change in StateChange])
    reason = _reason(required=True)

    def state_change(self) -> StateChange:
        return StateChange(self.cleaned_data["change"])


class ConductForm(forms.Form):
    text = forms.CharField(
        label=_("New version of the code of conduct"),
        max_length=CODE_OF_CONDUCT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("Write the code of conduct.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = _reason(required=False)


class LimitsForm(forms.ModelForm[CommunitySettings]):
    reason = _reason(required=True)

    class Meta:
        model = CommunitySettings
        fields = LIMIT_FIELDS

    def limits(self) -> Limits:
        data = self.cleaned_data
        return Limits(**{name: data[name] for name in LIMIT_FIELDS})


class CategoryForm(forms.ModelForm[Category]):
    reason = _reason(required=False)

    class Meta:
        model = Category
        fields = ("name", "description", "position")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the community's form on the same page has a name and description too.
        kwargs.setdefault("auto_id", "category_%s")
        super().__init__(*args, **kwargs)

    @property
    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "description", "position")}
