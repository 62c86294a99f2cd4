"""The person picks how their generated avatar looks: a colour and a shape, or "from my name".

Never a photo: the picture is drawn from the pseudonym (``accounts/templatetags/avatars.py``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import AvatarColour, AvatarShape, User
from tandem.accounts.requests import current_user


class AvatarForm(forms.ModelForm[User]):
    avatar_colour = forms.ChoiceField(
        label=gettext_lazy("Colour"),
        choices=[("", gettext_lazy("From my name")), *AvatarColour.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    avatar_shape = forms.ChoiceField(
        label=gettext_lazy("Shape"),
        choices=[("", gettext_lazy("From my name")), *AvatarShape.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = User
        fields = ("avatar_colour", "avatar_shape")


def avatar_edit(request: HttpRequest) -> HttpResponse:
    person = current_user(request)
    form = AvatarForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False)
        person.save(update_fields=["avatar_colour", "avatar_shape"])
        messages.success(request, _("Your avatar is saved."))
        return redirect("web:avatar-edit")
    return render(
        request,
        "web/avatar_edit.html",
        {"form": form, "colours": AvatarColour.choices, "shapes": AvatarShape.choices},
    )
