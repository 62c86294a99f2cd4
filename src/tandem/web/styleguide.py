"""The living style page: every component of the design system, drawn with real markup.

Staff only, and "staff" here means Django's ``is_staff``: the people who build and run the
deployment (developers, designers), not an organisation's admins, whose role is clinical and
organisational. The page shows no one's data (sample text, a sample form with its errors, fixed
avatars), so a stricter rule is not needed; anyone else gets the same 404 as a missing page.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import AvatarColour, AvatarShape
from tandem.accounts.requests import current_user

SAMPLE_NAMES = ("Skylark", "Otter", "Heron", "Maple", "Juniper", "Pebble")


class SampleForm(forms.Form):
    """A form that is always wrong, to show the error summary and field errors."""

    title = forms.CharField(label=_("Title"), help_text=_("A few words about the topic."))
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea)
    mood = forms.ChoiceField(
        label=_("How are you today?"),
        choices=[("ok", _("OK")), ("low", _("Low")), ("good", _("Good"))],
        widget=forms.RadioSelect,
    )
    agree = forms.BooleanField(label=_("I have read the community guidelines"))


def style_guide(request: HttpRequest) -> HttpResponse:
    if not current_user(request).is_staff:
        raise Http404
    now = timezone.now()
    form = SampleForm(data={"title": "", "body": "", "mood": ""})
    form.is_valid()
    page = Paginator(list(range(30)), 10).page(2)
    avatars = [
        {"pseudonym": name, "colour": colour, "shape": shape}
        for name, colour, shape in zip(
            SAMPLE_NAMES,
            ["", AvatarColour.TEAL, "", AvatarColour.RASPBERRY, "", AvatarColour.OCHRE],
            ["", AvatarShape.FLOWER, AvatarShape.HEXAGON, "", AvatarShape.SQUARE, ""],
            strict=True,
        )
    ]
    return render(
        request,
        "web/style_guide.html",
        {
            "form": form,
            "page": page,
            "avatars": avatars,
            "times": [
                now - timedelta(seconds=20),
                now - timedelta(hours=3),
                now - timedelta(days=9),
            ],
        },
    )
