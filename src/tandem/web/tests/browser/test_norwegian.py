"""Tandem in Norwegian bokmål, in Chromium (issue 21): Skylark's browser asks for Norwegian and
she has chosen nothing, so every page follows her browser; Pat reads English in his browser but
has chosen Norwegian on his account, so his choice wins. On every page: ``<html lang="nb">``,
no serious axe violation, and no sentence of the interface left in English (each English
sentence of the catalogue that has a Norwegian translation is looked for in the page's text).
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tandem.accounts.models import User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import TOTP_SECRET
from tandem.web.tests.catalogue import NB_CATALOGUE, read_po

from .conftest import PHONE, ContextFactory, axe_violations, current_totp
from .test_toolbox_and_care import fill_toolbox

pytestmark = pytest.mark.browser

PLACEHOLDER = re.compile(r"%\(|%[sd]|\{")


def english_sentences() -> list[str]:
    """Interface sentences that read differently in Norwegian: three words or more, no
    placeholders (a filled-in placeholder would not be found as written), one line."""
    return sorted(
        {
            entry.msgid
            for entry in read_po(NB_CATALOGUE)
            if len(entry.msgid.split()) >= 3
            and not PLACEHOLDER.search(entry.msgid)
            and "\n" not in entry.msgid
            and entry.msgstr
            and entry.msgstr[0] != entry.msgid
        }
    )


class NorwegianAudit:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.sentences = english_sentences()
        self.problems: list[str] = []

    def check(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        if response.status != 200:
            self.problems.append(f"{path}: HTTP {response.status}")
            return
        lang = self.page.evaluate("document.documentElement.lang")
        if lang != "nb":
            self.problems.append(f"{path}: <html lang={lang!r}>")
        text = " ".join(self.page.locator("body").inner_text().split())
        left = [sentence for sentence in self.sentences if sentence in text]
        if left:
            self.problems.append(f"{path}: still in English: {left}")
        self.problems.extend(axe_violations(self.page))


def log_in_nb(page: Page, email: str, *, totp: bool = False) -> None:
    """The login form by its fields' names (its labels follow the browser's language); the
    pages after it are Norwegian."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if totp:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.locator("input[name=code]").fill(current_totp(TOTP_SECRET))
        page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


def test_a_service_user_and_a_provider_read_tandem_in_norwegian(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    # Made in Norwegian, as these two would make them: an agreement's default sections are
    # its text, written in the language of the person who made it.
    with translation.override("nb"):
        ids = fill_toolbox(service_user, provider)
    provider.language = "nb"
    provider.save(update_fields=["language"])

    visitor = NorwegianAudit(
        new_context(viewport=PHONE, bypass_csp=True, locale="nb-NO").new_page()
    )
    visitor.check("/accounts/login/")
    visitor.check("/crisis/")

    skylark = NorwegianAudit(
        new_context(viewport=PHONE, bypass_csp=True, locale="nb-NO").new_page()
    )
    log_in_nb(skylark.page, service_user.email)
    for path in (
        "/",
        "/account/",
        "/toolbox/",
        "/toolbox/goals/",
        f"/toolbox/goals/{ids['goal']}/",
        "/toolbox/status/",
        "/toolbox/medications/",
        "/toolbox/network/",
        "/toolbox/crisis-plan/",
        "/toolbox/exercises/",
        "/toolbox/journal/",
        "/care/team/",
        "/care/sharing/",
        "/care/access-log/",
        "/messages/",
        "/communities/",
        "/questionnaires/",
        "/courses/",
    ):
        skylark.check(path)
    # A form refused: the error summary and the field's message are Norwegian too.
    skylark.page.goto("/toolbox/goals/create/")
    skylark.page.locator("main form button[type=submit]").first.click()
    expect(skylark.page.locator("[data-error-summary]")).to_be_visible()
    expect(skylark.page.locator("[data-error-summary]")).not_to_contain_text("required")

    pat = NorwegianAudit(new_context(viewport=PHONE, bypass_csp=True).new_page())  # en-GB
    pat.page.goto("/accounts/login/")
    expect(pat.page.locator("html")).to_have_attribute("lang", "en")  # before he logs in
    log_in_nb(pat.page, provider.email, totp=True)
    for path in (
        "/",
        "/care/caseload/",
        f"/people/{service_user.pk}/",
        f"/people/{service_user.pk}/goals/",
        f"/care/relationships/{ids['relationship']}/",
    ):
        pat.check(path)

    problems = visitor.problems + skylark.problems + pat.problems
    assert not problems, "\n\n".join(problems)
