"""Care relationships and everything that hangs off them, read from the care app's models.

Every model of the care app is included by its links to the person or to their care
relationships, so agreements, grants and session notes added or reshaped later are exported
without a change here.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.care.models import CareRelationship, CareRequest
from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.rows import rows

# Machinery with nobody's data in it, or exported elsewhere.
LEFT_OUT = frozenset({"providerlinkcode"})


def _linked(model: type[models.Model], user: User, relationship_ids: list[int]) -> Q | None:
    condition: Q | None = None
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            continue
        if field.related_model is User:
            part = Q(**{field.attname: user.pk})
        elif field.related_model is CareRelationship:
            part = Q(**{f"{field.attname}__in": relationship_ids})
        else:
            continue
        condition = part if condition is None else condition | part
    if model is CareRequest and condition is not None:
        condition |= Q(email__iexact=user.email)
    return condition


def export(user: AbstractBaseUser) -> ExportData:
    person = User.objects.get(pk=user.pk)
    relationship_ids = list(
        CareRelationship.objects.filter(Q(service_user=person) | Q(provider=person)).values_list(
            "pk", flat=True
        )
    )
    data: dict[str, Any] = {}
    for model in apps.get_app_config("care").get_models():
        name = model._meta.model_name
        if name in LEFT_OUT or model._meta.abstract:
            continue
        condition = _linked(model, person, relationship_ids)
        if condition is None:
            continue
        manager = model._base_manager
        data[f"{name}s"] = rows(manager.filter(condition).order_by("pk"))
    return data


def erase(erasure: Erasure) -> None:
    # A provider's request names the person's address: it goes. The access record and
    # security events stay, append-only: they hold ids, never text (docs/data-rights.md).
    CareRequest.objects.filter(email__iexact=erasure.email).delete()


SOURCE = PersonalDataSource(
    name="care",
    description=(
        "Your care relationships, what you share with each care provider (grants) and the "
        "changes to them, care agreements, joint session notes, comments on your toolbox, "
        "requests to join your care team, and your access log: who read which part of your "
        "data, and when."
    ),
    export=export,
    erase=erase,
    order=40,
)
