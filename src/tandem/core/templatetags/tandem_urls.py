"""Addresses for templates without running Django's whole reverse() each time
(``core.addresses``):

* ``{{ post.pk|url_for_id:"forum:post-react" }}``: a URL with one integer id, reversed with a
  placeholder id; after that an address is two strings joined around the id;
* ``{% fixed_url "web:home" %}``: a URL without arguments.

In core, so every app's templates may load it: a feature app's template loading a library of
the shell (``web``) would make it depend on the app that depends on it (issue 14).
"""

from __future__ import annotations

from django import template

from tandem.core import addresses

register = template.Library()

__all__ = ["fixed_url", "register", "url_for_id"]


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% fixed_url "web:home" %}``: what ``{% url "web:home" %}`` gives."""
    return addresses.fixed_url(name)


@register.filter
def url_for_id(object_id: int, name: str) -> str:
    """``{{ post.pk|url_for_id:"forum:post-react" }}``: what ``{% url name post.pk %}`` gives."""
    return addresses.url_with_id(name, object_id)
