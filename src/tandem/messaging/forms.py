"""The shape of messaging input. Domain rules (who may write where) live in services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.text import SHORT_TEXT_VALIDATORS, VisibleTextValidator
from tandem.messaging.models import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH

BODY_ERRORS = {
    "required": _("Write a message before sending."),
    "max_length": _(
        "A message can be at most %(limit_value)d characters long (this one has %(show_value)d). "
        "Shorten it, or send it in two parts."
    ),
}
# Only spaces or invisible characters (core.text) is as empty to the reader as nothing.
_VISIBLE_BODY = VisibleTextValidator(BODY_ERRORS["required"])


class _UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class _UsersChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()}{f' ({obj.profession})' if obj.profession else ''}"


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=BODY_ERRORS,
        validators=[_VISIBLE_BODY],
        help_text=_("You can use simple formatting such as *emphasis* and lists."),
    )
    # Filled with a fresh key each time the form is shown (no JavaScript needed): a second
    # submit of the same form, or a retry after a dropped connection, stores nothing new.
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("client_key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=BODY_ERRORS,
        validators=[_VISIBLE_BODY],
    )


class ThreadStartForm(MessageForm):
    # One line shown in both inboxes: no hidden direction characters (core.text).
    subject = forms.CharField(
        label=_("Subject"), max_length=SUBJECT_MAX_LENGTH, validators=SHORT_TEXT_VALIDATORS
    )
    field_order = ["providers", "service_user", "subject", "body", "client_key"]

    def __init__(
        self, *args: Any, providers: list[User], service_users: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if providers:
            self.fields["providers"] = _UsersChoiceField(
                label=_("Who do you want to write to?"),
                queryset=User.objects.filter(pk__in=[p.pk for p in providers]),
                widget=forms.CheckboxSelectMultiple,
                initial=[p.pk for p in providers] if len(providers) == 1 else None,
                error_messages={"required": _("Choose at least one person from your care team.")},
            )
        elif service_users:
            self.fields["service_user"] = _UserChoiceField(
                label=_("Who do you want to write to?"),
                queryset=User.objects.filter(pk__in=[u.pk for u in service_users]),
                error_messages={"required": _("Choose the person you want to write to.")},
            )
        self.order_fields(self.field_order)


class AwayForm(forms.Form):
    away_until = forms.DateTimeField(
        label=_("Away until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("People writing to you see this before they send a message."),
    )
    covered_by = _UserChoiceField(
        label=_("Colleague covering for you (optional)"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, colleagues: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page explains an empty list (who can cover, how to get there) instead of
        # showing a dropdown with nothing in it.
        self.nobody_can_cover = not colleagues
        field = self.fields["covered_by"]
        assert isinstance(field, _UserChoiceField)  # noqa: S101 - declared above
        field.queryset = User.objects.filter(pk__in=[c.pk for c in colleagues]).order_by(
            "full_name"
        )
