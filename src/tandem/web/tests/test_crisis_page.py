"""The crisis page on a normal day, the national defaults, the organisation cookie, and the
outage pages rendered without the database (the outages themselves: test_outage_*.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.exceptions
from django.db import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.views.defaults import server_error
from pytest_django.fixtures import Settings

from tandem.accounts import crisis_cache
from tandem.accounts.models import Organisation, User
from tandem.accounts.tests.factories import CrisisContactFactory, OrganisationFactory
from tandem.conftest import login_client
from tandem.web import crisis, middleware
from tandem.web.middleware import outage_error, outage_page, saved_crisis_page

COOKIE = "tandem-crisis-org"


@pytest.fixture
def crisis_file(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "crisis-contacts.json"
    settings.TANDEM_CRISIS_CACHE_FILE = path
    crisis_cache.forget_memory()
    yield path
    crisis_cache.forget_memory()


def signed(organisation_id: int) -> str:
    response = HttpResponse()
    response.set_signed_cookie(COOKIE, str(organisation_id), salt=crisis.ORGANISATION_COOKIE_SALT)
    return response.cookies[COOKIE].value


def organisation_in(cookie: str) -> int | None:
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE] = cookie
    return crisis.organisation_id_from_cookie(request)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# --- A normal day ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_national_helplines_follow_the_organisations_own_contacts(
    client: Client, organisation: Organisation, crisis_file: Path
) -> None:
    CrisisContactFactory.create(
        organisation=organisation, name="Northside crisis team", phone="0300 555 0199"
    )
    main = main_of(client.get("/crisis/").content.decode())
    assert "call 999 now" in main
    assert main.index("Northside crisis team") < main.index("Also open to everyone")
    assert '<strong>Samaritans</strong>: call <a href="tel:116123">116 123</a>' in main


@pytest.mark.django_db
def test_a_helpline_the_organisation_lists_is_not_repeated(
    client: Client, organisation: Organisation, crisis_file: Path
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Samaritans", phone="116123")
    main = main_of(client.get("/crisis/").content.decode())
    assert "Also open to everyone" not in main
    assert main.count("Samaritans") == 1


@pytest.mark.django_db
def test_without_an_organisation_the_page_lists_the_national_numbers(
    client: Client, organisation: Organisation, crisis_file: Path
) -> None:
    OrganisationFactory.create(slug="southside-test")  # two: visitors see no organisation's
    main = main_of(client.get("/crisis/").content.decode())
    assert "<h2>Helplines open to everyone</h2>" in main
    assert '<a href="tel:999">999</a> or <a href="tel:112">112</a>' in main
    assert "<h3>Samaritans</h3>" in main


@pytest.mark.django_db
def test_the_national_defaults_come_from_the_settings(
    client: Client, settings: Settings, organisation: Organisation, crisis_file: Path
) -> None:
    settings.TANDEM_EMERGENCY_NUMBERS = ["113", "112"]
    settings.TANDEM_NATIONAL_CRISIS_CONTACTS = [
        {"name": "Mental Helse", "phone": "116 123", "hours": "Døgnåpen"}
    ]
    CrisisContactFactory.create(organisation=organisation)
    html = client.get("/crisis/").content.decode()
    assert "call 113 now" in html
    assert "If you are in danger now, call 113" in html  # the footer of every page
    assert "<strong>Mental Helse</strong>" in html
    assert "Samaritans" not in html


def test_the_500_page_names_the_configured_numbers(settings: Settings) -> None:
    settings.TANDEM_EMERGENCY_NUMBERS = ["113"]
    html = server_error(RequestFactory().get("/")).content.decode()
    assert "call 113 in an emergency" in html
    assert 'or Samaritans on <a href="tel:116123">116 123</a>' in html


@pytest.mark.parametrize(
    "value",
    ['[{"phone": "116 123"}]', '{"name": "Samaritans"}', '[{"name": "Nothing to call"}]', "x"],
)
def test_a_wrong_national_helpline_setting_stops_the_process_at_start(value: str) -> None:
    env = {**os.environ, "TANDEM_NATIONAL_CRISIS_CONTACTS": value}
    result = subprocess.run(
        [sys.executable, "-c", "import tandem.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "TANDEM_NATIONAL_CRISIS_CONTACTS" in result.stderr


# --- The cookie that names the person's organisation -----------------------------------------


@pytest.mark.django_db
def test_a_logged_in_person_gets_a_signed_cookie_naming_their_organisation_until_logout(
    client: Client, service_user: User, organisation: Organisation, crisis_file: Path
) -> None:
    login_client(client, service_user)
    client.get("/")
    cookie = client.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # gone when the browser closes, like the session
    assert organisation_in(cookie.value) == organisation.pk

    # Not written again on every page.
    assert COOKIE not in client.get("/").cookies

    response = client.post("/accounts/logout/")
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0


@pytest.mark.django_db
def test_a_forged_cookie_is_replaced(
    client: Client, service_user: User, organisation: Organisation, crisis_file: Path
) -> None:
    login_client(client, service_user)
    client.cookies[COOKIE] = "12345"
    response = client.get("/")
    assert organisation_in(response.cookies[COOKIE].value) == organisation.pk


@pytest.mark.django_db
def test_visitors_get_no_cookie(
    client: Client, organisation: Organisation, crisis_file: Path
) -> None:
    assert COOKIE not in client.get("/crisis/").cookies
    assert COOKIE not in client.get("/accounts/login/").cookies


# --- The outage pages: no database at all (pytest-django refuses every query here) -----------


def write_saved_copy(path: Path) -> None:
    """A copy as the server writes it: two organisations, Northside the public one."""

    def contact(name: str, phone: str) -> dict[str, str]:
        fields = {"name": name, "phone": phone, "text_number": "", "url": "", "hours": ""}
        return {**fields, "description": ""}

    path.write_text(
        json.dumps(
            {
                "version": 1,
                "refreshed_at": "2026-03-03T10:00:00+00:00",
                "public_organisation_id": 7,
                "public_saved_at": "2026-03-03T10:00:00+00:00",
                "organisations": {
                    "7": {
                        "name": "Northside Test",
                        "saved_at": "2026-03-03T10:00:00+00:00",
                        "contacts": [contact("Northside crisis team", "0300 555 0199")],
                    },
                    "8": {
                        "name": "Southside Test",
                        "saved_at": "2026-03-03T10:00:00+00:00",
                        "contacts": [contact("Southside crisis team", "0300 555 0288")],
                    },
                },
            }
        )
    )


def test_the_outage_page_shows_the_persons_organisations_saved_contacts(
    crisis_file: Path,
) -> None:
    write_saved_copy(crisis_file)
    request = RequestFactory().get("/toolbox/")
    request.COOKIES[COOKIE] = signed(8)
    response = outage_page(request)
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Tandem is having trouble right now" in html
    assert "Contacts from Southside Test" in html
    assert "Northside" not in html
    assert "Samaritans" in html
    assert 'href="/crisis/"' in html


def test_the_saved_crisis_page_shows_visitors_the_public_organisation(
    crisis_file: Path,
) -> None:
    write_saved_copy(crisis_file)
    response = saved_crisis_page(RequestFactory().get("/crisis/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "saved on 3 March 2026" in html
    assert "Contacts from Northside Test" in html
    assert "Southside" not in html
    assert "call 999 now" in html


def test_without_a_saved_copy_the_crisis_page_still_lists_the_national_numbers(
    crisis_file: Path,
) -> None:
    response = saved_crisis_page(RequestFactory().get("/crisis/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "shows the helplines open to everyone" in html
    assert '<a href="tel:999">999</a>' in html
    assert "<h3>Samaritans</h3>" in html


def test_the_outage_pages_speak_the_persons_language(crisis_file: Path) -> None:
    request = RequestFactory().get("/crisis/", HTTP_ACCEPT_LANGUAGE="nb")
    response = saved_crisis_page(request)
    assert response["Content-Language"] == "nb"
    assert 'lang="nb"' in response.content.decode()


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (OperationalError("connection refused"), True),
        (InterfaceError("connection already closed"), True),
        (redis.exceptions.ConnectionError("refused"), True),
        (IntegrityError("duplicate key"), False),
        (ProgrammingError("no such column"), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_unreachable_services_count_as_an_outage(error: Exception, outage: bool) -> None:
    assert (outage_error(error) is error) is outage


def test_an_error_raised_while_handling_an_outage_still_counts() -> None:
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as cause:
            raise KeyError("session") from cause
    except KeyError as error:
        assert isinstance(outage_error(error), OperationalError)


def test_if_the_outage_page_cannot_render_the_numbers_still_go_out(
    monkeypatch: pytest.MonkeyPatch, crisis_file: Path
) -> None:
    def broken(request: object) -> None:
        raise RuntimeError("template missing")

    monkeypatch.setattr(middleware, "outage_page", broken)
    answer = middleware.DatabaseOutageMiddleware(lambda request: HttpResponse())._answer
    response = answer(RequestFactory().get("/toolbox/"), OperationalError("refused"))
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert 'call <a href="tel:999">999</a> now' in html
    assert 'Samaritans: <a href="tel:116123">116 123</a>' in html
