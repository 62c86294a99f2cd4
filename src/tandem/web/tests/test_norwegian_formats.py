"""Dates and numbers on the pages follow the person's language (issue 21): Norwegian bokmål's
month names and decimal comma when they chose nb, English otherwise, whatever the browser asks
for. The interface sentences themselves are checked by ``test_translation_catalogue.py`` and in
the browser by ``browser/test_norwegian.py``."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.toolbox.tests.factories import ActivityFactory, ExercisePracticeFactory, GoalFactory

pytestmark = pytest.mark.django_db

TARGET = date(2026, 12, 7)
DONE = date(2026, 10, 3)

# What the pages write (their format is "j M Y"; the averages have one decimal).
EXPECTED = {
    "nb": {"target": "7 Des 2026", "done": "3 Okt 2026", "average": "3,5", "lang": "nb"},
    "en": {"target": "7 Dec 2026", "done": "3 Oct 2026", "average": "3.5", "lang": "en"},
}


def _text(client: Client, path: str) -> tuple[str, str]:
    """The page's ``<html lang>`` and its text with tags and runs of space removed."""
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    lang = re.search(r'<html[^>]*\slang="([^"]+)"', html)
    assert lang is not None
    return lang.group(1), " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    ("chosen", "browser", "expected"),
    [
        ("nb", "en-GB,en;q=0.9", "nb"),  # her choice wins over the browser
        ("en", "nb-NO,nb;q=0.9", "en"),
        ("", "en-GB,en;q=0.9", "en"),  # nothing chosen: the browser decides
    ],
)
def test_dates_and_numbers_follow_the_persons_language(
    chosen: str, browser: str, expected: str, service_user: User
) -> None:
    service_user.language = chosen
    service_user.save(update_fields=["language"])
    goal = GoalFactory.create(owner=service_user, title="Walk", target_date=TARGET)
    ActivityFactory.create(owner=service_user, goal=goal, domain=goal.domain, done_on=DONE)
    for helped in (3, 4):
        ExercisePracticeFactory.create(owner=service_user, exercise="box-breathing", helped=helped)
    client = Client(HTTP_ACCEPT_LANGUAGE=browser)
    client.force_login(service_user)
    want = EXPECTED[expected]
    pages = {
        "goal": _text(client, f"/toolbox/goals/{goal.pk}/"),
        "goals": _text(client, "/toolbox/goals/"),
        "activities": _text(client, "/toolbox/activities/"),
        "exercises": _text(client, "/toolbox/exercises/"),
    }
    assert {lang for lang, _ in pages.values()} == {want["lang"]}
    assert want["target"] in pages["goal"][1]
    assert want["target"] in pages["goals"][1]
    assert want["done"] in pages["activities"][1]
    assert want["done"] in pages["goal"][1]
    assert re.search(rf"\b{re.escape(want['average'])}\b", pages["exercises"][1])
    other = EXPECTED["en" if expected == "nb" else "nb"]
    assert other["target"] not in pages["goal"][1]
    assert other["done"] not in pages["activities"][1]
    assert other["average"] not in pages["exercises"][1]
