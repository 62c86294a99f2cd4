"""Keep secrets out of the logs.

Logs travel further than the database (log shippers, support tickets, screenshots), so nothing
that grants access may be written to them: passwords, one-time codes, session ids, the tokens in
invitation, password-reset and email-confirmation links, encryption keys and Fernet ciphertext.
``RedactSecretsFilter`` is attached to every handler in ``settings.LOGGING``.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[REDACTED]"

# Parameter names whose values are secret. Matched inside longer names too ("csrfmiddlewaretoken",
# "api_key", "new_password1"), which over-redacts a little ("keyboard=…") rather than leak.
_PRIVATE_PARAM_NAME = (
    r"[\w.-]*(?:pass(?:word|wd|phrase)?|token|key|secret|otp|code|session_?id|csrf|"
    r"cookie|signature)[\w.-]*"
)
# Names that match the pattern above but carry no secret, kept readable for debugging.
_HARMLESS_NAMES = frozenset({"status_code", "exit_code", "return_code", "code_length"})

_KEY_VALUE = re.compile(
    rf"""
    (?<![\w.-])   # start at the beginning of a name, which keeps the search linear
    (?P<name>(?P<name_quote>["']?)(?P<bare_name>{_PRIVATE_PARAM_NAME})(?P=name_quote))
    (?P<sep>[ \t]*[=:][ \t]*)
    (?:
        (?P<quote>["'])(?P<quoted>[^"'\r\n]*)(?P=quote)   # "value" or 'value'
        |
        (?P<bare>[^\s&,;"'<>(){{}}\[\]]+)                 # value up to a delimiter
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# An Authorization header's value has a space in it ("Bearer abc"), so it gets its own pattern.
_AUTH_HEADER = re.compile(
    r"""(?P<prefix>(?<![\w-])[\w-]*authorization["']?[ \t]*[:=][ \t]*["']?"""
    r"(?:(?:Bearer|Basic|Token|Digest)[ \t]+)?)[^\s\"',;]+",
    re.IGNORECASE,
)
# A bearer token quoted on its own, outside a header. Case-sensitive and at least 8 characters
# long so prose ("bearer of bad news") stays readable.
_BEARER = re.compile(r"\bBearer[ \t]+[A-Za-z0-9._~+/=-]{8,}")

# The secret part of each link that signs someone in or proves they own an address.
_SECRET_LINKS = re.compile(
    r"(?P<prefix>/(?:invitations/accept|accounts/password/reset/key|accounts/confirm-email)/)"
    r"(?P<secret>[^/\s?#\"'<>]+)"
)
# Fernet tokens start with version byte 0x80 and a 64-bit timestamp whose top bytes are zero.
_FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]{20,}={0,2}")
# A Fernet key: 32 bytes in url-safe base64, exactly 43 characters and one "=".
_FERNET_KEY = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])")


def redact(text: str) -> str:
    """Return ``text`` with secret values, secret link tokens and Fernet material masked."""
    text = _SECRET_LINKS.sub(lambda m: f"{m['prefix']}{REDACTED}", text)
    text = _FERNET_TOKEN.sub(REDACTED, text)
    text = _FERNET_KEY.sub(REDACTED, text)
    text = _AUTH_HEADER.sub(lambda m: f"{m['prefix']}{REDACTED}", text)
    text = _BEARER.sub(f"Bearer {REDACTED}", text)
    return _KEY_VALUE.sub(_mask_value, text)


def _mask_value(match: re.Match[str]) -> str:
    if match["bare_name"].lower() in _HARMLESS_NAMES:
        return match[0]
    quote = match["quote"] or ""
    return f"{match['name']}{match['sep']}{quote}{REDACTED}{quote}"


class RedactSecretsFilter(logging.Filter):
    """Mask secrets in every record; never drop a record.

    The message is formatted once, redacted, and stored back with no arguments, so no handler
    can format the raw arguments again. Exception and stack text are redacted too, because an
    exception message may quote a value. ``record.request`` (set by Django's request logging)
    is removed: a handler that renders it, such as ``AdminEmailHandler``, would print
    ``request.POST``, which holds passwords and health information.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # A bad format string must not turn a log call into a crash.
            message = f"{record.msg} [arguments not shown: they did not fit the message]"
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        if "request" in vars(record):
            vars(record)["request"] = None
        return True
