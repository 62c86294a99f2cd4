"""Addresses without running Django's whole ``reverse()`` each time.

``reverse()`` runs five times per post of a topic page (a fifth of the page's rendering time)
and a dozen times in the menu of every page. The URL patterns do not change while the process
runs, so each name is reversed once per URL configuration, script prefix and language. Here in
``core`` so that any app's template tags can use it without importing the shell (``web``),
which depends on them (issue 14); ``core.templatetags.tandem_urls`` offers it to templates.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_PLACEHOLDER = 8642097531  # an id no page shows; split out of the reversed address


@functools.lru_cache(maxsize=256)
def _around_id(name: str, urlconf: str, script_prefix: str, language: str) -> tuple[str, str]:
    # The script prefix (and, with i18n_patterns, the language) are in the key because
    # reverse() puts them in the address.
    address = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)
    before, found, after = address.partition(str(_PLACEHOLDER))
    if not found:
        raise ValueError(f"{name} does not take one id")
    return before, after


def url_with_id(name: str, object_id: int) -> str:
    """The same as ``reverse(name, args=[object_id])`` for a URL with one integer id."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    before, after = _around_id(name, urlconf, get_script_prefix(), get_language())
    return f"{before}{int(object_id)}{after}"


@functools.lru_cache(maxsize=256)
def _fixed(name: str, urlconf: str, script_prefix: str, language: str) -> str:
    return reverse(name, urlconf=urlconf)


def fixed_url(name: str) -> str:
    """The same as ``reverse(name)`` for a URL without arguments."""
    return _fixed(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
