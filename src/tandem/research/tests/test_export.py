"""Exports: the events of people taking part, suppressed tables, a data dictionary, an audit
record for each, and never a word anyone wrote nor a name."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Organisation, Role, User
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.core.usage import Action, Module
from tandem.forum.models import Category, ReactionKind
from tandem.forum.services import toggle_reaction
from tandem.forum.tests.conftest import category, community, join, make_topic, reply
from tandem.messaging import services as messaging_services
from tandem.messaging.tests.factories import thread_between
from tandem.research import services
from tandem.research.models import ExportRecord, ResearchEvent, Study
from tandem.toolbox.services.journal import write_journal_entry

pytestmark = pytest.mark.django_db

__all__ = ["category", "community"]  # forum fixtures used here


def _export(client: Client, study: Study, kind: str) -> bytes:
    response = client.post(f"/research/{study.pk}/export.{kind}")
    assert response.status_code == 200
    assert f'filename="study-{study.pk}-' in response["Content-Disposition"]
    return response.content


def _zip_texts(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_json_export_holds_the_events_tables_and_dictionary(
    client: Client, researcher: User, consenting: Callable[..., User], study: Study
) -> None:
    people = [consenting() for _ in range(6)]
    for person in people:
        for _ in range(2):
            _visit(person, Module.FORUM)
    _visit(people[0], Module.JOURNAL)
    login_client(client, researcher)
    document = json.loads(_export(client, study, "json"))
    assert document["study"]["participants"] == 6
    assert len(document["events"]) == 13 + 0  # visits only; the researcher's sign-in is theirs
    assert {event["participant"] for event in document["events"]} == {
        study.pseudonym_for(p.pk) for p in people
    }
    assert set(document["events"][0]) == {
        "participant", "role", "module", "action", "hour", "wait_hours", "late"
    }  # fmt: skip
    modules = {row["module"]: row for row in document["tables"]["modules"]}
    assert modules["forum"]["service_user_visits"] == 12
    assert modules["journal"]["service_user_visits"] == "< 5"
    assert modules["goals"]["service_user_visits"] == 0
    fields = {(entry["table"], entry["field"]) for entry in document["data_dictionary"]}
    assert ("events", "participant") in fields and ("modules", "module") in fields


def test_each_export_is_recorded_with_who_when_and_which_study(
    client: Client, researcher: User, study: Study
) -> None:
    login_client(client, researcher)
    _export(client, study, "json")
    _export(client, study, "zip")
    records = list(ExportRecord.objects.order_by("id"))
    assert [(r.researcher, r.study, r.format) for r in records] == [
        (researcher, study, "json"),
        (researcher, study, "csv"),
    ]
    assert all(r.created_at is not None for r in records)
    page = client.get(f"/research/{study.pk}/").content.decode()
    assert "Latest exports" in page and researcher.get_full_name() in page


def test_an_export_is_a_post_so_nothing_fetches_it_by_accident(
    client: Client, researcher: User, study: Study
) -> None:
    login_client(client, researcher)
    assert client.get(f"/research/{study.pk}/export.json").status_code == 405
    assert not ExportRecord.objects.exists()


def test_the_csv_zip_has_every_table_and_the_dictionary(
    client: Client, researcher: User, consenting: Callable[..., User], study: Study
) -> None:
    person = consenting()
    _visit(person, Module.GOALS)
    login_client(client, researcher)
    files = _zip_texts(_export(client, study, "zip"))
    assert set(files) == {
        "events.csv", "modules.csv", "weekly.csv", "data_dictionary.csv", "study.json"
    }  # fmt: skip
    events = list(csv.DictReader(io.StringIO(files["events.csv"])))
    assert [(e["module"], e["action"]) for e in events] == [("goals", "visit")]
    weekly = list(csv.DictReader(io.StringIO(files["weekly.csv"])))
    assert weekly and weekly[0]["service_users"] == "< 5"


def test_withdrawn_and_declined_people_are_not_exported(
    client: Client,
    researcher: User,
    consenting: Callable[..., User],
    make_member: Callable[..., User],
    study: Study,
) -> None:
    stays, leaves = consenting(), consenting()
    declines = make_member()
    services.decline_consent(user=declines, study=study, role=Role.SERVICE_USER)
    for person in (stays, leaves, declines):
        _visit(person, Module.FORUM)
    services.withdraw_consent(user=leaves, study=study)
    login_client(client, researcher)
    document = json.loads(_export(client, study, "json"))
    assert {e["participant"] for e in document["events"]} == {study.pseudonym_for(stays.pk)}
    text = json.dumps(document) + "".join(_zip_texts(_export(client, study, "zip")).values())
    for gone in (leaves, declines):
        assert study.pseudonym_for(gone.pk) not in text


def test_the_export_holds_nothing_anyone_wrote_and_no_name(
    client: Client,
    researcher: User,
    consenting: Callable[..., User],
    study: Study,
    category: Category,
    organisation: Organisation,
) -> None:
    person = consenting(
        full_name="Wilhelmina Quartzfield", pseudonym="Nightjar", email="wilhelmina@example.org"
    )
    provider = consenting(
        Role.PROVIDER, totp=True, full_name="Horatio Lumpkin", pseudonym="Kestrel"
    )
    peer = consenting(full_name="Juniper Oxley", pseudonym="Wrenfold")
    for member in (person, provider, peer):
        join(member, category.community)
    writings = [
        "My quiet walk by the river helped today",
        "Thinking of you, it gets easier with time",
        "Please call me about the appointment on Thursday",
        "Yes, I will ring you at noon tomorrow",
        "I slept badly and worried about my sister",
        "Private entry title: storms",
    ]
    topic = make_topic(person, category, title="Walking helps", body=writings[0])
    post = reply(peer, topic, writings[1])
    toggle_reaction(user=person, post=post, kind=ReactionKind.HEAR_YOU)
    relationship = CareRelationshipFactory.create(
        service_user=person, provider=provider, organisation=organisation
    )
    Agreement.objects.create(relationship=relationship, reply_within_days=2)
    thread = thread_between(person, provider, subject="Appointment change")
    messaging_services.send_message(
        sender=person, thread=thread, body=writings[2], client_key=uuid.uuid4()
    )
    thread.refresh_from_db()
    messaging_services.send_message(
        sender=provider, thread=thread, body=writings[3], client_key=uuid.uuid4()
    )
    write_journal_entry(owner=person, title=writings[5], body=writings[4])
    assert ResearchEvent.objects.count() >= 4

    login_client(client, researcher)
    exported = json.loads(_export(client, study, "json"))
    text = (json.dumps(exported, ensure_ascii=False) + "\n".join(
        _zip_texts(_export(client, study, "zip")).values()
    )).lower()  # fmt: skip
    assert len(exported["events"]) >= 4
    whole = [*writings, "Walking helps", "Appointment change", organisation.name]
    for value in whole:
        assert value.lower() not in text, f"{value!r} is in the export"
    # Names in every form, and the unusual words of what people wrote, one by one.
    words = ["river", "easier", "thursday", "noon", "sister", "storms", "walking", "appointment"]
    for person_ in (person, provider, peer):
        words += [*person_.full_name.lower().split(), person_.pseudonym.lower(), person_.email]
    for word in words:
        assert word not in text, f"{word!r} is in the export"
    # No id of anything in Tandem: no user, post, topic, thread or message number.
    numbers = {str(n) for n in (person.pk, provider.pk, peer.pk, post.pk, topic.pk, thread.pk)}
    for event in exported["events"]:
        assert not numbers & {str(v) for v in event.values()}


def _visit(person: User, module: str) -> None:
    from tandem.core import usage

    page = {Module.FORUM: "topic-detail", Module.JOURNAL: "journal-list"}.get(module, "goal-list")
    namespace = "forum" if module == Module.FORUM else "toolbox"
    usage.record(person.pk, namespace, Action.VISIT, page=page)
