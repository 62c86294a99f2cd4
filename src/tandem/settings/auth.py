"""Accounts, login (allauth, two-step verification), login throttling and sessions."""

from __future__ import annotations

import os
from datetime import timedelta

from tandem.settings.environment import IS_PROD, IS_TEST, TANDEM_ENV

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
