"""Tandem's one settings module: every setting is declared here and read from the environment.

With nothing set it runs in dev mode on SQLite with no other service. ``TANDEM_ENV`` is
``dev`` (default), ``test`` or ``prod``; in ``prod`` missing secrets stop the process at start.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets Django's generic classes (ModelForm[X], QuerySet[X]) be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

TANDEM_ENV = os.environ.get("TANDEM_ENV", "dev")
if TANDEM_ENV not in {"dev", "test", "prod"}:
    raise ImproperlyConfigured("TANDEM_ENV must be one of dev, test, prod.")
IS_PROD = TANDEM_ENV == "prod"
IS_TEST = TANDEM_ENV == "test"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _required_in_prod(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if IS_PROD:
        raise ImproperlyConfigured(f"{name} must be set when TANDEM_ENV=prod.")
    return dev_default


# The dev key is public on purpose: it only ever protects demo data on a laptop.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-tandem-2026"  # noqa: S105
SECRET_KEY = _required_in_prod("SECRET_KEY", _DEV_SECRET_KEY)
if IS_PROD and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")

DEBUG = _env_bool("DEBUG", default=TANDEM_ENV == "dev")
if IS_PROD and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if IS_PROD else "127.0.0.1,localhost,testserver")
if IS_PROD and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when TANDEM_ENV=prod.")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

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
    "channels",
    "django_tasks",
    "django_tasks_db",
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "tandem.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "tandem.accounts.middleware.MFARequiredMiddleware",
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

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -----------------------
DATA_DIR = Path(os.environ.get("TANDEM_DATA_DIR", PROJECT_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# WAL lets readers and one writer work at once; IMMEDIATE avoids upgrade deadlocks; the busy
# timeout makes a writer wait for another instead of failing with "database is locked".
# SQLite's busy handler retries at intervals rather than queueing, so under many writers (the
# 50-person burst, web/tests/test_burst.py) one waiter can lose the lock for several seconds:
# 5 s answered some requests 503; a person would rather wait a little longer.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named in DATABASE_URL gets the same settings as the default one.
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"]["OPTIONS"]}
    elif os.environ.get("DATABASE_PREPARED_STATEMENTS", "on") != "off":
        # PostgreSQL plans a query once per connection instead of on every page: planning
        # the forum's gate and list queries took PostgreSQL several times longer than running
        # them (docs/performance.md). Django leaves this off for the sake of connection
        # poolers; behind PgBouncer in transaction mode without max_prepared_statements, set
        # DATABASE_PREPARED_STATEMENTS=off (docs/operations.md).
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        # Without it an unreachable database host holds every worker for the operating
        # system's TCP timeout (minutes), the crisis page included (docs/operations.md).
        DATABASES["default"]["OPTIONS"].setdefault(
            "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
        )
else:
    # The embedded default needs no set-up beyond a folder for the file.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "tandem.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL role the application runs as when it is not the tables' owner: the access record's
# migration revokes UPDATE, DELETE and TRUNCATE from it (docs/security-access-record.md).
TANDEM_DB_APP_ROLE = os.environ.get("TANDEM_DB_APP_ROLE", "")

# --- Cache, channel layer: Redis when REDIS_URL is set, else what needs no other service ----
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis is optional at run time: while it is down, logins and pages keep working (the cache
# falls back to the database cache), live messages reach open pages through the database, and
# /readyz says "degraded" with 200. Set this to make /readyz answer 503 then instead.
TANDEM_REDIS_REQUIRED = _env_bool("TANDEM_REDIS_REQUIRED", default=False)
# Live sockets one person may hold open on one ASGI process (one per tab); more are refused
# with close code 4429.
TANDEM_WS_MAX_SOCKETS_PER_PERSON = int(os.environ.get("TANDEM_WS_MAX_SOCKETS_PER_PERSON", "20"))


def _redis_retry(asynchronous: bool) -> dict[str, Any]:
    """redis-py options that retry a command once, at once, on a fresh connection when the
    pooled one is dead: the first command after a Redis restart otherwise fails on the
    connection the restart closed (redis-py retries nothing by default)."""
    import redis.exceptions
    from redis.backoff import NoBackoff

    if asynchronous:
        from redis.asyncio.retry import Retry as AsyncRetry

        return {
            "retry": AsyncRetry(NoBackoff(), 1),
            "retry_on_error": [redis.exceptions.ConnectionError],
        }
    from redis.retry import Retry

    return {"retry": Retry(NoBackoff(), 1), "retry_on_error": [redis.exceptions.ConnectionError]}


def redis_channel_layer(url: str, **config: Any) -> dict[str, Any]:
    """The channel layer for ``url``: channels-redis's Redis Pub/Sub layer, as
    ``tandem.messaging.layer.RedisLayer`` (which keeps sockets working while Redis is away).

    A group message is one PUBLISH that each process receives once and hands to its own sockets
    in memory; the list-based layer pushes and pops one copy per socket through Redis, which
    made a provider with many open tabs the bottleneck of live delivery. Pub/Sub keeps nothing
    for a process that is not listening; messaging events are only hints (each socket reads
    what it may see from the database, and catches up by the last id it saw when a client
    reconnects or the layer comes back), so nothing is lost with them.

    redis-py 8 reads with a 5-second socket timeout by default; the longer read timeout here
    keeps idle connections open (a dead one is still noticed, within 30 s). Publishing and
    subscribing put their own short limits on top (``messaging.events``, ``messaging.layer``).
    """
    host = {
        "address": url,
        "socket_timeout": 30,
        "socket_connect_timeout": 2,
        **_redis_retry(asynchronous=True),
    }
    return {
        "BACKEND": "tandem.messaging.layer.RedisLayer",
        "CONFIG": {"hosts": [host], **config},
    }


# The database cache is shared by every worker, so used TOTP codes and rate limits hold
# across processes (a per-process memory cache would let a code be replayed).
_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "tandem_cache",
}
if REDIS_URL:
    CACHES: dict[str, Any] = {
        # Redis with short timeouts; the database cache while Redis does not answer
        # (tandem/core/cache.py; docs/operations.md "Redis").
        "default": {
            "BACKEND": "tandem.core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "FALLBACK": "fallback",
                "RETRY_SECONDS": 5,
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                **_redis_retry(asynchronous=False),
            },
        },
        "fallback": _DATABASE_CACHE,
    }
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
else:
    CACHES = {"default": _DATABASE_CACHE}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work (emails, digests) runs in a worker (`manage.py db_worker`), never in a
# request. Tests run tasks at once so their effects can be checked in the same test.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if IS_TEST
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Accounts and authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if IS_TEST:
    # Speed only: the test suite hashes thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "tandem.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Adding, removing or making primary an email address (where password resets go) asks for
# fresh proof too: with a borrowed or stolen session alone, nobody can take the account over.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tandem] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if IS_PROD else "http"
# Wrong passwords and wrong two-step codes are counted by Axes and tandem.accounts.throttling
# (docs/security-throttling.md). allauth's "login_failed" limit stays off: for passwords it is a
# hard lock on the typed email from any address, which anyone could use to lock a person out,
# and for codes it shares that one rate and cannot say when the person may try again.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

MFA_ADAPTER = "tandem.accounts.adapters.MFAAdapter"
# The code form counts wrong codes per account and per login attempt (accounts.throttling).
MFA_FORMS = {"authenticate": "tandem.accounts.mfa_forms.ThrottledAuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Tandem"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = TANDEM_ENV == "dev"

USERSESSIONS_TRACK_ACTIVITY = False

# --- Login throttling (accounts.throttling; docs/security-throttling.md) ----------------------
# Reverse proxies in front of Tandem that each append to X-Forwarded-For. 0: the header is
# ignored and the connecting address is the client's. N: the Nth entry from the right is the
# client's; entries further left are whatever the client sent, so they are never read.
TANDEM_PROXY_COUNT = int(os.environ.get("TANDEM_PROXY_COUNT", "0"))
# Wrong passwords for one account from one address before that pair is locked (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("TANDEM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TANDEM_LOCKOUT_MINUTES", "15")))
# Lock the account from one address only: never the address alone (a ward, a library or a
# mobile carrier puts many people behind one), and never the account alone (anyone could lock
# a person out). Guessing from many addresses is slowed by the account-wide delay below.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with email=..., which Axes would not find under "login": without this
# every failure was stored with no username, so the pair lock was in effect per address.
AXES_USERNAME_CALLABLE = "tandem.accounts.throttling.axes_username"
# One reading of the client address for Axes and allauth alike (honours TANDEM_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "tandem.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "tandem.accounts.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
# "username" is the typed email in Axes' log lines: masked there like the form field.
AXES_SENSITIVE_PARAMETERS = ["password", "login", "username"]
AXES_VERBOSE = False
# Wrong passwords for one account, from addresses it has not logged in from lately, before each
# further attempt waits: 2 s, then doubling up to the maximum. A delay, not a lock, so a
# guesser spread over many addresses gets a few hundred tries a day at most, while the person
# waits minutes at worst (and not at all from an address they have logged in from).
TANDEM_ACCOUNT_FAILURES_BEFORE_DELAY = int(
    os.environ.get("TANDEM_ACCOUNT_FAILURES_BEFORE_DELAY", "10")
)
TANDEM_ACCOUNT_DELAY_MAX_SECONDS = int(os.environ.get("TANDEM_ACCOUNT_DELAY_MAX_SECONDS", "300"))
# Wrong two-step codes for one account (from anywhere, in any session) before codes are refused
# for TANDEM_LOCKOUT_MINUTES, doubling with each further lock up to a day; and wrong codes in
# one login attempt before the person must enter their password again.
TANDEM_TWO_STEP_FAILURE_LIMIT = int(os.environ.get("TANDEM_TWO_STEP_FAILURE_LIMIT", "10"))
TANDEM_TWO_STEP_FAILURES_PER_LOGIN = int(os.environ.get("TANDEM_TWO_STEP_FAILURES_PER_LOGIN", "5"))

# --- Sessions --------------------------------------------------------------------------------
TANDEM_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("TANDEM_IDLE_TIMEOUT_MINUTES", "30")))
TANDEM_ABSOLUTE_TIMEOUT = timedelta(
    hours=int(os.environ.get("TANDEM_ABSOLUTE_TIMEOUT_HOURS", "12"))
)
SESSION_COOKIE_AGE = int(TANDEM_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Messages one person may send in an hour (messaging.services; past it: 429, text kept).
TANDEM_MESSAGES_PER_HOUR = int(os.environ.get("TANDEM_MESSAGES_PER_HOUR", "60"))
# Browser features no page uses, denied to every page (web.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), "
    "browsing-topics=()"
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PROD:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # A health portal is HTTPS-only for good; opt out only for a domain shared with HTTP sites.
    SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_NAME = "__Host-tandem-session"
    CSRF_COOKIE_NAME = "__Host-tandem-csrf"

# Live updates connect to the WebSocket (ASGI) process; in dev it listens on its own port.
TANDEM_WS_ORIGIN = os.environ.get("TANDEM_WS_ORIGIN", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, *([TANDEM_WS_ORIGIN] if TANDEM_WS_ORIGIN else [])],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "worker-src": [SELF],
        "manifest-src": [SELF],
    }
}

# --- Encryption at rest ----------------------------------------------------------------------
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotation).
_dev_fernet = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
TANDEM_ENCRYPTION_KEYS = _env_list("TANDEM_ENCRYPTION_KEYS") or ([] if IS_PROD else [_dev_fernet])
if IS_PROD and not TANDEM_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("TANDEM_ENCRYPTION_KEYS must be set when TANDEM_ENV=prod.")

# --- Email -----------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if IS_TEST:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", default=True)
elif IS_PROD:
    raise ImproperlyConfigured("EMAIL_HOST must be set when TANDEM_ENV=prod.")
else:
    # Dev: emails are printed to the console so the demo works without a mail server.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tandem <no-reply@tandem.invalid>")

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

# --- Tandem ----------------------------------------------------------------------------------
TANDEM_INVITATION_DAYS = int(os.environ.get("TANDEM_INVITATION_DAYS", "7"))
# Quick exit goes somewhere neutral that does not reveal what the person was looking at.
TANDEM_QUICK_EXIT_URL = os.environ.get("TANDEM_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
TANDEM_DEMO_PASSWORD = os.environ.get("TANDEM_DEMO_PASSWORD", "tandem-demo-2026")

# --- Crisis contacts, also when the database is down (docs/operations.md "Failure modes") ---
# The national numbers every crisis page shows: the first is the one sentences name ("call 999
# now"); all of them are listed when an organisation has no contacts of its own. 999 is the
# UK's number, 112 works across Europe and on UK mobiles.
TANDEM_EMERGENCY_NUMBERS = _env_list("TANDEM_EMERGENCY_NUMBERS", "999,112") or ["999"]
_CRISIS_CONTACT_FIELDS = ("name", "phone", "text_number", "url", "description", "hours")


def _national_crisis_contacts() -> list[dict[str, Any]]:
    """Helplines open to everyone, shown under an organisation's own contacts (or alone).

    ``TANDEM_NATIONAL_CRISIS_CONTACTS`` is a JSON list of objects with the fields of a crisis
    contact; the built-in one is Samaritans, whose 116 123 is also the European number for
    emotional support lines (the helpline seed_demo and the crisis page already showed).
    """
    raw = os.environ.get("TANDEM_NATIONAL_CRISIS_CONTACTS", "")
    if not raw:
        return [
            {
                "name": "Samaritans",
                "phone": "116 123",
                "url": "https://www.samaritans.org/",
                "description": _("Talk to someone about anything that is troubling you."),
                "hours": _("Any time, day or night"),
            }
        ]
    try:
        contacts = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TANDEM_NATIONAL_CRISIS_CONTACTS is not JSON: {error}"
        ) from None
    if not isinstance(contacts, list) or not all(
        isinstance(contact, dict)
        and set(contact) <= set(_CRISIS_CONTACT_FIELDS)
        and all(isinstance(value, str) for value in contact.values())
        and contact.get("name")
        and (contact.get("phone") or contact.get("text_number") or contact.get("url"))
        for contact in contacts
    ):
        raise ImproperlyConfigured(
            "TANDEM_NATIONAL_CRISIS_CONTACTS must be a JSON list of objects with a name and a "
            f"phone, text_number or url (fields: {', '.join(_CRISIS_CONTACT_FIELDS)})."
        )
    return contacts


TANDEM_NATIONAL_CRISIS_CONTACTS = _national_crisis_contacts()
# The saved copy of every organisation's crisis contacts that the crisis page and the outage
# page read when the database is down. Not in the database or in Redis, which may be down too:
# a JSON file on this host (rewritten atomically), plus each process's memory. Tests keep
# theirs apart so a test run never leaves its made-up contacts in a developer's copy.
TANDEM_CRISIS_CACHE_FILE = Path(
    os.environ.get(
        "TANDEM_CRISIS_CACHE_FILE",
        DATA_DIR / ("crisis-contacts-test.json" if IS_TEST else "crisis-contacts.json"),
    )
)
# A small signed cookie, present only while someone is logged in, that names their
# organisation: with the sessions in the database, it is how the outage pages still know
# whose contacts to show.
TANDEM_CRISIS_ORGANISATION_COOKIE = "__Host-tandem-crisis-org" if IS_PROD else "tandem-crisis-org"

# --- Logging: never log request bodies, tokens or health text --------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tandem.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
