"""Research's share of a person's data (``tandem.core.personal_data``), registered from
``ResearchConfig.ready()``.

Export: each study the person was asked to take part in, their answer and its dates, and the
events recorded while they took part (what, where and the hour; never the pseudonym, which
nobody is shown). Erasure: the person is withdrawn from every study they take part in, as
withdrawing on the research page does, and the events under their pseudonyms are deleted. They
hold no content, but a study's pseudonym is a keyed hash of the account id, which outlives the
account in the append-only records, so the events could be linked back by whoever holds the
study's key. The consent rows then go with the account (a CASCADE foreign key).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.accounts.models import User
from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.research import services
from tandem.research.models import Consent, ConsentStatus, ResearchEvent

EVENT_FIELDS = ("module", "action", "hour", "wait_hours", "late")


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export(user: AbstractBaseUser) -> ExportData:
    consents = Consent.objects.filter(user_id=user.pk).select_related("study").order_by("pk")
    studies = []
    for consent in consents:
        events = ResearchEvent.objects.filter(
            study_id=consent.study_id, pseudonym=consent.pseudonym
        ).order_by("hour", "pk")
        studies.append(
            {
                "study": consent.study.title,
                "ethics_reference": consent.study.ethics_reference,
                "role": consent.role,
                "answer": consent.status,
                "consented_at": _when(consent.consented_at),
                "declined_at": _when(consent.declined_at),
                "withdrawn_at": _when(consent.withdrawn_at),
                "events": [
                    {
                        field: _when(value) if field == "hour" else value
                        for field, value in zip(EVENT_FIELDS, event_values, strict=True)
                    }
                    for event_values in events.values_list(*EVENT_FIELDS)
                ],
            }
        )
    return {"studies": studies}


def erase(erasure: Erasure) -> None:
    person = erasure.user
    assert isinstance(person, User)  # noqa: S101 - the registry erases accounts of this model
    consents = list(Consent.objects.filter(user_id=person.pk).select_related("study"))
    for consent in consents:
        if consent.status == ConsentStatus.CONSENTED:
            services.withdraw_consent(user=person, study=consent.study)
        else:
            # Said no or withdrew already: no events should be left; make sure of it.
            ResearchEvent.objects.filter(
                study_id=consent.study_id, pseudonym=consent.pseudonym
            ).delete()


SOURCE = PersonalDataSource(
    name="research",
    description=(
        "Research studies you were asked to take part in: your answer and when you gave it, "
        "and the events recorded while you took part (what kind of thing you did, in which "
        "part of Tandem, to the hour; never what you wrote)."
    ),
    export=export,
    erase=erase,
    order=40,
)
