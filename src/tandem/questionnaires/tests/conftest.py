"""Fixtures shared by the questionnaire tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture
def back_to_english() -> Iterator[None]:
    """A page in the person's own language leaves it active in the test's thread (the
    language middleware activates it per request): put the default back after the test."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
