"""The export's ZIP: one JSON file per registered source, the FHIR Bundle, the printable
summary and a README that says what each file holds."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.language import language_for
from tandem.accounts.models import User
from tandem.core.personal_data import personal_data_sources
from tandem.datarights.fhir import build_bundle
from tandem.datarights.pdf import build_summary_pdf

FHIR_FILE = "fhir_bundle.json"
PDF_FILE = "summary.pdf"
README_FILE = "README.txt"

Progress = Callable[[int, str], None]


def build_archive(user: User, progress: Progress) -> bytes:
    """Return the ZIP's bytes, reporting progress (0 to 100 and a step name) as it goes. The
    README and the summary are in the person's language, whatever language the worker runs in
    (``accounts.language``)."""
    with translation.override(language_for(user)):
        return _build_archive(user, progress)


def _build_archive(user: User, progress: Progress) -> bytes:
    sources = personal_data_sources()
    steps = len(sources) + 2
    described: list[tuple[str, str]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, source in enumerate(sources):
            progress(int(100 * done / steps), source.name)
            name = f"{source.name}.json"
            data = source.export(user)
            archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=2))
            described.append((name, source.description))
        progress(int(100 * len(sources) / steps), "fhir")
        archive.writestr(FHIR_FILE, json.dumps(build_bundle(user), indent=2))
        described.append(
            (
                FHIR_FILE,
                _(
                    "A FHIR R4 Bundle (type 'collection') of what has a standard health-record "
                    "form: you as a Patient without name or contact details, your goals as "
                    "Goal, your medications as MedicationStatement, and your questionnaire "
                    "answers as Questionnaire, QuestionnaireResponse and an Observation of "
                    "each score."
                ),
            )
        )
        progress(int(100 * (len(sources) + 1) / steps), "pdf")
        archive.writestr(PDF_FILE, build_summary_pdf(user))
        described.append(
            (
                PDF_FILE,
                _(
                    "A printable summary: your crisis plan, your goals and how they went over "
                    "time, your questionnaire scores over time (each chart with its table), "
                    "your medications and network. A tagged PDF, readable by screen readers."
                ),
            )
        )
        archive.writestr(README_FILE, _readme(described))
    return buffer.getvalue()


def _readme(described: list[tuple[str, str]]) -> str:
    lines = [
        _("Your data from Tandem"),
        _("Made on %(when)s (UTC).") % {"when": timezone.now().strftime("%Y-%m-%d %H:%M")},
        "",
        _(
            "Each .json file is UTF-8 JSON: an object whose keys name lists of records, one "
            "record per row with every field, dates in ISO 8601. People other than you "
            "appear only as numbers (ids)."
        ),
        "",
    ]
    for name, description in [(README_FILE, _("This file.")), *described]:
        lines += [name, f"  {description}", ""]
    return "\n".join(lines)
