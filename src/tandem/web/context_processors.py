from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page of the shell needs: quick exit target and the person's roles (lazy)."""
    return {
        "quick_exit_url": settings.TANDEM_QUICK_EXIT_URL,
        "roles": getattr(request, "roles", None),
    }
