"""Forms check the shape of input; services check the forum's rules."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from tandem.core.text import SHORT_TEXT_VALIDATORS, VisibleTextValidator
from tandem.forum.models import (
    POST_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Category,
    Circle,
    MentionPolicy,
    ReactionKind,
    Visibility,
)

BODY_HELP = _(
    "You can use Markdown: **bold**, *italic*, > quotes, lists and links. Up to 20,000 "
    "characters. Mention someone with @ and their display name."
)
TOO_LONG = _(
    "Your message is %(show_value)s characters long; the limit is %(limit_value)s. Your text is "
    "still here: shorten it, or split it into two posts."
)
NOTHING_TO_POST = _(
    "Write your message. Spaces and invisible characters on their own cannot be posted."
)


def body_field(*, required: bool = False) -> forms.CharField:
    # No max_length on the widget: the browser would cut pasted text silently.
    return forms.CharField(
        label=_("Message"),
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "data-draft-body": ""}),
        validators=[MaxLengthValidator(POST_MAX_LENGTH, message=TOO_LONG)],
        help_text=BODY_HELP,
    )


def client_key_field() -> forms.UUIDField:
    # Filled with a fresh key each time the form is shown (no JavaScript needed): a second
    # submit of the same form, or a retry, finds the post already published (replays.py).
    # Optional, so that a page shown before keys existed still posts.
    return forms.UUIDField(widget=forms.HiddenInput, required=False)


def _with_fresh_key(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("initial", {}).setdefault("client_key", uuid.uuid4())
    return kwargs


def _check_published_text(form: forms.Form, *, publishing: bool) -> None:
    """Refuse text nobody would see, and a title that turns words around (``core.text``), in
    what is about to be published. Drafts may be unfinished, and only their author sees them."""
    if not publishing:
        return
    form.fields["body"].validators.append(VisibleTextValidator(NOTHING_TO_POST))
    if "title" in form.fields:
        form.fields["title"].validators.extend(SHORT_TEXT_VALIDATORS)


class JoinForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(
        label=_("I have read the code of conduct and I will follow it"),
        error_messages={"required": _("Tick the box to accept the code of conduct.")},
    )
    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("This community is for an age group. Only you and your organisation see it."),
    )

    def __init__(self, *args: Any, ask_date_of_birth: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_date_of_birth:
            del self.fields["date_of_birth"]


class TopicForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH, required=False)
    body = body_field()
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[
            (Visibility.COMMUNITY.value, _("The whole community")),
            (Visibility.CIRCLE.value, _("Only one of my circles")),
        ],
        initial=Visibility.COMMUNITY,
        widget=forms.RadioSelect,
        help_text=_("A draft is only ever seen by you. You can widen who sees it later."),
    )
    circle = forms.ModelChoiceField(
        label=_("Circle"), queryset=Circle.objects.none(), required=False
    )
    as_professional = forms.BooleanField(
        label=_("Write as a professional (shows your professional badge)"), required=False
    )
    draft = forms.IntegerField(
        widget=forms.HiddenInput(attrs={"data-draft-id": ""}), required=False
    )
    client_key = client_key_field()

    def __init__(
        self,
        *args: Any,
        categories: Any,
        circles: Any,
        professional: bool,
        publishing: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **_with_fresh_key(kwargs))
        _check_published_text(self, publishing=publishing)
        category_field = self.fields["category"]
        circle_field = self.fields["circle"]
        assert isinstance(category_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        assert isinstance(circle_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        category_field.queryset = categories
        circle_field.queryset = circles
        if not circles.exists():
            del self.fields["visibility"]
            del self.fields["circle"]
        if not professional:
            del self.fields["as_professional"]


class ReplyForm(forms.Form):
    body = body_field()
    quoted_post = forms.IntegerField(widget=forms.HiddenInput, required=False)
    as_professional = forms.BooleanField(
        label=_("Write as a professional (shows your professional badge)"), required=False
    )
    client_key = client_key_field()

    def __init__(
        self, *args: Any, professional: bool, publishing: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **_with_fresh_key(kwargs))
        self.fields["body"].label = _("Your reply")
        _check_published_text(self, publishing=publishing)
        if not professional:
            del self.fields["as_professional"]


class DraftBodyForm(forms.Form):
    """What the autosave script sends: only the text (and a quote) of a reply."""

    body = forms.CharField(
        required=False, strip=False, validators=[MaxLengthValidator(POST_MAX_LENGTH)]
    )
    quoted_post = forms.IntegerField(required=False)


class PostEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH, required=False)
    body = body_field()

    def __init__(
        self, *args: Any, with_title: bool, publishing: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]
        _check_published_text(self, publishing=publishing)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class FeatureForm(forms.Form):
    featured_from = forms.DateField(
        label=_("Show from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    featured_until = forms.DateField(
        label=_("Show until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who can see this topic"),
        choices=[
            (Visibility.CIRCLE.value, _("Only one of my circles")),
            (Visibility.COMMUNITY.value, _("The whole community")),
        ],
        widget=forms.RadioSelect,
    )
    circle = forms.ModelChoiceField(
        label=_("Circle"), queryset=Circle.objects.none(), required=False
    )

    def __init__(self, *args: Any, circles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        circle_field = self.fields["circle"]
        assert isinstance(circle_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        circle_field.queryset = circles


class CircleForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the circle"), max_length=80, validators=SHORT_TEXT_VALIDATORS
    )


class AddToCircleForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Display name of the person to add"),
        max_length=30,
        help_text=_("They must be a member of this community. They will see the circle at once."),
    )


class MentionPolicyForm(forms.Form):
    mention_policy = forms.ChoiceField(
        label=_("Who may mention me"), choices=MentionPolicy.choices, widget=forms.RadioSelect
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search your communities"), max_length=200, required=False)
