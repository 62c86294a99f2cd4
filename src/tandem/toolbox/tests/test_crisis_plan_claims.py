"""The crisis plan's offline page says a copy is saved on this device only when it is the
copy the service worker keeps; the "JavaScript is not running" line can be hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.toolbox.tests.factories import CrisisPlanFactory

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[1] / "static" / "toolbox"


def test_the_offline_page_opened_directly_claims_no_saved_copy(
    owner_client: Client, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    html = owner_client.get("/toolbox/crisis-plan/offline/").content.decode()
    assert "saved on this device" not in html
    assert "No copy is kept on this device" in html


def test_the_copy_the_worker_keeps_says_when_it_was_saved(
    owner_client: Client, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    response = owner_client.get("/toolbox/crisis-plan/offline/", HTTP_X_TANDEM_KEEP="1")
    assert "This copy was saved on this device on" in response.content.decode()
    assert "X-Tandem-Keep" in response["Vary"]
    # ...and the worker asks for it that way.
    assert '"X-Tandem-Keep": "1"' in (STATIC / "crisis-plan-sw.js").read_text()


def test_a_hidden_hint_stays_hidden() -> None:
    # The design system's `.hint { display: block }` beat the browser's [hidden] rule; the
    # browser test test_the_crisis_plan_says_javascript_is_off_only_when_it_is checks it live.
    assert ".hint[hidden] { display: none; }" in (STATIC / "toolbox.css").read_text()
