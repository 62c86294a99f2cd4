"""Cross-cutting HTTP behaviour of the shell: health checks and caching of private pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def _ready() -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure means "not ready"; the detail stays in the server log
        checks["database"] = "unavailable"
        ok = False
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            client.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
            ok = False
    return ok, checks


class HealthCheckMiddleware:
    """Answer /healthz and /readyz before host checks, sessions or redirects.

    Load balancers probe by IP over plain HTTP; these answers hold nothing private.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            response: HttpResponse = JsonResponse({"status": "ok"})
        elif request.path == READY_PATH:
            ok, checks = _ready()
            response = JsonResponse(
                {"status": "ok" if ok else "unavailable", "checks": checks},
                status=200 if ok else 503,
            )
        else:
            return self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


class NoStoreForAuthenticatedMiddleware:
    """Pages for a logged-in person hold private data: never let a browser or proxy keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith(
            ("/accounts/", "/invitations/")
        ):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
