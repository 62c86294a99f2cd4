"""Shapes of moderation input. Domain rules (who may act, limits) live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.forum.models import POST_MAX_LENGTH
from tandem.messaging.forms import MessageForm
from tandem.moderation.models import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    AuditAction,
    CommunitySettings,
    ReportReason,
    WatchedWordAction,
)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this post?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    text = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ItemActionForm(forms.Form):
    ACTIONS = (
        ("approve", _("Approve: show the post")),
        ("hide", _("Hide the post (the author sees why)")),
        ("edit", _("Edit the post, with a visible note")),
        ("warn", _("Warn the author")),
        ("mute", _("Mute the author for a while")),
        ("suspend", _("Suspend the author from the community")),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an action.")},
    )
    reason = forms.CharField(
        label=_("Reason (recorded; shown to the author for hide, edit and warnings)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )
    body = forms.CharField(
        label=_("New text of the post (for Edit)"),
        required=False,
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    hours = forms.IntegerField(
        label=_("Mute for how many hours (for Mute)"), required=False, min_value=1, max_value=2160
    )
    days = forms.IntegerField(
        label=_("Suspend for how many days (for Suspend; empty: until lifted)"),
        required=False,
        min_value=1,
        max_value=365,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "edit" and not (data.get("body") or "").strip():
            self.add_error("body", _("Write the new text of the post."))
        if action == "mute" and not data.get("hours"):
            self.add_error("hours", _("Say for how many hours."))
        return data


class ReachOutForm(MessageForm):
    """A moderator's message to a post's author: messaging's form (the same length limit and
    the fresh client key that makes a double submit store one message), in moderators' words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the review page also has the decision form's "body".
        kwargs.setdefault("auto_id", "id_outreach_%s")
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.label = _("Private message to the author")
        body.help_text = _(
            "Only they and this community's moderators see it, inside Tandem; they can answer "
            "until the review is resolved. Their email only says there is a message."
        )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note for other moderators"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note.")},
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to know who this is?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason. The person will be able to read it.")},
        help_text=_(
            "Only to arrange urgent help. A second person must approve; it is logged, the "
            "organisation's admins are told, and the person can see that it happened and why."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )


class SlowModeForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Minutes between one person's replies (empty: switch slow mode off)"),
        required=False,
        min_value=1,
        max_value=1440,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )


class WatchedWordForm(forms.Form):
    word = forms.CharField(label=_("Word or phrase"), max_length=100)
    action = forms.ChoiceField(
        label=_("What happens"), choices=WatchedWordAction.choices, widget=forms.RadioSelect
    )
    replacement = forms.CharField(
        label=_("Replace with (for Replace; default ***)"), max_length=100, required=False
    )


class SettingsForm(forms.ModelForm[CommunitySettings]):
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )

    class Meta:
        model = CommunitySettings
        fields = (
            "premoderation",
            "new_member_held_posts",
            "new_member_topics_per_day",
            "new_member_replies_per_day",
        )
        widgets = {"premoderation": forms.RadioSelect}


class DutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(
        choices=(("1", _("On duty")), ("0", _("Off duty"))), coerce=lambda v: v == "1"
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )
    community = forms.TypedChoiceField(
        label=_("Community"), required=False, coerce=int, empty_value=None
    )
    pseudonym = forms.CharField(
        label=_("Display name (moderator or member)"), required=False, max_length=60
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, communities: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community_field = self.fields["community"]
        assert isinstance(community_field, forms.TypedChoiceField)  # noqa: S101 - set above
        community_field.choices = [("", _("All communities"))] + [
            (str(c.pk), c.name) for c in communities
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must be after the start."))
        return data


class TrustLevelForm(forms.Form):
    """A moderator setting a person's trust level by hand (``moderation.trust``)."""

    EARNED = "earned"
    level = forms.ChoiceField(
        label=_("Trust level"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a trust level.")},
    )
    reason = forms.CharField(
        label=_("Reason (kept in the audit log)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason. It is recorded in the audit log.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the person's page has other forms with a reason field.
        kwargs.setdefault("auto_id", "trust_%s")
        super().__init__(*args, **kwargs)
        from tandem.moderation.trust import TrustLevel

        choices = [(self.EARNED, _("The level they earned"))]
        choices += [(str(level.value), level.label) for level in TrustLevel]
        self.fields["level"].choices = choices  # type: ignore[attr-defined]

    def chosen_level(self) -> int | None:
        value = self.cleaned_data["level"]
        return None if value == self.EARNED else int(value)
