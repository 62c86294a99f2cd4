"""What the outage tests share (the browser's outage pages too): seeding a data folder, plain
HTTP requests to the server, a visitor who loaded pages before the outage, and the checks of
what the server answers during and after it."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tandem.messaging.tests.servers import manage

ORG_COOKIE = "tandem-crisis-org"  # the dev/test name of TANDEM_CRISIS_ORGANISATION_COOKIE

SEED_SCRIPT = """
import json
import django
django.setup()
from django.test import Client
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import (
    CrisisContactFactory, MembershipFactory, OrganisationFactory, UserFactory,
)

organisation = OrganisationFactory.create(name="Northside Test", slug="northside-test")
CrisisContactFactory.create(
    organisation=organisation, name="Northside crisis team", phone="0300 555 0199", position=0
)
person = UserFactory.create(email="sam@example.org", pseudonym="Skylark")
MembershipFactory.create(user=person, organisation=organisation, role=Role.SERVICE_USER)
client = Client()
client.force_login(person)
print(json.dumps({"session": client.cookies["sessionid"].value, "organisation": organisation.pk}))
"""

# Another process on the same host changes a contact: its commit rewrites the shared file.
EDIT_SCRIPT = """
import django
django.setup()
from tandem.accounts.models import CrisisContact

contact = CrisisContact.objects.get(name="Northside crisis team")
contact.name = "Northside night line"
contact.phone = "0300 555 0123"
contact.save()
"""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def cookie(self, name: str) -> str | None:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return jar[name].value if name in jar else None


def request(
    host: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    method: str = "GET",
    form: dict[str, str] | None = None,
) -> Answer:
    name, port = host.split(":")
    connection = http.client.HTTPConnection(name, int(port), timeout=20)
    headers = {"Accept-Language": "en"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://{host}"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def run_script(env: dict[str, str], script: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"script failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(env: dict[str, str]) -> dict[str, object]:
    """Migrate and seed: Northside Test with one contact, Skylark logged in."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")  # the cache while Redis is away (docs/operations.md)
    data: dict[str, object] = json.loads(run_script(env, SEED_SCRIPT).strip().splitlines()[-1])
    return data


def saved_file(env: dict[str, str]) -> dict[str, object]:
    data: dict[str, object] = json.loads(Path(env["TANDEM_CRISIS_CACHE_FILE"]).read_text())
    return data


@dataclass(frozen=True)
class Visitor:
    """What a browser holds from before the outage."""

    session: str
    organisation_cookie: str
    csrf_cookie: str
    csrf_token: str

    @property
    def logged_in(self) -> dict[str, str]:
        return {"sessionid": self.session, ORG_COOKIE: self.organisation_cookie}


def before_outage(host: str, session: str) -> Visitor:
    """A normal day: the crisis page names the person's organisation and sets its cookie; the
    login page hands out the CSRF token for a login attempt made during the outage."""
    page = request(host, "/crisis/", cookies={"sessionid": session})
    assert page.status == 200, page.body[:2000]
    assert "Northside crisis team" in page.body
    organisation_cookie = page.cookie(ORG_COOKIE)
    assert organisation_cookie, page.headers
    login = request(host, "/accounts/login/")
    assert login.status == 200
    csrf_cookie = login.cookie("csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.body)
    assert csrf_cookie and token
    return Visitor(session, organisation_cookie, csrf_cookie, token.group(1))


def assert_outage_answer(answer: Answer) -> None:
    """What every answer during an outage shares: no cookies, nothing kept by caches."""
    assert answer.headers.get_all("Set-Cookie") is None, answer.headers.get_all("Set-Cookie")
    assert "no-store" in answer.headers["Cache-Control"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    # Quick exit still leaves.
    assert 'href="https://www.bbc.co.uk/weather"' in answer.body


def assert_contacts(answer: Answer) -> None:
    """The organisation's saved contacts, as edited by the other process, and the national
    defaults (the emergency number and the built-in helpline)."""
    assert "Contacts from Northside Test" in answer.body
    assert "Northside night line" in answer.body
    assert 'href="tel:03005550123"' in answer.body
    assert "Northside crisis team" not in answer.body  # the copy from before the edit
    assert "call 999" in answer.body
    assert "Samaritans" in answer.body
    assert 'href="tel:116123"' in answer.body


def check_crisis_page(host: str, cookies: dict[str, str] | None) -> None:
    page = request(host, "/crisis/", cookies=cookies)
    assert page.status == 200, page.body[:2000]
    assert "<h1>Need help now?</h1>" in page.body
    assert "Tandem is having trouble right now" in page.body
    assert_contacts(page)
    assert_outage_answer(page)


def check_outage(host: str, visitor: Visitor, *, first: str) -> None:
    """The database is gone: walk each path an outage error takes through Django.

    The first crisis page of the outage goes through the whole stack; after it, the process
    answers the crisis page from its copy at once for a while (CRISIS_SHORTCUT_SECONDS).
    ``first="visitor"``: a visitor's crisis page, which fails in the view
    (``process_exception``); ``first="person"``: the logged-in person's, which fails in
    SessionTimeoutMiddleware reading the session, before any view.
    """
    check_crisis_page(host, None if first == "visitor" else visitor.logged_in)

    # Logged in: the session read fails inside SessionTimeoutMiddleware, before any view.
    home = request(host, "/", cookies=visitor.logged_in)
    assert home.status == 503, home.body[:2000]
    assert home.headers["Retry-After"] == "30"
    assert "Tandem is having trouble right now" in home.body
    assert 'href="/crisis/"' in home.body
    assert_contacts(home)
    assert_outage_answer(home)

    # The other one: the person's own organisation (cookie), or the organisation of this
    # single-organisation deployment for a visitor, as on a normal day.
    check_crisis_page(host, visitor.logged_in if first == "visitor" else None)

    # A login attempt: CSRF passes, then the view fails on the database; axes, allauth and
    # the session middleware handle the response after it and must not make it a 500.
    login = request(
        host,
        "/accounts/login/",
        method="POST",
        cookies={"csrftoken": visitor.csrf_cookie},
        form={
            "csrfmiddlewaretoken": visitor.csrf_token,
            "login": "sam@example.org",
            "password": "not the password",
        },
    )
    assert login.status == 503, login.body[:2000]
    assert_contacts(login)
    assert_outage_answer(login)

    # Health checks: the process is up, but not ready.
    assert request(host, "/healthz").status == 200
    ready = request(host, "/readyz")
    assert ready.status == 503
    assert json.loads(ready.body)["checks"]["database"] == "unavailable"


def check_recovered(host: str, visitor: Visitor) -> None:
    home = request(host, "/", cookies=visitor.logged_in)
    assert home.status == 200, home.body[:2000]
    assert "Hello, Skylark" in home.body
    assert request(host, "/readyz").status == 200
