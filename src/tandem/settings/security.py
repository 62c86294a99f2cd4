"""Secrets, hosts, security headers, the Content Security Policy and the encryption keys.

Secure by default; dev relaxes only what it must, and prod refuses to start without its secrets.
"""

from __future__ import annotations

import base64
import hashlib
import os

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from tandem.settings.environment import IS_PROD, TANDEM_ENV, env_bool, env_list, required_in_prod

# The dev key is public on purpose: it only ever protects demo data on a laptop.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-tandem-2026"  # noqa: S105
SECRET_KEY = required_in_prod("SECRET_KEY", _DEV_SECRET_KEY)
if IS_PROD and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")

DEBUG = env_bool("DEBUG", default=TANDEM_ENV == "dev")
if IS_PROD and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PROD else "127.0.0.1,localhost,testserver")
if IS_PROD and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when TANDEM_ENV=prod.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
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
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # A health portal is HTTPS-only for good; opt out only for a domain shared with HTTP sites.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_NAME = "__Host-tandem-session"
    CSRF_COOKIE_NAME = "__Host-tandem-csrf"
    LANGUAGE_COOKIE_SECURE = True
# The language chosen on the account page, kept for the pages before signing in.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

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
TANDEM_ENCRYPTION_KEYS = env_list("TANDEM_ENCRYPTION_KEYS") or ([] if IS_PROD else [_dev_fernet])
if IS_PROD and not TANDEM_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("TANDEM_ENCRYPTION_KEYS must be set when TANDEM_ENV=prod.")
