"""Tandem as an installable app: the web app manifest, the app's service worker, the offline
page it falls back to, and "Remove Tandem from this device" (docs/pwa.md).

The worker keeps only the app shell: the offline page (public: no person, no session data) and
the static files it and every page load. It never keeps a page it fetched for a logged-in
person. The one private thing a device may keep is the crisis plan copy the person chose to
keep, which belongs to the crisis plan's own worker (``toolbox/static/toolbox/crisis-plan-sw.js``);
the offline page shows it when it is there.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import etag, require_GET, require_http_methods

from tandem.accounts import selectors as account_selectors
from tandem.web import crisis as crisis_contacts

WORKER_STATIC = "web/app-sw.js"
# The whole site: the worker only ever answers a failed navigation with the offline page, and
# the shell's own static files from its cache (the crisis plan's worker, with the narrower
# scope /toolbox/crisis-plan/, answers that page's navigations instead).
WORKER_SCOPE = "/"
# What a device may keep for a fast start and an offline page: nothing about anyone.
SHELL_STATIC = (
    "web/tandem.css",
    "web/shell.js",
    "web/pwa.js",
    "web/offline.js",
    "toolbox/toolbox.css",  # the kept crisis plan's layout, on the offline page
    "web/icons/icon.svg",
    "web/icons/icon-192.png",
    "web/icons/icon-512.png",
    "web/icons/icon-maskable-512.png",
    "web/icons/apple-touch-icon.png",
)
# What both "Remove Tandem from this device" and logging out send (logout adds "cookies").
CLEAR_DEVICE = '"cache", "storage"'


@dataclass(frozen=True)
class Icon:
    path: str
    sizes: str
    type: str
    purpose: str = "any"


ICONS = (
    Icon("web/icons/icon.svg", "any", "image/svg+xml"),
    Icon("web/icons/icon-192.png", "192x192", "image/png"),
    Icon("web/icons/icon-512.png", "512x512", "image/png"),
    Icon("web/icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
)


@cache
def design_colours() -> dict[str, str]:
    """The light theme's colour tokens, read from the design system's own CSS (``:root``), so
    the installed app's colours follow a token change without a second copy."""
    light = _static_file("web/tandem.css").read_text(encoding="utf-8").split("@media", 1)[0]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", light))


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the language of the request (public: browsers fetch it without
    cookies)."""
    colours = design_colours()
    home = reverse("web:home")
    data = {
        "id": home,
        "name": "Tandem",
        "short_name": "Tandem",
        "description": _("Your recovery toolbox, your care team and peer support."),
        "lang": get_language(),
        "dir": "rtl" if get_language_bidi() else "ltr",
        "start_url": home,
        "scope": WORKER_SCOPE,
        "display": "standalone",
        "background_color": colours["bg"],
        "theme_color": colours["accent"],
        "icons": [
            {
                "src": static(icon.path),
                "sizes": icon.sizes,
                "type": icon.type,
                "purpose": icon.purpose,
            }
            for icon in ICONS
        ],
        "shortcuts": [
            {"name": _("Need help now?"), "url": reverse("web:crisis")},
            {"name": _("My crisis plan"), "url": reverse("toolbox:crisis-plan")},
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    patch_cache_control(response, no_cache=True)
    return response


@cache
def _file_digest(path: str, modified_ns: int, size: int) -> bytes:
    # Keyed by the file's modification time and size: read once per process in production,
    # again in development after an edit.
    return hashlib.sha256(Path(path).read_bytes()).digest()


def _static_file(name: str) -> Path:
    path = finders.find(name)
    if not path:
        raise Http404
    return Path(str(path))


def shell_version() -> str:
    """A fingerprint of the shell: a deploy that changes any of its files, or a person who
    changes language (the offline page is kept in theirs), gives the worker new bytes, so the
    browser installs it again and replaces the kept shell.

    Browsers ask for the worker on most navigations; this costs a ``stat`` per file, and the
    answer is a 304 when nothing changed (the version is the ETag)."""
    digest = hashlib.sha256()
    for name in (WORKER_STATIC, *SHELL_STATIC):
        path = _static_file(name)
        stat = path.stat()
        digest.update(_file_digest(str(path), stat.st_mtime_ns, stat.st_size))
        digest.update(static(name).encode())
    digest.update((get_language() or "").encode())
    return digest.hexdigest()[:16]


@login_not_required
@require_GET
@etag(lambda request: shell_version())
def service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the app's service worker from the site root, for the scope ``/``.

    Its code is an ordinary static file; served here it keeps one stable URL (static names
    carry a hash in production, and a worker's URL must not change) and starts with the list
    of shell files to keep, as static URLs of this deploy.
    """
    config = {
        "version": shell_version(),
        "offline": reverse("web:offline"),
        "shell": [static(name) for name in SHELL_STATIC],
    }
    code = _static_file(WORKER_STATIC).read_text(encoding="utf-8")
    body = f"self.TANDEM_SHELL = {json.dumps(config)};\n{code}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = WORKER_SCOPE
    # Browsers check a worker for updates at most daily anyway; never serve a stale one.
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@login_not_required
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """The page the app's worker shows when a page cannot load: "you are offline", the crisis
    plan if this device keeps one (read from its cache by ``offline.js``), and the crisis
    contacts every visitor sees.

    It is public and shows what a visitor sees, never the person's organisation, because a
    device keeps it for anyone who uses it next.
    """
    organisation = account_selectors.public_crisis_organisation()
    contacts = account_selectors.crisis_contacts_for_organisation(organisation)
    context = crisis_contacts.crisis_context(organisation=organisation, contacts=contacts)
    context["kept_plan_url"] = reverse("toolbox:crisis-plan-offline")
    return render(request, "web/offline.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def device(request: HttpRequest) -> HttpResponse:
    """What Tandem keeps on this device, and "Remove Tandem from this device".

    Public, so it works for whoever holds a shared phone. The POST answers with
    ``Clear-Site-Data`` (Cache Storage, service workers, local storage), so the removal works
    without JavaScript too; ``pwa.js`` also does it in the page first, for browsers that
    ignore the header. The session cookie is kept: this is not a logout.
    """
    if request.method == "POST":
        messages.success(request, _("Tandem's copies on this device are removed."))
        response = redirect("web:device")
        response["Clear-Site-Data"] = CLEAR_DEVICE
        return response
    return render(request, "web/device.html")
