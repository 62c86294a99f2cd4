"""The export's printable summary: a tagged, accessible PDF (PDF/UA-1) in the person's language,
with their goals' progress over time and their questionnaire scores over time (chart, words
and table)."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject, StreamObject

from tandem.accounts.models import User
from tandem.datarights.archive import build_archive
from tandem.datarights.summary import summary_for
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox import services as toolbox
from tandem.toolbox.models import GoalStatus
from tandem.toolbox.tests.factories import (
    CrisisPlanFactory,
    GoalFactory,
    MedicationFactory,
    default_domain,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(0))


def _summary_pdf(user: User) -> PdfReader:
    archive = zipfile.ZipFile(io.BytesIO(build_archive(user, lambda _done, _step: None)))
    return PdfReader(io.BytesIO(archive.read("summary.pdf")))


def _text(reader: PdfReader) -> str:
    return " ".join(page.extract_text() for page in reader.pages)


def _dict(value: Any) -> DictionaryObject:
    """``value`` (an indirect reference or an object) as the dictionary it must be."""
    found = value.get_object()
    assert isinstance(found, DictionaryObject)
    return found


def _structure(reader: PdfReader) -> list[DictionaryObject]:
    """Every element of the PDF's structure tree, depth first."""
    found: list[DictionaryObject] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.root_object["/StructTreeRoot"])
    return found


@pytest.fixture
def skylark_progress(service_user: User) -> Iterator[User]:
    """Skylark's goal (started, a step done, paused, achieved) and three PHQ-9s and a GAD-7
    over the same weeks, with her crisis plan and a medication."""
    CrisisPlanFactory.create(owner=service_user, warning_signs="Skipping breakfast")
    MedicationFactory.create(owner=service_user, name="Sertraline")
    with time_machine.travel(START, tick=False):
        goal = toolbox.create_goal(owner=service_user, domain=default_domain(), title="Walk daily")
        step = toolbox.add_step(owner=service_user, goal=goal, text="Buy shoes")
        make_response(service_user, "phq9", value=2)
    with time_machine.travel(START + timedelta(days=7), tick=False):
        toolbox.set_step_done(owner=service_user, step=step, done=True)
    with time_machine.travel(START + timedelta(days=14), tick=False):
        toolbox.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.PAUSED)
        make_response(service_user, "phq9", value=1)
        make_response(service_user, "gad7", value=1)
    with time_machine.travel(START + timedelta(days=28), tick=False):
        toolbox.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.ACHIEVED)
        make_response(service_user, "phq9", value=0)
    GoalFactory.create(title="Someone else's goal")
    yield service_user


def test_the_summary_is_a_tagged_pdf_ua_with_its_language_and_title(
    skylark_progress: User,
) -> None:
    reader = _summary_pdf(skylark_progress)
    catalog = reader.root_object
    assert _dict(catalog["/MarkInfo"])["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]) == "en"
    assert _dict(catalog["/ViewerPreferences"])["/DisplayDocTitle"] == BooleanObject(True)
    assert reader.metadata is not None and reader.metadata.title == "My Tandem summary"
    metadata = catalog["/Metadata"].get_object()
    assert isinstance(metadata, StreamObject)
    xmp = metadata.get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    roles = [str(element["/S"]) for element in _structure(reader)]
    assert roles.count("/H1") == 1
    for role in ("/H2", "/H3", "/P", "/Table", "/TH", "/TD", "/Caption", "/Figure", "/L", "/LI"):
        assert role in roles, role


def test_the_summary_is_in_the_person_s_language(skylark_progress: User) -> None:
    skylark_progress.language = "nb"
    skylark_progress.save(update_fields=["language"])
    reader = _summary_pdf(skylark_progress)
    assert str(reader.root_object["/Lang"]) == "nb"
    assert reader.metadata is not None
    assert reader.metadata.title == "Oppsummeringen min fra Tandem"
    assert "Målene mine" in _text(reader)


def test_weasyprint_reports_no_accessibility_error(
    skylark_progress: User, caplog: pytest.LogCaptureFixture
) -> None:
    """WeasyPrint logs an error for a missing language or a figure without alternative text."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        _summary_pdf(skylark_progress)
    assert [record.getMessage() for record in caplog.records if record.name == "weasyprint"] == []


def test_each_chart_is_a_figure_whose_alternative_text_is_its_description(
    skylark_progress: User,
) -> None:
    figures = [e for e in _structure(_summary_pdf(skylark_progress)) if str(e["/S"]) == "/Figure"]
    alts = sorted(str(figure.get("/Alt", "")) for figure in figures)
    assert len(alts) == 2
    assert alts[0].startswith("GAD-7") and "1 answer," in alts[0]
    assert alts[1].startswith("PHQ-9") and "3 answers, first 18, latest 0" in alts[1]
    assert "Lower scores are better." in alts[1]
    # The goal's marks on the same time axis, in words.
    assert "Goal “Walk daily” started" in alts[1] and "Goal “Walk daily”: paused" in alts[1]
    assert "Goal “Walk daily”: achieved" in alts[1]
    assert "Goal “Walk daily”" not in alts[0]  # one GAD-7: no axis to place a goal on
    assert "Goal “Walk daily”: paused" in alts[1] and "Goal “Walk daily”: achieved" in alts[1]


def test_the_summary_holds_the_trends_as_tables_and_each_goal_s_progress_over_time(
    skylark_progress: User,
) -> None:
    text = _text(_summary_pdf(skylark_progress))
    assert "My questionnaire scores over time" in text
    assert "PHQ-9 scores, oldest first" in text and "GAD-7 scores, oldest first" in text
    # The PHQ-9 table: each date with its score, oldest first.
    assert text.index("2 Mar 2026 18") < text.index("16 Mar 2026 9") < text.index("30 Mar 2026 0")
    assert "“Walk daily” over time" in text
    history = ["Goal started", "Step done: Buy shoes", "Status changed to: Paused"]
    positions = [text.index(line) for line in history]
    assert positions == sorted(positions)
    assert "Status changed to: Achieved" in text
    assert "Progress: 100% (1 of 1 steps done)" in text
    assert "Skipping breakfast" in text
    assert "Someone else's goal" not in text


def test_a_summary_without_answers_or_goals_says_so(service_user: User) -> None:
    text = _text(_summary_pdf(service_user))
    assert "No questionnaires answered yet." in text
    assert "No goals yet." in text


def test_the_summary_reads_the_same_number_of_queries_however_much_there_is(
    skylark_progress: User,
) -> None:
    with CaptureQueriesContext(connection) as few:
        summary_for(skylark_progress)
    for week in range(5):
        with time_machine.travel(START + timedelta(days=40 + 7 * week), tick=False):
            goal = toolbox.create_goal(
                owner=skylark_progress, domain=default_domain(), title=f"Goal {week}"
            )
            toolbox.set_goal_status(owner=skylark_progress, goal=goal, status=GoalStatus.PAUSED)
            make_response(skylark_progress, "phq9", value=1)
            make_response(skylark_progress, "gad7", value=2)
    with CaptureQueriesContext(connection) as many:
        summary = summary_for(skylark_progress)
    assert len(many) == len(few)
    assert len(summary.goals) == 6 and [len(t.rows) for t in summary.trends] == [6, 8]
