"""Forms check the shape of input; services check the rules of the domain."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import (
    PSEUDONYM_MAX_LENGTH,
    PSEUDONYM_MIN_LENGTH,
    AgeCheck,
    CrisisContact,
    Role,
    User,
    pseudonym_validator,
)
from tandem.core.text import SHORT_TEXT_VALIDATORS


class PseudonymField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Display name (pseudonym)"))
        kwargs.setdefault(
            "help_text",
            _(
                "Others in peer spaces see only this name. Please choose something that is not "
                "your real name. %(min)s to %(max)s characters."
            )
            % {"min": PSEUDONYM_MIN_LENGTH, "max": PSEUDONYM_MAX_LENGTH},
        )
        super().__init__(
            min_length=PSEUDONYM_MIN_LENGTH,
            max_length=PSEUDONYM_MAX_LENGTH,
            validators=[pseudonym_validator],
            **kwargs,
        )


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=150,
        required=False,
        help_text=_("Only your care team and organisation admins see this."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    pseudonym = PseudonymField(widget=forms.TextInput(attrs={"autocomplete": "nickname"}))
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A few unrelated words work well."),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            probe = User(
                email=self.email,
                full_name=cleaned.get("full_name", ""),
                pseudonym=cleaned.get("pseudonym", ""),
            )
            try:
                password_validation.validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SERVICE_USER)
    profession = forms.CharField(
        label=_("Profession (care providers only)"),
        max_length=100,
        required=False,
        validators=SHORT_TEXT_VALIDATORS,
        help_text=_(
            "Shown with their professional badge, for example Mental health nurse, "
            "Psychologist, Psychiatrist, Social worker or Peer support worker."
        ),
    )


class PseudonymForm(forms.Form):
    pseudonym = PseudonymField()


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    profession = forms.CharField(
        label=_("Profession"),
        max_length=100,
        required=False,
        help_text=_("For professionals, e.g. 'Community mental health nurse'."),
    )


class CrisisContactForm(forms.ModelForm[CrisisContact]):
    url = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = CrisisContact
        fields = ["name", "phone", "text_number", "url", "description", "hours"]


CrisisContactFormSet = forms.formset_factory(
    CrisisContactForm, extra=2, can_delete=True, max_num=20, validate_max=True
)


class MFAPolicyForm(forms.Form):
    required_for_everyone = forms.BooleanField(
        label=_("Require two-step verification for everyone in this organisation"),
        required=False,
    )


class AgeCheckForm(forms.Form):
    age_check = forms.ChoiceField(
        label=_("How is a person's age established?"),
        choices=AgeCheck.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Until their age is confirmed, a person cannot join communities for an age group. "
            "Their toolbox, care team, messages and other communities stay open to them."
        ),
    )


class ConfirmAgeForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Date of birth you have checked"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        help_text=_("From a document or your records. It replaces the date the person gave."),
    )


FOLLOW_BROWSER = ""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[(FOLLOW_BROWSER, _("The language of my browser")), *settings.LANGUAGES],
        required=False,
        widget=forms.RadioSelect,
    )


class OrganisationLanguageForm(forms.Form):
    default_language = forms.ChoiceField(
        label=_("Language for new people"),
        choices=settings.LANGUAGES,
        help_text=_("People who join can change it on their account page."),
    )
