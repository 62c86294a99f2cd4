"""The whole road in for a new care provider, driven through the browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.mail import EmailMessage
from playwright.sync_api import Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.conftest import TOTP_SECRET, current_totp

from .conftest import PHONE, ContextFactory, log_in

NEW_PASSWORD = "maple river lantern harbour"
INVITEE = "river@example.org"


def redirect_chain(final_request: Request) -> list[str]:
    """The paths a navigation went through, first to last."""
    paths: list[str] = []
    request: Request | None = final_request
    while request is not None:
        paths.append(urlsplit(request.url).path)
        request = request.redirected_from
    return paths[::-1]


def invite_provider(page: Page, organisation: Organisation, email: str) -> None:
    page.goto(f"/organisations/{organisation.pk}/members/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role").select_option(Role.PROVIDER.value)
    page.get_by_label("Profession (care providers only)").fill("Peer support worker")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text(f"Invitation sent to {email}.")


@pytest.mark.browser
def test_invited_provider_signs_up_sets_up_an_authenticator_app_and_logs_back_in(
    new_context: ContextFactory,
    org_admin: User,
    organisation: Organisation,
    mailoutbox: list[EmailMessage],
    live_server: LiveServer,
) -> None:
    admin_page = new_context().new_page()
    log_in(admin_page, org_admin.email, totp_secret=TOTP_SECRET)
    invite_provider(admin_page, organisation, INVITEE)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [INVITEE]
    body = str(mailoutbox[0].body)
    match = re.search(r"http://\S+/invitations/accept/\S+/", body)
    assert match, body
    link = match.group(0)
    assert link.startswith(f"{live_server.url}/")

    # The invitee opens the link on their own phone: a fresh browser with no session.
    page = new_context(viewport=PHONE).new_page()
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/invitations/accept/$"))  # the token left the URL
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(INVITEE)
    page.get_by_label("Display name (pseudonym)").fill("River")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    with page.expect_navigation(url=re.compile(r"/account/two-step-required/$")) as navigation:
        page.get_by_role("button", name="Create my account").click()
    response = navigation.value
    assert response.status == 200
    # Home first, then the two-step requirement takes over, since providers need it.
    assert redirect_chain(response.request) == [
        "/invitations/accept/",
        "/",
        "/account/two-step-required/",
    ]
    expect(page.locator(".messages")).to_contain_text(f"Your email address {INVITEE} is verified.")
    user = User.objects.get(email=INVITEE)
    assert user.pseudonym == "River"
    assert EmailAddress.objects.filter(user=user, email=INVITEE, verified=True).exists()
    assert Membership.objects.filter(
        user=user, organisation=organisation, role=Role.PROVIDER
    ).exists()

    page.get_by_role("link", name="Use an authenticator app").click()
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/accounts/reauthenticate/":
        # allauth asks for the password again before adding an authenticator.
        page.get_by_label("Password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    page.get_by_label("Authenticator code").fill(current_totp(secret))  # as the app would show
    page.get_by_role("button", name="Activate").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # Set up done: the home page is no longer held back.
    page.goto("/")
    expect(page.get_by_role("heading", name="Hello, River")).to_be_visible()

    with page.expect_response(lambda r: urlsplit(r.url).path == "/accounts/logout/") as logout:
        page.get_by_role("button", name="Log out").click()
    assert logout.value.status == 302
    assert logout.value.header_value("Clear-Site-Data") == '"cache", "cookies", "storage"'
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    # Back in, and this time the app asks for the authenticator code.
    log_in(page, INVITEE, NEW_PASSWORD, totp_secret=secret)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Hello, River")).to_be_visible()
