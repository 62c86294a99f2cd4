"""What the care service tests share: the goals module's value and a provider's link code."""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.care import services
from tandem.care.models import Module

GOALS = Module.GOALS.value


def _code(provider: User) -> str:
    return services.ensure_link_code(provider=provider).code
