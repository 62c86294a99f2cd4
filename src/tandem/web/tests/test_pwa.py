"""The installable app: manifest, icons, the app's service worker, the offline page and
"Remove Tandem from this device" (docs/pwa.md). The worker itself runs in
``browser/test_pwa.py``."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tandem.accounts.models import Organisation, User
from tandem.accounts.tests.factories import CrisisContactFactory
from tandem.conftest import login_client
from tandem.web import pwa

pytestmark = pytest.mark.django_db


def _static_path(url: str) -> Path:
    found = finders.find(url.removeprefix("/static/"))
    assert found, f"{url} is not a static file"
    return Path(str(found))


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _shell_config(body: str) -> dict[str, object]:
    match = re.match(r"self\.TANDEM_SHELL = (\{.*\});\n", body)
    assert match, body[:200]
    config: dict[str, object] = json.loads(match.group(1))
    return config


# --- Manifest --------------------------------------------------------------------------------


def test_manifest_describes_a_standalone_app_for_the_whole_site(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == manifest["short_name"] == "Tandem"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["id"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en"


def test_manifest_colours_are_the_design_tokens() -> None:
    css = (Path(pwa.__file__).parent / "static" / "web" / "tandem.css").read_text()
    light = css.split("@media", 1)[0]
    accent = re.search(r"--accent:\s*(#[0-9a-fA-F]{6})", light)
    background = re.search(r"--bg:\s*(#[0-9a-fA-F]{6})", light)
    assert accent and background
    manifest = Client().get("/manifest.webmanifest").json()
    assert manifest["theme_color"] == accent.group(1)
    assert manifest["background_color"] == background.group(1)


def test_manifest_icons_exist_at_the_sizes_installers_want(client: Client) -> None:
    icons = client.get("/manifest.webmanifest").json()["icons"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in icons:
        path = _static_path(icon["src"])
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            assert _png_size(path) == (width, height), icon
        else:
            assert path.read_text().startswith("<svg"), icon
    assert _png_size(_static_path("/static/web/icons/apple-touch-icon.png")) == (180, 180)


def test_manifest_speaks_the_language_of_the_request(client: Client) -> None:
    english = client.get("/manifest.webmanifest", headers={"accept-language": "en"})
    norwegian = client.get("/manifest.webmanifest", headers={"accept-language": "nb"})
    assert norwegian.json()["lang"] == "nb"
    assert english.json()["lang"] == "en"
    assert "Accept-Language" in norwegian["Vary"]


def test_every_page_links_the_manifest_and_icons(client: Client, service_user: User) -> None:
    for visitor in (Client(), login_client(client, service_user)):
        html = visitor.get("/crisis/").content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert 'rel="apple-touch-icon"' in html


def test_only_a_logged_in_page_registers_the_app_worker(client: Client, service_user: User) -> None:
    visitor_html = Client().get("/crisis/").content.decode()
    assert "web/pwa.js" in visitor_html
    assert "data-register" not in visitor_html
    html = login_client(client, service_user).get("/").content.decode()
    assert re.search(
        r'<script src="[^"]*web/pwa\.js"[^>]* data-register data-sw-url="/sw\.js"', html
    )


def test_log_out_wipes_the_device_in_the_page_as_well(client: Client, service_user: User) -> None:
    html = login_client(client, service_user).get("/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"[^>]* data-device-wipe>', html)


# --- The app's service worker ----------------------------------------------------------------


def test_service_worker_is_served_from_the_root_with_the_shell_to_keep(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = _shell_config(body)
    assert config["offline"] == "/offline/"
    shell = config["shell"]
    assert isinstance(shell, list)
    for url in shell:
        _static_path(url)
    assert "/static/web/tandem.css" in shell
    assert "/static/web/icons/icon-512.png" in shell


def test_an_unchanged_worker_is_answered_with_not_modified(client: Client) -> None:
    first = client.get("/sw.js")
    again = client.get("/sw.js", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    other = client.get("/sw.js", headers={"if-none-match": first["ETag"], "accept-language": "nb"})
    assert other.status_code == 200


def test_the_worker_changes_when_the_language_does(client: Client) -> None:
    """The offline page is kept in the person's language: another language, another worker,
    so the browser keeps the page again."""
    english = _shell_config(
        client.get("/sw.js", headers={"accept-language": "en"}).content.decode()
    )
    norwegian = _shell_config(
        client.get("/sw.js", headers={"accept-language": "nb"}).content.decode()
    )
    assert english["version"] != norwegian["version"]
    assert english["version"] == _shell_config(client.get("/sw.js").content.decode())["version"]


def test_the_worker_never_keeps_what_it_fetches_for_a_page() -> None:
    """The one ``put`` in the worker keeps the offline page; pages fetched for navigations are
    only passed through (the browser test checks the caches themselves)."""
    source = (Path(pwa.__file__).parent / "static" / "web" / "app-sw.js").read_text()
    assert re.findall(r"\.put\(([^,]+),", source) == ["OFFLINE_URL"]
    assert "addAll(SHELL_URLS)" in source


# --- The offline page ------------------------------------------------------------------------


def test_offline_page_is_public_and_says_so_plainly(client: Client) -> None:
    response = client.get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>You are offline</h1>" in html
    assert "tel:999" in html
    assert "data-kept-plan" in html and 'data-plan-url="/toolbox/crisis-plan/offline/"' in html


def test_offline_page_holds_nothing_of_the_logged_in_person(
    client: Client, service_user: User, organisation: Organisation
) -> None:
    """The device keeps it for whoever uses it next: the same page as a visitor's."""
    CrisisContactFactory.create(organisation=organisation, name="Northside crisis team")
    Organisation.objects.create(name="Southside", slug="southside")  # several: none is public
    html = login_client(client, service_user).get("/offline/").content.decode()
    assert "Skylark" not in html
    assert "sam@example.org" not in html
    assert "Northside" not in html
    assert "csrfmiddlewaretoken" not in html
    assert "Log out" not in html
    visitor = Client().get("/offline/").content.decode()
    nonce = re.compile(r'nonce="[^"]*"')
    assert nonce.sub("", html) == nonce.sub("", visitor)


def test_every_file_the_offline_page_loads_is_in_the_kept_shell(client: Client) -> None:
    html = client.get("/offline/").content.decode()
    shell = _shell_config(client.get("/sw.js").content.decode())["shell"]
    assert isinstance(shell, list)
    loaded = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)
    assert loaded
    assert set(loaded) <= set(shell)


@pytest.mark.parametrize("contacts", [1, 20])
def test_offline_page_queries_are_bounded(
    client: Client,
    organisation: Organisation,
    contacts: int,
    django_assert_max_num_queries: Any,
) -> None:
    CrisisContactFactory.create_batch(contacts, organisation=organisation)
    with django_assert_max_num_queries(3):
        response = client.get("/offline/")
    assert response.content.decode().count("Crisis line") == contacts


# --- Remove Tandem from this device ----------------------------------------------------------


def test_device_page_offers_removal_that_works_without_javascript(client: Client) -> None:
    html = client.get("/device/").content.decode()
    assert re.search(r'<form method="post" action="/device/" data-device-wipe>', html)
    assert "Remove Tandem from this device" in html


def test_removing_clears_the_device_but_keeps_the_person_logged_in(
    client: Client, service_user: User
) -> None:
    login_client(client, service_user)
    response = client.post("/device/")
    assert response.status_code == 302
    assert response["Location"] == "/device/"
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "copies on this device are removed." in client.get("/device/").content.decode()
    assert client.get("/").status_code == 200


def test_removing_needs_the_form_token(service_user: User) -> None:
    response = Client(enforce_csrf_checks=True).post("/device/")
    assert response.status_code == 403
    assert "Clear-Site-Data" not in response


def test_logout_still_clears_site_data(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.post("/accounts/logout/")
    assert "storage" in response["Clear-Site-Data"]
    assert "cache" in response["Clear-Site-Data"]
