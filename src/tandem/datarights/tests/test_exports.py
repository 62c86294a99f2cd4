from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from tandem.conftest import login_client, reauthenticate
from tandem.datarights.models import DataExport, ExportStatus
from tandem.datarights.tests.conftest import PHRASE, OtterWorld

pytestmark = pytest.mark.django_db


def _request(client: Client, capture: Any) -> DataExport:
    with capture(execute=True):
        response = client.post("/account/data/")
    assert response.status_code == 302
    return DataExport.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_otter_downloads_his_export_with_every_file(
    client: Client, otter_world: OtterWorld, django_capture_on_commit_callbacks: Any
) -> None:
    login_client(client, otter_world.otter)
    export = _request(client, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY  # the immediate task backend in tests
    assert PHRASE not in mail.outbox[-1].body and "Otter" not in mail.outbox[-1].body
    page = client.get(f"/account/data/exports/{export.pk}/")
    assert b"Download my data" in page.content
    url = f"/account/data/exports/{export.pk}/download/"
    assert "reauthenticate" in client.post(url)["Location"]
    reauthenticate(client)
    response = client.post(url)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    readme = archive.read("README.txt").decode()
    for name in names - {"README.txt"}:
        assert name in readme
    for name in ("account", "toolbox", "care", "messages", "forum", "notifications"):
        data = json.loads(archive.read(f"{name}.json"))
        assert isinstance(data, dict)
    toolbox = json.loads(archive.read("toolbox.json"))
    assert PHRASE in toolbox["journal"][0]["body"]
    forum = json.loads(archive.read("forum.json"))
    assert forum["drafts"] and forum["posts"]
    bundle = Bundle.model_validate(json.loads(archive.read("fhir_bundle.json")))
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry or [] if entry.resource]
    assert kinds == ["Patient", "Goal", "MedicationStatement"]
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages
    )
    assert f"Walk by the {PHRASE}" in " ".join(text.split())
    assert f"Not sleeping; {PHRASE}" in " ".join(text.split())


def test_someone_elses_export_and_a_forged_id_are_not_found(
    client: Client, otter_world: OtterWorld, django_capture_on_commit_callbacks: Any
) -> None:
    login_client(client, otter_world.otter)
    export = _request(client, django_capture_on_commit_callbacks)
    other = login_client(Client(), otter_world.skylark)
    reauthenticate(other)
    assert other.get(f"/account/data/exports/{export.pk}/").status_code == 404
    assert other.post(f"/account/data/exports/{export.pk}/download/").status_code == 404
    assert other.post(f"/account/data/exports/{uuid.uuid4()}/download/").status_code == 404
    assert other.post("/account/data/exports/not-a-uuid/download/").status_code == 404


def test_a_second_export_while_one_builds_is_refused_clearly(
    client: Client, otter_world: OtterWorld
) -> None:
    DataExport.objects.create(user=otter_world.otter, status=ExportStatus.BUILDING, progress=40)
    login_client(client, otter_world.otter)
    response = client.post("/account/data/")
    assert response.status_code == 409
    assert b"still being prepared" in response.content
    export = DataExport.objects.get()
    page = client.get(f"/account/data/exports/{export.pk}/")
    assert b'<progress id="export-progress" max="100" value="40">' in page.content


def test_the_download_expires_after_24_hours_and_the_sweep_deletes_the_file(
    client: Client, otter_world: OtterWorld, django_capture_on_commit_callbacks: Any
) -> None:
    login_client(client, otter_world.otter)
    export = _request(client, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        reauthenticate(login_client(client, otter_world.otter))
        assert client.post(f"/account/data/exports/{export.pk}/download/").status_code == 410
        call_command("datarights_sweep")
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and export.file_name == ""
