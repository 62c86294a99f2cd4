"""Changing one's own medications, network map and crisis plan.

As ``writes``: the owner only (``gates.own_toolbox``: someone else's id is a 404 and a security
event), input read by the page's form and saved by the page's service, the answer the item as
a read gives it. A network member removed can be brought back from the toolbox's undo, as on
the page; a medication removed is gone (the page asks the same).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status

from tandem.api.routers.common import WRITE_REFUSALS, Id, checked
from tandem.api.routers.toolbox import shapes
from tandem.api.routers.toolbox.gates import own_toolbox, router
from tandem.api.schemas import (
    CrisisPlanChangeIn,
    CrisisPlanOut,
    MedicationIn,
    MedicationOut,
    NetworkMemberIn,
    NetworkMemberOut,
)
from tandem.care.models import Module
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import CrisisPlanForm, MedicationForm, NetworkMemberForm
from tandem.toolbox.models import CRISIS_PLAN_SECTIONS

GONE = {204: None, **WRITE_REFUSALS}


@router.post("/people/{owner_id}/medications", response={201: MedicationOut, **WRITE_REFUSALS})
def medication_create(
    request: HttpRequest, owner_id: Id, payload: MedicationIn
) -> Status[dict[str, Any]]:
    """Add a medication; it is current until its stop date."""
    owner = own_toolbox(request, owner_id, Module.MEDICATIONS)
    data = checked(MedicationForm(payload.dict()))
    medication = services.add_medication(owner=owner, **data)
    return Status(201, shapes.medication(medication))


@router.put(
    "/people/{owner_id}/medications/{medication_id}",
    response={200: MedicationOut, **WRITE_REFUSALS},
)
def medication_change(
    request: HttpRequest, owner_id: Id, medication_id: Id, payload: MedicationIn
) -> Status[dict[str, Any]]:
    """Change a medication (send all of it); a stop date moves it to the past ones."""
    owner = own_toolbox(request, owner_id, Module.MEDICATIONS)
    medication = access.get_medication_for_owner(owner, medication_id)
    data = checked(MedicationForm(payload.dict()))
    services.update_medication(owner=owner, medication=medication, **data)
    return Status(200, shapes.medication(medication))


@router.delete("/people/{owner_id}/medications/{medication_id}", response=GONE)
def medication_delete(request: HttpRequest, owner_id: Id, medication_id: Id) -> Status[None]:
    """Remove a medication for good (to keep it as a past one, set its stop date instead)."""
    owner = own_toolbox(request, owner_id, Module.MEDICATIONS)
    medication = access.get_medication_for_owner(owner, medication_id)
    services.delete_medication(owner=owner, medication=medication)
    return Status(204, None)


@router.post("/people/{owner_id}/network", response={201: NetworkMemberOut, **WRITE_REFUSALS})
def network_member_create(
    request: HttpRequest, owner_id: Id, payload: NetworkMemberIn
) -> Status[dict[str, Any]]:
    """Put a person, a group or a service on the network map."""
    owner = own_toolbox(request, owner_id, Module.NETWORK)
    data = checked(NetworkMemberForm(payload.dict()))
    member = services.add_network_member(owner=owner, **data)
    return Status(201, shapes.network_member(member))


@router.put(
    "/people/{owner_id}/network/{member_id}", response={200: NetworkMemberOut, **WRITE_REFUSALS}
)
def network_member_change(
    request: HttpRequest, owner_id: Id, member_id: Id, payload: NetworkMemberIn
) -> Status[dict[str, Any]]:
    """Change someone on the network map (send all of it)."""
    owner = own_toolbox(request, owner_id, Module.NETWORK)
    member = access.get_network_member_for_owner(owner, member_id)
    data = checked(NetworkMemberForm(payload.dict()))
    services.update_network_member(owner=owner, member=member, **data)
    return Status(200, shapes.network_member(member))


@router.delete("/people/{owner_id}/network/{member_id}", response=GONE)
def network_member_delete(request: HttpRequest, owner_id: Id, member_id: Id) -> Status[None]:
    """Take someone off the network map (the toolbox's undo can bring them back)."""
    owner = own_toolbox(request, owner_id, Module.NETWORK)
    member = access.get_network_member_for_owner(owner, member_id)
    services.delete_network_member(owner=owner, member=member)
    return Status(204, None)


@router.patch("/people/{owner_id}/crisis-plan", response={200: CrisisPlanOut, **WRITE_REFUSALS})
def crisis_plan_change(
    request: HttpRequest, owner_id: Id, payload: CrisisPlanChangeIn
) -> Status[dict[str, Any]]:
    """Write sections of the crisis plan; sections not sent keep their text. The answer is the
    whole plan."""
    owner = own_toolbox(request, owner_id, Module.CRISIS_PLAN)
    known = [key for key, _title, _prompt in CRISIS_PLAN_SECTIONS]
    unknown = sorted(set(payload.sections) - set(known))
    if unknown:
        raise ValidationError(
            {"sections": [_("Unknown section: %(keys)s.") % {"keys": ", ".join(unknown)}]}
        )
    plan = selectors.crisis_plan_for_owner(owner)
    current = {s.key: s.text for s in selectors.crisis_plan_sections(plan)}
    data = checked(CrisisPlanForm(current | payload.sections))
    plan = services.save_crisis_plan(
        owner=owner, sections={key: data[key] for key in payload.sections}
    )
    return Status(200, shapes.crisis_plan(owner, plan))
