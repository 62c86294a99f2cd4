"""Template helpers for the toolbox."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from tandem.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render user text through the project's one Markdown renderer (sanitised)."""
    return render_markdown(text or "")
