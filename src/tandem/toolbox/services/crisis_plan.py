"""The crisis plan: one per owner, seven sections."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.toolbox.models import CRISIS_PLAN_SECTIONS, CrisisPlan
from tandem.toolbox.services.common import save_cleaned


def save_crisis_plan(*, owner: User, sections: Mapping[str, str]) -> CrisisPlan:
    """Create or update the owner's crisis plan. Sections not in ``sections`` keep their text;
    unknown keys are refused."""
    known = {key for key, _title, _prompt in CRISIS_PLAN_SECTIONS}
    unknown = set(sections) - known
    if unknown:
        raise ValidationError(_("Unknown crisis plan section."), code="unknown_section")
    with transaction.atomic():
        plan, _created = CrisisPlan.objects.select_for_update().get_or_create(owner=owner)
        for key, text in sections.items():
            setattr(plan, key, text.strip())
        save_cleaned(plan)
    return plan
