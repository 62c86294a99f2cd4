"""What the export holds beyond the toolbox's modules: goal history, questionnaire answers
(JSON and FHIR, by the questionnaires app's own builder), moderation about the person, and the
record of changes."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from tandem.accounts.models import Organisation, Role, User
from tandem.care import services as care
from tandem.care.models import Level, Module
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.datarights.archive import build_archive
from tandem.forum.models import Post
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation import services as moderation
from tandem.moderation.models import ReportReason
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox import services as toolbox
from tandem.toolbox.models import GoalStatus
from tandem.toolbox.tests.factories import GoalFactory, default_domain

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(
    service_user: User,
    provider: User,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> zipfile.ZipFile:
    """Skylark's export after a PHQ-9 and a draft GAD-7, a report, a warning and a grant."""
    make_response(service_user, "phq9", value=2)
    make_response(service_user, "gad7", value=1).__class__.objects.filter(
        owner=service_user, instrument="gad7"
    ).update(submitted_at=None)
    community = CommunityFactory.create(organisation=organisation)
    category = CategoryFactory.create(community=community)
    join(service_user, community)
    otter = join(make_member(Role.SERVICE_USER, pseudonym="Otter"), community)
    mo = make_member(Role.MODERATOR, pseudonym="Mo")
    topic = make_topic(otter, category, title="Loud", body="Everyone here is useless.")
    moderation.report_post(
        reporter=service_user,
        post=Post.objects.get(topic=topic),
        reason=ReportReason.HARASSMENT,
        text="It hurt",
    )
    moderation.warn_person(moderator=mo, community=community, subject=service_user, reason="Kind")
    relationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.VIEW}})
    return zipfile.ZipFile(io.BytesIO(build_archive(service_user, lambda _done, _step: None)))


def test_questionnaire_answers_are_in_the_json_with_their_scores(
    archive: zipfile.ZipFile,
) -> None:
    data = json.loads(archive.read("questionnaires.json"))
    submitted, draft = sorted(data["responses"], key=lambda r: r["submitted_at"] is None)
    assert (submitted["instrument"], submitted["score"]) == ("phq9", 18)
    assert submitted["answers"]["1"] == 2
    assert draft["submitted_at"] is None and "score" not in draft
    assert "questionnaires.json" in archive.read("README.txt").decode()


def test_questionnaire_answers_are_in_the_fhir_bundle_tied_to_the_patient(
    archive: zipfile.ZipFile,
) -> None:
    bundle = Bundle.model_validate(json.loads(archive.read("fhir_bundle.json")))
    resources = [entry.resource for entry in bundle.entry or [] if entry.resource]
    kinds = [resource.get_resource_type() for resource in resources]
    assert kinds == ["Patient", "Questionnaire", "QuestionnaireResponse", "Observation"]
    patient = next(entry for entry in bundle.entry or [] if entry.resource is resources[0])
    response, score = resources[2], resources[3]
    assert response.subject.reference == patient.fullUrl  # type: ignore[attr-defined]
    assert score.subject.reference == patient.fullUrl  # type: ignore[attr-defined]
    assert score.valueInteger == 18  # type: ignore[attr-defined]


def test_moderation_about_the_person_is_in_the_export_without_other_people(
    archive: zipfile.ZipFile,
) -> None:
    data = json.loads(archive.read("moderation.json"))
    assert [(r["reason"], r["text"], r["state"]) for r in data["reports"]] == [
        ("harassment", "It hurt", "open")
    ]
    assert [(s["kind"], s["reason"]) for s in data["sanctions"]] == [("warn", "Kind")]
    text = archive.read("moderation.json").decode()
    assert "Mo" not in text and "Otter" not in text


def test_the_record_of_changes_is_in_the_export(archive: zipfile.ZipFile) -> None:
    lines = json.loads(archive.read("changes.json"))["changes"]
    kinds = sorted(line["kind"] for line in lines)
    assert kinds == ["grant.created", "moderation.action"]
    assert "A moderator acted: Warned a person." in [line["sentence"] for line in lines]


def test_each_goal_s_history_is_in_the_export_with_dates(service_user: User) -> None:
    """Every status a goal took, oldest first, with when: the export's goal_history."""
    start = timezone.now() - timedelta(days=30)
    with time_machine.travel(start, tick=False):
        goal = toolbox.create_goal(owner=service_user, domain=default_domain(), title="Walk daily")
    with time_machine.travel(start + timedelta(days=10), tick=False):
        toolbox.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.PAUSED)
    with time_machine.travel(start + timedelta(days=20), tick=False):
        toolbox.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.ACHIEVED)
    GoalFactory.create()  # someone else's goal and its history stay out
    archive = zipfile.ZipFile(io.BytesIO(build_archive(service_user, lambda _done, _step: None)))
    history = json.loads(archive.read("toolbox.json"))["goal_history"]
    assert [(row["goal_id"], row["status"]) for row in history] == [
        (goal.pk, "active"),
        (goal.pk, "paused"),
        (goal.pk, "achieved"),
    ]
    assert [row["changed_at"][:10] for row in history] == [
        (start + timedelta(days=days)).date().isoformat() for days in (0, 10, 20)
    ]
    assert "goal_history" in archive.read("README.txt").decode()
