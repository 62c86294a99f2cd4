"""The person's API tokens under /account/api-tokens/: list, make (after fresh proof of
identity, shown once) and revoke (never asks for proof)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET

from tandem.accounts.reauth import require_fresh_proof
from tandem.accounts.requests import current_user
from tandem.api import access, selectors, services
from tandem.api.forms import TokenCreateForm
from tandem.core.forms import attach_service_error

TOKEN_PROOF_MESSAGE = gettext_lazy(
    "An API token lets an app read and write as you, so please confirm it is you."
)


def _list_page(
    request: HttpRequest, form: TokenCreateForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "api/token_list.html",
        {
            "tokens": selectors.tokens_for_user(current_user(request)),
            "form": form or TokenCreateForm(),
        },
        status=status,
    )


@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


class TokenCreateView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return _list_page(request, form, status=400)
        # After the form, so a typing slip is shown first; allauth replays this post once
        # the person has confirmed it is them, so the name is not typed again.
        require_fresh_proof(request, reason=str(TOKEN_PROOF_MESSAGE))
        try:
            made = services.create_token(user=current_user(request), name=form.cleaned_data["name"])
        except ValidationError as error:
            attach_service_error(form, error)
            return _list_page(request, form, status=400)
        # Rendered, never redirected: the secret must not travel in a URL or wait in the
        # session. The page is not stored by the browser (NoStoreForAuthenticatedMiddleware).
        return render(
            request, "api/token_created.html", {"token": made.token, "secret": made.secret}
        )


class TokenRevokeView(View):
    """GET asks, POST revokes (the confirmation page works without JavaScript)."""

    def get(self, request: HttpRequest, token_id: int) -> HttpResponse:
        token = access.get_token_for_owner(current_user(request), token_id)
        return render(request, "api/token_revoke.html", {"token": token})

    def post(self, request: HttpRequest, token_id: int) -> HttpResponse:
        token = access.get_token_for_owner(current_user(request), token_id)
        services.revoke_token(token=token)
        messages.success(
            request,
            _("“%(name)s” is revoked: apps using it can no longer reach your account.")
            % {"name": token.name},
        )
        return redirect("api:token-list")
