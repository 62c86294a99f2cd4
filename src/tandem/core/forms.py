"""Form helpers every app's views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def attach_service_error(form: Any, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` beside the field it names, or above the form.

    Services raise ``ValidationError`` for rules only they can check (a limit, a state that
    changed meanwhile); the view shows it on the form it re-renders, so nothing typed is lost.
    A field the form does not have becomes a form-wide error rather than a crash.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
