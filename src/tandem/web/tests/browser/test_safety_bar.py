"""The safety bar on every page: quick exit and the way to crisis contacts.

These pages run under the site's real Content Security Policy (no ``bypass_csp``), so they
also prove that shell.js loads and works under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import CrisisContactFactory, OrganisationFactory

from .conftest import log_in

NEUTRAL_URL = re.compile(re.escape(settings.TANDEM_QUICK_EXIT_URL))


def history_length(page: Page) -> int:
    return int(page.evaluate("history.length"))


def assert_left_without_a_trace(page: Page, live_server: LiveServer, length_before: int) -> None:
    """The browser is on the neutral page, and Back does not lead into Tandem.

    ``location.replace`` swaps the Tandem page out of the history; following the link
    normally would add an entry and Back would show the page the person fled from.
    """
    expect(page).to_have_url(NEUTRAL_URL)
    expect(page.get_by_role("heading", name="Weather forecast")).to_be_visible()
    assert history_length(page) == length_before
    page.go_back()
    assert not page.url.startswith(live_server.url), page.url


@pytest.mark.browser
def test_quick_exit_button_replaces_the_page_with_a_neutral_one(
    phone_page: Page, live_server: LiveServer, organisation: Organisation
) -> None:
    phone_page.goto("/crisis/")
    length_before = history_length(phone_page)
    phone_page.get_by_role("link", name="Quick exit").click()
    assert_left_without_a_trace(phone_page, live_server, length_before)


@pytest.mark.browser
def test_pressing_escape_three_times_leaves_tandem(
    page: Page, live_server: LiveServer, service_user: User
) -> None:
    log_in(page, service_user.email)
    page.goto("/account/")
    length_before = history_length(page)
    for _ in range(3):
        page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL_URL)
    assert history_length(page) == length_before
    page.go_back()
    # Back shows the page before the one the person left, never the one they fled from.
    assert not page.url.endswith("/account/"), page.url


@pytest.mark.browser
def test_tab_reaches_skip_link_then_crisis_link_then_quick_exit(
    page: Page, live_server: LiveServer, organisation: Organisation
) -> None:
    page.goto("/accounts/login/")
    length_before = history_length(page)
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).not_to_be_in_viewport()  # hidden until focused (the CSS loaded)

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Need help now?")).to_be_focused()
    page.keyboard.press("Tab")
    quick_exit = page.get_by_role("link", name="Quick exit")
    expect(quick_exit).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "quick-exit"

    page.keyboard.press("Enter")
    assert_left_without_a_trace(page, live_server, length_before)


@pytest.mark.browser
def test_need_help_now_from_the_login_page_shows_the_organisations_crisis_contacts(
    phone_page: Page, organisation: Organisation
) -> None:
    CrisisContactFactory(
        organisation=organisation, name="Northside crisis team", phone="0300 555 0199"
    )
    phone_page.goto("/accounts/login/")
    phone_page.get_by_role("link", name="Need help now?").click()
    expect(phone_page).to_have_url(re.compile(r"/crisis/$"))
    main = phone_page.get_by_role("main")
    expect(main.get_by_role("heading", level=2)).to_have_text("Contacts from Northside Test")
    expect(main.get_by_role("heading", name="Northside crisis team")).to_be_visible()
    expect(main.get_by_role("link", name="0300 555 0199")).to_have_attribute(
        "href", "tel:03005550199"
    )


@pytest.mark.browser
def test_need_help_now_from_the_home_page_shows_the_contacts_of_the_persons_organisation(
    phone_page: Page, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    CrisisContactFactory(organisation=organisation, name="Northside crisis team")
    CrisisContactFactory(organisation=organisation, name="Northside night line")
    elsewhere = OrganisationFactory(name="Southside Test", slug="southside-test")
    CrisisContactFactory(organisation=elsewhere, name="Southside crisis team")
    person = make_member(Role.SERVICE_USER, pseudonym="Skylark")

    log_in(phone_page, person.email)
    expect(phone_page.get_by_role("heading", name="Hello, Skylark")).to_be_visible()
    phone_page.get_by_role("link", name="Need help now?").click()
    expect(phone_page).to_have_url(re.compile(r"/crisis/$"))
    main = phone_page.get_by_role("main")
    expect(main.get_by_role("heading", level=2)).to_have_text("Contacts from Northside Test")
    expect(main.get_by_role("heading", level=3)).to_have_text(
        ["Northside crisis team", "Northside night line"]
    )
    expect(main).not_to_contain_text("Southside")
