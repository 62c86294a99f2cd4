"""The Django project itself: apps, middleware, URLs, templates, languages and static files."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from tandem.settings.environment import BASE_DIR, DATA_DIR, IS_TEST

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    # Tandem's apps come before allauth so our templates override allauth's.
    "tandem.core",
    "tandem.web",
    "tandem.accounts",
    "tandem.care",
    "tandem.toolbox",
    "tandem.forum",
    "tandem.notifications",
    "tandem.moderation",
    "tandem.messaging",
    "tandem.datarights",
    "tandem.questionnaires",
    "tandem.research",
    "tandem.courses",
    "tandem.api",
    "channels",
    "django_tasks",
    "django_tasks_db",
    # django-ninja: its docs page and assets, served from the package (no CDN; tandem.api).
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
]
if IS_TEST:
    # A tiny model that exercises the encrypted field and its key-rotation command.
    INSTALLED_APPS.append("tandem.core.tests.encrypted_app")

MIDDLEWARE = [
    # Health checks answer before host validation, sessions or the database (load balancers).
    "tandem.web.middleware.HealthCheckMiddleware",
    # Early, so every answer below (the outage page too) carries the id the access record uses.
    "tandem.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tandem.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and everything that reads the database: turns a database outage met
    # anywhere below into a friendly 503 with crisis contacts (the crisis page itself answers
    # 200 from its saved copy), and nothing below can turn that back into a 500.
    "tandem.web.middleware.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware (the browser's preference): the person's own choice wins.
    "tandem.accounts.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tandem.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Research: records a visit to a module page, for people taking part in a study only
    # (docs/research.md); does nothing while no sink is registered.
    "tandem.core.usage.UsageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "tandem.accounts.middleware.MFARequiredMiddleware",
    # A person whose only role is researcher gets 404 from every content page (research).
    "tandem.research.middleware.ResearcherFenceMiddleware",
    "tandem.accounts.middleware.OrganisationTimeZoneMiddleware",
    "tandem.web.middleware.NoStoreForAuthenticatedMiddleware",
    # Axes last, as its docs ask, so it sees the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"
ASGI_APPLICATION = "tandem.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.web.context_processors.shell",
            ],
        },
    },
]

FORM_RENDERER = "tandem.web.forms.TandemFormRenderer"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# Shown to visitors who are not logged in; members see their organisation's time zone.
TANDEM_DEFAULT_TIME_ZONE = os.environ.get("TANDEM_DEFAULT_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
# Data exports waiting to be downloaded (encrypted; served only by datarights' own view, never
# as a static or media file, and deleted after 24 hours).
TANDEM_EXPORT_DIR = Path(os.environ.get("TANDEM_EXPORT_DIR", DATA_DIR / "exports"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if IS_TEST
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
