"""Forms check the shape of input; services check the rules of the domain.

Length limits match the model validators, so over-long text is refused here with a clear
message before it reaches a service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.care.models import COMMENT_MAX_LENGTH, CareRelationship
from tandem.toolbox.dates import not_in_future, not_in_past
from tandem.toolbox.models import (
    CRISIS_PLAN_SECTION_MAX_LENGTH,
    CRISIS_PLAN_SECTIONS,
    DOMAIN_NAME_MAX_LENGTH,
    Circle,
    Goal,
    GoalStatus,
    LifeDomain,
    Quality,
)
from tandem.toolbox.selectors import active_goals_for_choice, visible_domains_query


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class DomainChoiceField(forms.ModelChoiceField[LifeDomain]):
    def label_from_instance(self, obj: LifeDomain) -> str:
        return obj.label


class GoalChoiceField(forms.ModelChoiceField[Goal]):
    def label_from_instance(self, obj: Goal) -> str:
        return obj.title


def _domains(owner: User) -> QuerySet[LifeDomain]:
    return visible_domains_query(owner).order_by("position", "id")


class DomainForm(forms.Form):
    name = forms.CharField(label=_("Name of the life domain"), max_length=DOMAIN_NAME_MAX_LENGTH)


class StatusForm(forms.Form):
    domain = DomainChoiceField(
        label=_("Life domain"), queryset=LifeDomain.objects.none(), empty_label=None
    )
    rating = forms.IntegerField(
        label=_("How are things in this part of your life?"),
        help_text=_("0 is as bad as it could be, 10 is as good as it could be."),
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("A few words about it (optional)"),
        max_length=500,
        required=False,
        widget=_textarea(2),
    )

    def __init__(self, *args: Any, owner: User, domain: LifeDomain | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if domain is not None:
            # Rating from a domain's own page: the page's address says which domain.
            del self.fields["domain"]
            return
        domain_field = self.fields["domain"]
        assert isinstance(domain_field, DomainChoiceField)  # noqa: S101 - declared above
        domain_field.queryset = _domains(owner)


class GoalForm(forms.Form):
    title = forms.CharField(label=_("My goal"), max_length=200)
    domain = DomainChoiceField(label=_("Life domain"), queryset=LifeDomain.objects.none())
    why = forms.CharField(
        label=_("Why it matters to me (optional)"),
        max_length=2000,
        required=False,
        widget=_textarea(3),
    )
    target_date = forms.DateField(
        label=_("Target date (optional)"), required=False, widget=DateInput()
    )
    manual_progress = forms.IntegerField(
        label=_("How far along are you? (0 to 100 %)"),
        help_text=_(
            "Used while the goal has no steps. With steps, progress is worked out from them."
        ),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domain_field = self.fields["domain"]
        assert isinstance(domain_field, DomainChoiceField)  # noqa: S101 - declared above
        domain_field.queryset = _domains(owner)


class GoalCreateForm(GoalForm):
    target_date = forms.DateField(
        label=_("Target date (optional)"),
        required=False,
        widget=DateInput(),
        validators=[not_in_past],
    )
    steps = forms.CharField(
        label=_("Steps towards it (optional)"),
        help_text=_("One step per line, in the order you want to take them."),
        required=False,
        max_length=10_000,
        widget=_textarea(4),
    )


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)

    @staticmethod
    def values_of(goal: Goal) -> dict[str, Any]:
        """``goal`` as this form's fields name it: the edit page's initial values, and what
        the API's partial change starts from."""
        return {
            "title": goal.title,
            "domain": goal.domain_id,
            "why": goal.why,
            "target_date": goal.target_date,
            "manual_progress": goal.manual_progress,
            "status": goal.status,
        }


class StepForm(forms.Form):
    text = forms.CharField(label=_("New step"), max_length=300)


class ActivityForm(forms.Form):
    description = forms.CharField(label=_("What I did"), max_length=500, widget=_textarea(2))
    done_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=[not_in_future])
    goal = GoalChoiceField(
        label=_("Towards which goal? (optional)"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("No particular goal"),
    )
    domain = DomainChoiceField(
        label=_("Life domain"),
        help_text=_("Not needed when you choose a goal: the goal's domain is used."),
        queryset=LifeDomain.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domain_field = self.fields["domain"]
        goal_field = self.fields["goal"]
        assert isinstance(domain_field, DomainChoiceField)  # noqa: S101 - declared above
        assert isinstance(goal_field, GoalChoiceField)  # noqa: S101 - declared above
        domain_field.queryset = _domains(owner)
        goal_field.queryset = active_goals_for_choice(owner)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("goal") and not cleaned.get("domain") and not self.has_error("goal"):
            self.add_error("domain", _("Choose a life domain, or a goal."))
        return cleaned


class MedicationForm(forms.Form):
    name = forms.CharField(label=_("Name of the medication"), max_length=120)
    dose = forms.CharField(label=_("Dose"), max_length=120, required=False)
    schedule = forms.CharField(
        label=_("When I take it"),
        help_text=_("For example: every morning, or when needed."),
        max_length=200,
        required=False,
    )
    purpose = forms.CharField(
        label=_("What it is for"), max_length=500, required=False, widget=_textarea(2)
    )
    effects = forms.CharField(
        label=_("How it affects me"),
        help_text=_("What helps, side effects, anything you want to remember or discuss."),
        max_length=2000,
        required=False,
        widget=_textarea(3),
    )
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=_textarea(2))
    started_on = forms.DateField(
        label=_("Started (optional)"),
        required=False,
        widget=DateInput(),
        validators=[not_in_future],
    )
    stopped_on = forms.DateField(
        label=_("Stopped (optional)"),
        help_text=_("Leave empty while you still take it."),
        required=False,
        widget=DateInput(),
        validators=[not_in_future],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        started, stopped = cleaned.get("started_on"), cleaned.get("stopped_on")
        if started and stopped and stopped < started:
            self.add_error(
                "stopped_on", _("The date you stopped cannot be before the date you started.")
            )
        return cleaned


class NetworkMemberForm(forms.Form):
    name = forms.CharField(
        label=_("Name or label"),
        help_text=_("A person, a group or a service: 'Mum', 'GP surgery', 'Choir'."),
        max_length=100,
    )
    relationship = forms.CharField(
        label=_("Who they are to me (optional)"), max_length=100, required=False
    )
    contact = forms.CharField(label=_("Contact details (optional)"), max_length=200, required=False)
    circle = forms.ChoiceField(
        label=_("How close are they?"),
        choices=Circle.choices,
        initial=Circle.MIDDLE,
        widget=forms.RadioSelect,
    )
    quality = forms.ChoiceField(
        label=_("How does the relationship feel?"),
        choices=Quality.choices,
        initial=Quality.SUPPORTIVE,
        widget=forms.RadioSelect,
    )


class CrisisPlanForm(forms.Form):
    """One field per Stanley-Brown section, each with its prompt as the hint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, title, prompt in CRISIS_PLAN_SECTIONS:
            self.fields[key] = forms.CharField(
                label=title,
                help_text=prompt,
                max_length=CRISIS_PLAN_SECTION_MAX_LENGTH,
                required=False,
                widget=_textarea(4),
            )


HELPED_CHOICES = [
    (0, _("0: not at all")),
    (1, _("1")),
    (2, _("2")),
    (3, _("3: somewhat")),
    (4, _("4")),
    (5, _("5: a lot")),
]


class PracticeForm(forms.Form):
    helped = forms.TypedChoiceField(
        label=_("How much did it help?"),
        choices=HELPED_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (optional)"), max_length=500, required=False, widget=_textarea(2)
    )


class JournalEntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Entry"),
        help_text=_("Only you can see this unless you share it. You can use Markdown."),
        max_length=20_000,
        widget=_textarea(12),
    )


class RelationshipChoiceField(forms.ModelChoiceField[CareRelationship]):
    def label_from_instance(self, obj: CareRelationship) -> str:
        return obj.provider.get_full_name()


class ShareForm(forms.Form):
    relationship = RelationshipChoiceField(
        label=_("Share with"), queryset=CareRelationship.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, relationships: list[CareRelationship], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["relationship"]
        assert isinstance(field, RelationshipChoiceField)  # noqa: S101 - declared above
        field.queryset = CareRelationship.objects.filter(pk__in=[r.pk for r in relationships])
        # Show the choices without another query: the page already has them.
        field.choices = [(r.pk, r.provider.get_full_name()) for r in relationships]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX_LENGTH, widget=_textarea(3))


class ConfirmForm(forms.Form):
    """An empty form: deleting is a POST with a CSRF token and nothing else."""
