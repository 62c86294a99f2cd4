from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from tandem.core.logging import REDACTED, RedactSecretsFilter, redact

FERNET_TOKEN = Fernet(Fernet.generate_key()).encrypt(b"journal entry").decode()
FERNET_KEY = Fernet.generate_key().decode()


def make_record(msg: object, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("tandem.test", logging.INFO, __file__, 1, msg, args or None, None)
    record.__dict__.update(extra)
    return record


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tandem.core.tests.redaction")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("login password=hunter2 ok", "hunter2"),
        ("new_password1=correct-horse&next=/", "correct-horse"),
        ("token: abc123def", "abc123def"),
        ("api_key=XYZ-987", "XYZ-987"),
        ("client_secret = s3cr3t", "s3cr3t"),
        ("otp=123456", "123456"),
        ("code=987654", "987654"),
        ("sessionid=k2j3h4g5", "k2j3h4g5"),
        ("Cookie: sessionid=k2j3h4g5; csrftoken=Zx9Yw8", "Zx9Yw8"),
        ("csrfmiddlewaretoken=Qw3rTy", "Qw3rTy"),
        ('{"password": "hunter2", "email": "a@b.example"}', "hunter2"),
        ("{'otp_code': '246810'}", "246810"),
        ('"recovery_code":"aaaa-bbbb"', "aaaa-bbbb"),
        ("GET /x?token=abc&page=2", "abc"),
        ("Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig", "eyJhbGciOi"),
        ("HTTP_AUTHORIZATION='Basic dXNlcjpwYXNz'", "dXNlcjpwYXNz"),
        ("called with Bearer 0123456789abcdef", "0123456789abcdef"),
        ("PASSWORD=Hunter2", "Hunter2"),
    ],
)
def test_secret_parameter_values_are_masked(text: str, secret: str) -> None:
    result = redact(text)
    assert secret not in result
    assert REDACTED in result


def test_names_and_harmless_context_stay_readable() -> None:
    result = redact('{"password": "hunter2", "email": "a@b.example"} page=2')
    assert result == f'{{"password": "{REDACTED}", "email": "a@b.example"}} page=2'


def test_query_string_keeps_other_parameters() -> None:
    assert redact("GET /x?token=abc&page=2") == f"GET /x?token={REDACTED}&page=2"


def test_authorization_header_keeps_its_scheme() -> None:
    assert redact("Authorization: Bearer abc.def") == f"Authorization: Bearer {REDACTED}"


def test_prose_about_tokens_is_not_masked() -> None:
    text = "The invitation token expired; Basic information was shown to the bearer of it."
    assert redact(text) == text


def test_status_codes_are_not_masked() -> None:
    assert redact("status_code=404") == "status_code=404"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET /invitations/accept/Zm9vYmFyYmF6/ 200",
            f"GET /invitations/accept/{REDACTED}/ 200",
        ),
        (
            "https://tandem.example/invitations/accept/abc.def-ghi?x=1",
            f"https://tandem.example/invitations/accept/{REDACTED}?x=1",
        ),
        (
            "GET /accounts/password/reset/key/4-cdm4zw-1a2b3c4d5e/ 302",
            f"GET /accounts/password/reset/key/{REDACTED}/ 302",
        ),
        (
            "GET /nb/accounts/confirm-email/MQ:1vK3n2:AbCdEf/ 200",
            f"GET /nb/accounts/confirm-email/{REDACTED}/ 200",
        ),
    ],
)
def test_secret_links_lose_their_token(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_fernet_tokens_and_keys_are_masked() -> None:
    result = redact(f"stored {FERNET_TOKEN} with {FERNET_KEY} done")
    assert result == f"stored {REDACTED} with {REDACTED} done"


def test_plain_text_is_unchanged() -> None:
    text = "User 42 opened thread 7 at /threads/7/ (200 OK) in 12 ms"
    assert redact(text) == text


def test_long_lines_without_secrets_are_fast_enough_to_log() -> None:
    # A regression guard for catastrophic backtracking on long identifier-like words.
    text = "a" * 50_000 + "key" + "b" * 50_000
    assert redact(text) == text


def test_filter_formats_redacts_and_clears_arguments() -> None:
    record = make_record("reset link %s for %s", "/accounts/password/reset/key/1-abc/", "user 3")

    assert RedactSecretsFilter().filter(record) is True

    assert record.msg == f"reset link /accounts/password/reset/key/{REDACTED}/ for user 3"
    assert record.args == ()
    assert record.getMessage() == record.msg


def test_filter_handles_dict_arguments() -> None:
    record = make_record("login %(who)s password=%(pw)s", {"who": "u1", "pw": "hunter2"})
    RedactSecretsFilter().filter(record)
    assert record.getMessage() == f"login u1 password={REDACTED}"


def test_filter_survives_a_bad_format_string() -> None:
    record = make_record("token=%s and %s", "only-one")
    assert RedactSecretsFilter().filter(record) is True
    assert "only-one" not in record.getMessage()
    assert "arguments not shown" in record.getMessage()


def test_filter_drops_the_request_so_no_handler_prints_post_data() -> None:
    record = make_record("Internal Server Error: /login/", request=object(), status_code=500)
    RedactSecretsFilter().filter(record)
    assert record.__dict__["request"] is None
    assert record.__dict__["status_code"] == 500


def test_exception_text_is_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"bad token={FERNET_TOKEN}")
    except ValueError:
        logger.exception("failed to accept /invitations/accept/s3cr3t/")
    output = stream.getvalue()
    assert "s3cr3t" not in output
    assert FERNET_TOKEN not in output
    assert "ValueError: bad token=[REDACTED]" in output
    assert "Traceback" in output


def test_stack_info_is_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    password = "hunter2"  # appears in the stack as source text only
    logger.info("checking password=%s", password, stack_info=True)
    assert "hunter2" not in stream.getvalue()


def test_filter_works_through_a_real_logger(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("POST /accounts/login/ password=%s otp=%s", "hunter2", "123456")
    assert stream.getvalue() == f"POST /accounts/login/ password={REDACTED} otp={REDACTED}\n"


def test_settings_attach_the_filter_to_the_console_handler() -> None:
    config: dict[str, Any] = settings.LOGGING
    assert config["filters"]["redact"]["()"] == "tandem.core.logging.RedactSecretsFilter"
    assert "redact" in config["handlers"]["console"]["filters"]
