"""Rotating the encryption key covers two-step verification secrets (issue 12, item 1).

allauth keeps TOTP secrets and recovery-code seeds in ``Authenticator.data``, encrypted by our
``MFAAdapter`` outside any ``EncryptedTextField``. Before the fix, ``rotate_encryption_key``
left them on the old key, so removing it (as the runbook said) locked every staff member out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from tandem.accounts.adapters import MFAAdapter
from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import TOTP_SECRET, current_totp, login_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
TOTP_SOURCE = "mfa.Authenticator TOTP secret"
RECOVERY_SOURCE = "mfa.Authenticator recovery codes"
STAFF_ROLES = (Role.PROVIDER, Role.MODERATOR, Role.ORG_ADMIN)


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


def failing(*args: str) -> tuple[str, str]:
    """Run the command expecting it to exit non-zero: its output and its error message."""
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue(), str(caught.value)


def recovery_codes(user: User) -> RecoveryCodes:
    return RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    )


def stored_secrets() -> list[str]:
    """Every ciphertext allauth keeps, as stored (never decrypted here)."""
    found: list[str] = []
    for data in Authenticator.objects.values_list("data", flat=True):
        for key in ("secret", "seed"):
            if key in data:
                found.append(data[key])
        found.extend(data.get("migrated_codes", []))
    return found


@pytest.fixture
def staff_under_old_key(settings: Settings, make_member: Callable[..., User]) -> list[User]:
    """A provider, a moderator and an admin with TOTP and recovery codes, all on the old key;
    then the new key is put first, as the runbook's step 1 does."""
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    staff = [make_member(role, totp=True) for role in STAFF_ROLES]
    for user in staff:
        RecoveryCodes.activate(user)
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    return staff


def log_in_with_code(client: Client, user: User, code: str) -> Response:
    """The real login form with ``user``'s password, then the two-step form with ``code``."""
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client.post("/accounts/2fa/authenticate/", {"code": code})


# --- End to end: rotate, remove the old key, log in --------------------------------------------


@pytest.mark.fault
def test_every_staff_member_logs_in_with_totp_after_rotating_and_removing_the_old_key(
    staff_under_old_key: list[User], settings: Settings, client_factory: Callable[[], Client]
) -> None:
    rotate()
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]  # the runbook's last step: the old key is gone

    for user in staff_under_old_key:
        client = login_client(client_factory(), user)  # password, then the TOTP form
        response = client.get("/")
        assert response.status_code == 200
        assert response.wsgi_request.user == user


@pytest.mark.fault
def test_recovery_codes_still_work_after_rotating_and_removing_the_old_key(
    staff_under_old_key: list[User], settings: Settings, client_factory: Callable[[], Client]
) -> None:
    provider = staff_under_old_key[0]
    codes = recovery_codes(provider).get_unused_codes()
    assert recovery_codes(provider).validate_code(codes[0])  # one used before the rotation

    rotate()
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]

    # The rotation kept the rest of the authenticator's data: the used code stays used.
    assert log_in_with_code(client_factory(), provider, codes[0]).status_code == 200
    client = client_factory()
    assert log_in_with_code(client, provider, codes[1]).status_code == 302
    assert client.session["_auth_user_id"] == str(provider.pk)
    assert recovery_codes(provider).get_unused_codes() == codes[2:]


# --- The command covers and checks allauth's secrets ------------------------------------------


def test_rotation_re_encrypts_every_two_step_secret_with_the_new_key(
    staff_under_old_key: list[User],
) -> None:
    before = stored_secrets()

    rotate()

    after = stored_secrets()
    assert len(after) == len(before) == 6
    new, old = Fernet(NEW_KEY), Fernet(OLD_KEY)
    assert [old.decrypt(t.encode()) for t in before] == [new.decrypt(t.encode()) for t in after]


def test_check_exits_non_zero_naming_the_source_while_a_totp_secret_is_on_the_old_key(
    staff_under_old_key: list[User], settings: Settings, make_member: Callable[..., User]
) -> None:
    rotate()
    # A process not yet restarted with the new key list sets up TOTP for someone meanwhile.
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    make_member(Role.RESEARCHER, totp=True)
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    output, error = failing("--check")

    assert f"{TOTP_SOURCE}: 4 rows on the primary key, 0 on an older key, 0 cannot" not in output
    assert f"{TOTP_SOURCE}: 3 rows on the primary key, 1 on an older key" in output
    assert f"{TOTP_SOURCE}: 1 row on an older key" in error
    assert RECOVERY_SOURCE not in error  # only what is behind is named
    for text in (output, error):
        assert TOTP_SECRET not in text
        for token in stored_secrets():
            assert token not in text


def test_dry_run_names_the_two_step_secrets_still_to_rotate(
    staff_under_old_key: list[User],
) -> None:
    output, error = failing("--dry-run")

    assert f"{TOTP_SOURCE}: 3 rows would rotate, 0 already current" in output
    assert f"{TOTP_SOURCE}: 3 rows on an older key" in error
    assert f"{RECOVERY_SOURCE}: 3 rows on an older key" in error


def test_check_passes_after_a_full_rotation(staff_under_old_key: list[User]) -> None:
    rotate()

    output = rotate("--check")

    assert f"{TOTP_SOURCE}: 3 rows on the primary key, 0 on an older key, 0 cannot" in output
    assert f"{RECOVERY_SOURCE}: 3 rows on the primary key, 0 on an older key, 0 cannot" in output
    assert "Check passed" in output


def test_recovery_codes_migrated_from_another_library_are_rotated_too(
    settings: Settings, make_member: Callable[..., User]
) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    user = make_member(Role.PROVIDER)
    adapter = MFAAdapter()
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={
            "seed": adapter.encrypt("ab" * 40),
            "used_mask": 0,
            "migrated_codes": [adapter.encrypt("11112222"), adapter.encrypt("33334444")],
        },
    )
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    rotate()
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]

    assert recovery_codes(user).get_unused_codes() == ["11112222", "33334444"]
    rotate("--check")


def test_every_value_the_mfa_adapter_encrypts_is_in_a_registered_source(
    monkeypatch: pytest.MonkeyPatch, make_member: Callable[..., User]
) -> None:
    """Found from what allauth actually encrypts, so an allauth upgrade that encrypts something
    new fails here instead of being left on the old key."""
    from tandem.core.encrypted_values import encrypted_value_sources

    encrypted: list[str] = []
    encrypt = MFAAdapter.encrypt

    def spy(self: MFAAdapter, text: str) -> str:
        token = encrypt(self, text)
        encrypted.append(token)
        return token

    monkeypatch.setattr(MFAAdapter, "encrypt", spy)
    user = make_member(Role.PROVIDER)
    TOTP.activate(user, TOTP_SECRET)
    RecoveryCodes.activate(user)

    read: set[str] = set()
    for source in encrypted_value_sources():
        for _pk, *values in source.rows():
            for value in values:
                read.update(value if isinstance(value, list) else [value])
    assert len(encrypted) == 2
    assert set(encrypted) <= read
    assert {TOTP_SOURCE, RECOVERY_SOURCE} <= {source.name for source in encrypted_value_sources()}


# --- A secret no key can open: a clear page, not a server error -------------------------------


@pytest.fixture
def old_key_removed_too_early(
    staff_under_old_key: list[User], settings: Settings
) -> Iterator[list[User]]:
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]  # without rotating first
    yield staff_under_old_key


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )


def test_a_totp_login_whose_secret_cannot_be_decrypted_gets_a_clear_page(
    old_key_removed_too_early: list[User],
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = old_key_removed_too_early[0]
    authenticator = Authenticator.objects.get(user=provider, type=Authenticator.Type.TOTP)
    caplog.set_level(logging.INFO)

    response = log_in_with_code(client, provider, current_totp())

    assert response.status_code == 503
    html = response.content.decode()
    assert "Two-step verification cannot be checked right now" in html
    assert "contact your organisation" in html
    assert "_auth_user_id" not in client.session
    errors = [r for r in caplog.records if r.name == "tandem.accounts.adapters"]
    assert [r.levelno for r in errors] == [logging.ERROR]
    assert (
        f"authenticator {authenticator.pk} (totp) of user {provider.pk}" in errors[0].getMessage()
    )
    logged = _logged(caplog)
    assert TOTP_SECRET not in logged
    for token in stored_secrets():
        assert token not in logged


def test_a_recovery_code_whose_seed_cannot_be_decrypted_gets_the_same_page(
    old_key_removed_too_early: list[User], client: Client
) -> None:
    response = log_in_with_code(client, old_key_removed_too_early[1], "12345678")
    assert response.status_code == 503
    assert "Two-step verification cannot be checked right now" in response.content.decode()


def test_outside_a_request_the_decryption_error_is_raised(
    old_key_removed_too_early: list[User],
) -> None:
    from tandem.core.fields import DecryptionError

    with pytest.raises(DecryptionError):
        recovery_codes(old_key_removed_too_early[0]).get_unused_codes()
