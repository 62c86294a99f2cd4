from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.datarights.models import ForumPostsChoice


class DeletionForm(forms.Form):
    forum_posts = forms.ChoiceField(
        label=_("What happens to my forum posts"),
        choices=ForumPostsChoice.choices,
        initial=ForumPostsChoice.DELETE,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that after 7 days this cannot be undone."), required=True
    )
