"""The REST API v1 under /api/v1/ (its schema at /api/v1/openapi.json, docs at /api/v1/docs),
and the pages where a person makes and revokes their API tokens under /account/api-tokens/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path

from tandem.api import views
from tandem.api.main import api


def _public(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Let the API's routes past ``LoginRequiredMiddleware``, which knows only sessions: the
    API authenticates every operation itself (tokens too) and answers 401 in JSON rather than
    a redirect to the login page. The schema and docs describe the API and hold no data."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
        else:
            _public(pattern.url_patterns)
    return patterns


_api_patterns, _app_name, _namespace = api.urls

app_name = "api"

urlpatterns = [
    path("api/v1/", include((_public(_api_patterns), _app_name), namespace=_namespace)),
    path("account/api-tokens/", views.token_list, name="token-list"),
    path("account/api-tokens/create/", views.TokenCreateView.as_view(), name="token-create"),
    path(
        "account/api-tokens/<id:token_id>/revoke/",
        views.TokenRevokeView.as_view(),
        name="token-revoke",
    ),
]
