"""What the account page tests share: a new password, and an admin's invitation."""

from __future__ import annotations

from tandem.accounts import services
from tandem.accounts.models import Organisation, Role, User

NEW_PASSWORD = "otters hold hands 2026"


def _issue(admin: User, organisation: Organisation, role: str = Role.SERVICE_USER) -> str:
    return services.invite_member(
        actor=admin, organisation=organisation, email="new@example.org", role=role
    ).token
