"""The shapes of what facilitators and people type about courses. Times are typed in the
organisation's time zone (what the facilitator's calendar says) and stored in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.text import SHORT_TEXT_VALIDATORS, VisibleTextValidator
from tandem.courses.models import (
    DEFAULT_DISCUSSION_DAYS,
    MAX_DISCUSSION_DAYS,
    QUESTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Course,
    https_only,
)
from tandem.courses.services import Schedule
from tandem.forum.models import Audience
from tandem.moderation.models import PreModeration

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL_FORMAT)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock time typed, as a moment in ``zone`` (Django made it aware in UTC)."""
    return value.replace(tzinfo=None).replace(tzinfo=zone)


class CourseForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX_LENGTH, validators=SHORT_TEXT_VALIDATORS
    )
    purpose = forms.CharField(
        label=_("What the course is for"),
        help_text=_("In plain words: who it is for and what people will do together."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[VisibleTextValidator()],
    )
    audience = forms.ChoiceField(label=_("Who may enrol"), choices=Audience.choices)
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=500,
        error_messages={"min_value": _("A course needs at least one place.")},
    )
    needs_approval = forms.BooleanField(
        label=_("A facilitator approves each enrolment"), required=False
    )
    moderation = forms.ChoiceField(
        label=_("Moderation of the course board"),
        choices=PreModeration.choices,
        initial=PreModeration.NEW_MEMBERS,
    )
    opening_at = forms.DateTimeField(
        label=_("Opening live session starts"),
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
    )
    opening_link = forms.URLField(
        label=_("Opening session link (webcast)"),
        max_length=500,
        assume_scheme="https",
        validators=[https_only],
    )
    discussion_days = forms.IntegerField(
        label=_("Days of discussion"),
        min_value=1,
        max_value=MAX_DISCUSSION_DAYS,
        initial=DEFAULT_DISCUSSION_DAYS,
    )
    closing_at = forms.DateTimeField(
        label=_("Closing live session starts"),
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
    )
    closing_link = forms.URLField(
        label=_("Closing session link (webinar)"),
        max_length=500,
        assume_scheme="https",
        validators=[https_only],
    )

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        for name in ("opening_at", "closing_at"):
            self.fields[name].help_text = _("Time in %(zone)s.") % {"zone": zone.key}

    @classmethod
    def initial_for(cls, course: Course) -> dict[str, Any]:
        zone = course.zone
        values = {name: getattr(course, name) for name in cls.base_fields}
        for name in ("opening_at", "closing_at"):
            values[name] = getattr(course, name).astimezone(zone).strftime(LOCAL_FORMAT)
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("opening_at", "closing_at"):
            if data.get(name) is not None:
                data[name] = _local(data[name], self.zone)
        opening, closing = data.get("opening_at"), data.get("closing_at")
        if opening is not None and closing is not None and closing <= opening:
            self.add_error(
                "closing_at", _("The closing session must come after the opening session.")
            )
        return data

    def schedule(self) -> Schedule:
        data = self.cleaned_data
        return Schedule(**{name: data[name] for name in Schedule.__dataclass_fields__})


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.pseudonym} ({obj.profession})" if obj.profession else obj.pseudonym


class PeopleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.pseudonym} ({obj.profession})" if obj.profession else obj.pseudonym


class TopicForm(forms.Form):
    day = forms.IntegerField(label=_("Day"), min_value=1, max_value=MAX_DISCUSSION_DAYS)
    question = forms.CharField(
        label=_("Question"),
        max_length=QUESTION_MAX_LENGTH,
        validators=SHORT_TEXT_VALIDATORS,
        help_text=_("It becomes the title of the day's topic on the board."),
    )
    reading = forms.CharField(
        label=_("Reading (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines or a link to read before answering. Markdown works."),
    )
    invited = PeopleChoiceField(
        label=_("Professionals invited to answer first"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, professionals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["invited"]
        assert isinstance(field, PeopleChoiceField)  # noqa: S101 - declared above
        field.queryset = professionals


class FacilitatorForm(forms.Form):
    person = PersonChoiceField(label=_("Facilitator to add"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, PersonChoiceField)  # noqa: S101 - declared above
        field.queryset = people


class InviteForm(forms.Form):
    person = PersonChoiceField(label=_("Person to invite"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, PersonChoiceField)  # noqa: S101 - declared above
        field.queryset = people
