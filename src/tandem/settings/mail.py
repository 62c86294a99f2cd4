"""Outgoing email: SMTP when ``EMAIL_HOST`` is set, required in prod; the console in dev."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from tandem.settings.environment import IS_PROD, IS_TEST, env_bool

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if IS_TEST:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
elif IS_PROD:
    raise ImproperlyConfigured("EMAIL_HOST must be set when TANDEM_ENV=prod.")
else:
    # Dev: emails are printed to the console so the demo works without a mail server.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tandem <no-reply@tandem.invalid>")
