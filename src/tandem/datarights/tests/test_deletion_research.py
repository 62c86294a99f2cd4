"""Erasing an account withdraws the person from every study: the events recorded under their
pseudonyms go; other participants' stay. The export holds their studies."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.core.usage import Action, Module
from tandem.datarights.archive import build_archive
from tandem.datarights.models import ForumPostsChoice
from tandem.datarights.services.deletion import erase_account, request_deletion
from tandem.datarights.tests.conftest import OtterWorld
from tandem.research import services as research
from tandem.research.models import Consent, ResearchEvent, Study

pytestmark = pytest.mark.django_db


def _study(organisation: Organisation, title: str) -> Study:
    today = timezone.localdate()
    return Study.objects.create(
        organisation=organisation,
        title=title,
        purpose="To learn which parts help.",
        ethics_reference="REC 2026/1",
        collected="Which part of Tandem you used, the kind of action and the hour.",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=30),
    )


def _event(study: Study, user: User) -> ResearchEvent:
    return ResearchEvent.objects.create(
        study=study,
        pseudonym=study.pseudonym_for(user.pk),
        role=Role.SERVICE_USER,
        module=Module.GOALS,
        action=Action.GOAL_CHANGED,
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
    )


def test_erasure_withdraws_him_from_every_study_and_deletes_his_events(
    organisation: Organisation, otter_world: OtterWorld
) -> None:
    otter, skylark = otter_world.otter, otter_world.skylark
    usage, sleep = _study(organisation, "Usage"), _study(organisation, "Sleep")
    for study in (usage, sleep):
        research.give_consent(user=otter, study=study, role=Role.SERVICE_USER)
        _event(study, otter)
    research.give_consent(user=skylark, study=usage, role=Role.SERVICE_USER)
    kept = _event(usage, skylark)
    deletion = request_deletion(user=otter, forum_posts=ForumPostsChoice.DELETE)
    erase_account(deletion=deletion)
    assert list(ResearchEvent.objects.all()) == [kept]
    assert not Consent.objects.filter(pseudonym=usage.pseudonym_for(otter.pk)).exists()
    assert Consent.objects.filter(user=skylark).count() == 1


def test_the_export_lists_his_studies_and_events_without_his_pseudonym(
    organisation: Organisation, otter_world: OtterWorld
) -> None:
    otter = otter_world.otter
    usage, declined = _study(organisation, "Usage"), _study(organisation, "Declined")
    research.give_consent(user=otter, study=usage, role=Role.SERVICE_USER)
    research.decline_consent(user=otter, study=declined, role=Role.SERVICE_USER)
    _event(usage, otter)
    archive = zipfile.ZipFile(io.BytesIO(build_archive(otter, lambda _done, _step: None)))
    data = json.loads(archive.read("research.json"))
    assert [(s["study"], s["answer"], len(s["events"])) for s in data["studies"]] == [
        ("Usage", "consented", 1),
        ("Declined", "declined", 0),
    ]
    assert data["studies"][0]["events"][0]["module"] == Module.GOALS
    assert usage.pseudonym_for(otter.pk) not in archive.read("research.json").decode()
    assert "research.json" in archive.read("README.txt").decode()
